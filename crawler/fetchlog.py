"""fetch_log rows, built in one place for the single-process ArchivePipeline and the distributed StreamPipeline."""

from __future__ import annotations

from typing import Any

from crawler.items import FetchErrorItem
from pipelines.store import now_iso


def response_row(response: Any, request: Any) -> dict[str, Any] | None:
    """The row of a response below 400 (failed ones come from the spider's errback, with the reason)."""
    if response.status >= 400:
        return None
    return {
        "url": response.url, "portal": request.meta.get("portal"),
        "kind": request.meta.get("kind", "robots" if response.url.endswith("/robots.txt") else None),
        "status": response.status, "bytes": len(response.body),
        "content_type": response.headers.get(b"Content-Type", b"").decode("latin-1") or None,
        "referer": (request.headers.get(b"Referer") or b"").decode("latin-1") or None,
        "fetched_at": now_iso(),
    }


def error_row(item: FetchErrorItem) -> dict[str, Any]:
    """The row of a failed request (FetchErrorItem from the spider's errback)."""
    return {"url": item.url, "portal": item.portal, "kind": item.kind, "status": item.status, "error": item.error,
            "referer": item.referer, "fetched_at": now_iso()}

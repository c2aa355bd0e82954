"""Conditional-request memos: validators (ETag, Last-Modified, sha256) and parsed-page memos per URL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

from pipelines.dedup import canonical_url
from pipelines.store.captures import link_captures
from pipelines.store.schema import now_iso, transaction


def header(headers: Mapping[Any, str], name: str) -> str | None:
    for key, value in headers.items():
        if (key.decode("latin-1") if isinstance(key, bytes) else key).lower() == name.lower():
            return value
    return None


def save_validators(db: sqlite_utils.Database, report_id: int, record: Mapping[str, Any], seen: str,
                    run_id: int | None) -> None:
    """ETag / Last-Modified / body sha256 of the fetched URL, for conditional requests next time."""
    fetch = record.get("fetch")
    if not fetch:  # a local import: nothing to revalidate
        return
    headers = fetch.get("headers") or {}
    db.execute(
        """insert into http_validators (url, kind, etag, last_modified, sha256, report_id, last_status,
                                        first_seen, last_seen, last_run_id)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           on conflict (url) do update set etag = excluded.etag,
               last_modified = excluded.last_modified, sha256 = excluded.sha256, report_id = excluded.report_id,
               last_status = excluded.last_status, last_seen = excluded.last_seen, last_run_id = excluded.last_run_id""",
        [record["url"], record.get("url_kind", "page"), header(headers, "ETag"), header(headers, "Last-Modified"),
         fetch.get("sha256"), report_id, fetch.get("status", 200), seen, seen, run_id],
    )


def mark_seen(db: sqlite_utils.Database, url: str, run_id: int | None, status: int = 304) -> int | None:
    """A known document answered 304 (or the same bytes): it is seen again, nothing is re-parsed.

    Updates last_seen of the report, its URL and the validators; returns the report id, or None
    when the URL is not an archived report (then nothing changes).
    """
    seen = now_iso()
    with transaction(db):
        row = db.execute("select report_id from http_validators where url = ?", [url]).fetchone()
        if not row:
            return None
        db.execute("update http_validators set last_status = ?, last_seen = ?, last_run_id = ? where url = ?",
                   [status, seen, run_id, url])
        if row[0] is None:  # a known page that is not a report (a list, a news page)
            return None
        report_id = int(row[0])
        db.execute("update reports set last_seen = ?, last_run_id = ? where id = ?", [seen, run_id, report_id])
        db.execute("update report_urls set last_seen = ? where report_id = ? and canonical_url = ?",
                   [seen, report_id, canonical_url(url)])
        link_captures(db, report_id, url)
    return report_id


def remember_pages(db: sqlite_utils.Database, rows: Iterable[Mapping[str, Any]], run_id: int | None) -> None:
    """Validators and memo (title, page metadata, links) of parsed pages, for conditional re-crawls.

    Never touches report_id: that is set by save_report when the page is archived as a report.
    """
    rows = list(rows)
    if not rows:
        return
    seen = now_iso()
    with transaction(db):
        for r in rows:
            db.execute(
                """insert into http_validators (url, kind, etag, last_modified, sha256, last_status, first_seen,
                                                last_seen, last_run_id, is_report, memo)
                   values (?, ?, ?, ?, ?, 200, ?, ?, ?, ?, ?)
                   on conflict (url) do update set kind = excluded.kind, etag = excluded.etag,
                       last_modified = excluded.last_modified, sha256 = excluded.sha256, last_status = 200,
                       last_seen = excluded.last_seen, last_run_id = excluded.last_run_id,
                       is_report = excluded.is_report, memo = excluded.memo""",
                [r["url"], r["kind"], r.get("etag"), r.get("last_modified"), r.get("sha256"), seen, seen, run_id,
                 int(bool(r.get("is_report"))), r.get("memo")],
            )

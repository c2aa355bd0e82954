"""The items every strategy yields: one schema shared by all portals (README "Items")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DocumentItem:
    """A fetched candidate report: an HTML detail page or an attachment (PDF, DOCX, …)."""

    url: str
    portal: str
    kind: str  # "page" | "attachment"
    body: bytes = b""
    text: str | None = None  # decoded HTML for pages (Scrapy's decoding, encoding-fixed)
    encoding: str | None = None
    content_type: str | None = None
    status: int = 200
    title: str = ""  # the page's title (for attachments: the linking page's title or link text)
    link_text: str = ""
    page_url: str | None = None  # attachments: the detail page that linked them
    region_code: str = ""
    fetched_at: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # ETag, Last-Modified, …
    page_meta: dict[str, Any] = field(default_factory=dict)  # linking page's 发布时间/信息来源 for attachments


@dataclass
class RejectedItem:
    """A candidate that is not an annual report, with the reason (audit table `rejected_pages`)."""

    url: str
    portal: str
    title: str
    reason: str


@dataclass
class FetchErrorItem:
    """A request that failed: HTTP error after retries, DNS, timeout, robots.txt, size limit."""

    url: str
    portal: str
    kind: str
    error: str
    status: int | None = None
    referer: str | None = None

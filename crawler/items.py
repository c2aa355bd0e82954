"""Every item the spider yields, in one module: one schema shared by all portals (README "Items").

DocumentItem  a fetched candidate report: `pipelines.records.Fetched`, parsed by the item pipelines
RejectedItem  a candidate that is not a report (audit table `rejected_pages`)
FetchErrorItem a request that failed
NotModifiedItem a known report fetched again unchanged (304 or the same bytes)
PageMemoItem  what a parsed page led to, replayed after a 304 (crawler/middlewares/conditional.py)
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.records import Fetched

DocumentItem = Fetched  # the spider builds the pure record directly; the name stays for readers of the items


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


@dataclass
class NotModifiedItem:
    """A known report fetched again with no change (304 or the same bytes): nothing to re-parse."""

    url: str
    portal: str
    kind: str
    status: int
    is_report: bool = True  # False: an unchanged list or other page (portal health does not count it as a report)


@dataclass
class PageMemoItem:
    """What a parsed page led to (validators, title, page metadata, links), replayed after a 304."""

    url: str
    kind: str
    etag: str | None
    last_modified: str | None
    sha256: str
    is_report: bool
    memo: bytes

"""The `portals` spider: portal rows in, candidate report documents out.

    scrapy crawl portals -a portals=PATH.csv -s ARCHIVE_DB=PATH.db
    scrapy crawl portals -a portals=demo            # the bundled offline demo on 127.0.0.1
    scrapy crawl portals -a region=3205 -a sample=5 # a subset of the bundled registry

Work per page is kept light (one lxml parse, title regexes); the heavy parsing happens in the
item pipelines, on report candidates only, off the reactor thread.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy_playwright.page import PageMethod

from crawler.discovery.listings import Link, Page, extract_links, page_titles
from crawler.items import DocumentItem, FetchErrorItem, NotModifiedItem, RejectedItem
from crawler.middlewares.conditional import body_sha256, decode_memo, page_memo
from crawler.registry import REGISTRY_PATH, Portal, PortalListError, load_portals, select
from pipelines.bounds import DEFAULT as DEFAULT_LIMITS
from pipelines.bounds import Limits, cut_page
from pipelines.classify import classify_title
from pipelines.documents import looks_binary
from pipelines.metadata import page_published_at, page_source, page_text

# Priorities: finish reports before wandering; pages of a list before other columns.
PRIORITY = {"report": 30, "attachment": 25, "next": 20, "listing": 20, "column": 10, "page": 0}
# A title that talks about annual reports but is rejected goes to the audit table.
_REPORTISH = re.compile(r"年度报告|年报|年度工作报告|信息公开.{0,4}报告")
_NOT_A_CANDIDATE = ("title does not name an annual report", "empty title")
# "page" links (news, other columns) are followed this many hops away from a relevant page.
MAX_IRRELEVANT_HOPS = 2


class PortalsSpider(scrapy.Spider):
    name = "portals"

    def __init__(self, portals: str | None = None, region: str | None = None, sample: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.portals_arg = portals
        self.region = region
        self.sample = int(sample) if sample else None
        self.portals: list[Portal] = []
        self.demo: Any = None
        self.pages_per_portal: Counter[str] = Counter()
        self._hosts: dict[str, set[str]] = {}
        self._follow_gov_cn = True

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.portals_arg == "demo":
            # Loopback demo: no need to wait between requests to our own server.
            for name, value in (("AUTOTHROTTLE_START_DELAY", 0.0), ("DOWNLOAD_DELAY", 0.0),
                                ("CONCURRENT_REQUESTS_PER_DOMAIN", 4)):
                crawler.settings.set(name, value, priority="spider")
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        spider.limits = Limits.from_settings(crawler.settings.get)  # pipelines/bounds.py
        spider.load_portals()
        if any(p.render for p in spider.portals):
            handlers = {**crawler.settings.getdict("DOWNLOAD_HANDLERS"),
                        **crawler.settings.getdict("PLAYWRIGHT_DOWNLOAD_HANDLERS")}
            crawler.settings.set("DOWNLOAD_HANDLERS", handlers, priority="spider")
        return spider

    # -- portal list ------------------------------------------------------------------------
    def load_portals(self) -> None:
        if self.portals_arg == "demo":
            from crawler.demo.server import start_demo

            self.demo = start_demo()
            rows = [Portal(name=r["name"], start_url=r["start_url"], render=str(r.get("render")).lower() == "true",
                           region_code=r.get("region_code", "")) for r in self.demo.rows]
        else:
            try:
                rows = load_portals(self.portals_arg or REGISTRY_PATH)
            except PortalListError as exc:
                raise ValueError(f"{exc}. See README 'Portal list'.") from None
        self.portals = select(rows, self.region, self.sample)
        if not self.portals:
            raise ValueError(f"no portal matches region={self.region!r} sample={self.sample!r}")
        self.by_name = {p.name: p for p in self.portals}

    def _closed(self, spider, reason: str) -> None:
        if self.demo is not None:
            self.demo.stop()

    # -- requests ---------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for portal in self.portals:
            for url in [portal.start_url, *portal.entry_urls]:
                yield self._request(Link(url, portal.name, "column"), portal, hops=0, referer=None)

    def _request(self, link: Link, portal: Portal, *, hops: int, referer: str | None,
                 extra: dict[str, Any] | None = None) -> scrapy.Request:
        meta: dict[str, Any] = {"portal": portal.name, "kind": link.kind, "hops": hops,
                                "link_text": link.text, **(extra or {})}
        render = (portal.render or link.render) and link.kind in ("column", "next", "page")
        if render:
            meta.update(playwright=True, playwright_include_page=False,
                        playwright_page_methods=[PageMethod("wait_for_load_state", "networkidle")])
        callback = self.parse_attachment if link.kind == "attachment" else self.parse_page
        return scrapy.Request(
            link.url, callback=callback, errback=self.on_error, method=link.method, body=link.body,
            headers=link.headers or None, meta=meta, priority=PRIORITY.get(link.kind, 0),
        )

    def _allowed(self, url: str, portal: Portal) -> bool:
        return self._host_allowed(urlsplit(url).netloc.lower(), portal)

    def _host_allowed(self, host: str, portal: Portal) -> bool:
        hosts = self._hosts.get(portal.name)
        if hosts is None:  # computed once per portal (~300 links a page ask)
            hosts = self._hosts[portal.name] = portal.hosts()
            self._follow_gov_cn = bool(self.settings.getbool("FOLLOW_GOV_CN"))
        if host in hosts:
            return True
        return self._follow_gov_cn and host.split(":")[0].endswith(".gov.cn")

    def _budget(self, portal: Portal) -> bool:
        limit = self.settings.getint("PORTAL_MAX_PAGES")
        if limit and self.pages_per_portal[portal.name] >= limit:
            return False
        self.pages_per_portal[portal.name] += 1
        return True

    # -- callbacks --------------------------------------------------------------------------
    def parse_page(self, response: Response) -> Iterator[Any]:
        portal = self.by_name[response.meta["portal"]]
        if response.meta.get("not_modified"):  # a known report, unchanged (crawler/middlewares/conditional.py)
            yield from self._not_modified(response, portal)
            return
        if not isinstance(response, TextResponse) or looks_binary(response.body):  # a document served as a page
            yield from self.parse_attachment(response)
            return
        # a huge page is cut to PAGE_MAX_CHARS here too: link extraction never stalls the reactor on it
        html, _ = cut_page(response.text, getattr(self, "limits", DEFAULT_LIMITS))
        page = Page(html, response.url)
        titles = page_titles(page)
        link_text = response.meta.get("link_text", "")
        verdicts = [classify_title(t) for t in [*titles, link_text] if t]
        report = next((v for v in verdicts if v.is_report), None)
        title = next((t for t in [*titles, link_text] if t and classify_title(t).is_report), titles[0] if titles else "")
        meta_info: dict[str, Any] = {}
        if report:
            text = page_text(html)
            meta_info = {"published_at": page_published_at(html, text), "source": page_source(html, text)}
            yield self._document(response, portal, "page", title, response.text, meta_info)
        elif any(_REPORTISH.search(t) for t in titles):
            reason = next((v.reason for v in verdicts if v.reason not in _NOT_A_CANDIDATE),
                          "title does not name an annual report")
            if not any(v.reason == "column/list title" for v in verdicts):  # list pages are not candidates
                yield RejectedItem(response.url, portal.name, titles[0], reason)
        links = [link for link in extract_links(page, keep_host=lambda h: self._host_allowed(h, portal))
                 if self._allowed(link.url, portal)]
        yield from self._follow(links, response, portal, on_report_page=bool(report), title=title, meta_info=meta_info)
        if not response.meta.get("playwright"):  # replayed if the page answers 304 next time
            yield page_memo(response, links, title=title, meta_info=meta_info, is_report=bool(report))

    def _follow(self, links: list[Link], response: Response, portal: Portal, *, on_report_page: bool, title: str,
                meta_info: dict[str, Any]) -> Iterator[scrapy.Request]:
        hops = response.meta.get("hops", 0)
        for link in links:
            if not self._allowed(link.url, portal):
                continue
            if link.kind == "attachment":
                if not (on_report_page or classify_title(link.text).is_report):
                    continue
                extra = {"page_url": response.url if on_report_page else None,  # a list page is not the report's page
                         "page_title": title if on_report_page else link.text,
                         "page_meta": meta_info}
                if self._budget(portal):
                    yield self._request(link, portal, hops=0, referer=response.url, extra=extra)
                continue
            next_hops = 0 if link.kind in ("report", "column", "next", "listing") else hops + 1
            if next_hops > MAX_IRRELEVANT_HOPS:
                continue
            if self._budget(portal):
                yield self._request(link, portal, hops=next_hops, referer=response.url)

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        portal = self.by_name[response.meta["portal"]]
        if response.meta.get("not_modified"):
            yield from self._not_modified(response, portal)
            return
        title = response.meta.get("page_title") or response.meta.get("link_text", "")
        yield self._document(response, portal, "attachment", title, None, response.meta.get("page_meta") or {})

    def _not_modified(self, response: Response, portal: Portal) -> Iterator[Any]:
        """A known page or document, unchanged: mark it seen without parsing and follow its links of last
        time again (its memo); without a memo, revisit the report's known attachments."""
        yield NotModifiedItem(response.url, portal.name, response.meta.get("kind", ""), response.status)
        known = response.meta.get("conditional") or {}
        if known.get("memo"):
            try:
                links, title, meta_info = decode_memo(known["memo"])
            except ValueError as exc:  # fetch it again in full rather than lose its links
                self.logger.warning("%s: %s; fetching it again", response.url, exc)
                request = response.request
                headers = {k: v for k, v in request.headers.items()
                           if k.lower() not in (b"if-none-match", b"if-modified-since")}
                meta = {k: v for k, v in response.meta.items() if k not in ("conditional", "not_modified")}
                yield request.replace(dont_filter=True, headers=headers, meta={**meta, "no_conditional": True})
                return
            yield from self._follow(links, response, portal, on_report_page=known.get("report_id") is not None,
                                    title=title, meta_info=meta_info)
            return
        for url in known.get("children", []):
            if self._allowed(url, portal) and self._budget(portal):
                extra = {"page_url": response.url, "page_title": known.get("title") or "", "page_meta": {}}
                yield self._request(Link(url, known.get("title") or "", "attachment"), portal, hops=0,
                                    referer=response.url, extra=extra)

    def _document(self, response: Response, portal: Portal, kind: str, title: str, text: str | None,
                  page_meta: dict[str, Any]) -> DocumentItem:
        headers = {k: response.headers.get(k, b"").decode("latin-1") for k in ("ETag", "Last-Modified")
                   if response.headers.get(k)}  # validators for the next crawl's conditional requests
        return DocumentItem(
            url=response.url,
            portal=portal.name,
            kind=kind,
            body=b"" if text is not None else response.body,
            html=text,
            encoding=getattr(response, "encoding", None),
            content_type=response.headers.get(b"Content-Type", b"").decode("latin-1") or None,
            status=response.status,
            title=title,
            link_text=response.meta.get("link_text", ""),
            page_url=response.meta.get("page_url"),
            region_code=portal.region_code,
            fetched_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            headers=headers,
            sha256=body_sha256(response) if response.status == 200 else None,
            page_meta=page_meta,
        )

    def on_error(self, failure) -> Iterator[FetchErrorItem]:
        request = failure.request
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            error = f"HTTP {status}"
        elif failure.check(IgnoreRequest):
            error = str(failure.value) or "ignored (robots.txt or size limit)"
        else:
            error = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        self.logger.info("fetch failed: %s (%s)", request.url, error)
        yield FetchErrorItem(
            url=request.url, portal=request.meta.get("portal", ""), kind=request.meta.get("kind", ""),
            error=error, status=status, referer=(request.headers.get(b"Referer") or b"").decode("latin-1") or None,
        )

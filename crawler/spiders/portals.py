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
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy_playwright.page import PageMethod

from crawler.discovery.listings import Link, Page, extract_links, page_titles
from crawler.discovery.scans import scan_images
from crawler.health import failure_class
from crawler.items import DocumentItem, FetchErrorItem, NotModifiedItem, RejectedItem
from crawler.middlewares.conditional import body_sha256, decode_memo, page_memo
from crawler.middlewares.hosts import HostDown
from crawler.registry import REGISTRY_PATH, Portal, PortalListError, load_portals, portal_scope, select
from crawler.scope import OffScopeBudget, ScopeMap, hostname, may_leave
from pipelines.bounds import DEFAULT as DEFAULT_LIMITS
from pipelines.bounds import Limits, cut_page
from pipelines.classify import classify_title, marker_count
from pipelines.documents import looks_binary
from pipelines.metadata import meta_tags, page_published_at, page_source, page_text

# Priorities: finish reports before wandering; pages of a list before other columns.
PRIORITY = {"report": 30, "attachment": 25, "next": 20, "listing": 20, "column": 10, "page": 0}
# A title that talks about annual reports but is rejected goes to the audit table.
_REPORTISH = re.compile(r"年度报告|年报|年度工作报告|信息公开.{0,4}报告")
_NOT_A_CANDIDATE = ("title does not name an annual report", "empty title")
# "page" links (news, other columns) are followed this many hops away from a relevant page.
MAX_IRRELEVANT_HOPS = 2
LIST_KINDS = ("column", "next", "listing")


def _report_link(link: Link) -> bool:
    return link.kind == "report" or (link.kind == "attachment" and classify_title(link.text).is_report)


def _looks_like_list(titles: list[str], link_text: str, links: list[Link], url: str, html: str) -> bool:
    """A page reached by a report-like link (a sibling's deep link "XX县政府信息公开年报") that is a 年报 list:
    no title of its own names a report, one is a column/list title, it links two or more other reports and
    has fewer than two of the format's section headings (a report's text has them)."""
    if not link_text or any(classify_title(t).is_report for t in titles):
        return False
    if not any(classify_title(t).reason == "column/list title" for t in titles):
        return False
    if len({lk.url for lk in links if _report_link(lk) and lk.url != url}) < 2:
        return False
    return marker_count(page_text(html)) < 2


# The spider's `-a` arguments; any other name is an error that lists these.
ARGS = {
    "portals": "portal list CSV (name,start_url,render[,region_code,entry_urls,allowed_domains]) or 'demo'",
    "region": "division code prefix, e.g. 3205",
    "sample": "crawl only the first N selected portals (a whole number)",
}


class SpiderArgError(ValueError):
    """A bad `-a` argument or portal list: one line naming the argument or file, line and fix."""


def check_args(kwargs: dict[str, Any]) -> None:
    """Raise SpiderArgError for unknown names or bad values (used before the crawl starts, too)."""
    unknown = sorted(set(kwargs) - set(ARGS))
    if unknown:
        valid = ", ".join(f"-a {k}=… ({v})" for k, v in ARGS.items())
        raise SpiderArgError(f"unknown spider argument {', '.join(f'-a {u}' for u in unknown)}; valid: {valid}")
    sample = kwargs.get("sample")
    if sample not in (None, "") and (not str(sample).strip().isdigit() or int(sample) < 1):
        raise SpiderArgError(f"-a sample={sample}: give a whole number of portals ≥ 1, e.g. -a sample=5")
    region = kwargs.get("region")
    if region not in (None, "") and not str(region).strip().isdigit():
        raise SpiderArgError(f"-a region={region}: give a division code prefix of digits, e.g. -a region=3205")
    portals = kwargs.get("portals")
    if portals not in (None, "", "demo"):
        try:
            load_portals(portals)
        except PortalListError as exc:
            raise SpiderArgError(f"{exc}. See docs/portals.md") from None


class PortalsSpider(scrapy.Spider):
    name = "portals"

    def __init__(self, portals: str | None = None, region: str | None = None, sample: str | None = None,
                 **kwargs: Any) -> None:
        extra = {k: v for k, v in kwargs.items() if k not in ("name", "_job")}
        check_args({**extra, **({"sample": sample} if sample else {}), **({"region": region} if region else {})})
        super().__init__(**{k: v for k, v in kwargs.items() if k not in extra})
        self.portals_arg = portals
        self.region = region
        self.sample = int(sample) if sample else None
        self.portals: list[Portal] = []
        self.demo: Any = None
        self.broken: Any = None
        self.pages_per_portal: Counter[str] = Counter()
        self.requested: set[bytes] = set()  # fingerprints already requested: budgets count each page once
        self.start_keys: set[bytes] = set()  # portals' start/entry URLs: only ever requested by start()
        self.offscope = OffScopeBudget()
        self._keep: dict[str, bool] = {}  # host[:port] -> may a link to it be followed at all
        self.known_lists: dict[str, str] = {}  # url -> portal: 年报 lists of earlier runs (portal_lists)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.offscope = OffScopeBudget(crawler.settings.getint("OFFSCOPE_MAX_HOSTS", 10),
                                         crawler.settings.getint("OFFSCOPE_MAX_PAGES", 100))
        if spider.portals_arg == "demo":
            # Loopback demo: no need to wait between requests to our own server.
            for name, value in (("AUTOTHROTTLE_START_DELAY", 0.0), ("DOWNLOAD_DELAY", 0.0),
                                ("CONCURRENT_REQUESTS_PER_DOMAIN", 4), ("HOST_FIRST_TIMEOUT", 5.0)):
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
            from pathlib import Path

            from crawler.demo.broken import start_broken
            from crawler.demo.server import start_demo

            site = self.settings.get("DEMO_SITE")  # a copy of crawler/demo/site (tests change it between crawls)
            self.demo = start_demo(Path(site) if site else None, stable=True)  # fixed names and port: same URLs
            self.broken = start_broken()  # a deliberately broken portal: every failure class in `nianbao health`
            rows = [Portal(name=r["name"], start_url=r["start_url"], render=str(r.get("render")).lower() == "true",
                           region_code=r.get("region_code", ""), allowed_domains=r.get("allowed_domains", "").split())
                    for r in [*self.demo.rows, self.broken.row]]
        else:
            try:
                rows = load_portals(self.portals_arg or REGISTRY_PATH)
            except PortalListError as exc:
                raise SpiderArgError(f"{exc}. See docs/portals.md") from None
        self.portals = select(rows, self.region, self.sample)
        if not self.portals:
            raise SpiderArgError(f"no portal matches -a region={self.region} -a sample={self.sample}; "
                                 "check the region code prefix")
        self.by_name = {p.name: p for p in self.portals}
        self.scopes = ScopeMap(portal_scope(p) for p in self.portals)

    def _closed(self, spider, reason: str) -> None:
        if self.demo is not None:
            self.demo.stop()
            self.broken.stop()

    # -- requests ---------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Every portal's start and entry URLs, under that portal, whatever its siblings link: links to them from
        other pages are never followed (they run here), so no sibling's link can make them duplicates. (They go
        through the duplicate filter: a resumed job or another distributed worker does not fetch them twice.)"""
        self.known_lists = self._load_known_lists()
        fp = self.crawler.request_fingerprinter.fingerprint
        starts = [(p, url, i == 0) for p in self.portals for i, url in enumerate([p.start_url, *p.entry_urls])]
        for _portal, url, _ in starts:
            self.start_keys.add(fp(scrapy.Request(url)))
        for portal, url, is_start in starts:
            key = fp(scrapy.Request(url))
            if key in self.requested:  # two portals list the same URL: it runs once, under the first
                continue
            self.requested.add(key)
            self.pages_per_portal[portal.name] += 1
            request = self._request(Link(url, portal.name, "column"), portal, hops=0, referer=None,
                                    extra={"start": is_start, "column_page": not is_start})
            yield request
        if self.settings.getbool("REVISIT_KNOWN_LISTS", True):
            for url, name in self.known_lists.items():
                portal = self.by_name[name]
                request = self._request(Link(url, "", "listing"), portal, hops=0, referer=None,
                                        extra={"column_page": True, "revisit": True})
                if self._budget(portal, request):
                    yield request
        if self.settings.getbool("REVISIT_KNOWN_REPORTS", True):
            for request in self._known_reports():
                if self._budget(self.by_name[request.meta["portal"]], request):
                    yield request

    def _archive_rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a read-only query on the archive of earlier crawls ([] without one, or an older archive)."""
        import sqlite3
        from pathlib import Path

        path = Path(self.settings.get("ARCHIVE_DB") or "")
        if not path.is_file():
            return []
        try:
            with sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=30) as conn:
                return conn.execute(sql).fetchall()
        except sqlite3.Error:  # an archive older than the table: nothing known yet
            return []

    def _load_known_lists(self) -> dict[str, str]:
        """URLs that answered as 年报 lists of these portals in earlier crawls and are not marked gone: requested
        again under their portal (REVISIT_KNOWN_LISTS), fetched as lists however a sibling links them, and
        their 404/410/soft 404 makes the portal's run `site-changed`."""
        rows = self._archive_rows("select url, portal from portal_lists where gone_at is null order by portal, url")
        return {url: portal for url, portal in rows if portal in self.by_name}

    def _known_reports(self) -> list[scrapy.Request]:
        """Report URLs archived by earlier crawls of these portals and not marked gone: requested again
        (conditionally: a 304 costs little), so a report removed from its portal is noticed even when no
        list links it any more. Lowest priority: lists and new reports come first."""
        rows = self._archive_rows("select u.url, u.kind, u.portal, u.page_url, r.title from report_urls u "
                                  "join reports r on r.id = u.report_id where u.gone_at is null and u.url like 'http%'")
        out = []
        for url, kind, portal_name, page_url, title in rows:
            portal = self.by_name.get(portal_name or "")
            if portal is None:
                continue
            link = Link(url, title or "", "attachment" if kind == "attachment" else "report")
            extra = {"revisit": True, "page_url": page_url, "page_title": title or "", "page_meta": {}}
            request = self._request(link, portal, hops=0, referer=None, extra=extra)
            out.append(request.replace(priority=-10))
        return out

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
        """In the portal's scope, or an off-scope *.gov.cn host (as if linked from a column's content)."""
        return self._route(Link(url), portal, from_column=True) is not None

    def _keep_host(self, host: str) -> bool:
        """Cheap pre-filter for extract_links: a host some crawled portal may own, or *.gov.cn (off-scope
        candidates; the full rule needs the link's block and page, in _route)."""
        keep = self._keep.get(host)
        if keep is None:
            url = f"http://{host}/"
            keep = self._keep[host] = bool(self.scopes.owner(url)) or (
                self.settings.getbool("FOLLOW_GOV_CN") and hostname(url).endswith(".gov.cn"))
        return keep

    def _route(self, link: Link, portal: Portal, *, from_column: bool) -> tuple[Portal, bool] | None:
        """(portal the request runs under, off scope?) or None when the link is not followed."""
        owner = self.scopes.owner(link.url, prefer=portal.name)
        if owner is not None:
            return self.by_name[owner], False
        host = hostname(link.url)
        if portal.name in self.scopes.scopes and self.scopes.scopes[portal.name].holds(link.url):
            return portal, False
        reason = may_leave(host, block=link.block, from_column=from_column,
                           follow_gov_cn=self.settings.getbool("FOLLOW_GOV_CN"))
        if reason is not None:
            return None
        return portal, True

    def _budget(self, portal: Portal, request: scrapy.Request | None = None, *, offscope: bool = False) -> bool:
        """Count a request against its portal's budget once, after duplicate filtering (a URL already
        requested in this crawl is neither counted nor requested again)."""
        if request is not None:
            key = self.crawler.request_fingerprinter.fingerprint(request)
            if key in self.requested or key in self.start_keys:
                return False
        limit = self.settings.getint("PORTAL_MAX_PAGES")
        if limit and self.pages_per_portal[portal.name] >= limit:
            return False
        if offscope and not self.offscope.take(portal.name, hostname(request.url if request else "")):
            return False
        if request is not None:
            self.requested.add(key)
        self.pages_per_portal[portal.name] += 1
        return True

    # -- callbacks --------------------------------------------------------------------------
    def _offsite_redirect(self, response: Response, portal: Portal) -> FetchErrorItem | None:
        """A redirect that left the portal's scope (e.g. to a domain-parking page): recorded, not stored."""
        first = (response.meta.get("redirect_urls") or [None])[0]
        if not first or response.meta.get("offscope"):
            return None
        if self.scopes.owner(response.url) is not None:
            return None
        self._health_failure(portal.name, first, "offsite-redirect", f"redirected to {response.url}")
        return FetchErrorItem(url=first, portal=portal.name, kind=response.meta.get("kind", ""),
                              error=f"off-site redirect to {response.url}", status=response.status)

    def _health_failure(self, portal: str, url: str, cls: str, detail: str, *, start: bool = False) -> None:
        health = getattr(self.crawler, "portal_health", None)
        if health is not None:
            health.failure(portal, url, cls, detail, start=start)

    def parse_page(self, response: Response) -> Iterator[Any]:
        portal = self.by_name[response.meta["portal"]]
        if (redirected := self._offsite_redirect(response, portal)) is not None:
            yield redirected
            return
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
        # a list's link text says nothing of the page (a sibling's deep link to a 年报 list reads like a report)
        link_text = "" if response.meta.get("kind") in LIST_KINDS else response.meta.get("link_text", "")
        verdicts = [classify_title(t) for t in [*titles, link_text] if t]
        report = next((v for v in verdicts if v.is_report), None)
        title = next((t for t in [*titles, link_text] if t and classify_title(t).is_report), titles[0] if titles else "")
        links = extract_links(page, keep_host=self._keep_host)
        if report and _looks_like_list(titles, link_text, links, response.url, html):
            report = None  # only the link text named a report; the page says it is a list and lists reports
            title = titles[0] if titles else ""
        meta_info: dict[str, Any] = {}
        if report:
            text = page_text(html, page.tree)  # the page's one parse, for its text and <meta> tags too
            if page.tree is not None:
                meta_tags(html, page.tree)
            meta_info = {"published_at": page_published_at(html, text), "source": page_source(html, text)}
            doc = self._document(response, portal, "page", title, response.text, meta_info)
            yield self._scan_request(doc, self._scan_urls(html, response.url, portal, page.tree), [], portal) or doc
        elif any(_REPORTISH.search(t) for t in titles):
            reason = next((v.reason for v in verdicts if v.reason not in _NOT_A_CANDIDATE),
                          "title does not name an annual report")
            if not any(v.reason == "column/list title" for v in verdicts):  # list pages are not candidates
                yield RejectedItem(response.url, portal.name, titles[0], reason)
        if not report and self._is_list(titles, links, response):
            self._list_seen(portal.name, response.url)
        yield from self._follow(links, response, portal, on_report_page=bool(report), title=title, meta_info=meta_info)
        if not response.meta.get("playwright"):  # replayed if the page answers 304 next time
            yield page_memo(response, links, title=title, meta_info=meta_info, is_report=bool(report))

    def _is_list(self, titles: list[str], links: list[Link], response: Response) -> bool:
        """A 200 page (not a pager page, not the start page, not a report) titled as a 年报 column
        (政府信息公开年报…) or linking a report: one of the portal's 年报 lists."""
        if response.status != 200 or response.meta.get("kind") == "next" or response.meta.get("start"):
            return False
        return (any(classify_title(t).reason == "column/list title" for t in titles)
                or any(_report_link(lk) for lk in links))

    def _list_seen(self, portal: str, url: str) -> None:
        health = getattr(self.crawler, "portal_health", None)
        if health is not None:
            health.list_seen(portal, url)

    def _follow(self, links: list[Link], response: Response, portal: Portal, *, on_report_page: bool, title: str,
                meta_info: dict[str, Any]) -> Iterator[scrapy.Request]:
        hops = response.meta.get("hops", 0)
        # a 信息公开/年报 column (entry URLs, column/list pages) or a report page may lead off scope
        from_column = bool(response.meta.get("column_page") or on_report_page
                           or (response.meta.get("kind") in ("column", "next", "listing", "report")
                               and not response.meta.get("start")))
        for link in links:
            route = self._route(link, portal, from_column=from_column)
            if route is None:
                continue
            target, offscope = route
            cross = target.name != portal.name  # a sibling's page: it runs under its owner, from the top
            if link.kind == "attachment":
                if not (on_report_page or classify_title(link.text).is_report):
                    continue
                extra = {"page_url": response.url if on_report_page else None,  # a list page is not the report's page
                         "page_title": title if on_report_page else link.text,
                         "page_meta": meta_info, "offscope": offscope}
                request = self._request(link, target, hops=0, referer=response.url, extra=extra)
                if self._budget(target, request, offscope=offscope):
                    yield request
                continue
            known_list = self.known_lists.get(link.url) == target.name
            if known_list and link.kind not in LIST_KINDS:  # a list of an earlier run, whatever the link reads like
                link = replace(link, kind="listing")
            next_hops = 0 if cross or link.kind in ("report", "column", "next", "listing") else hops + 1
            if next_hops > MAX_IRRELEVANT_HOPS:
                continue
            extra = {"offscope": offscope,
                     "column_page": known_list or (link.kind in ("column", "next", "listing") and not cross)}
            request = self._request(link, target, hops=next_hops, referer=response.url, extra=extra)
            if self._budget(target, request, offscope=offscope):
                yield request

    # -- report pages printed as images (图片版): the page images fetched in order, OCR'd as one report ---
    def _scan_urls(self, html: str, url: str, portal: Portal, tree: Any = None) -> list[str]:
        if not self.settings.getbool("OCR_ENABLED", True):
            return []
        urls = [u for u in scan_images(html, url, tree) if self._allowed(u, portal)]
        limit = self.settings.getint("OCR_MAX_PAGES", 40)
        if len(urls) > limit:  # bounded: the first OCR_MAX_PAGES pages are read
            self.logger.warning("%s: %d page images, reading the first %d (OCR_MAX_PAGES)", url, len(urls), limit)
            self.crawler.stats.inc_value("nianbao/scan_pages_cut", len(urls) - limit)
        return urls[:limit]

    def _scan_request(self, doc: DocumentItem, todo: list[str], pages: list[bytes],
                      portal: Portal) -> scrapy.Request | None:
        """The next page image of `doc` (None when there are none): requested one after another, in order."""
        if not todo:
            return None
        self.pages_per_portal[portal.name] += 1
        meta = {"portal": portal.name, "kind": "scan_page", "no_conditional": True,
                "scan": {"doc": doc, "todo": todo[1:], "pages": pages}}
        return scrapy.Request(todo[0], callback=self.parse_scan_page, errback=self.on_scan_error, meta=meta,
                              headers={"Referer": doc.url}, dont_filter=True, priority=PRIORITY["attachment"])

    def parse_scan_page(self, response: Response) -> Iterator[Any]:
        scan = response.meta["scan"]
        pages = [*scan["pages"], response.body]
        portal = self.by_name[response.meta["portal"]]
        following = self._scan_request(scan["doc"], scan["todo"], pages, portal)
        if following is not None:
            yield following
            return
        # one report: the page's URL, title and context, its body the page images (pipelines/process.py reads them)
        yield replace(scan["doc"], html=None, body=b"", pages=pages)

    def on_scan_error(self, failure) -> Iterator[Any]:
        """A page image failed: the error is recorded (fetch_log) and the page archived as before, as HTML."""
        yield from self.on_error(failure)
        yield failure.request.meta["scan"]["doc"]

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        portal = self.by_name[response.meta["portal"]]
        if (redirected := self._offsite_redirect(response, portal)) is not None:
            yield redirected
            return
        if response.meta.get("not_modified"):
            yield from self._not_modified(response, portal)
            return
        title = response.meta.get("page_title") or response.meta.get("link_text", "")
        yield self._document(response, portal, "attachment", title, None, response.meta.get("page_meta") or {})

    def _not_modified(self, response: Response, portal: Portal) -> Iterator[Any]:
        """A known page or document, unchanged: mark it seen without parsing and follow its links of last
        time again (its memo); without a memo, revisit the report's known attachments."""
        known = response.meta.get("conditional") or {}
        yield NotModifiedItem(response.url, portal.name, response.meta.get("kind", ""), response.status,
                              is_report=known.get("report_id") is not None)
        if self.known_lists.get(response.url) == portal.name:  # an unchanged 年报 list: still known
            self._list_seen(portal.name, response.url)
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
            if self._allowed(url, portal):
                extra = {"page_url": response.url, "page_title": known.get("title") or "", "page_meta": {}}
                request = self._request(Link(url, known.get("title") or "", "attachment"), portal, hops=0,
                                        referer=response.url, extra=extra)
                if self._budget(portal, request):
                    yield request

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
        cls, _detail = failure_class(failure.value)
        health = getattr(self.crawler, "portal_health", None)
        if failure.check(HostDown):  # the host's circuit is open: one record per host, not one per link
            if health is not None:
                health.runs[request.meta.get("portal", "")].hosts_down.add(failure.value.host)
                if request.meta.get("start"):
                    health.runs[request.meta.get("portal", "")].start_failure = cls
            if not failure.value.first:
                self.crawler.stats.inc_value("nianbao/host_down_dropped")
                return
            error = str(failure.value)
        elif failure.check(HttpError):
            status = failure.value.response.status
            error = f"HTTP {status}"
        elif failure.check(IgnoreRequest):
            error = str(failure.value) or "ignored (robots.txt or size limit)"
        else:
            error = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        self._health_failure(request.meta.get("portal", ""), request.url, cls, error,
                             start=bool(request.meta.get("start")))
        known = request.meta.get("conditional")
        gone = str(status) if status in (404, 410) else "soft404" if cls == "soft404" else None
        portal_name = request.meta.get("portal", "")
        if gone and health is not None:
            if known and known.get("report_id") is not None:  # a report the archive holds is gone from the portal
                health.known_gone(portal_name, request.url, gone, report=True)
            elif self.known_lists.get(request.url) == portal_name or (known and known.get("kind") in LIST_KINDS
                                                                       and not request.meta.get("start")):
                health.known_gone(portal_name, request.url, gone, report=False)  # a known 年报 list: site changed
        self.logger.info("fetch failed: %s (%s)", request.url, error)
        yield FetchErrorItem(
            url=request.url, portal=request.meta.get("portal", ""), kind=request.meta.get("kind", ""),
            error=error, status=status, referer=(request.headers.get(b"Referer") or b"").decode("latin-1") or None,
        )

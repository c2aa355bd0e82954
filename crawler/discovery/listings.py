"""Links out of a portal page, sorted into what the spider does with them. Pure functions.

Each list mechanic is a small strategy (plain links and 下一页 here; CMS-specific ones in
their own classes) returning `Link`s; the spider turns them into requests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from crawler.discovery.blocks import anchor_blocks
from crawler.discovery.urls import clean_url, trap_reason
from pipelines.classify import classify_title

ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|ofd|txt)(?:$|\?)", re.I)
_SKIP_EXT = re.compile(r"\.(jpg|jpeg|png|gif|bmp|svg|webp|ico|css|js|zip|rar|7z|mp4|mp3|avi|flv|swf|exe|apk)(?:$|\?)", re.I)
_NEXT_TEXT = re.compile(r"^\s*(?:下一页|下页|后一页|尾页|末页|next|>|›|»)\s*$", re.I)
# Pager links (numbered pages of a list): TRS index_N.html, ?page=N / ?pageNum=N.
_PAGER_URL = re.compile(r"/index_\d+\.s?html?$|[?&](?:page|pageNum|pageNo|pageIndex|curPage)=\d+(?:&|$)", re.I)
# Containers that hold a page's list or article (TRS/Hanweb/Word-export/generic names).
_CONTAINER = re.compile(
    r"(?:^|[\s_-])(?:list|lists|lb|liebiao|newslist|news_list|conlist|article|detail|zoom|trs_editor|trs_ueditor|"
    r"xxgk_?nb|nblist|content|contents|wzy|zw|main_?content|info_?list|ul_?list)(?:$|[\s_-]|\d)", re.I)
# Columns worth entering from a home page: 政府信息公开 and its 年报 sub-column.
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff\d])|(?<=\d)\s+(?=[\u4e00-\u9fff])")
_COLUMN_TEXT = re.compile(r"信息公开|政务公开|公开年报|年报|年度报告|法定主动公开|部门|乡镇|街道|县区|区县")
_COLUMN_URL = re.compile(r"xxgk|zwgk|zfxxgk|gknb|xxgknb|ndbg|/nb/|nianbao|openness|publicity", re.I)


_NOT_LOOKALIKE = ("column/list title", "title does not name an annual report", "empty title")


@dataclass(frozen=True)
class Link:
    url: str
    text: str = ""
    kind: str = "page"  # "report" | "attachment" | "column" | "next" | "listing" (JSON/POST list) | "page"
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    render: bool = False
    # the link block it sits in: "" (content) or a chrome block (nav, header, footer, friends, service,
    # offsite; crawler.discovery.blocks); chrome links never take a crawl off scope
    block: str = field(default="", compare=False)


class Page:
    """A fetched page: its HTML, URL and (parsed once, on demand) lxml tree."""

    def __init__(self, html: str, url: str) -> None:
        self.html = html
        self.url = url
        self._tree: Any = None
        self._parsed = False
        self.keep_host: Callable[[str], bool] | None = None  # set by extract_links

    @property
    def tree(self) -> Any:
        if not self._parsed:
            self._parsed = True
            try:
                self._tree = lxml_html.fromstring(self.html) if self.html.strip() else None
            except Exception:
                self._tree = None
        return self._tree


class ListingStrategy(Protocol):
    """One list mechanic: recognise a page built that way and return its links."""

    name: str

    def matches(self, page: Page) -> bool: ...

    def links(self, page: Page) -> list[Link]: ...


def anchor_kind(text: str, url: str) -> str:
    """How the spider should treat one anchor."""
    if ATTACHMENT_EXT.search(urlsplit(url).path):
        return "attachment"
    if _NEXT_TEXT.match(text) or _PAGER_URL.search(url):
        return "next"
    if "报" in text or "報" in text:  # cheap test first: nav menus are long
        verdict = classify_title(text)
        if verdict.is_report:
            return "report"
        if verdict.reason not in _NOT_LOOKALIKE:  # a look-alike: an ordinary page (fetched only near lists)
            return "page"
    if _COLUMN_TEXT.search(text) or _COLUMN_URL.search(url):
        return "column"
    return "page"


def content_areas(tree: Any) -> list[Any]:
    """Elements that hold the page's list or article, outermost only (empty: no recognisable container)."""
    found = [el for el in tree.xpath("//body//*[@id or @class]")
             if el.tag not in ("a", "span", "li", "p", "img") and _CONTAINER.search(f"{el.get('id', '')} {el.get('class', '')}")]
    inner = set()
    for el in found:
        inner.update(d for d in el.iterdescendants() if d is not el)
    return [el for el in found if el not in inner and el.find(".//a") is not None]


class PlainLinks:
    """`<a href>` anchors (title attribute preferred over truncated link text) and 下一页 links.

    Where a page has a recognisable list/content container, only links inside it are kept in full;
    outside it (nav menus, footers) only column, pager, report and attachment links are kept."""

    name = "plain"

    def matches(self, page: Page) -> bool:
        return page.html.lstrip()[:1] not in ("{", "[")  # JSON is read by the JSON strategy

    def links(self, page: Page) -> list[Link]:
        tree = page.tree
        if tree is None:
            return []
        base = tree.xpath("string(//base/@href)") or page.url
        areas = content_areas(tree)
        inside = {a for el in areas for a in el.iter("a")}  # holds the proxies, so identity is stable
        keep = page.keep_host
        kept: list[tuple[Any, str, str, str]] = []
        for a in tree.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
                continue
            # most links of a portal page are absolute and off-host (menus, 友情链接): decided before any parsing
            absolute = href if href.startswith(("http://", "https://")) else urljoin(base, href)
            if keep is not None and not keep(url_host(absolute)):
                continue
            if not absolute.startswith(("http://", "https://")) or _SKIP_EXT.search(urlsplit(absolute).path):
                continue
            text = (a.get("title") or a.text_content() or "").strip()
            kind = anchor_kind(text, absolute)
            if areas and kind == "page" and a not in inside:
                continue
            kept.append((a, absolute, text, kind))
        # the chrome blocks of the kept anchors only (every anchor still counts for the offsite rule)
        blocks = anchor_blocks(tree, base, inside, wanted={a for a, *_ in kept})
        out = [Link(absolute.split("#", 1)[0], text, kind, block=blocks.get(a, "")) for a, absolute, text, kind in kept]
        return out


def url_host(url: str) -> str:
    """The lower-cased host[:port] of an absolute http(s) URL, without parsing the rest ("" otherwise)."""
    if not url.startswith(("http://", "https://")):
        return ""
    netloc = url.split("/", 3)[2]
    return netloc.rsplit("@", 1)[-1].lower()


def extract_links(page: Page, keep_host: Callable[[str], bool] | None = None) -> list[Link]:
    """All links of a page from every strategy that recognises it, first occurrence kept; session ids
    stripped and infinite-URL traps (calendars, repeating paths, sort/print variants) dropped.

    `keep_host(host)`, when given, drops links to other hosts before any further work (a portal page
    has ~300 links, most of them off-portal)."""
    page.keep_host = keep_host
    seen: dict[tuple[str, str | None], Link] = {}
    for strategy in STRATEGIES:
        if strategy.matches(page):
            for link in strategy.links(page):
                if keep_host is not None and not keep_host(url_host(link.url)):
                    continue
                url = clean_url(link.url)
                if trap_reason(url) is None:
                    seen.setdefault((url, link.body), replace(link, url=url) if url != link.url else link)
    return list(seen.values())


def page_titles(page: Page) -> list[str]:
    """Candidate titles of a page, most specific first: ArticleTitle meta, <h1>, <title> (site suffix cut)."""
    tree = page.tree
    if tree is None:
        return []
    out = [
        tree.xpath("string(//meta[@name='ArticleTitle']/@content)"),
        " ".join(" ".join(h.text_content().split()) for h in tree.xpath("//h1")[:2]),
        re.split(r"\s*[-_|｜—]\s*(?=[^-_|｜—]*$)", tree.xpath("string(//title)").strip())[0],
    ]
    return [_CJK_GAP.sub("", t).strip() for t in out if t and t.strip()]


# CMS-specific strategies import Link/Page/anchor_kind from this module, so they are registered last.
from crawler.discovery.strategies import CMS_STRATEGIES  # noqa: E402

STRATEGIES: list[ListingStrategy] = [PlainLinks(), *CMS_STRATEGIES]

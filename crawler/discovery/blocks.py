"""Link blocks of a page: which anchors sit in site chrome (mega-menus, headers, footers, 友情链接,
办事服务 blocks) rather than in the page's content. Pure; used by the scope rules (crawler/scope.py):
chrome links never take a crawl off its portal's scope.

An anchor inside a content area (crawler.discovery.listings.content_areas) is content. Outside, the
nearest ancestor decides: a <nav>/<header>/<footer> element, an id/class naming a menu, header, footer,
link list or service block, a block whose heading says 友情链接/相关链接/政府网站/办事服务…, or a block of
8+ links of which 80 % go to other sites ("offsite").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

_B = r"(?:^|[\s_-])(?:{})(?:$|[\s_-]|\d)"
_CLASSES = [
    ("service", re.compile(_B.format("bsfw|service|services|fwpt|zwfw|bmfw|wsbs"), re.I)),
    ("friends", re.compile(_B.format("yqlj|friend|friends|friendlink|friendlinks|links|link|lj|wzq|wzlj|xglj|"
                                     "related|weblink|weblinks|zflj"), re.I)),
    ("footer", re.compile(_B.format("foot|footer|bottom|copyright|ft|btm|dibu"), re.I)),
    ("nav", re.compile(_B.format("nav|navs|navbar|menu|menus|submenu|sub-menu|mega|megamenu|mega-menu|dropdown|"
                                 "daohang|dh"), re.I)),
    ("header", re.compile(_B.format("header|head|top|topbar|toper"), re.I)),
]
_TAGS = {"nav": "nav", "header": "header", "footer": "footer"}
_HEADING = re.compile(r"^\s*(?:友情链接|相关链接|网站链接|政府网站|网站群|部门网站|县区网站|其他网站|外部链接|"
                      r"中央政府网站|省级政府网站|省内网站|市县网站|兄弟城市|办事服务|政务服务|便民服务|网上办事)")
OFFSITE_MIN_LINKS = 8
OFFSITE_SHARE = 0.8


def _site(host: str) -> str:
    from crawler.scope import site_domain

    return site_domain(host) if host else ""


def _host(href: str) -> str:
    """The host of an absolute link ("" for a relative one: same site), without urljoin's cost."""
    href = href.strip()
    if href[:7].lower() == "http://" or href[:8].lower() == "https://" or href.startswith("//"):
        netloc = href.split("/", 3)[2] if href.count("/") >= 2 else ""
        return netloc.rsplit("@", 1)[-1].split(":", 1)[0].lower()
    return ""


def _heading(el: Any) -> str:
    """The first text of an element (its heading, if it has one)."""
    text = (el.text or "").strip()
    if text:
        return text[:12]
    for child in el:
        if not isinstance(child.tag, str):
            continue
        t = child.text_content().strip()
        if t:
            return t[:12]
        break
    return ""


def anchor_blocks(tree: Any, page_url: str, content: set[Any], wanted: set[Any] | None = None) -> dict[Any, str]:
    """{anchor element: block name} for anchors in chrome; anchors in `content` (or unclassified) absent.

    wanted: only these anchors are judged (the links a caller keeps: a portal page's ~300 anchors are
    mostly off-portal and dropped); every anchor still counts for the "offsite" rule."""
    base_site = _site(urlsplit(page_url).hostname or "")
    anchors = [a for a in tree.iter("a") if a.get("href") and a not in content]
    if not anchors:
        return {}
    counted = set(anchors)  # holds the proxies, so identity is stable
    offsite: dict[Any, bool] = {}

    def counts(el: Any) -> tuple[int, int]:
        """Links under `el` that count, and how many go to other sites (asked only when the id, class and
        heading rules leave `el` undecided: a page's ~300 hosts are not all looked at)."""
        links = off = 0
        for a in el.iterdescendants("a"):
            if a in counted:
                links += 1
                is_off = offsite.get(a)
                if is_off is None:
                    is_off = offsite[a] = _site(_host(a.get("href", ""))) not in ("", base_site)
                off += is_off
        return links, off

    verdict: dict[Any, str] = {}
    out: dict[Any, str] = {}
    for a in anchors:
        if wanted is not None and a not in wanted:
            continue
        for el in a.iterancestors():
            if el.tag in ("body", "html"):
                break
            if el not in verdict:
                verdict[el] = _block(el, counts)
            if verdict[el]:
                out[a] = verdict[el]
                break
    return out


def _block(el: Any, counts: Callable[[Any], tuple[int, int]]) -> str:
    if not isinstance(el.tag, str):
        return ""
    if el.tag in _TAGS:
        return _TAGS[el.tag]
    names = f"{el.get('id', '')} {el.get('class', '')}".strip()
    if names:
        for name, pattern in _CLASSES:
            if pattern.search(names):
                return name
    if _HEADING.match(_heading(el)):
        return "service" if _heading(el).lstrip().startswith(("办事", "政务服务", "便民", "网上办事")) else "friends"
    links, offsite = counts(el)
    if links >= OFFSITE_MIN_LINKS and offsite >= OFFSITE_SHARE * links:
        return "offsite"
    return ""

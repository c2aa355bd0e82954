"""Hanweb 大汉 JCMS lists.

The first records sit in the page inside `<script type="text/xml"><datastore>…<record><![CDATA[<li><a …>]]>`;
the rest come from POSTs to `/module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=` with the
column's `columnid`/`unitid` (taken from the `<nextgroup>` link) as form fields, and answer the same XML.
Jiangxi-style unit lists page with `?uid=<n>&pageNum=<k>` links instead (PageNumPager).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html

from crawler.discovery.listings import Link, Page, anchor_kind

MAX_RECORDS = 3000
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_PERPAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d+)", re.I)
_GROUP = re.compile(r"groupSize\s*[:=]\s*['\"]?(\d+)", re.I)
_PROXY = re.compile(r"proxyUrl\s*[:=]\s*['\"]([^'\"]+)['\"]", re.I)
# What `"<datastore" in html.lower() or "<recordset" in html.lower()` finds, without lowering the page
# (two copies of ~80 KB per page): ASCII-only case folding, as no non-ASCII letter lowers into these words.
_MARK = re.compile(r"<(?:datastore|recordset)", re.I | re.A)
_FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8", "X-Requested-With": "XMLHttpRequest"}


def _anchors(fragment: str, base: str) -> list[Link]:
    try:
        tree = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except Exception:
        return []
    out = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("javascript:", "#")):
            text = (a.get("title") or a.text_content() or "").strip()
            url = urljoin(base, href)
            out.append(Link(url, text, anchor_kind(text, url)))
    return out


class HanwebDatastore:
    name = "hanweb"

    def matches(self, page: Page) -> bool:
        return _MARK.search(page.html) is not None

    def links(self, page: Page) -> list[Link]:
        out: list[Link] = []
        for record in _RECORD.findall(page.html)[:MAX_RECORDS]:
            out.extend(_anchors(record, page.url))
        out.extend(self._groups(page))
        return out

    def _groups(self, page: Page) -> list[Link]:
        """POSTs for the record groups after the first, when the page says how many records there are."""
        group = _NEXTGROUP.search(page.html)
        total = _TOTAL.search(page.html)
        if not group or not total or "startrecord=" in page.url:
            return []
        href = re.search(r"href\s*=\s*['\"]([^'\"]+)['\"]", group.group(1))
        if not href:
            return []
        nextgroup = urlsplit(urljoin(page.url, href.group(1).replace("&amp;", "&")))
        form = {k: v for k, v in parse_qsl(nextgroup.query, keep_blank_values=True) if k != "page"}
        form.setdefault("col", "1")
        form.setdefault("sourceContentType", "1")
        proxy_m = _PROXY.search(page.html)
        proxy = urlsplit(urljoin(page.url, proxy_m.group(1))) if proxy_m else nextgroup
        per_page = int(_PERPAGE.search(page.html).group(1)) if _PERPAGE.search(page.html) else 15
        size = per_page * (int(_GROUP.search(page.html).group(1)) if _GROUP.search(page.html) else 3)
        count = min(int(total.group(1) or total.group(2)), MAX_RECORDS)
        body = urlencode(form)
        links = []
        for start in range(size + 1, count + 1, size):
            query = urlencode({"startrecord": start, "endrecord": min(start + size - 1, count), "perpage": per_page})
            url = urlunsplit((proxy.scheme, proxy.netloc, proxy.path, query, ""))
            links.append(Link(url, f"records {start}–", "listing", "POST", body, dict(_FORM)))
        return links


_PAGE_NUM = re.compile(r"[?&]pageNum=(\d+)", re.I)


class PageNumPager:
    """`?uid=5926&pageNum=2` lists: every page up to the highest pageNum linked (尾页)."""

    name = "pagenum"
    MAX_PAGES = 300

    def matches(self, page: Page) -> bool:
        return "pageNum=" in page.html

    def links(self, page: Page) -> list[Link]:
        tree = page.tree
        if tree is None:
            return []
        best: tuple[int, str] | None = None
        for href in tree.xpath("//a/@href"):
            m = _PAGE_NUM.search(href)
            if m and (best is None or int(m.group(1)) > best[0]):
                best = (int(m.group(1)), urljoin(page.url, href))
        if best is None:
            return []
        last, template = min(best[0], self.MAX_PAGES), best[1]
        return [Link(_PAGE_NUM.sub(lambda m, k=k: m.group(0).replace(m.group(1), str(k)), template), f"第{k}页", "next")
                for k in range(1, last + 1)]

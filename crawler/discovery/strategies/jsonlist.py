"""Lists filled from JSON by JavaScript: call the JSON endpoint the page source names, then read links
(and further pages) out of the JSON. Portals whose endpoint cannot be seen are crawled with render=true."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.discovery.listings import Link, Page, anchor_kind

# $.getJSON("…"), $.ajax({url: "…"}), fetch("…"), axios.get("…"), and any quoted *.json path in a script.
_CALL = re.compile(r"""(?:getJSON|\.ajax|fetch|axios\.(?:get|post)|\$\.(?:get|post))\s*\(\s*\{?[^'"()]{0,80}?['"]([^'"]+)['"]""")
_URL_KEY = re.compile(r"""\burl\s*:\s*['"]([^'"]+)['"]""")
_JSON_PATH = re.compile(r"""['"]((?:https?://[^'"\s]+|/|\.{0,2}/?)[^'"\s]*\.json(?:\?[^'"\s]*)?)['"]""")
_STATIC = re.compile(r"\.(?:js|css|png|jpe?g|gif|svg|ico|woff2?|html?)(?:$|\?)", re.I)
URL_KEYS = ("url", "link", "href", "linkurl", "docpuburl", "docurl", "pageurl", "fileurl", "visiturl", "path")
TITLE_KEYS = ("title", "doctitle", "name", "subject", "filename", "linkname")
PAGE_KEYS = ("page", "pageno", "pagenum", "pageindex", "curpage", "current", "pagenumber")
PAGES_KEYS = ("totalpage", "totalpages", "pagecount", "pages", "pagetotal")
MAX_PAGES = 300


def is_json(page: Page) -> bool:
    return page.html.lstrip()[:1] in ("{", "[")


class JsonList:
    name = "json"

    def matches(self, page: Page) -> bool:
        return is_json(page) or ("<script" in page.html and (".json" in page.html or "ajax" in page.html
                                                              or "getJSON" in page.html or "fetch(" in page.html))

    def links(self, page: Page) -> list[Link]:
        return self._from_json(page) if is_json(page) else self._endpoints(page)

    def _endpoints(self, page: Page) -> list[Link]:
        tree = page.tree
        scripts = "\n".join(tree.xpath("//script[not(@src)]/text()")) if tree is not None else ""
        found = [*_CALL.findall(scripts), *_URL_KEY.findall(scripts), *_JSON_PATH.findall(scripts)]
        out = []
        for raw in dict.fromkeys(found):
            if _STATIC.search(raw) or raw.startswith(("javascript:", "#", "data:")):
                continue
            out.append(Link(urljoin(page.url, raw), "JSON list", "listing"))
        return out

    def _from_json(self, page: Page) -> list[Link]:
        try:
            data = json.loads(page.html)
        except ValueError:
            return []
        out: list[Link] = []
        pages: list[int] = []
        _walk(data, page.url, out, pages)
        out.extend(_more_pages(page.url, max(pages) if pages else 0))
        return out


def _walk(node: Any, base: str, out: list[Link], pages: list[int], depth: int = 0) -> None:
    if depth > 8:
        return
    if isinstance(node, list):
        for item in node:
            _walk(item, base, out, pages, depth + 1)
        return
    if not isinstance(node, dict):
        return
    lower = {str(k).lower(): v for k, v in node.items()}
    url = next((lower[k] for k in URL_KEYS if isinstance(lower.get(k), str) and lower[k].strip()), None)
    title = next((lower[k] for k in TITLE_KEYS if isinstance(lower.get(k), str)), "")
    if url and not url.startswith(("javascript:", "#")):
        absolute = urljoin(base, url.strip())
        out.append(Link(absolute, title.strip(), anchor_kind(title, absolute)))
    for key in PAGES_KEYS:
        if isinstance(lower.get(key), int | str) and str(lower[key]).isdigit():
            pages.append(int(lower[key]))
    for value in node.values():
        if isinstance(value, dict | list):
            _walk(value, base, out, pages, depth + 1)


def _more_pages(url: str, total: int) -> list[Link]:
    """Other pages of a paged JSON list, when its URL carries the page number as a query parameter."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    key = next((k for k, v in query if k.lower() in PAGE_KEYS and v.isdigit()), None)
    if key is None or total < 2:
        return []
    links = []
    for n in range(1, min(total, MAX_PAGES) + 1):
        q = urlencode([(k, str(n) if k == key else v) for k, v in query])
        links.append(Link(urlunsplit((parts.scheme, parts.netloc, parts.path, q, "")), f"第{n}页", "listing"))
    return links

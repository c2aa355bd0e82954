"""TRS WCM (拓尔思) lists: pages index.html, index_1.html … written by a script, with no plain links.

    createPageHTML(5, 0, "index", "html");          // or createPageHTML('page_div', 5, 0, 'index', 'shtml', 72)
    var countPage = 5; var currentPage = 0; var prefix = "index"; var suffix = "html";
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.discovery.listings import Link, Page

MAX_LIST_PAGES = 300
_CREATE = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,"
    r"\s*['\"]([\w.-]+)['\"]\s*,\s*['\"](\w+)['\"]")
_COUNT = re.compile(r"\bvar\s+(?:countPage|pageCount|totalPage)\s*=\s*['\"]?(\d+)")
_PREFIX = re.compile(r"\bvar\s+prefix\s*=\s*['\"]([\w.-]+)['\"]")
_SUFFIX = re.compile(r"\bvar\s+suffix\s*=\s*['\"](\w+)['\"]")


class TrsPager:
    name = "trs"

    def matches(self, page: Page) -> bool:
        return "createPageHTML" in page.html or "countPage" in page.html

    def links(self, page: Page) -> list[Link]:
        m = _CREATE.search(page.html)
        if m:
            count, prefix, suffix = int(m.group(1)), m.group(3), m.group(4)
        else:
            c = _COUNT.search(page.html)
            if not c:
                return []
            p, s = _PREFIX.search(page.html), _SUFFIX.search(page.html)
            count, prefix = int(c.group(1)), p.group(1) if p else "index"
            suffix = s.group(1) if s else _own_suffix(page.url)
        if count < 2:
            return []
        names = [f"{prefix}.{suffix}"] + [f"{prefix}_{k}.{suffix}" for k in range(1, min(count, MAX_LIST_PAGES))]
        return [Link(urljoin(page.url, name), f"第{k + 1}页", "next") for k, name in enumerate(names)]


def _own_suffix(url: str) -> str:
    """The list page's own extension (html, shtml, htm); html for a directory URL."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[1] if "." in name else "html"

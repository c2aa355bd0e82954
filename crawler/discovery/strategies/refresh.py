"""Shell pages that only forward: `<meta http-equiv="refresh">` and `location.replace("…")` /
`location.href = "…"` scripts (Beijing districts' column roots). Script redirects count only on pages
with little text, so search boxes that set location.href on click are not mistaken for shells."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.discovery.listings import Link, Page

_META = re.compile(r"""<meta[^>]+http-equiv\s*=\s*['"]?refresh['"]?[^>]*content\s*=\s*['"]\s*\d*\s*;?\s*url\s*=\s*['"]?([^'">\s]+)""",
                   re.I)
_SCRIPT = re.compile(r"""(?:window\.|top\.|self\.|document\.)?location(?:\.href)?\s*(?:=|\.replace\(|\.assign\()\s*['"]([^'"]+)['"]\s*\)?\s*(?![\s+]*\+)""")
SHELL_TEXT_LIMIT = 300
_REFRESH = re.compile("refresh", re.I | re.A)  # = `"refresh" in text.lower()` (no non-ASCII letter lowers into it)


class ShellRedirect:
    name = "refresh"

    def matches(self, page: Page) -> bool:
        head = page.html[:20000]
        return "location" in head or _REFRESH.search(head) is not None

    def links(self, page: Page) -> list[Link]:
        targets = _META.findall(page.html[:20000])
        if not targets and page.tree is not None:
            text = " ".join(page.tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"))
            if len("".join(text.split())) <= SHELL_TEXT_LIMIT:
                targets = _SCRIPT.findall(page.html)
        return [Link(urljoin(page.url, t.strip()), "", "column") for t in targets
                if not t.startswith(("javascript:", "#"))]

"""Report pages printed as images (图片版): the content area is one <img> per page and almost no text.

`scan_images` returns the page images' URLs in document order, or [] when the page has text of its own
(the normal HTML path reads it). Pure: HTML in, URLs out.
"""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import urljoin

from lxml import html as lxml_html

from crawler.discovery.listings import _CONTAINER
from pipelines.clean import clean_text

MIN_TEXT = 200  # a content area with this much text is read as text, whatever images it has
_CHROME = re.compile(r"logo|icon|banner|qrcode|ewm|erweima|share|nav|head|foot|btn|button|arrow", re.I)
_TINY = 100  # px: an <img> declared narrower or shorter than this is an icon, not a page


def _size(value: str | None) -> int | None:
    m = re.match(r"\s*(\d+)\s*(?:px)?\s*$", value or "")
    return int(m.group(1)) if m else None


def _page_image(img: Any) -> str:
    """An <img>'s source if it may be a page image ("" for none, an inline image, an icon or a tiny one)."""
    src = (img.get("src") or img.get("data-src") or "").strip()
    if not src or src.startswith("data:") or _CHROME.search(f"{src} {img.get('class', '')} {img.get('id', '')}"):
        return ""
    if any(s is not None and s < _TINY for s in (_size(img.get("width")), _size(img.get("height")))):
        return ""
    return src


def scan_images(html: str, url: str, tree: Any = None) -> list[str]:
    """URLs of the page images of a report printed as images, in order; [] for a page with text.

    tree: `lxml.html.fromstring(html)` already parsed (the spider's one parse): read from a copy, which
    is cheaper than a second parse; it is left unchanged. A page without one <img> that may be a page
    image (most report pages) is answered from that tree, without the copy."""
    own = tree is None
    if own:
        try:
            tree = lxml_html.fromstring(html)
        except (ValueError, lxml_html.etree.ParserError):
            return []
    if not any(_page_image(img) for img in tree.iter("img")):
        return []  # what the areas below would give: they keep only such images
    if not own:
        tree = copy.deepcopy(tree)
    for bad in tree.xpath("//script|//style|//header|//footer|//nav"):
        bad.drop_tree()
    found = [el for el in tree.xpath("//body//*[@id or @class]")
             if el.tag not in ("a", "span", "li", "p", "img") and el.find(".//img") is not None
             and _CONTAINER.search(f"{el.get('id', '')} {el.get('class', '')}")]
    inner = {d for el in found for d in el.iterdescendants()}
    areas = [el for el in found if el not in inner] or tree.xpath("//body")
    text = clean_text(" ".join(" ".join(el.itertext()) for el in areas))
    if len(re.sub(r"\s+", "", text)) >= MIN_TEXT:
        return []
    out: list[str] = []
    for el in areas:
        for img in el.iter("img"):
            src = _page_image(img)
            if not src:
                continue
            full = urljoin(url, src)
            if full.startswith(("http://", "https://")) and full not in out:
                out.append(full)
    return out

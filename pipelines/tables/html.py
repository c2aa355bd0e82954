"""HTML (including Word-exported HTML) → token segments.

Leaf tables (no nested table) are expanded on a grid so that rowspan/colspan are honoured: a label
carried down by rowspan is context only and dropped, a value carried down is repeated in each row.
Text outside leaf tables becomes plain lines (headings between split tables, or tables printed as text).
"""

from __future__ import annotations

import copy

import lxml.html
from lxml import etree

from pipelines.tables.tokens import _PAGE_NO, LABEL, Tok, _plain_toks, cells_segment, parse_value

_BLOCK = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "br", "tr", "td", "th",
                    "table", "section", "article", "center", "blockquote", "pre", "hr", "dl", "dt", "dd",
                    "caption", "thead", "tbody", "tfoot", "body", "header", "footer", "nav", "form"})
_SKIP = frozenset({"script", "style", "head", "noscript", "template", "iframe", "object", "select", "option"})


def _span(el: etree._Element, attr: str, cap: int) -> int:
    try:
        return max(1, min(cap, int(str(el.get(attr, "1")).strip() or 1)))
    except ValueError:
        return 1


def _without_comments(el: etree._Element) -> etree._Element:
    """A copy of `el` as a parse with remove_comments=True gives it: each comment's tail joins the text before it."""
    el = copy.deepcopy(el)
    for comment in list(el.iter(etree.Comment)):
        parent, tail = comment.getparent(), comment.tail or ""
        if parent is None:
            continue
        prev = comment.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail or None
        else:
            parent.text = (parent.text or "") + tail or None
        parent.remove(comment)
    return el


def _text(el: etree._Element) -> str:
    if next(el.iter(etree.Comment), None) is not None:  # a tree parsed with its comments (html_segments' tree=)
        el = _without_comments(el)
    parts: list[str] = []
    for node in el.iter():
        tag = node.tag if isinstance(node.tag, str) else ""
        if node is not el and tag.lower() in _SKIP:
            continue
        if tag.lower() == "br":
            parts.append("\n")
        if node.text and tag.lower() not in _SKIP and isinstance(node.tag, str):
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    return "".join(parts)


def _table_segments(table: etree._Element) -> list[list[Tok]]:
    rows = [tr for tr in table.iter("tr")]
    carried: dict[int, list[tuple[int, str]]] = {}  # row → (col, text) of cells spanning into it
    taken: set[tuple[int, int]] = set()
    segs: list[list[Tok]] = []
    for r, tr in enumerate(rows):
        own: list[tuple[int, str]] = []
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            rs, cs = _span(td, "rowspan", len(rows) - r), _span(td, "colspan", 64)
            text = _text(td)
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
                if dr:
                    carried.setdefault(r + dr, []).append((c, text))
            own.append((c, text))
            c += cs
        # values carried down by rowspan count in every row they cover; labels do not
        extra = [(col, t) for col, t in carried.pop(r, []) if parse_value(t.strip()) is not None and t.strip()]
        placed = sorted(own + extra, key=lambda x: x[0])
        seg = cells_segment([t for _, t in placed], [col for col, _ in placed], grid=True)
        if seg:
            segs.append(seg)
    return segs


def html_segments(html: str, tree: etree._Element | None = None) -> tuple[list[list[Tok]], int]:
    """→ (segments in document order, number of leaf tables).

    tree: `html` already parsed (lxml.html.fromstring(html), comments and all): read, never changed.
    """
    if tree is None:
        data = html.encode("utf-8", "replace")
        tree = lxml.html.fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8", remove_comments=True))
    root = tree
    segs: list[list[Tok]] = []
    buf: list[str] = []
    n_tables = 0

    def flush() -> None:
        text = "".join(buf)
        buf.clear()
        for line in text.splitlines():
            if _PAGE_NO.match(line):
                continue  # `- 3 -` between the halves of a table split over pages
            toks = _plain_toks(line)
            if toks:
                segs.append(list(toks))

    def walk(el: etree._Element) -> None:
        nonlocal n_tables
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP:
            return
        if tag == "table" and el.find(".//table") is None:
            flush()
            n_tables += 1
            segs.extend(_table_segments(el))
            return
        block = tag in _BLOCK
        if block:
            buf.append("\n")
        if el.text:
            buf.append(el.text)
        for ch in el:
            walk(ch)
            if ch.tail:
                buf.append(ch.tail)
        if block:
            buf.append("\n")
            flush()

    walk(root)
    flush()
    return segs, n_tables


__all__ = ["LABEL", "html_segments"]

"""HTML (including Word-exported HTML) → token segments.

Leaf tables (no nested table) are expanded on a grid so that rowspan/colspan are honoured: a label
carried down by rowspan is context only and dropped, a value carried down is repeated in each row.
Text outside leaf tables becomes plain lines (headings between split tables, or tables printed as text).
"""

from __future__ import annotations

import copy
import threading

import lxml.html
from lxml import etree

from pipelines.tables.tokens import _PAGE_NO, LABEL, Tok, _plain_toks, cells_segment, parse_value

_BLOCK = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "br", "tr", "td", "th",
                    "table", "section", "article", "center", "blockquote", "pre", "hr", "dl", "dt", "dd",
                    "caption", "thead", "tbody", "tfoot", "body", "header", "footer", "nav", "form"})
_SKIP = frozenset({"script", "style", "head", "noscript", "template", "iframe", "object", "select", "option"})


def _span(el: etree._Element, attr: str, cap: int) -> int:
    if el.get(attr) is None:  # the common cell (cap is at least 1)
        return 1
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
    if not len(el):  # no child: its own text (most cells)
        return el.text or ""
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
    flat = _flat_text(tree)
    if flat is None:
        return _walk_segments(tree)
    chunks, tables = flat
    segs: list[list[Tok]] = []
    for i, chunk in enumerate(chunks):
        _line_segments(chunk, segs)
        if i < len(tables):
            segs.extend(_table_segments(tables[i]))
    return segs, len(tables)


def _line_segments(text: str, segs: list[list[Tok]]) -> None:
    """Text outside leaf tables → one segment per line with tokens."""
    if not text or text.isspace():
        return  # no line of it holds a token (most blocks of a page's chrome end here)
    for line in text.splitlines():
        if _PAGE_NO.match(line):
            continue  # `- 3 -` between the halves of a table split over pages
        toks = _plain_toks(line)
        if toks:
            segs.append(list(toks))


# What `_walk_segments` reads outside leaf tables, as an XSLT run by libxslt (no Python per element): the
# text of every element but the skipped ones, comments and PIs (their tails kept), a line break at each
# block's start and end, and _MARK where a leaf table was.
_MARK = "\ue000"
_FLAT_XSL = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="utf-8"/>
<xsl:template match="{'|'.join(sorted(_SKIP))}|comment()|processing-instruction()"/>
<xsl:template match="table[not(descendant::table)]">&#xe000;</xsl:template>
<xsl:template match="{'|'.join(sorted(_BLOCK))}"><xsl:text>&#10;</xsl:text><xsl:apply-templates/><xsl:text>&#10;</xsl:text></xsl:template>
</xsl:stylesheet>"""
_local = threading.local()  # one compiled stylesheet per thread (the parse pool may parse in a thread)


def _flat_text(root: etree._Element) -> tuple[list[str], list[etree._Element]] | None:
    """The text `_walk_segments` reads, cut at its leaf tables, and those tables in order; None when the
    tree is not one this reads exactly as the walk does: not a whole document parsed by an HTML parser
    (lower-case tag names, no namespaces), its root skipped or a leaf table, the text holding _MARK itself,
    or libxslt refusing (its depth limit)."""
    tag = root.tag
    if (not isinstance(tag, str) or tag in _SKIP or tag == "table" or root.getparent() is not None
            or not isinstance(root.getroottree().parser, etree.HTMLParser)):
        return None
    xslt = getattr(_local, "xslt", None)
    if xslt is None:
        xslt = _local.xslt = etree.XSLT(etree.XML(_FLAT_XSL))
    try:
        text = str(xslt(root))
    except etree.XSLTError:
        return None
    tables = [t for t in root.iter("table")
              if t.find(".//table") is None and next(t.iterancestors(*_SKIP), None) is None]
    chunks = text.split(_MARK)
    if len(chunks) != len(tables) + 1:  # the page's own text holds the mark: read it by the walk
        return None
    return chunks, tables


def _walk_segments(root: etree._Element) -> tuple[list[list[Tok]], int]:
    """`html_segments` by a walk of the tree in Python (any tree `_flat_text` does not read)."""
    segs: list[list[Tok]] = []
    buf: list[str] = []
    n_tables = 0

    def flush() -> None:
        text = "".join(buf)
        buf.clear()
        _line_segments(text, segs)

    def table(el: etree._Element) -> None:
        nonlocal n_tables
        flush()
        n_tables += 1
        segs.extend(_table_segments(el))

    def walk(el: etree._Element, tag: str) -> None:
        """An element (lower-case `tag`, not skipped, not a leaf table): its text, its children, their tails.
        A child without children of its own is read here, not by a call (most elements of a page)."""
        block = tag in _BLOCK
        if block:
            buf.append("\n")
        if el.text:
            buf.append(el.text)
        for ch in el:
            tag = ch.tag
            if isinstance(tag, str) and (tag := tag.lower()) not in _SKIP:  # comments, PIs: only their tail
                if tag == "table" and ch.find(".//table") is None:
                    table(ch)
                elif len(ch):
                    walk(ch, tag)
                elif tag in _BLOCK:
                    buf.append("\n")
                    if ch.text:
                        buf.append(ch.text)
                    buf.append("\n")
                    flush()
                elif ch.text:
                    buf.append(ch.text)
            if ch.tail:
                buf.append(ch.tail)
        if block:
            buf.append("\n")
            flush()

    tag = root.tag.lower() if isinstance(root.tag, str) else ""
    if tag == "table" and root.find(".//table") is None:
        table(root)
    elif tag and tag not in _SKIP:
        walk(root, tag)
    flush()
    return segs, n_tables


__all__ = ["LABEL", "html_segments"]

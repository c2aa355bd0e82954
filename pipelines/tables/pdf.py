"""PDF → token segments with pdfplumber: ruled tables first, page text as the fallback.

A ruled table's cell index says nothing about its column: pdfplumber cuts a table into a separate grid
wherever the ruling changes (a header whose merged cells leave out vertical lines, a header continued on
the next page), so `自然人` can be cell 2 of a four-cell header row and its values cell 4 of a ten-cell
data row. Every cell is therefore given the column of its left edge: the x-positions of all cell edges
in the document, clustered within `_X_TOL` points, numbered left to right. A header leaf and the values
under it share their left edge whatever the header's merges; a cell spanning several columns (法人或其他
组织, 行政诉讼) takes its first one, which is what the header's group logic expects.
"""

from __future__ import annotations

import io
from bisect import bisect_right

import pdfplumber

from pipelines.tables.tokens import Tok, cells_segment

_X_TOL = 2.5  # points: edges closer than this are one column edge (line widths, rounding)

Row = list[tuple[float | None, str | None]]  # (left edge, text) per cell; None = covered by a span


def _columns(xs: list[float]) -> list[float]:
    """Cluster left edges: the first edge of each cluster, ascending."""
    starts: list[float] = []
    last = None
    for x in sorted(set(xs)):
        if last is None or x - last > _X_TOL:
            starts.append(x)
        last = x
    return starts


def _open_ends(page: pdfplumber.page.Page) -> list[dict]:
    """Rules a table continued over a page break lacks: with collapsed borders (a browser's print, Chromium)
    the row that starts a page has no top rule — its border was the previous row's bottom, drawn on the page
    before — so its cells are never closed and the row is lost. Where three or more vertical rules start (or
    end) at the page's topmost (bottommost) vertical-rule end and no horizontal rule runs across them there,
    the missing rule is supplied from the leftmost to the rightmost of them. Nothing else is added."""
    verticals = [e for e in page.edges if e["orientation"] == "v" and e["bottom"] - e["top"] >= 3]
    if len(verticals) < 3:
        return []
    rules = [e for e in page.edges if e["orientation"] == "h" and e["x1"] - e["x0"] > 3]
    out = []
    for end, y in (("top", min(e["top"] for e in verticals)), ("bottom", max(e["bottom"] for e in verticals))):
        group = [e for e in verticals if abs(e[end] - y) <= 1]
        if len(group) < 3:
            continue
        x0, x1 = min(e["x0"] for e in group), max(e["x1"] for e in group)
        across = sum(min(h["x1"], x1) - max(h["x0"], x0) for h in rules if abs(h["top"] - y) <= 1.5 and h["x1"] > x0
                     and h["x0"] < x1)
        if across < (x1 - x0) / 2:
            out.append({"object_type": "line_edge", "orientation": "h", "x0": x0, "x1": x1, "top": y, "bottom": y,
                        "width": x1 - x0, "height": 0, "doctop": page.initial_doctop + y})
    return out


def page_table_rows(page: pdfplumber.page.Page) -> list[Row]:
    """One page's ruled table rows (pipelines/documents reads them in its own pass over the pages)."""
    rows: list[Row] = []
    ends = _open_ends(page)
    for table in page.find_tables({"explicit_horizontal_lines": ends} if ends else None):
        texts = table.extract()
        for prow, trow in zip(table.rows, texts, strict=False):
            rows.append([(None if box is None else float(box[0]), text)
                         for box, text in zip(prow.cells, trow, strict=False)])
    return rows


def pdf_table_rows(data: bytes) -> list[Row]:
    """Every ruled table row of the document, pages in order, each cell with its left edge."""
    rows: list[Row] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            rows.extend(page_table_rows(page))
            page.flush_cache()
    return rows


def pdf_table_segments(data: bytes) -> list[list[Tok]]:
    """One segment per table row, pages in order (a table split over pages just continues)."""
    return rows_segments(pdf_table_rows(data))


def rows_segments(rows: list[Row]) -> list[list[Tok]]:
    """Table rows with cell left edges → segments whose tokens carry the document-wide column."""
    starts = _columns([x for row in rows for x, t in row if x is not None and t is not None])
    segs: list[list[Tok]] = []
    for row in rows:
        cells = [t for x, t in row if x is not None and t is not None]
        cols = [bisect_right(starts, x) - 1 for x, t in row if x is not None and t is not None]
        seg = cells_segment(list(cells), cols, grid=True)
        if seg:
            segs.append(seg)
    return segs


Word = tuple[str, float, float, float]  # text, left edge, top, bottom


def text_lines(words: list[Word]) -> list[str]:
    """A page's words → its printed lines, for the tables' text fallback. Two words share a line when
    each one's vertical middle lies within the other's height: a cell's values printed a little above
    or below their label (a taller font for numbers, other vertical alignment: WPS exports) join the
    label's line, while lines of one wrapped label (pitch about a line height) stay apart, and so do
    values centred between them. Lines top to bottom, words left to right."""
    lines: list[tuple[Word, list[Word]]] = []  # (the word that started the line, its words)
    for w in sorted(words, key=lambda w: ((w[2] + w[3]) / 2, w[1])):
        mid = (w[2] + w[3]) / 2
        if lines:
            first = lines[-1][0]
            if mid <= first[3] and w[2] <= (first[2] + first[3]) / 2:  # sorted by middle: the rest follows
                lines[-1][1].append(w)
                continue
        lines.append((w, [w]))
    return [" ".join(t for t, *_ in sorted(ws, key=lambda w: w[1])) for _, ws in lines]


def page_text(page: pdfplumber.page.Page) -> str:
    """One page's text as the tables read it (`text_lines`; pipelines/documents reads it in its pass)."""
    words = page.extract_words(x_tolerance=1)
    return "\n".join(text_lines([(w["text"], float(w["x0"]), float(w["top"]), float(w["bottom"])) for w in words]))


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page_text(page) for page in pdf.pages)

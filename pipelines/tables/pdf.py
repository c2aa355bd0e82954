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
from typing import Any

import pdfplumber
import pdfplumber.utils
from pdfplumber.table import Table
from pdfplumber.utils.text import TEXTMAP_KWARGS, WordExtractor, WordMap

from pipelines.documents import pdfcontent
from pipelines.normalize import label_key
from pipelines.tables.match import _ENUM, heading
from pipelines.tables.tokens import ROW_UNSURE, Tok, cells_segment, parse_value

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
    mids: list[tuple[dict, float, float]] | None = None
    for table in page.find_tables({"explicit_horizontal_lines": ends} if ends else None):
        if mids is None:
            mids = [(c, (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2) for c in page.chars]
        for prow, trow in cell_texts(table, mids):
            rows.append([(None if box is None else float(box[0]), text)
                         for box, text in zip(prow.cells, trow, strict=False)])
    return rows


def cell_texts(table: Table, mids: list[tuple[dict, float, float]]) -> list[tuple[Any, list[str | None]]]:
    """Each row of the table with `table.extract()`'s texts for it (pdfplumber 0.11.10's rule: a character
    is in a cell when its middle is, left and top edges inclusive; `utils.extract_text` of those). mids:
    the page's characters with their horizontal and vertical middles, computed once per page rather than
    for every row and every cell; `tests/test_pdfcontent.py` compares it with `extract()`."""
    out = []
    for row in table.rows:
        x0, top, x1, bottom = row.bbox
        in_row = [(c, h, v) for c, h, v in mids if h >= x0 and h < x1 and v >= top and v < bottom]
        texts: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                texts.append(None)
                continue
            cx0, ctop, cx1, cbottom = cell
            chars = [c for c, h, v in in_row if h >= cx0 and h < cx1 and v >= ctop and v < cbottom]
            texts.append(pdfplumber.utils.extract_text(chars) if chars else "")
        out.append((row, texts))
    return out


def pdf_table_rows(data: bytes) -> list[Row]:
    """Every ruled table row of the document, pages in order, each cell with its left edge."""
    rows: list[Row] = []
    pdfcontent.install()
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
    rows = [sorted(ws, key=lambda w: w[1]) for _, ws in lines]
    _unsure_between_rows(rows)
    return [" ".join(t for t, *_ in ws) for ws in rows if ws]


_NEAR = 0.5  # a value line between two rows is its neighbour's when its gap to it is at most this of the other


def _values(ws: list[Word]) -> bool:
    return bool(ws) and all((p := parse_value(t)) is not None and p.value is not None for t, *_ in ws)


def _fragment(w: Word, left: float) -> bool:
    """A group label (or a piece of one printed vertically) beside a row's values: left of the rows' labels."""
    return w[1] < left and parse_value(w[0]) is None


def _unsure_between_rows(rows: list[list[Word]]) -> None:
    """A line of values only, between the last line of one row's label (above) and a line that starts the
    next row (an enumerator, below) — the line above printed left of the values, not a header over them —
    belongs to the row above only when its middle is clearly nearer to
    that label line: its gap to the label above (label bottom → value middle) at most `_NEAR` of its gap
    to the label below (value middle → label top). Otherwise either row could own it, and its numbers are
    replaced by `ROW_UNSURE` markers (NULL, flag `row_unsure`) on the row above and, when that row
    prints no values of its own, on the row below too: NULL, never a number given to the wrong row."""
    for i in range(1, len(rows) - 1):
        above, line, below = rows[i - 1], rows[i], rows[i + 1]
        if not below or not above or _values(above) or _values(below):
            continue
        left = min(above[0][1], below[0][1]) - _X_TOL
        v = [w for w in line if not _fragment(w, left)]
        if not _values(v):
            continue
        if not _ENUM.match(label_key(below[0][0])) or heading(label_key(" ".join(t for t, *_ in below))):
            continue  # the line below continues the label above: the values sit inside one row
        if max(w[1] for w in above) >= min(w[1] for w in v):
            continue  # the line above prints over the value columns: a header, not a row's label
        mid = sum((w[2] + w[3]) / 2 for w in v) / len(v)
        gap_above = mid - max(w[3] for w in above)
        gap_below = min(w[2] for w in below) - mid
        if gap_above <= _NEAR * gap_below:
            continue
        row_start = next(j for j in range(i - 1, -1, -1) if j == 0 or _ENUM.match(label_key(rows[j][0][0]))
                         or _values(rows[j - 1]))
        above_has = any(_values([w]) for ws in rows[row_start:i] for w in ws)
        j = i + 2
        while j < len(rows) and rows[j] and not _values(rows[j]) and not _ENUM.match(label_key(rows[j][0][0])):
            j += 1
        below_has = any(_values([w]) for ws in rows[i + 1:j] for w in ws)
        marks = [(ROW_UNSURE, w[1], w[2], w[3]) for w in v]
        rows[i] = [w for w in line if _fragment(w, left)] + (marks if not above_has else [])
        if not below_has:
            rows[i + 1] = below + marks


def page_words(page: pdfplumber.page.Page) -> tuple[str, list[dict]]:
    """`page.extract_text(x_tolerance=1)` and `page.extract_words(x_tolerance=1)` from one grouping of the
    page's characters into words: pdfplumber 0.11.10 groups them twice with the same settings (its
    `_get_textmap` / `chars_to_textmap` arguments, spelled out; tests/test_pdfcontent.py compares both)."""
    tuples = list(WordExtractor(x_tolerance=1).iter_extract_tuples(page.chars))
    kwargs = {"layout_bbox": page.bbox, "layout_width": page.width, "layout_height": page.height, "presorted": True}
    text = WordMap(tuples).to_textmap(**{k: v for k, v in kwargs.items() if k in TEXTMAP_KWARGS}).as_string
    return text, [word for word, _ in tuples]


def page_text(page: pdfplumber.page.Page, words: list[dict] | None = None) -> str:
    """One page's text as the tables read it (`text_lines`; pipelines/documents reads it in its pass, with
    the words of `page_words`)."""
    if words is None:
        words = page.extract_words(x_tolerance=1)
    return "\n".join(text_lines([(w["text"], float(w["x0"]), float(w["top"]), float(w["bottom"])) for w in words]))


def pdf_text(data: bytes) -> str:
    pdfcontent.install()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page_text(page) for page in pdf.pages)

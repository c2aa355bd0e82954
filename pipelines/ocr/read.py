"""One page image → positioned text lines and table grids → HTML the table grammar reads.

The page is OCR'd once (glyph boxes); each glyph goes to the grid cell that holds its centre, so a
number lands in its cell even when the detector ran one text line across several cells. An empty
cell with ink in it is re-read on its own (isolated zeros are what a page-level detector misses);
an empty cell without ink is blank. A number with a glyph under the confidence bound becomes the
UNREADABLE marker: the grammar stores it as NULL flagged `ocr_unreadable`, never a guess.
"""

from __future__ import annotations

import html as htmllib
import itertools
import re
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from pipelines.ocr.engine import Glyph, Line, read_crop, read_lines
from pipelines.ocr.grid import Grid, binarize, deskew, find_grids, rule_masks
from pipelines.tables.tokens import OCR_UNREADABLE as UNREADABLE

_NUMERIC = re.compile(r"^[+\-−]?[\dOo]+(?:[.,][\dOo]+)*(?:万元|元|个|件|项|条|次|家|人)?$")


@dataclass
class PageRead:
    html: str
    text: str
    confidences: list[float] = field(default_factory=list)  # one per numeric cell read
    unreadable: int = 0  # numeric cells turned NULL for low confidence
    tables: int = 0
    angle: float = 0.0


def _join(glyphs: list[Glyph], lines: bool) -> str:
    """Glyphs → text: sorted into lines by their centres, left to right; a wide gap is a space (numbers
    printed apart stay apart). `lines`: keep line breaks (free text); else join them (a wrapped label)."""
    if not glyphs:
        return ""
    glyphs = sorted(glyphs, key=lambda g: g.cy)
    rows: list[list[Glyph]] = []
    for g in glyphs:
        if rows and abs(g.cy - np.mean([x.cy for x in rows[-1]])) < 0.5 * (g.y1 - g.y0):
            rows[-1].append(g)
        else:
            rows.append([g])
    out = []
    for row in rows:
        row.sort(key=lambda g: g.x0)
        parts = [row[0].text]
        for a, b in itertools.pairwise(row):
            gap, height = b.x0 - a.x1, max(a.y1 - a.y0, 1)
            digits = a.text[-1:].isdigit() and b.text[:1].isdigit()  # two numbers printed apart
            wide = gap > 0.35 * height if digits else lines and gap > 0.6 * height  # no spaces inside labels
            parts.append((" " if wide else "") + b.text)
        out.append("".join(parts))
    return "\n".join(out) if lines else "".join(out)


def _tighten(line: Line, ink: np.ndarray) -> Line:
    """The engine's character boxes split the line evenly; narrow each to the ink inside it, so the
    gap between two numbers printed apart is seen (and becomes a space, not one longer number)."""
    out = []
    for g in line.glyphs:
        pad = (g.y1 - g.y0) * 0.15
        x0, x1, y0, y1 = int(g.x0), int(g.x1) + 1, int(g.y0 + pad), int(g.y1 - pad) + 1
        cols = np.flatnonzero(ink[max(0, y0):y1, max(0, x0):x1].any(axis=0))
        if cols.size:
            g = Glyph(g.text, float(max(0, x0) + cols[0]), g.y0, float(max(0, x0) + cols[-1] + 1), g.y1, g.conf)
        out.append(g)
    return Line(tuple(out))


def _numeric(text: str) -> str | None:
    """The cell's number with O/o read as 0 (only inside an all-digit cell), or None if not a number."""
    s = re.sub(r"\s+", "", text)
    if not _NUMERIC.match(s) or not re.search(r"[\dOo]", s):
        return None
    if re.search(r"[Oo]", s) and not re.fullmatch(r"[\dOo.,]+", s):
        return None
    return s.replace("O", "0").replace("o", "0")


def _ink_box(ink: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The bounding box of the ink inside a cell (rules excluded), or None if the cell is empty."""
    x0, y0, x1, y1 = box
    pad = max(4, (y1 - y0) // 10)
    sub = ink[y0 + pad:y1 - pad, x0 + pad:x1 - pad]
    if sub.size == 0:
        return None
    sub = cv2.morphologyEx(sub, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # speckle noise is not ink
    _n, _, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    blobs = [s for s in stats[1:] if s[4] >= 12 and s[3] >= 0.25 * (y1 - y0 - 2 * pad) and s[2] < 0.9 * sub.shape[1]]
    if not blobs:
        return None
    bx0 = min(s[0] for s in blobs)
    by0 = min(s[1] for s in blobs)
    bx1 = max(s[0] + s[2] for s in blobs)
    by1 = max(s[1] + s[3] for s in blobs)
    return x0 + pad + bx0, y0 + pad + by0, x0 + pad + bx1, y0 + pad + by1


def _crop_read(bgr: np.ndarray, box: tuple[int, int, int, int], threads: int) -> tuple[str, float] | None:
    x0, y0, x1, y1 = box
    m = max(6, (y1 - y0) // 3)
    crop = bgr[max(0, y0 - m):y1 + m, max(0, x0 - m):x1 + m]
    crop = cv2.copyMakeBorder(crop, 8, 8, 16, 16, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    return read_crop(crop, threads)


def read_page(img: Image.Image, *, min_confidence: float = 0.85, threads: int = 1) -> PageRead:
    gray = np.asarray(img.convert("L"))
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    bgr, gray, angle = deskew(bgr, gray)
    grids = find_grids(gray)
    lines = read_lines(bgr, threads)
    ink = binarize(gray)
    page = PageRead("", "", angle=angle, tables=len(grids))

    def where(g: Glyph) -> tuple[int, int] | None:
        for ti, grid in enumerate(grids):
            gx0, gy0, gx1, gy1 = grid.box
            if gx0 <= g.cx <= gx1 and gy0 <= g.cy <= gy1:
                for ci, cell in enumerate(grid.cells):
                    x0, y0, x1, y1 = cell.box
                    if x0 <= g.cx < x1 and y0 <= g.cy < y1:
                        return ti, ci
                return ti, -1
        return None

    horiz, vert = rule_masks(ink)
    text_ink = cv2.bitwise_and(ink, cv2.bitwise_not(cv2.bitwise_or(horiz, vert)))  # rules are not characters
    lines = [_tighten(line, text_ink) for line in lines]
    in_cell: dict[tuple[int, int], list[Glyph]] = {}
    free: list[tuple[float, str]] = []  # (y, text) of lines outside tables
    for line in lines:
        rest: list[Glyph] = []
        for g in line.glyphs:
            w = where(g)
            if w is None:
                rest.append(g)
            elif w[1] >= 0:
                in_cell.setdefault(w, []).append(g)
        if rest:
            free.append((min(g.y0 for g in rest), _join(rest, lines=True)))
    items: list[tuple[float, str, str]] = [(y, f"<p>{htmllib.escape(t)}</p>", t) for y, t in free]
    for ti, grid in enumerate(grids):
        items.append((grid.box[1], *_table(grid, ti, in_cell, bgr, ink, page, min_confidence, threads)))
    items.sort(key=lambda x: x[0])
    page.html = "\n".join(h for _, h, _ in items)
    page.text = "\n".join(t for _, _, t in items if t)
    return page


def _table(grid: Grid, ti: int, in_cell: dict[tuple[int, int], list[Glyph]], bgr: np.ndarray, ink: np.ndarray,
           page: PageRead, min_confidence: float, threads: int) -> tuple[str, str]:
    rows: dict[int, list[str]] = {}
    text_rows: dict[int, list[str]] = {}
    for ci, cell in enumerate(grid.cells):
        glyphs = in_cell.get((ti, ci), [])
        text = _join(glyphs, lines=False)
        conf = min((g.conf for g in glyphs), default=1.0)
        if not text:
            box = _ink_box(ink, cell.box)
            if box is not None:  # ink the page read missed: read the cell alone
                got = _crop_read(bgr, box, threads)
                text, conf = got if got else (UNREADABLE, 0.0)
        number = _numeric(text) if text and text != UNREADABLE else None
        if number is not None:
            page.confidences.append(conf)
            text = number if conf >= min_confidence else UNREADABLE
        if text == UNREADABLE:
            page.unreadable += 1
        span = (f' rowspan="{cell.r1 - cell.r0}"' if cell.r1 - cell.r0 > 1 else "") + (
            f' colspan="{cell.c1 - cell.c0}"' if cell.c1 - cell.c0 > 1 else "")
        rows.setdefault(cell.r0, []).append(f"<td{span}>{htmllib.escape(text)}</td>")
        text_rows.setdefault(cell.r0, []).append(text.replace(UNREADABLE, ""))
    html = "<table>\n" + "\n".join(f"<tr>{''.join(rows.get(r, []))}</tr>" for r in range(grid.shape[0])) + "\n</table>"
    text = "\n".join("\t".join(text_rows[r]) for r in sorted(text_rows) if any(text_rows[r]))
    return html, text

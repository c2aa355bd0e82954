"""Serialisations → a stream of segments (one printed row or line each) of typed tokens.

A token is a label (text), a value (number or null marker) or a blank cell. Blank cells are kept
only after a value in the same segment: leading blanks are merged-cell padding.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from pipelines.normalize import label_key, nfkc, strip_pinyin, to_simplified

LABEL, VALUE, BLANK = "L", "V", "B"

OCR_UNREADABLE = "\ufffd"  # a number OCR could not read with confidence (pipelines/ocr): NULL, flagged
ROW_UNSURE = "\ufffc"  # PDF text: a value line printed between two rows, owner unsure (pdf.text_lines): NULL, flagged
NULL_MARKERS = frozenset({"—", "——", "–", "―", "─", "-", "--", "/", "\\", "无", "-/-", "—/—"})
_UNITS = "万元|元|个|件|项|条|次|家|人|宗|份"
_UNIT_WORDS = frozenset(_UNITS.split("|"))
_VALUE = re.compile(rf"^([+\-−﹣]?)(\d{{1,3}}(?:,\d{{3}})+|\d+)(\.\d+)?({_UNITS})?$")
_GLUED = re.compile(r"^(.*[\u4e00-\u9fff)”])(\d+)$")
_PAGE_NO = re.compile(r"^\s*(?:[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$")
_WS = re.compile(r"[\s\u00a0\u3000\u2002\u2003\u200b\ufeff]+")


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str  # LABEL | VALUE | BLANK
    raw: str  # as printed, stripped (source script)
    key: str = ""  # label_key for labels
    glued: bool = False  # digit run glued to a label or to other digits: may hold several cells
    col: int = -1  # grid column of the printed cell (HTML/PDF tables); -1 when unknown (text)
    spans: tuple[tuple[int, int], ...] = ()  # text lines: display columns of each word (fixed-width dumps)


@dataclass(frozen=True, slots=True)
class Parsed:
    value: int | float | None
    unit: str | None
    flag: str | None
    digits: bool  # a bare non-negative digit string (splittable when glued)


@lru_cache(maxsize=4096)
def parse_value(raw: str) -> Parsed | None:
    """`40個` → 40, `14319.91萬元` → 14319.91 万元, `-8` → -8, `00` → 0 (flagged), `—` → None."""
    s = _WS.sub("", nfkc(to_simplified(strip_pinyin(raw))))
    if s == OCR_UNREADABLE:
        return Parsed(None, None, "ocr_unreadable", False)
    if s == ROW_UNSURE:
        return Parsed(None, None, "row_unsure", False)
    if s == "" or s in NULL_MARKERS:
        return Parsed(None, None, "null_marker", False)
    m = _VALUE.match(s)
    if not m:
        return None
    sign, whole, frac, unit = m.groups()
    whole = whole.replace(",", "")
    value: int | float = float(whole + frac) if frac else int(whole)
    if sign and sign != "+":
        value = -value
    flag = None
    if len(whole) > 1 and whole.startswith("0") and not frac:
        flag = "doubled_digits" if set(whole) == {"0"} else "leading_zero"
    digits = not sign and not frac and not unit and "," not in m.group(2)
    return Parsed(value, "万元" if unit == "万元" else ("元" if unit == "元" else None), flag, digits)


@lru_cache(maxsize=8192)
def _cell_toks(text: str) -> tuple[Tok, ...]:
    """One printed cell: a value, a blank, or a label (with a glued trailing digit run split off)."""
    raw = _WS.sub(" ", text).strip()
    if not raw:
        return (Tok(BLANK, ""),)
    if parse_value(raw) is not None:
        return (Tok(VALUE, raw),)
    m = _GLUED.match(raw)
    if m and label_key(m.group(1)):
        return (Tok(LABEL, m.group(1).strip(), label_key(m.group(1))), Tok(VALUE, m.group(2), glued=True))
    return (Tok(LABEL, raw, label_key(raw)),)


@lru_cache(maxsize=8192)
def _plain_toks(line: str) -> tuple[Tok, ...]:
    """A line without cell separators: whitespace-separated words, label words merged."""
    out: list[Tok] = []
    words: list[str] = []

    def flush() -> None:
        if words:
            text = " ".join(words)
            out.extend(_cell_toks(text))
            words.clear()

    for w in _WS.split(line.strip()):
        if not w:
            continue
        p = parse_value(w)
        if not words and out and out[-1].kind == VALUE and w in _UNIT_WORDS and parse_value(out[-1].raw + w):
            out[-1] = Tok(VALUE, out[-1].raw + w)  # `76 个`: the unit of the value before it (PDF text)
            continue
        if p is not None and (p.value is not None or w != "无"):
            flush()
            out.append(Tok(VALUE, w, glued=p.digits))
        else:
            words.append(w)
    flush()
    return tuple(out)


_WORD = re.compile(r"[^\s\u00a0\u3000\u2002\u2003\u200b\ufeff]+")


def _width(text: str) -> int:
    """Display columns: wide (CJK, full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@lru_cache(maxsize=8192)
def _placed_toks(line: str) -> tuple[Tok, ...]:
    """`_plain_toks` with each word's display columns (a fixed-width dump, as `pdftotext -layout`
    prints, keeps a blank cell as spaces under its header word)."""
    toks = _plain_toks(line)
    spans: list[tuple[int, int]] = []
    for m in _WORD.finditer(line):
        start = _width(line[:m.start()])
        spans.append((start, start + _width(m.group())))
    out: list[Tok] = []
    i = 0
    for t in toks:
        n = len(t.raw.split()) if t.raw else 1
        if t.glued and t.kind == VALUE and out and out[-1].kind == LABEL and not out[-1].spans:
            out.append(t)  # a digit run glued to a label: no span of its own
            continue
        if t.kind == LABEL and i + n <= len(spans) and " ".join(_WORD.findall(line)[i:i + n]) != t.raw:
            return toks  # words changed by the tokeniser: no positions
        out.append(replace(t, spans=tuple(spans[i:i + n])))
        i += n
    return tuple(out) if i == len(spans) else toks


def _segment(toks: list[Tok] | tuple[Tok, ...], *, pads: bool = False) -> list[Tok]:
    """Drop blanks that do not follow a value in the segment (merged-cell padding); a printed blank
    cell (key "cell") is kept after the row's label. `pads`: keep the dropped ones as key "pad" (a tab
    row's blanks have columns: under a header column they are blank cells, elsewhere padding)."""
    out: list[Tok] = []
    seen_value = seen_label = dropped = False
    for t in toks:
        if t.key == "lead" and not out:
            out.append(t)  # handled by the parser (table 3's value row only)
            continue
        if t.kind == BLANK and not seen_value and not (t.key == "cell" and seen_label):
            dropped = dropped or seen_label
            if pads:
                out.append(replace(t, key="pad"))
            continue
        if t.kind == VALUE and dropped and not seen_value:
            t = replace(t, key="after_blank")  # the blanks before it may have been a printed blank, not padding
        seen_value = seen_value or t.kind == VALUE
        seen_label = seen_label or t.kind == LABEL
        out.append(t)
    return out


def text_segments(text: str) -> list[list[Tok]]:
    """Scraped text: tab rows, pipe rows, one cell per line ("x |"), or concatenated lines."""
    segs: list[list[Tok]] = []
    for line in text.splitlines():
        if "\t" in line:  # tab rows: every field is a column (positions checked against the header)
            toks = [replace(t, col=i) for i, c in enumerate(line.split("\t")) for t in _cell_toks(c)]
            seg = [replace(t, key="field") if t.kind == BLANK and not t.key else t for t in _segment(toks, pads=True)]
            if any(t.key != "pad" for t in seg):
                segs.append(seg)
            continue
        if "|" in line:
            body = line.rstrip()
            if not body.replace("|", "").strip():
                if body.strip() == "|":  # a single empty cell
                    segs.append([Tok(BLANK, "")])
                continue  # filler from spanned cells
            cells = body.split("|")
            if body.endswith("|"):
                cells = cells[:-1]
        elif _PAGE_NO.match(line):
            continue  # page number of a PDF/Word page
        else:
            toks = _placed_toks(line)
            if toks:
                segs.append(_segment(toks))
            continue
        toks2: list[Tok] = []
        last = max((i for i, c in enumerate(cells) if c.strip()), default=-1)
        lead = any(parse_value(c) is not None and c.strip() for c in cells)  # a value row
        for i, c in enumerate(cells):
            if c and not c.strip() and i < last:
                # `a |  | 3 |`: a printed blank (`||` is filler); before anything else in a value row a
                # "lead" blank (table 3's value row may start with one)
                toks2.append(Tok(BLANK, "", "lead" if lead and not toks2 else "cell"))
            else:
                toks2.extend(_cell_toks(c))
        seg = _segment(toks2)
        if seg:
            segs.append(seg)
    return segs


def cells_segment(cells: list[str | None], cols: list[int] | None = None, *, grid: bool = False) -> list[Tok]:
    """A row of already-separated cells (PDF tables, HTML rows); None = covered by a span.

    `grid`: the cells are a table's own cells (HTML) or a ruled grid (PDF), so an empty cell after the
    row's label is a printed blank (kind BLANK, key "cell"), not merged-cell padding; tokens carry their
    column (`cols[i]`, else the list index)."""
    toks: list[Tok] = []
    for i, c in enumerate(cells):
        if c is None:
            continue
        col = cols[i] if cols is not None else i
        for t in _cell_toks(c):
            if not grid:
                toks.append(t)
            elif t.kind != BLANK:  # replace(t, col=col), built directly (one per table cell)
                toks.append(Tok(t.kind, t.raw, t.key, t.glued, col, t.spans))
            else:  # before the row's label or first value: an empty label column, or a blank value
                toks.append(Tok(BLANK, "", "cell" if toks else "lead", col=col))
    if grid and not any(t.kind == VALUE for t in toks):
        toks = [t for t in toks if t.key != "lead"]
    return toks if grid else _segment(toks)

"""The three statistical tables of an annual report → canonical cells. Pure functions, no Scrapy.

Every serialisation is first turned into segments of typed tokens (tables_tokens / tables_html /
tables_pdf); one state machine then walks them: headings set the table, labels accumulate until a value
arrives, the label then names the row (tables_match), and the row's values are fitted to the template's
columns (tables_resolve). Nothing here raises on bad input: problems go to `errors`, `flags`, `ambiguous`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, NamedTuple

from pipelines.spec import AMOUNT_COLS, T1, T2, T3, TABLES, UNIT_IN_HEADER, other, template
from pipelines.tables.header import Header, LabelColumns, header_order, label_columns
from pipelines.tables.match import (
    _ENUM,
    core,
    detect_template,
    heading,
    last_segment,
    match_row,
    opens_t3,
    other_name,
)
from pipelines.tables.resolve import Partial, Reading, parsed, reconcile
from pipelines.tables.tokens import BLANK, LABEL, VALUE, Parsed, Tok, text_segments

FEE_COL = "本年收费金额(单位:万元)"


@dataclass
class Cell:
    table_name: str
    row_label: str
    col_label: str
    value: int | float | None
    raw: str
    unit: str | None
    flag: str | None = None  # "doubled_digits", "null_marker", "split_digits", ...


@dataclass
class Ambiguous:
    table_name: str
    row_label: str
    col_label: str
    why: str


@dataclass
class TableResult:
    template: str | None
    cells: list[Cell]
    ambiguous: list[Ambiguous]
    nulls: int
    flags: list[str]
    errors: list[str]  # human-readable reasons when a table could not be parsed

    def score(self) -> tuple[int, int]:
        return (len(self.cells) + len(self.ambiguous), -len(self.errors))


@dataclass
class _Row:
    table: str | None
    row: str | None  # canonical key; None for an unknown (extra) row
    owner: str  # template whose columns the row uses
    label: str = ""
    toks: list[Tok] = field(default_factory=list)
    seg: int = -1  # the printed row/line its last token came from
    label_end: int = -1  # fixed-width text: display column where the row's label ends on its value line
    head: str = ""  # an unknown row: its label on the value line, when it starts like a row's (`1.本机关`)


@cache
def _order(tpl: str) -> dict[tuple[str, str], float]:
    """Print order: the template's rows, the other template's rows next to their parent or children."""
    keys: dict[tuple[str, str], float] = {}
    for ti, tname in enumerate(TABLES):
        own = template(tpl).tables[tname].rows
        for i, row in enumerate(own):
            keys[(tname, row)] = ti * 1000 + i
        for row in template(other(tpl)).tables[tname].rows:
            if (tname, row) in keys:
                continue
            kids = [i for i, r in enumerate(own) if r.startswith(row + "/")]
            parent = [i for i, r in enumerate(own) if row.startswith(r + "/")]
            pos = kids[0] - 0.5 if kids else parent[-1] + 0.5 if parent else 999
            keys[(tname, row)] = ti * 1000 + pos
    return keys


@cache
def _col_order(tpl: str) -> dict[tuple[str, str], int]:
    """(table, column) → its place in the template's columns followed by the other template's (the first)."""
    out: dict[tuple[str, str], int] = {}
    for tname in TABLES:
        for i, c in enumerate(template(tpl).tables[tname].cols + template(other(tpl)).tables[tname].cols):
            out.setdefault((tname, c), i)
    return out


def _lost_cell(reading: Reading, table: str) -> bool:
    """A table-2 row whose 总计 is blank while the six cells before it are filled: in a grid that a
    converter squared (DOCX, PDF, spreadsheet, a Word file through LibreOffice), a row that lost a cell
    looks exactly like this (the values shifted left, a blank added at the end), so the row is not
    trusted — unless its sixth value is smaller than the five before it together: a shifted row
    would print its 总计 there, and a total of counts is never below the sum of the counts it adds up.
    Only asked of squared sources (see `extract_tables`' `explicit_cells`)."""
    vals = [p.value for _, p in reading]
    if not (table == T2 and len(vals) == 7 and vals[6] is None and None not in vals[:6]):
        return False
    return not vals[5] < sum(vals[:5])


@cache
def _group_cores(tpl: str) -> tuple[str, ...]:
    """Cores of the row-group labels a table prints in a merged column (三、本年度办理结果, (三)不予公开…)."""
    groups = {g for r in template(tpl).tables[T2].rows for g in r.split("/")[:-1]}
    return tuple(sorted({core(g) for g in groups} - {""}))


def _group_fragment(key: str, tpl: str) -> bool:
    """A piece of a vertically printed group label that PDF text put on a row's value line (`（三）`,
    `三、本年`, `不予公`): it names no row itself and is part of a group label."""
    if match_row(key, tpl, False):
        return False
    c = core(key)
    return not c or any(c in g for g in _group_cores(tpl))


def _kin(a: str, b: str) -> bool:
    """One row is the other's parent: (六)其他处理 and (六)其他处理/1.…"""
    return a.startswith(b + "/") or b.startswith(a + "/")


class _Label(NamedTuple):
    """What a label token says whatever the parser's state: asked for every label, cached by its text."""

    heading: str | None  # the table a section heading opens, "END" (see `heading`)
    opens_t3: bool  # table 3's first header cell (see `opens_t3`)
    header: bool  # may be a header cell: no enumerator (row labels carry one), names or pieces of a column
    columns: tuple[LabelColumns, ...]  # as a header cell of each table, in TABLES order
    t3_header: bool  # a word of table 3's result columns (维持, 纠正, 审结, 总计)
    t3_leaves: frozenset[str]  # table 3's result columns it names
    amount_in_wan: bool  # 采购总金额 in 万元
    yuan_cols: tuple[str, ...]  # money columns it prints in 元


@lru_cache(maxsize=16384)
def _label(raw: str, key: str) -> _Label:
    columns = tuple(label_columns(t, raw, key) for t in TABLES)
    t3 = columns[TABLES.index(T3)]
    names = t3.whole or [n for _, got in t3.hits for n in got]
    return _Label(
        heading=heading(key),
        opens_t3=opens_t3(key),
        header=_ENUM.match(key) is None and any(lc.whole or lc.hits or lc.frag for lc in columns),
        columns=columns,
        t3_header=any(w in key for w in ("维持", "纠正", "审结", "总计")),
        t3_leaves=frozenset(n.split("/")[-1] for n in names),
        amount_in_wan="采购总金额" in key and "万元" in key,
        yuan_cols=tuple(col for col, word in (("采购总金额", "采购总金额"), (FEE_COL, "收费金额"))
                        if word in key and "元" in key and "万元" not in key),
    )


class _Parser:
    def __init__(self, tpl: str | None, explicit_cells: bool = False) -> None:
        self.tpl = tpl
        self.squared = not explicit_cells  # a converter may have added blank cells to square the grid
        self.match_tpl = tpl or "2021"
        self.ctx: str | None = None
        self.pending: list[Tok] = []
        self.cur: _Row | None = None
        self.done: dict[tuple[str, str], bool] = {}  # row → resolved (False: ambiguous)
        self.t3_header = False  # 结果维持… printed since the table-3 heading
        self.t3_leaves: set[str] = set()  # table-3 result columns named by a header (any heading)
        self.t3_words = ""  # labels printed under table 3's heading (a PDF text header's pieces: 结果 / 维持)
        self.cells: list[Cell] = []
        self.ambiguous: list[Ambiguous] = []
        self.flags: list[str] = []
        self.amount_in_wan = False  # 采购总金额 header prints 万元
        self.yuan_cols: set[str] = set()  # money columns whose header prints 元 (not 万元)
        self.headers = {t: Header(t) for t in TABLES}  # per table: header labels need no heading
        self.seg_no = 0  # the printed row/line being read
        self.seg_start = 0
        self.pads: list[Tok] = []  # a tab row's blanks before its first value (positions only)
        # an unknown row whose label may continue below its values (`1.本机关 0 2 …` / `不掌握相关` / `政府信息`):
        # the row, and the labels printed after it so far
        self.limbo: tuple[_Row, list[Tok]] | None = None
        self.label_seg = -1  # the printed line of the last label
        self.aligned = False  # fixed-width text, shown by a full row printed beneath its header words
        # rows with blanks placed by position before any full row showed the alignment: (columns, reading)
        self.deferred: dict[tuple[str, str], tuple[tuple[str, ...], Reading]] = {}

    def flag(self, text: str) -> None:
        if text not in self.flags:
            self.flags.append(text)

    def feed(self, segs: Iterable[list[Tok]]) -> None:
        for n, seg in enumerate(segs):
            self.seg_no = n
            self.seg_start = len(self.pending)  # pending labels from here on are printed on this line
            self.pads = []
            for tok in seg:
                self._tok(tok)
        self._close()

    def _tok(self, tok: Tok) -> None:
        if tok.kind == LABEL:
            self.label_seg = self.seg_no
            info = _label(tok.raw, tok.key)
            h = info.heading
            if h or (self.ctx != T3 and info.opens_t3):
                self._close()
                if self.pending:
                    self._blank_row(None)
                self.pending.clear()
                self._note_t3_header()
                self.ctx = None if h == "END" else (h or T3)
                self.headers = {t: Header(t) for t in TABLES}
                self.t3_header = False
                if not h:  # the table's first header cell opened it
                    self._header_label(tok, info)
                return
            had_row = self.cur is not None
            if had_row:  # the row before is read under the header it was printed under
                self._close()
            if self.limbo is not None and self._continue_limbo(tok):
                return
            self._header_label(tok, info)
            if self.ctx == T3 and info.t3_header:
                self.t3_header = True
            if self.ctx == T3:
                if len(self.t3_words) < 400:
                    self.t3_words += tok.key
                self.t3_leaves |= info.t3_leaves
            if info.amount_in_wan:
                self.amount_in_wan = True
            self.yuan_cols.update(info.yuan_cols)
            if not had_row and self.pending:
                self._blank_row(tok.key)
            self.pending.append(tok)
            return
        if tok.kind != BLANK:  # a value: the header above is complete
            for hdr in self.headers.values():
                hdr.stale = True
            self._drop_limbo()
        if tok.key == "pad":
            self.pads.append(tok)
            return
        if tok.kind == BLANK:
            if tok.key == "lead":  # a grid row's blank first cell: a value only in table 3's value row
                if not (self.ctx == T3 and self.t3_header and self.cur is None and (T3, "") not in self.done):
                    return
                self.pending.clear()  # the header above it
                self.cur = _Row(T3, "", self.match_tpl, seg=self.seg_no)
                self.cur.toks += [*self.pads, tok]
                return
            if self.cur is None and not self.pending:
                return
            if self.cur is not None and not self.pending and self.cur.seg != self.seg_no:
                return  # blank cells of a later printed line (a wrapped label's) never join the row
            # text blanks may be merged-cell padding and never start a row; a grid's empty cell after a
            # row label is a printed blank (an all-blank row, or blank for 0 before the first value)
            if self.pending and (tok.key != "cell" or not self._names_row()):
                return
        if self.pending:
            self._close()
            last = self.pending[-1]
            self.cur = self._resolve()
            if last.spans and self.label_seg == self.seg_no:
                self.cur.label_end = last.spans[-1][1]
            self.pending.clear()
            self.cur.toks += self.pads
        elif self.cur is None:
            if self.ctx != T3 or not self.t3_header:
                return
            self.cur = _Row(T3, "", self.match_tpl)
            self.cur.toks += self.pads
        self.cur.toks.append(tok)
        self.cur.seg = self.seg_no

    def _header_label(self, tok: Tok, info: _Label) -> None:
        """A column name of a table's header (never a row label: those carry 一、/(七)/3.)."""
        if not info.header:  # nothing for any table's header (`Header.add` and `fragment` would do nothing)
            return
        # self.headers is built in TABLES order, like info.columns; 总计 heads tables 2 and 3: both keep it
        for hdr, lc in zip(self.headers.values(), info.columns, strict=True):
            if lc.whole:  # `科研 机构`: one name; a dump's header line: several
                span = (tok.spans[0][0], tok.spans[-1][1]) if tok.spans else None
                hdr.add(lc.whole, tok.col, self.seg_no, span)
            else:
                for i, got in lc.hits:
                    hdr.add(got, tok.col, self.seg_no, tok.spans[i] if len(tok.spans) == lc.n_words else None)
            hdr.fragment(lc, self.seg_no)  # wrapped or reordered multi-line text headers

    def _read(self, cur: _Row, cols: tuple[str, ...]) -> tuple[Reading | Partial | None, str, str | None]:
        """The row's values in template column order: by grid position under the printed header when
        the header names every column; else in printed order, permuted by a one-line header."""
        toks = cur.toks
        if toks and all(t.col >= 0 for t in toks):
            where = self.headers[cur.table].positions(cols)
            if where is not None:
                at = {p: c for c, p in where.items()}
                got: dict[int, Tok] = {}
                for t in toks:
                    if t.col in at and t.col not in got:
                        got[t.col] = t
                    elif t.kind != BLANK:
                        got = {}
                        break  # a value under no column of this row, or two in one: not positional
                if len(got) == len(cols):
                    if [where[c] for c in cols] != sorted(where.values()):
                        self.flag(f"columns_from_header:{cur.table}")
                    reading = [(got[where[c]].raw, parsed(got[where[c]])) for c in cols]
                    if self.squared and _lost_cell(reading, cur.table):
                        return None, "总计 blank after six filled cells: a lost cell shifting the others " \
                                     "left cannot be ruled out", None
                    return reading, "", None
        order = self.headers[cur.table].text_order(cols)
        if order is False:
            return None, "the printed header cannot be read into one column order and gives no positions", None
        reading, why, row_flag = reconcile([t for t in toks if t.key != "pad"], len(cols), cur.table)
        if reading is None:
            placed = self._placed(cur, cols, order)
            if placed is not None and self.aligned:
                self.flag(f"columns_from_layout:{cur.table}")
                return placed, "", None
            if placed is not None:  # read at the end if a full row later shows the text is fixed-width
                self.deferred[(cur.table, cur.row)] = (cols, placed)
        if reading is not None and not row_flag and not self.aligned:
            self._check_aligned(cur, cols, order, len(reading))
        if reading is not None and isinstance(order, list):
            if row_flag and row_flag != "ragged_row":  # the row's sums were checked in printed order
                # (a ragged row's agreed cells need no sums: they hold in any column order)
                return None, f"the row needed {row_flag} under a reordered header", None
            self.flag(f"columns_from_header:{cur.table}")
            reading = [reading[i] for i in order]
        if reading is not None and row_flag != "ragged_row" and self.squared and _lost_cell(reading, cur.table):
            return None, "总计 blank after six filled cells: a lost cell shifting the others left cannot " \
                         "be ruled out", None
        return reading, why, row_flag

    def _placed(self, cur: _Row, cols: tuple[str, ...], order: list[int] | bool) -> Reading | None:
        """A fixed-width dump's row with fewer values than columns: each value under the header word it
        is printed beneath (its middle inside the word's columns, one value per column), the columns
        with none printed blank. Used only when a full row of the document (before or after it) shows the
        text is aligned (`_check_aligned`, `_place_deferred`) and when the row's label ends before the
        first column's header word, so a dump whose lines merely start at the margin is never read by
        position."""
        where = self.headers[cur.table].columns_at(cols, order)
        toks = [t for t in cur.toks if t.key != "pad"]
        if where is None or not toks or any(t.kind != VALUE or len(t.spans) != 1 for t in toks):
            return None
        if cur.table != T3 and not (0 <= cur.label_end <= min(a for a, _ in where.values())):
            return None
        right = max(where.values())
        if not any(right[0] - 1 <= (t.spans[0][0] + t.spans[0][1]) / 2 <= right[1] + 1 for t in toks):
            return None  # the rightmost column blank: a cell lost in a squared grid shifts the others left
        got: dict[str, Tok] = {}
        for t in toks:
            mid = (t.spans[0][0] + t.spans[0][1]) / 2
            hit = [c for c, (a, b) in where.items() if a - 1 <= mid <= b + 1]
            if len(hit) != 1 or hit[0] in got:
                return None
            got[hit[0]] = t
        blank = Parsed(None, None, "null_marker", False)
        return [(got[c].raw, parsed(got[c])) if c in got else ("", blank) for c in cols]

    def _check_aligned(self, cur: _Row, cols: tuple[str, ...], order: list[int] | bool, n: int) -> None:
        """A row read in full whose every value sits beneath its column's header word (its middle within
        the word's display columns) shows the text is fixed-width: rows with blanks may then be placed
        (in any table of the document)."""
        where = self.headers[cur.table].columns_at(cols, order)
        toks = [t for t in cur.toks if t.key != "pad"]
        if where is None or len(toks) != n or any(t.kind != VALUE or len(t.spans) != 1 for t in toks):
            return
        spans = sorted(where.values())
        if all(a <= (t.spans[0][0] + t.spans[0][1]) / 2 <= b for t, (a, b) in zip(toks, spans, strict=True)):
            self.aligned = True

    def _names_row(self) -> bool:
        keys = [t.key for t in self.pending[-4:]]
        for k in range(1, len(keys) + 1):
            hit = match_row("".join(keys[-k:]), self.match_tpl, False)
            if hit and hit[1] in (T1, T2):
                value_cols = self.headers[hit[1]].pos
                last = self.pending[-1].col
                # a label printed inside the value columns is a header cell (其他, 总计), not a row
                return not (last >= 0 and value_cols and last >= min(value_cols))
        return False

    def _exact(self, keys: list[str]) -> tuple[str, str] | None:
        """The template's own T1/T2 row named exactly by the last labels, or None."""
        for k in range(1, len(keys) + 1):
            hit = match_row("".join(keys[-k:]), self.match_tpl, False)
            if hit:
                owner, table, row = hit
                return (table, row) if owner == self.match_tpl and table == self.ctx else None
        return None

    def _exact_join(self, keys: list[str]) -> tuple[str, str] | None:
        """The template's own row named exactly by all of `keys` joined (a wrapped label), or None."""
        hit = match_row("".join(keys), self.match_tpl, False)
        if hit and hit[0] == self.match_tpl and hit[1] == self.ctx:
            return hit[1], hit[2]
        return None

    def _blank_before(self, labels: list[Tok], nxt: tuple[str, str]) -> None:
        """Labels left over before a row's own label (sub-table headings between them) may name the row
        before it, printed blank (`行政许可` with no value, then `第二十条第(六)项`, `信息内容…`, `行政处罚 5`)."""
        if not labels or nxt[0] not in (T1, T2):
            return
        rows = template(self.match_tpl).tables[nxt[0]].rows
        if nxt[1] not in rows:
            return
        keys = [t.key for t in labels if not _group_fragment(t.key, self.match_tpl)]
        for i in range(len(keys)):  # a label wrapped over up to three lines joins back
            row = next((r for j in range(i + 1, min(len(keys), i + 3) + 1)
                        if (r := self._exact_join(keys[i:j]))), None)
            if row is None or row[0] != nxt[0] or row in self.done:
                continue
            at = rows.index(row[1])
            last = max((rows.index(r) for t, r in self.done if t == row[0] and r in rows), default=-1)
            if at == last + 1 and rows.index(nxt[1]) == at + 1:
                self._emit_blank(row)

    def _emit_blank(self, row: tuple[str, str]) -> None:
        self.done[row] = True
        self.flag(f"blank_row:{row[0]}/{row[1]}")
        for col in template(self.match_tpl).tables[row[0]].row_cols[row[1]]:
            self.cells.append(Cell(row[0], row[1], col, None, "", None, "blank_row"))

    def _blank_row(self, next_key: str | None) -> None:
        """Pending labels name a row that printed no value before the next row (or the table's end):
        store it as NULL cells flagged `blank_row` (counted, never dropped). Only for the row right after
        the last one read and right before the next label's row, so header words (其他, 总计) and group
        headings never become rows."""
        if self.ctx not in (T1, T2):
            return
        row = self._exact([t.key for t in self.pending[-4:]])
        if row is None or row in self.done:
            return
        rows = template(self.match_tpl).tables[row[0]].rows
        at = rows.index(row[1])
        if next_key is not None:
            nxt = self._exact([next_key])
            if nxt is None or nxt[1] not in rows or rows.index(nxt[1]) != at + 1:
                return
        last = max((rows.index(r) for t, r in self.done if t == row[0] and r in rows), default=-1)
        if at != last + 1:  # only the row right after the last one read, before the row right after it
            return
        self.pending.clear()
        self._emit_blank(row)

    def _resolve(self) -> _Row:
        if self.ctx == T3:
            return _Row(T3 if self.t3_header else None, "", self.match_tpl)
        keys = [t.key for t in self.pending[-4:]]
        pending = self.pending
        trimmed = len(self.pending)
        # only pieces printed on the value line itself: a group label on a line of its own may stand
        # between a row's values printed above its label and the next row (values misplaced, not fixed)
        while (trimmed > max(1, self.seg_start) and self.pending[trimmed - 1].col < 0
               and _group_fragment(self.pending[trimmed - 1].key, self.match_tpl)):
            trimmed -= 1
        for labels in (self.pending, self.pending[:trimmed]) if trimmed < len(self.pending) else (self.pending,):
            keys_ = [t.key for t in labels[-4:]]
            for fuzzy in (False, True):
                for k in range(1, len(keys_) + 1):
                    hit = match_row("".join(keys_[-k:]), self.match_tpl, fuzzy)
                    if hit:
                        owner, table, row = hit
                        if labels is not pending:
                            self.flag(f"label_fragment_skipped:{row}")
                        label = "".join(keys_[-k:])
                        if self.tpl and owner == self.tpl and other_name(label, self.tpl, table, row):
                            self.flag(f"other_name:{table}/{row} printed as {last_segment(label)}")
                        self.ctx = table
                        self._blank_before(labels[:len(labels) - k], (table, row))
                        return _Row(table, row, owner)
        # text labels from the last one that starts like a row's (an enumerator) to the value line
        texts = [t.key for t in self.pending[-3:] if t.col < 0]
        starts = [i for i, k in enumerate(texts) if _ENUM.match(k)] if len(texts) == len(self.pending[-3:]) else []
        head = "".join(texts[starts[-1]:]) if starts else ""
        return _Row(self.ctx if self.ctx in (T1, T2) else None, None, self.match_tpl,
                    label=last_segment(keys[-1]), head=head)

    def _continue_limbo(self, tok: Tok) -> bool:
        """A label after an unknown row's values that completes its label (`1.本机关` + `不掌握相关` + `政府信息`,
        values printed on the first line of a wrapped label): the row is read under the completed name —
        only when the pieces hold no enumerator of their own (not a new row) and the row is the one right
        after the last row read. True when `tok` was taken."""
        assert self.limbo is not None
        row, more = self.limbo
        more.append(tok)
        joined = row.head + "".join(t.key for t in more)
        if tok.col >= 0 or last_segment(joined) != joined or len(more) > 3:
            self._drop_limbo()
            return False
        hit = self._exact_join([joined])
        if hit is None or hit in self.done or hit[0] != row.table:
            if len(more) < 3:
                self.pending.append(tok)
                return True
            self._drop_limbo()
            return False
        rows = template(self.match_tpl).tables[hit[0]].rows
        last = max((rows.index(r) for t, r in self.done if t == hit[0] and r in rows), default=-1)
        if hit[1] not in rows or rows.index(hit[1]) != last + 1:
            self._drop_limbo()
            return False
        self.limbo = None
        self.pending = [t for t in self.pending if not any(t is m for m in more)]
        self.flag(f"label_continued:{hit[1]}")
        row.row, row.owner = hit[1], self.match_tpl
        self.cur = row
        self._close()
        return True

    def _drop_limbo(self) -> None:
        if self.limbo is not None:
            self.flag(f"extra_row:{self.limbo[0].label}")
            self.limbo = None

    def _close(self) -> None:
        cur, self.cur = self.cur, None
        if cur is None or cur.table is None:
            return
        if cur.row is None:
            self._drop_limbo()
            if cur.head and cur.table in (T1, T2):  # its label may continue on the next lines
                self.limbo = (cur, [])
            else:
                self.flag(f"extra_row:{cur.label}")
            return
        key = (cur.table, cur.row)
        if self.done.get(key):
            self.flag(f"duplicate_row:{cur.row}")
            return
        if self.tpl and cur.owner != self.tpl and cur.table != T3:
            self.flag(f"off_template_row:{cur.row}")
        cols = template(cur.owner).tables[cur.table].row_cols[cur.row]
        reading, why, row_flag = self._read(cur, cols)
        if key in self.done:  # printed twice; the earlier copy was ambiguous (in part or whole)
            self.flag(f"duplicate_row:{cur.row}")
            if reading is None or None in reading:
                return
            self.ambiguous = [a for a in self.ambiguous if (a.table_name, a.row_label) != key]
            self.cells = [c for c in self.cells if (c.table_name, c.row_label) != key]
        self.done[key] = reading is not None and None not in reading
        if reading is None:
            self.ambiguous.extend(Ambiguous(cur.table, cur.row, c, why) for c in cols)
            return
        self._emit(key, cols, reading, why, row_flag)

    def _emit(self, key: tuple[str, str], cols: tuple[str, ...], reading: Reading | Partial, why: str,
              row_flag: str | None) -> None:
        table, row = key
        if row_flag:
            self.flag(f"{row_flag}:{table}/{row}")
        for col, item in zip(cols, reading, strict=True):
            if item is None:  # a ragged row's column that depends on which cell is the extra one
                self.ambiguous.append(Ambiguous(table, row, col, why))
                continue
            raw, p = item
            unit, value, flag = p.unit, p.value, p.flag or row_flag
            if col in AMOUNT_COLS and value is not None and (unit == "元" or (unit is None and col in self.yuan_cols)):
                # money printed in 元: stored in 万元 like every amount; raw keeps the printed figure
                value, unit, flag = float(Decimal(str(value)) / 10000), "万元", flag or "yuan_to_wan"
                self.flag(f"yuan_to_wan:{row}|{col}")
            if unit is None and value is not None and (
                col in UNIT_IN_HEADER or (col in AMOUNT_COLS and self.amount_in_wan)):
                unit = "万元"
            if p.flag == "doubled_digits":
                self.flag(f"doubled_digits:{row}|{col}")
            self.cells.append(Cell(table, row, col, value, raw, unit, flag))

    def _place_deferred(self) -> None:
        """Fixed-width rows with blanks printed before the first full row: once a full row anywhere in the
        document showed the text is aligned, they are read by position like the rows after it."""
        if not self.aligned:
            return
        for key, (cols, reading) in self.deferred.items():
            if self.done.get(key) is not False:  # a later copy of the row was read
                continue
            self.ambiguous = [a for a in self.ambiguous if (a.table_name, a.row_label) != key]
            self.done[key] = True
            self.flag(f"columns_from_layout:{key[0]}")
            self._emit(key, cols, reading, "", None)

    def result(self, errors: list[str]) -> TableResult:
        self._drop_limbo()
        order, col_order = _order(self.match_tpl), _col_order(self.match_tpl)

        def key(t: str, r: str, c: str) -> tuple[float, int]:
            return order.get((t, r), 10**6), col_order.get((t, c), 99)

        self._place_deferred()
        if self.tpl:
            self._unprinted_shape()
        self._blank_t3()
        cells = sorted(self.cells, key=lambda x: key(x.table_name, x.row_label, x.col_label))
        amb = sorted(self.ambiguous, key=lambda x: key(x.table_name, x.row_label, x.col_label))
        flags = list(self.flags)
        found = {t for t, _ in self.done}
        if not found:
            errors = [*errors, "no statistical tables found"]
        elif self.tpl:
            for tname in TABLES:
                spec = template(self.tpl).tables[tname]
                if tname not in found:
                    errors = [*errors, f"table {tname} not found"]
                    continue
                flags += [f"missing_row:{tname}/{r}" for r in spec.rows if (tname, r) not in self.done]
        else:
            errors = [*errors, "template not recognised from the labels"]
        return TableResult(self.tpl, cells, amb, sum(1 for c in cells if c.value is None), flags, errors)

    def _note_t3_header(self) -> None:
        """Table 3's result columns named by a text header whose labels wrap over lines (`结果维` / `持`)."""
        frags = self.headers[T3].frags if self.ctx == T3 else []
        if frags and len(self.t3_leaves) < 4:
            by_line: dict[int, str] = {}
            for n, f in frags:
                by_line[n] = by_line.get(n, "") + f
            order = header_order(T3, tuple(v for _, v in sorted(by_line.items())))
            if isinstance(order, tuple):
                self.t3_leaves.update(c.split("/")[-1] for c in order)

    def _blank_t3(self) -> None:
        """Table 3's header was printed (its four result columns named) but no value row was read: the
        row was printed blank (grid cells, `|  |  |`) or, in a whitespace dump, vanished with its
        blanks. Its 15 cells are stored NULL with `flag = 'blank_row'` (counted), never dropped."""
        self._note_t3_header()
        named = len(self.t3_leaves & {"结果维持", "结果纠正", "其他结果", "尚未审结"}) == 4 or all(
            w in self.t3_words for w in ("维持", "纠正", "其他", "审结", "总计"))  # the four results' pieces
        if (T3, "") in self.done or not named:
            return
        self.done[(T3, "")] = True
        self.flag(f"blank_row:{T3}")
        for col in template(self.match_tpl).tables[T3].cols:
            self.cells.append(Cell(T3, "", col, None, "", None, "blank_row"))

    def _unprinted_shape(self) -> None:
        """A row printed in the other template's shape ((六)其他处理 as one row in a 2021 report, or split
        in three in a 2019 one) stands for the template's rows it replaces: those get NULL cells flagged
        `other_shape` (counted as nulls), never values derived from the printed row."""
        assert self.tpl
        printed = [(t, r) for (t, r), ok in self.done.items() if t in (T1, T2)]
        for tname in (T1, T2):
            spec = template(self.tpl).tables[tname]
            for row in spec.rows:
                if (tname, row) in self.done:
                    continue
                stand_in = [r for t, r in printed if t == tname and r not in spec.rows and _kin(r, row)]
                if not stand_in:
                    continue
                self.done[(tname, row)] = True
                self.flag(f"other_shape:{tname}/{row} printed as {', '.join(stand_in)}")
                for col in spec.row_cols[row]:
                    self.cells.append(Cell(tname, row, col, None, "", None, "other_shape"))
        # rows only this template has (2019: 第(五)项/其他对外管理服务事项, 第(九)项/政府集中采购), left out by
        # a report that prints other rows in the other template's shape: the other form has no such row
        off = [r for t, r in printed if r not in template(self.tpl).tables[t].rows]
        if not off and not any(f.startswith("other_name:") for f in self.flags):
            return
        theirs = {core(r.split("/")[-1]) for r in template(other(self.tpl)).tables[T1].rows}
        for row in template(self.tpl).tables[T1].rows:
            if (T1, row) in self.done or core(row.split("/")[-1]) in theirs or not any(t == T1 for t, _ in self.done):
                continue
            self.done[(T1, row)] = True
            self.flag(f"other_shape:{T1}/{row} not printed (the {other(self.tpl)} form has no such row)")
            for col in template(self.tpl).tables[T1].row_cols[row]:
                self.cells.append(Cell(T1, row, col, None, "", None, "other_shape"))


def _labels(segs: list[list[Tok]]) -> list[str]:
    return [t.key for seg in segs for t in seg if t.kind == LABEL and len(t.key) <= 48]


def parse_segments(segs: list[list[Tok]], errors: list[str] | None = None, *,
                   explicit_cells: bool = False) -> TableResult:
    """Run the state machine over token segments; never raises. `explicit_cells`: see `extract_tables`."""
    errors = list(errors or [])
    parser = _Parser(None)
    try:
        parser = _Parser(detect_template(_labels(segs)), explicit_cells)
        parser.feed(segs)
    except Exception as exc:  # keep what was parsed
        errors.append(f"table parser stopped: {type(exc).__name__}: {exc}")
    return parser.result(errors)


def _failed(what: str, exc: Exception) -> TableResult:
    return TableResult(None, [], [], 0, [], [f"{what} unreadable: {type(exc).__name__}: {exc}"])


def extract_tables_text(text: str, *, explicit_cells: bool = False) -> TableResult:
    try:
        segs = text_segments(text or "")
    except Exception as exc:
        return _failed("text", exc)
    return parse_segments(segs, explicit_cells=explicit_cells)


def extract_tables_html(html: str, tree: Any = None, *, explicit_cells: bool = False) -> TableResult:
    """tree: `html` already parsed by lxml.html.fromstring (read, never changed); None parses it here."""
    from pipelines.tables.html import html_segments

    try:
        segs, _ = html_segments(html or "", tree)
    except Exception as exc:
        return _failed("html", exc)
    return parse_segments(segs, explicit_cells=explicit_cells)


def extract_tables_pdf(data: bytes, segments: list[list[Tok]] | None = None, text: str | None = None) -> TableResult:
    """pdfplumber tables first; extract_text(x_tolerance=1) when they give less.

    `segments` and `text`: what a pass over the pages already read (pipelines/documents `_pdf` with
    tables=True: one pdfminer parse per page instead of three); None reads them from `data`.
    """
    return _pdf_readings(data, segments, text)[0]


def _pdf_readings(data: bytes, segments: list[list[Tok]] | None, text: str | None) -> tuple[TableResult, TableResult]:
    """(the chosen reading, the ruled-table reading): the page text's reading is chosen only when it gives
    more and does not contradict a column order the ruled tables read from the printed header."""
    from pipelines.tables.pdf import pdf_table_segments, pdf_text

    try:
        segs = pdf_table_segments(data) if segments is None else segments
    except Exception as exc:
        failed = _failed("pdf", exc)
        return failed, failed
    best = parse_segments(segs)
    if best.template and len(best.cells) >= template(best.template).cell_count():
        return best, best
    try:
        alt = extract_tables_text(pdf_text(data) if text is None else text)
    except Exception as exc:
        best.errors.append(f"pdf text unreadable: {type(exc).__name__}: {exc}")
        return best, best
    return (alt if alt.score() > best.score() and _read_orders(alt) >= _read_orders(best) else best), best


def _read_orders(result: TableResult) -> set[str]:
    """Tables whose printed header put the columns in another order than the template's (and were read so)."""
    return {f.split(":", 1)[1] for f in result.flags if f.startswith("columns_from_header:")}


# Document kinds whose table rows list their own cells: a web page's HTML (a Word-export page too) and a
# text file. A row that lost a cell there prints one cell fewer, so an empty last cell was printed empty.
# Every other kind may have passed a converter that squares the grid (LibreOffice adds an empty cell to
# each short row of a DOCX, DOC/WPS or PDF it writes; a spreadsheet is a full grid; OCR rebuilds one).
EXPLICIT_CELL_KINDS = frozenset({"html", "txt"})


def extract_tables(*, html: str | None = None, text: str | None = None, pdf: bytes | None = None,
                   pdf_segments: list[list[Tok]] | None = None, pdf_text: str | None = None,
                   html_tree: Any = None, explicit_cells: bool = False) -> TableResult:
    """Try every source given; return the most complete result.

    A reading that contradicts a column order read from a grid (an HTML table, a PDF's ruled table) is
    never chosen for being more complete: when the grid's header printed a table's columns in another order
    and a text reading did not read it so (it could not read that header and assumed the template's order,
    every number of the table in the wrong column), the text reading is out.
    pdf_segments/pdf_text: the PDF's table rows and page text already read (see extract_tables_pdf);
    html_tree: `html` already parsed (see extract_tables_html). explicit_cells: `html` and `text` come
    from a document whose rows list their own cells (kind in EXPLICIT_CELL_KINDS), so a blank 总计
    after six filled cells is read as printed; otherwise (the default) such a row may be a squared
    grid's lost cell and is read only when its sixth value is below the sum of the five before it.
    """
    results: list[TableResult] = []
    grid_orders: set[str] = set()
    if html:
        results.append(extract_tables_html(html, html_tree, explicit_cells=explicit_cells))
        grid_orders |= _read_orders(results[-1])
    if pdf:
        chosen, ruled = _pdf_readings(pdf, pdf_segments, pdf_text)
        results.append(chosen)
        grid_orders |= _read_orders(ruled)
    if text:
        results.append(extract_tables_text(text, explicit_cells=explicit_cells))
    if not results:
        return TableResult(None, [], [], 0, [], ["no input"])
    trusted = [r for r in results if _read_orders(r) >= grid_orders] or results
    return max(trusted, key=TableResult.score)


__all__ = ["EXPLICIT_CELL_KINDS", "Ambiguous", "Cell", "TableResult", "detect_template", "extract_tables", "extract_tables_html",
           "extract_tables_pdf", "extract_tables_text", "parse_segments"]

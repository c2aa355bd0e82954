"""The printed column header of a table → which column each value belongs to.

Column order is read from the header, never assumed. Grid sources (HTML tables, ruled PDF tables) give
every header cell its grid column, so the header's leaves map positions to canonical columns whatever
the arrangement of merged cells (法人或其他组织 over five leaves, 总计 spanning two header rows, a flat one-row
header, 行政诉讼 over its two groups). Text has no positions: a one-line header (表一's `信息内容 | …`) still
gives the order; a multi-line one (表二's three header rows, 表三's groups over leaves) is rebuilt from
its printed lines (`header_order`): each line's words are re-joined into the header's labels (a label
may wrap onto the following lines or be letter-spaced), the lines into header rows, and the rows into
the known header tree (a parent's children are the labels under it on the next row, left to right).
Only a single reading gives an order; several, or none while wrapped label pieces were printed, make
the rows ambiguous rather than read in an assumed order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache, lru_cache
from itertools import pairwise
from typing import NamedTuple

from pipelines.normalize import label_key
from pipelines.spec import T1, T2, T3, template
from pipelines.tables.match import core
from pipelines.tables.tokens import LABEL, Tok

T2_LEAVES = {"自然人": "自然人", "商业企业": "法人或其他组织/商业企业", "科研机构": "法人或其他组织/科研机构",
             "社会公益组织": "法人或其他组织/社会公益组织", "法律服务机构": "法人或其他组织/法律服务机构",
             "其他": "法人或其他组织/其他", "总计": "总计"}
T3_LEAVES = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
T3_GROUPS = {"行政复议": "行政复议", "未经复议直接起诉": "行政诉讼/未经复议直接起诉", "复议后起诉": "行政诉讼/复议后起诉"}


# The header trees of tables 2 and 3: parent → its children, left to right in the official order.
TREES: dict[str, dict[str, tuple[str, ...]]] = {
    T2: {"": ("自然人", "法人或其他组织", "总计"),
         "法人或其他组织": ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")},
    T3: {"": ("行政复议", "行政诉讼"), "行政复议": T3_LEAVES, "行政诉讼": ("未经复议直接起诉", "复议后起诉"),
         "未经复议直接起诉": T3_LEAVES, "复议后起诉": T3_LEAVES},
}
_BUDGET = 20_000  # search steps per header; over it the header is not trusted
_NOTE = re.compile(r"[(（][^)）]*[)）]?|^[^(（]*[)）]|申请人情况")  # notes in brackets, also cut by a wrap


@cache
def _vocab(table: str) -> frozenset[str]:
    return frozenset(x for kids in TREES[table].values() for x in kids)


@cache
def _prefixes(table: str) -> frozenset[str]:
    return frozenset(v[:i] for v in _vocab(table) for i in range(1, len(v) + 1))


@cache
def _chars(table: str) -> frozenset[str]:
    return frozenset("".join(_vocab(table)))


def clean(table: str, text: str) -> str:
    """A printed header label → the part that can belong to the table's header labels: notes in
    brackets and 申请人情况 removed; "" when anything else is left (another table's or a row's words)."""
    k = _NOTE.sub("", label_key(text)).replace("合计", "总计")
    return k if k and set(k) <= _chars(table) else ""


def _pieces(line: str, prefixes: frozenset[str]) -> Iterator[list[str]]:
    """Ways to cut a line's text into label pieces (words may be glued or letter-spaced)."""
    if not line:
        yield []
        return
    for end in range(1, len(line) + 1):
        if line[:end] not in prefixes:
            return
        for rest in _pieces(line[end:], prefixes):
            yield [line[:end], *rest]


Rows = tuple[tuple[str, ...], ...]


def _streams(lines: tuple[str, ...], table: str) -> Iterator[Rows]:
    """Every reading of the printed lines as header rows of whole labels, in printed (row-major) order.
    A header row prints on one line, or on several when labels wrap: then each following line holds the
    next pieces of the labels that wrapped, left to right (cells aligned at their top)."""
    vocab, prefixes = _vocab(table), _prefixes(table)
    steps = [0]

    def rec(i: int, done: Rows, cur: list[tuple[str, bool]]) -> Iterator[Rows]:
        steps[0] += 1
        if steps[0] > _BUDGET:
            raise OverflowError
        whole = all(t in vocab for t, _ in cur)
        if i == len(lines):
            if whole:
                yield done + ((tuple(t for t, _ in cur),) if cur else ())
            return
        if whole:  # the line starts a new header row
            row = (tuple(t for t, _ in cur),) if cur else ()
            for cells in _pieces(lines[i], prefixes):
                yield from rec(i + 1, done + row, [(c, True) for c in cells])
        if cur:  # the line continues the labels that wrapped on the line before
            yield from cont(i, done, cur, 0, 0, [])

    def cont(i: int, done: Rows, cur: list[tuple[str, bool]], ci: int, at: int,
             acc: list[tuple[str, bool]]) -> Iterator[Rows]:
        line = lines[i]
        if at == len(line):
            yield from rec(i + 1, done, acc + [(t, False) for t, _ in cur[ci:]])
            return
        for c in range(ci, len(cur)):
            text, open_ = cur[c]
            if not open_:
                continue
            for end in range(at + 1, len(line) + 1):
                if text + line[at:end] not in prefixes:
                    break
                yield from cont(i, done, cur, c + 1, end,
                                acc + [(t, False) for t, _ in cur[ci:c]] + [(text + line[at:end], True)])

    return rec(0, (), [])


def _fill(rows: Rows, table: str) -> set[tuple[str, ...]]:
    """Header rows of labels → every leaf order (full names) they can stand for. The first row holds
    every top-level label and only those (a rowspan label printed lower, as a vertically centred cell
    is in PDF text, gives no reading); after it come, row by row and left to right, the children of
    parents printed above (a parent may span rows, so its children may come a row later)."""
    tree = TREES[table]
    heads = rows[0]
    stream = tuple(x for row in rows for x in row)
    top = len(heads)
    out: set[tuple[str, ...]] = set()
    if table == T2 and len(rows) == 1 and sorted(heads) == sorted(T2_LEAVES):  # flat: no 法人或其他组织
        out.add(tuple(T2_LEAVES[x] for x in heads))
    if sorted(heads) != sorted(tree[""]) or any(x in tree[""] for x in stream[top:]):
        return out
    Node = tuple[tuple[int, ...], tuple[str, ...], int]  # column key, path, row it starts in
    steps = [0]

    def rec(pos: int, leaves: list[Node], open_: list[Node], row: int, last: tuple[int, ...]) -> None:
        steps[0] += 1
        if steps[0] > _BUDGET:
            raise OverflowError
        if pos == len(stream):
            if not open_:
                paths = [p for _, p, _ in sorted(leaves)]
                out.add(tuple(T2_LEAVES[p[-1]] if table == T2 else "/".join(p) for p in paths))
            return
        for n, (key, path, start) in enumerate(open_):
            want = tree[path[-1]]
            kids = stream[pos:pos + len(want)]
            if sorted(kids) != sorted(want):
                continue
            for at_row in (row, row + 1):
                if start >= at_row or (at_row == row and key <= last):
                    continue
                new = [((*key, j), (*path, k), at_row) for j, k in enumerate(kids)]
                rec(pos + len(want), leaves + [x for x in new if x[1][-1] not in tree],
                    open_[:n] + open_[n + 1:] + [x for x in new if x[1][-1] in tree], at_row, key)

    nodes = [((i,), (x,), 0) for i, x in enumerate(heads)]
    rec(top, [x for x in nodes if x[1][-1] not in tree], [x for x in nodes if x[1][-1] in tree], 0, (-1,))
    return out


@lru_cache(maxsize=256)
def header_order(table: str, lines: tuple[str, ...]) -> tuple[str, ...] | bool | None:
    """The leaves' printed order from a text header's printed lines (cleaned by `clean`): the order
    when every reading gives the same one; False when readings disagree or the search is over budget;
    None when no reading fits (the caller then falls back to what the recognised names say)."""
    lines = tuple(line for line in lines if line)
    if not lines:
        return None
    orders: set[tuple[str, ...]] = set()
    try:
        for stream in set(_streams(lines, table)):
            orders |= _fill(stream, table)
            if len(orders) > 1:
                return False
    except OverflowError:
        return False
    if orders:
        return next(iter(orders))
    return None


@cache
def _t1_names() -> dict[str, str]:
    out: dict[str, str] = {}
    for tpl in ("2019", "2021"):
        for c in template(tpl).tables[T1].cols:
            out.setdefault(core(c), c)
    return out


def column_names(table: str | None, key: str) -> list[str]:
    """A header label (label_key form) → the canonical column(s) it names, in printed order.
    T3 leaves come back bare (`结果维持`), groups as `group:<name>`; a label printing several words
    (a text dump's header line) gives each."""
    if table is None:
        return []
    c = core(key)
    if table == T1:
        hit = _t1_names().get(c)
        return [hit] if hit else []
    if table == T2:
        hit = T2_LEAVES.get(c)
        return [hit] if hit else []
    if table == T3:
        for g, name in T3_GROUPS.items():
            if c.startswith(g) and c[len(g):] in T3_LEAVES:
                return [f"{name}/{c[len(g):]}"]  # flat header: group folded into the leaf
            if c == g:
                return [f"group:{name}"]
        if c == "行政诉讼":  # parent of the two litigation groups: only its order counts
            return ["group:行政诉讼"]
        return [c] if c in T3_LEAVES else []
    return []


def words(tok: Tok) -> list[str]:
    """The words of a merged text label (`信息内容 本年废止件数 本年制发件数`)."""
    return tok.raw.split() if tok.kind == LABEL and " " in tok.raw.strip() else [tok.raw]


class LabelColumns(NamedTuple):
    """A label (one printed cell or a dump's merged words) as a header cell of one table."""

    whole: tuple[str, ...]  # the columns the whole label names (`科研 机构`: one name)
    hits: tuple[tuple[int, tuple[str, ...]], ...]  # when none: (word index, columns) of each word naming some
    n_words: int  # the label's words (`words`)
    frag: str  # its text as a piece of a header label (`Header.fragment`): "" when it can be none
    named: bool  # the label or one of its words names a column


def label_columns(table: str, raw: str, key: str) -> LabelColumns:
    """What a label token (raw text, label_key) says as a header cell of `table` (pure: the parser caches it)."""
    whole = tuple(column_names(table, key))
    ws = raw.split() if " " in raw.strip() else [raw]  # `words` of a label
    hits = () if whole else tuple((i, tuple(got)) for i, w in enumerate(ws) if (got := column_names(table, label_key(w))))
    frag = "".join(clean(table, w) for w in raw.split()) if table in TREES else ""
    named = any(column_names(table, label_key(w)) for w in [raw, *raw.split()])
    return LabelColumns(whole, hits, len(ws), frag, named)


class Header:
    """Column names seen since the table's header began, with grid positions when known."""

    def __init__(self, table: str | None) -> None:
        self.table = table
        self.pos: dict[int, str] = {}  # grid column → name (T3: leaves resolved to full names)
        self.groups: dict[int, str] = {}  # T3 group headers by grid column
        self.lines: list[list[str]] = []  # names per printed line (text order)
        self.group_seq: list[str] = []  # T3 group headers in printed order
        self.line_no = -1  # the printed line `lines[-1]` came from
        self.stale = False  # a data row was read since: the next header label starts a new header
        self.frags: list[tuple[int, str]] = []  # (printed line, cleaned text) of every header label
        self.clash = False  # two names printed at one grid column: positions not trusted
        self.spans: list[tuple[int, int, str]] = []  # fixed-width text: display columns of each leaf name
        self._orders: dict[tuple[str, ...], list[int] | bool] = {}  # `text_order` per cols, until the header changes

    def _fresh(self) -> None:
        self._orders.clear()  # called by every change of the header
        if self.stale:
            self.pos.clear(), self.groups.clear(), self.lines.clear(), self.group_seq.clear()
            self.frags.clear(), self.spans.clear()
            self.stale = self.clash = False

    def fragment(self, label: LabelColumns, line: int) -> None:
        """A printed header label (any words) for the text order; pieces of no header label are dropped."""
        if self.table not in TREES:
            return
        k = label.frag  # a dump merges a line's words
        if k and self.stale and not label.named:
            return  # after data rows only a column name starts a new header, not pieces of a row-group
            # label printed vertically between the rows (PDF text: `不予公` / `开`)
        if k:
            self._fresh()
            self.frags.append((line, k))

    def add(self, names: Sequence[str], col: int, line: int, span: tuple[int, int] | None = None) -> None:
        self._fresh()
        if span is not None and len(names) == 1 and not names[0].startswith("group:"):
            self.spans.append((*span, names[0]))
        if line != self.line_no or not self.lines:
            self.lines.append([])
            self.line_no = line
        for n in names:
            if n.startswith("group:"):
                self.group_seq.append(n[6:])
                if col >= 0 and n != "group:行政诉讼":
                    self.groups[col] = n[6:]
                continue
            self.lines[-1].append(n)
            if col >= 0:
                self.clash = self.clash or self.pos.get(col, n) != n
                self.pos[col] = n

    def _t3_full(self) -> dict[int, str]:
        out: dict[int, str] = {}
        for p, n in self.pos.items():
            if "/" in n:
                out[p] = n
                continue
            owners = [g for gp, g in self.groups.items() if gp <= p]
            if not owners:
                return {}
            out[p] = f"{self.groups[max(gp for gp in self.groups if gp <= p)]}/{n}"
        return out

    def positions(self, cols: tuple[str, ...]) -> dict[str, int] | None:
        """Every column of the row → its grid column, or None when the header does not say."""
        if self.clash:
            return None
        pos = self._t3_full() if self.table == T3 else self.pos
        where: dict[str, int] = {}
        for p, n in pos.items():
            if n in where:
                return None  # printed twice: cannot tell which
            where[n] = p
        if not all(c in where for c in cols):
            return None
        return {c: where[c] for c in cols}

    def columns_at(self, cols: tuple[str, ...], order: list[int] | bool) -> dict[str, tuple[int, int]] | None:
        """Fixed-width text: every column's display span, from its header word, when the header prints
        one word per column, left to right in the order the header's text gives (`text_order`)."""
        if order is False:
            return None
        spans = sorted(set(self.spans))
        if len(spans) != len(cols) or any(a[1] > b[0] for a, b in pairwise(spans)):
            return None
        printed = list(cols) if order is True else [""] * len(cols)
        if isinstance(order, list):
            for j, i in enumerate(order):
                printed[i] = cols[j]
        if any(name not in (full, full.split("/")[-1]) for (_, _, name), full in zip(spans, printed, strict=True)):
            return None
        return {full: (a, b) for (a, b, _), full in zip(spans, printed, strict=True)}

    def text_order(self, cols: tuple[str, ...]) -> list[int] | bool:
        """Without positions: the printed order of `cols` as indexes into it (one-line header naming
        them all), True when the header is absent or in the official order, False when it is not.
        Asked for every row read: kept until the header changes."""
        order = self._orders.get(cols)
        if order is None:
            order = self._orders[cols] = self._text_order(cols)
        return list(order) if isinstance(order, list) else order

    def _text_order(self, cols: tuple[str, ...]) -> list[int] | bool:
        for line in reversed(self.lines):
            if sorted(line) == sorted(cols) and len(cols) > 1:
                return [line.index(c) for c in cols] if line != list(cols) else True
        if self.table in TREES and self.frags:
            by_line: dict[int, str] = {}
            for n, f in self.frags:
                by_line[n] = by_line.get(n, "") + f
            order = header_order(self.table, tuple(v for _, v in sorted(by_line.items())))
            if order is False:
                return False
            if isinstance(order, tuple) and sorted(order) == sorted(cols):
                return True if order == cols else [order.index(c) for c in cols]
            if isinstance(order, tuple) and list(order) != [c for c in cols if c in order]:
                return False  # part of the header, in another order than the official one
        if self.table == T3 and self.group_seq:
            lit = [g for g in T3_GROUPS.values() if g.startswith("行政诉讼/")]
            seq = [x for g in self.group_seq for x in (lit if g == "行政诉讼" else [g])]
            if list(dict.fromkeys(seq)) != [g for g in T3_GROUPS.values() if g in seq]:
                return False
        seq = [n for line in self.lines for n in line]
        if self.table == T2 and seq:
            if "总计" in seq and "自然人" in seq and seq.index("总计") < seq.index("自然人"):
                return False
            leaves = [n for n in seq if n.startswith("法人或其他组织/")]
            official = [c for c in cols if c.startswith("法人或其他组织/")]
            if leaves and leaves != [c for c in official if c in leaves]:
                return False
        return True


__all__ = ["Header", "LabelColumns", "column_names", "header_order", "label_columns", "words"]

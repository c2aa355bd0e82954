"""The printed column header of a table → which column each value belongs to.

Column order is read from the header, never assumed. Grid sources (HTML tables, ruled PDF tables) give
every header cell its grid column, so the header's leaves map positions to canonical columns whatever
the arrangement of merged cells (法人或其他组织 over five leaves, 总计 spanning two header rows, a flat one-row
header, 行政诉讼 over its two groups). Text has no positions: a one-line header (表一's `信息内容 | …`) still
gives the order; a multi-line one (表二's three header rows) is trusted only when its leaves are in the
official order, otherwise the rows are reported ambiguous rather than read in an assumed order.
"""

from __future__ import annotations

from functools import cache

from pipelines.spec import T1, T2, T3, template
from pipelines.tables.match import core
from pipelines.tables.tokens import LABEL, Tok

T2_LEAVES = {"自然人": "自然人", "商业企业": "法人或其他组织/商业企业", "科研机构": "法人或其他组织/科研机构",
             "社会公益组织": "法人或其他组织/社会公益组织", "法律服务机构": "法人或其他组织/法律服务机构",
             "其他": "法人或其他组织/其他", "总计": "总计"}
T3_LEAVES = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
T3_GROUPS = {"行政复议": "行政复议", "未经复议直接起诉": "行政诉讼/未经复议直接起诉", "复议后起诉": "行政诉讼/复议后起诉"}


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

    def add(self, names: list[str], col: int, line: int) -> None:
        if self.stale:
            self.pos.clear(), self.groups.clear(), self.lines.clear(), self.group_seq.clear()
            self.stale = False
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
        pos = self._t3_full() if self.table == T3 else self.pos
        where: dict[str, int] = {}
        for p, n in pos.items():
            if n in where:
                return None  # printed twice: cannot tell which
            where[n] = p
        if not all(c in where for c in cols):
            return None
        return {c: where[c] for c in cols}

    def text_order(self, cols: tuple[str, ...]) -> list[int] | bool:
        """Without positions: the printed order of `cols` as indexes into it (one-line header naming
        them all), True when the header is absent or in the official order, False when it is not."""
        for line in reversed(self.lines):
            if sorted(line) == sorted(cols) and len(cols) > 1:
                return [line.index(c) for c in cols] if line != list(cols) else True
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


__all__ = ["Header", "column_names", "words"]

"""Consistency checks on parsed tables (seeds/expected/README.md): R1–R4 within a report, D1/D2 across years.

A missing cell (or a null) counts 0; rows listed in `ambiguous` are left out of R2 sums and R3.
A table with no cells at all is not checked (0 = 0 would only hide that it is missing).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.spec import (
    T1,
    T2,
    T2_CARRIED,
    T2_NEW,
    T2_NEXT,
    T2_TOTAL,
    T2_TOTAL_COL,
    T3,
    T3_GROUPS,
    T3_RESULTS,
    t2_leaf_rows,
    template,
)
from pipelines.tables import TableResult

_D2_ROWS = ("第二十条第(五)项/行政许可", "第二十条第(五)项/其他对外管理服务事项", "第二十条第(六)项/行政处罚",
            "第二十条第(六)项/行政强制", "第二十条第(八)项/行政事业性收费")


@dataclass
class Check:
    rule: str
    scope: str
    expected: float | None
    actual: float | None
    ok: bool


def _num(x: float) -> float:
    return int(x) if float(x).is_integer() else round(x, 6)


def _check(rule: str, scope: str, expected: float, actual: float) -> Check:
    e, a = _num(expected), _num(actual)
    return Check(rule, scope, e, a, abs(e - a) < 1e-6)


class _Values:
    def __init__(self, result: TableResult) -> None:
        self.v = {(c.table_name, c.row_label, c.col_label): c.value for c in result.cells}
        self.tables = {c.table_name for c in result.cells}
        self.rows = {(c.table_name, c.row_label) for c in result.cells}
        self.ambiguous_rows = {(a.table_name, a.row_label) for a in result.ambiguous}

    def get(self, table: str, row: str, col: str) -> float:
        return self.v.get((table, row, col)) or 0

    def has(self, table: str, row: str, col: str) -> bool:
        return self.v.get((table, row, col)) is not None


def run_checks(result: TableResult) -> list[Check]:
    """R1 per column, R2 per column, R3 per row of table 2, R4 per 复议/诉讼 group."""
    vals = _Values(result)
    tpl = result.template or "2021"
    out: list[Check] = []
    if T2 in vals.tables:
        spec = template(tpl).tables[T2]
        leaves = [r for r in dict.fromkeys(t2_leaf_rows(tpl) + t2_leaf_rows("2019" if tpl == "2021" else "2021"))
                  if (T2, r) not in vals.ambiguous_rows]
        for c in spec.cols:
            out.append(_check("R1", c, vals.get(T2, T2_NEW, c) + vals.get(T2, T2_CARRIED, c),
                              vals.get(T2, T2_TOTAL, c) + vals.get(T2, T2_NEXT, c)))
        for c in spec.cols:
            out.append(_check("R2", c, vals.get(T2, T2_TOTAL, c), sum(vals.get(T2, r, c) for r in leaves)))
        extra = [r for t, r in sorted(vals.rows) if t == T2 and r not in spec.rows]
        for r in list(spec.rows) + extra:
            if (T2, r) in vals.ambiguous_rows:
                continue
            out.append(_check("R3", r, vals.get(T2, r, T2_TOTAL_COL),
                              sum(vals.get(T2, r, c) for c in spec.cols if c != T2_TOTAL_COL)))
    if T3 in vals.tables:
        for g in T3_GROUPS:
            out.append(_check("R4", g, vals.get(T3, "", f"{g}/总计"),
                              sum(vals.get(T3, "", f"{g}/{x}") for x in T3_RESULTS)))
    return out


def cross_year_checks(prev: TableResult, cur: TableResult) -> list[Check]:
    """Same agency, consecutive years. D1: 上年结转(Y) = 结转下年度(Y−1) per column;
    D2 (both on the 2019 template): 上一年项目数量(Y) = 上一年项目数量(Y−1) + 本年增/减(Y−1)."""
    p, c = _Values(prev), _Values(cur)
    out: list[Check] = []
    if T2 in p.tables and T2 in c.tables:
        for col in template(cur.template or "2021").tables[T2].cols:
            if (T2, T2_NEXT) in p.ambiguous_rows or (T2, T2_CARRIED) in c.ambiguous_rows:
                continue
            out.append(_check("D1", col, p.get(T2, T2_NEXT, col), c.get(T2, T2_CARRIED, col)))
    if prev.template == cur.template == "2019" and T1 in p.tables and T1 in c.tables:
        for row in _D2_ROWS:
            base, delta = (T1, row, "上一年项目数量"), (T1, row, "本年增/减")
            if p.has(*base) and p.has(*delta) and c.has(*base):
                out.append(_check("D2", row, p.get(*base) + p.get(*delta), c.get(*base)))
    return out

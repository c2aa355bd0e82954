"""R1–R4 on hand-built results; D1/D2 across years."""

from __future__ import annotations

from pipelines.checks import cross_year_checks, run_checks
from pipelines.spec import T1, T2, T3, template
from pipelines.tables import Ambiguous, Cell, TableResult

NEW, CARRIED, TOTAL, NEXT = ("一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量",
                             "三、本年度办理结果/(七)总计", "四、结转下年度继续办理")
GRANTED = "三、本年度办理结果/(一)予以公开"


def t2(tpl: str, rows: dict[str, list[int]]) -> list[Cell]:
    cols = template(tpl).tables[T2].cols
    return [Cell(T2, r, c, v, str(v), None) for r, vals in rows.items() for c, v in zip(cols, vals, strict=True)]


def result(tpl: str, cells: list[Cell], ambiguous: list[Ambiguous] | None = None) -> TableResult:
    return TableResult(tpl, cells, ambiguous or [], 0, [], [])


def by_rule(checks, rule: str):
    return [c for c in checks if c.rule == rule]


def test_consistent_table_passes_everything() -> None:
    cells = t2("2021", {NEW: [3, 0, 0, 0, 0, 1, 4], CARRIED: [1, 0, 0, 0, 0, 0, 1], GRANTED: [3, 0, 0, 0, 0, 1, 4],
                        TOTAL: [3, 0, 0, 0, 0, 1, 4], NEXT: [1, 0, 0, 0, 0, 0, 1]})
    checks = run_checks(result("2021", cells))
    assert len(by_rule(checks, "R1")) == 7 and len(by_rule(checks, "R2")) == 7 and len(by_rule(checks, "R3")) == 25
    assert all(c.ok for c in checks)
    assert by_rule(checks, "R4") == []  # no table 3 → not checked


def test_r1_r2_r3_failures_report_expected_and_actual() -> None:
    cells = t2("2019", {NEW: [5, 0, 0, 0, 0, 0, 5], GRANTED: [2, 0, 0, 0, 0, 0, 3], TOTAL: [4, 0, 0, 0, 0, 0, 4]})
    checks = run_checks(result("2019", cells))
    r1 = {c.scope: (c.expected, c.actual, c.ok) for c in by_rule(checks, "R1")}
    assert r1["自然人"] == (5, 4, False) and r1["法人或其他组织/商业企业"] == (0, 0, True)
    r2 = {c.scope: (c.expected, c.actual, c.ok) for c in by_rule(checks, "R2")}
    assert r2["自然人"] == (4, 2, False) and r2["总计"] == (4, 3, False)
    r3 = {c.scope: (c.expected, c.actual, c.ok) for c in by_rule(checks, "R3")}
    assert r3[GRANTED] == (3, 2, False) and len(r3) == 23


def test_ambiguous_rows_are_left_out_of_r2_and_r3() -> None:
    secret = "三、本年度办理结果/(三)不予公开/1.属于国家秘密"
    cells = t2("2019", {TOTAL: [1, 0, 0, 0, 0, 0, 1], GRANTED: [1, 0, 0, 0, 0, 0, 1]})
    amb = [Ambiguous(T2, secret, c, "x") for c in template("2019").tables[T2].cols]
    checks = run_checks(result("2019", cells, amb))
    assert all(c.ok for c in by_rule(checks, "R2"))
    assert secret not in {c.scope for c in by_rule(checks, "R3")} and len(by_rule(checks, "R3")) == 22


def test_r4_per_group() -> None:
    cols = template("2021").tables[T3].cols
    vals = [1, 1, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    checks = run_checks(result("2021", [Cell(T3, "", c, v, str(v), None) for c, v in zip(cols, vals, strict=True)]))
    assert [(c.scope, c.ok) for c in checks] == [("行政复议", True), ("行政诉讼/未经复议直接起诉", True),
                                                 ("行政诉讼/复议后起诉", False)]


def test_null_counts_zero() -> None:
    cells = t2("2021", {NEW: [1, 0, 0, 0, 0, 0, 1], TOTAL: [1, 0, 0, 0, 0, 0, 1]})
    cells[1] = Cell(T2, NEW, cells[1].col_label, None, "—", None, "null_marker")
    assert all(c.ok for c in by_rule(run_checks(result("2021", cells)), "R1"))


def test_d1_carry_over_between_years() -> None:
    prev = result("2019", t2("2019", {NEXT: [2, 0, 0, 0, 0, 1, 3]}))
    cur = result("2021", t2("2021", {CARRIED: [2, 0, 0, 0, 0, 0, 2]}))
    d1 = {c.scope: (c.expected, c.actual, c.ok) for c in cross_year_checks(prev, cur)}
    assert d1["自然人"] == (2, 2, True) and d1["法人或其他组织/其他"] == (1, 0, False) and d1["总计"] == (3, 2, False)
    assert all(c.rule == "D1" for c in cross_year_checks(prev, cur))


def test_d2_item_counts_roll_forward_on_2019_template() -> None:
    row = "第二十条第(五)项/行政许可"

    def t1(base: int, delta: int) -> list[Cell]:
        return [Cell(T1, row, "上一年项目数量", base, str(base), None), Cell(T1, row, "本年增/减", delta, str(delta), None)]

    checks = cross_year_checks(result("2019", t1(15, 2)), result("2019", t1(17, 0)))
    assert [(c.rule, c.scope, c.expected, c.actual, c.ok) for c in checks] == [("D2", row, 17, 17, True)]
    assert not cross_year_checks(result("2019", t1(15, 2)), result("2019", t1(16, 0)))[0].ok
    assert cross_year_checks(result("2019", t1(15, 2)), result("2021", [])) == []

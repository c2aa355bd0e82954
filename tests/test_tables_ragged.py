"""Ragged rows: one cell more than the row's columns (a stray or duplicated cell, anywhere) or one fewer.

With an extra cell, the readings that drop one printed value each put printed[j] or printed[j+1] in column
j: where the two are equal every reading agrees and the value is certain (kept, cell flag `ragged_row`);
the other columns are NULL + ambiguous. With a lost cell nothing is certain (the lost one could be any).
No kept cell may differ from what the report meant, whatever the extra value and wherever it sits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.tables import extract_tables_html, extract_tables_text

ROW = "三、本年度办理结果/(一)予以公开"
LABEL = "（一）予以公开"
FORMS = ("html", "pipe", "tab")


def _doc(cells: list[str], form: str) -> str:
    if form == "html":
        tds = "".join(f"<td>{c}</td>" for c in ["三、本年度办理结果", LABEL, *cells])
        return ("<html><body><p>三、收到和处理政府信息公开申请情况</p><table><tr>" + tds + "</tr></table>"
                "<p>四、政府信息公开行政复议、行政诉讼情况</p></body></html>")
    sep = " | " if form == "pipe" else "\t"
    end = " |" if form == "pipe" else ""
    return (f"三、收到和处理政府信息公开申请情况\n三、本年度办理结果{sep}{LABEL}{sep}{sep.join(cells)}{end}\n"
            "四、政府信息公开行政复议、行政诉讼情况\n")


def _parse(cells: list[str], form: str) -> tuple[list[tuple[str, int | float | None, str | None]], set[str]]:
    doc = _doc(cells, form)
    res = extract_tables_html(doc) if form == "html" else extract_tables_text(doc)
    got = [(c.col_label, c.value, c.flag) for c in res.cells if c.row_label == ROW]
    return got, {a.col_label for a in res.ambiguous if a.row_label == ROW}


small = st.integers(0, 3)  # small counts: equal neighbours (and duplicate-looking extras) are common
leaves = st.lists(small, min_size=6, max_size=6)


@settings(max_examples=400, deadline=None)
@given(leaves, st.integers(0, 7), st.integers(0, 40), st.sampled_from(FORMS))
def test_an_extra_cell_keeps_only_what_every_reading_agrees_on(vals, at, extra, form):
    truth = [*vals, sum(vals)]
    printed = [str(v) for v in truth]
    printed.insert(at, str(extra))
    got, amb = _parse(printed, form)
    cols = [c for c, _, _ in got] + sorted(amb)
    assert len(cols) == 7 and len(set(cols)) == 7  # every column stored once: a value or NULL + ambiguous
    order = ["自然人", "法人或其他组织/商业企业", "法人或其他组织/科研机构", "法人或其他组织/社会公益组织",
             "法人或其他组织/法律服务机构", "法人或其他组织/其他", "总计"]
    for col, value, flag in got:
        assert value == truth[order.index(col)], (printed, got)
        if flag == "ragged_row":
            j = order.index(col)
            assert printed[j] == printed[j + 1]


def test_agreed_cells_are_kept_and_the_rest_flagged():
    """`0 0 0 99 0 0 2 2`: which cell is extra is unknown, but 自然人 and 商业企业 are 0 in every reading."""
    for form in FORMS:
        got, amb = _parse(["0", "0", "0", "99", "0", "0", "2", "2"], form)
        assert [(c, v) for c, v, _ in got] == [("自然人", 0), ("法人或其他组织/商业企业", 0),
                                              ("法人或其他组织/法律服务机构", 0), ("总计", 2)]
        assert {f for _, _, f in got} == {"ragged_row"}
        assert amb == {"法人或其他组织/科研机构", "法人或其他组织/社会公益组织", "法人或其他组织/其他"}


@settings(max_examples=200, deadline=None)
@given(leaves, st.integers(0, 6), st.sampled_from(FORMS))
def test_a_lost_cell_keeps_nothing(vals, lost, form):
    truth = [*vals, sum(vals)]
    printed = [str(v) for i, v in enumerate(truth) if i != lost]
    got, amb = _parse(printed, form)
    assert got == [] and len(amb) == 7

"""A table-2 row whose 总计 is blank after six filled cells. A grid that lost a cell (the others shifted
left, a blank added at the end) looks the same, and then its sixth value is the row's total. A total
of counts is never below the sum of the counts it adds up, so when the sixth value is below the sum
of the five before it the row is read as printed (总计 NULL); otherwise it is refused, NULL + flag."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.tables import extract_tables_text

ROW = "一、本年新收政府信息公开申请数量"


def _cells(values: list[int | None]) -> tuple[dict[str, int | None], int]:
    cells = " | ".join("" if v is None else str(v) for v in values)
    text = f"三、收到和处理政府信息公开申请情况\n{ROW} | {cells} |\n四、政府信息公开行政复议、行政诉讼情况\n"
    res = extract_tables_text(text)
    got = {c.col_label: c.value for c in res.cells if c.row_label.startswith("一、")}
    return got, len([a for a in res.ambiguous if a.row_label.startswith("一、")])


leaves = st.lists(st.integers(0, 60), min_size=6, max_size=6)


@settings(max_examples=300, deadline=None)
@given(leaves)
def test_blank_total_rows_read_right_or_refused(vals):
    got, refused = _cells([*vals, None])
    if vals[5] < sum(vals[:5]):
        assert list(got.values()) == [*vals, None] and not refused
    else:
        assert not any(v is not None for v in got.values()) and refused == 7


@settings(max_examples=300, deadline=None)
@given(leaves, st.integers(0, 5))
def test_a_row_that_lost_a_cell_is_never_read(vals, lost):
    """The lost-cell grid: five leaves and the total shifted left, a blank at the end."""
    printed = [v for i, v in enumerate(vals) if i != lost] + [sum(vals), None]
    got, refused = _cells(printed)
    assert not any(v is not None for v in got.values()) and refused == 7

"""Glued digit runs are cut into cells only when the row's own sums confirm the cut and the digits
cannot be read as fewer numbers (which a row with a blank cell would print): `0000000` is seven cells
0; `0 1 2 2 1 17` under seven columns is refused (17 and a blank 总计, or 1 | 7 fitting the sum by
chance). Every row reads right or not at all."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.spec import T2
from pipelines.tables.resolve import reconcile
from pipelines.tables.tokens import VALUE, Tok

leaves = st.lists(st.integers(0, 40), min_size=6, max_size=6)


def _toks(runs: list[str]) -> list[Tok]:
    return [Tok(VALUE, r, glued=True) for r in runs]


def _values(reading) -> list:
    return [p.value for _, p in reading]


@settings(max_examples=400, deadline=None)
@given(leaves, st.integers(0, 5))
def test_glued_leaves_under_a_printed_total_read_right_or_not_at_all(vals, i):
    row = [*vals, sum(vals)]
    runs = [str(v) for v in row]
    glued = [*runs[:i], runs[i] + runs[i + 1], *runs[i + 2:]]  # two neighbouring leaves printed as one run
    reading, _why, _flag = reconcile(_toks(glued), 7, T2)
    assert reading is None or _values(reading) == row


@settings(max_examples=400, deadline=None)
@given(leaves)
def test_six_values_under_seven_columns_are_never_cut(vals):
    """Six printed values under seven columns (总计 left blank): no cut may invent a cell."""
    reading, _why, _flag = reconcile(_toks([str(v) for v in vals]), 7, T2)
    assert reading is None


def test_the_coincidence_seen_in_the_matrix_is_refused():
    # 0+1+2+2+1 and 其他 17 with 总计 blank: cutting 17 → 1 | 7 makes 0+1+2+2+1+1 = 7 "fit"
    reading, why, _flag = reconcile(_toks(["0", "1", "2", "2", "1", "17"]), 7, T2)
    assert reading is None and "cut" in why


def test_a_glued_run_that_could_be_one_number_is_refused_even_when_the_sum_fits():
    # 5 | 12 fits the sum, but 512 with a blank cell elsewhere cannot be ruled out
    reading, _why, _flag = reconcile(_toks(["3", "4", "512", "0", "1", "25"]), 7, T2)
    assert reading is None


def test_runs_of_zeros_are_one_cell_per_digit():
    """Seed 001 prints its zero rows as glued digit runs of the template's width."""
    reading, _why, flag = reconcile(_toks(["000", "0000"]), 7, T2)
    assert _values(reading) == [0] * 7 and flag == "split_digits"
    assert reconcile(_toks(["000", "000"]), 7, T2)[0] is None  # six zeros for seven cells: a blank somewhere

"""Text serialisations: the column order of tables 2 and 3 read from a printed header that spans several
lines, in any order, with labels wrapped; blank cells placed where the text keeps positions (tab
fields, `a |  | b |` cells) and refused where it does not (a whitespace dump). Never a wrong number."""

from __future__ import annotations

import random
from itertools import permutations, product

import pytest

from bench.accuracy import grade_doc
from bench.matrix import C, Case, render, render_layout, wrap_row
from pipelines.spec import T2, T3, template
from pipelines.tables import extract_tables_text
from pipelines.tables.header import T3_LEAVES, clean, header_order

LEAVES = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
WRAPS = (0, 2, 3, 4)


def _lines(table: str, rows: list[list[str]], wrap: int) -> tuple[str, ...]:
    """Header rows printed as a whitespace dump, then cleaned as the parser cleans them."""
    printed = [line for row in rows for line in (wrap_row(row, wrap) if wrap else ["  ".join(row)])]
    return tuple("".join(clean(table, w) for w in line.split()) for line in printed)


def _t2_name(x: str) -> str:
    return x if x in ("自然人", "总计") else f"法人或其他组织/{x}"


@pytest.mark.parametrize("wrap", WRAPS)
def test_table2_header_in_every_order_and_wrap(wrap: int) -> None:
    """3! top-level orders × 5! leaf orders: each reads back to exactly its order."""
    for tops in permutations(("自然人", "法人或其他组织", "总计")):
        for leaves in permutations(LEAVES):
            rows = [[NOTE, "申请人情况"], list(tops), list(leaves)]
            want = tuple(_t2_name(x) for t in tops for x in (leaves if t == "法人或其他组织" else (t,)))
            assert header_order(T2, _lines(T2, rows, wrap)) == want, (tops, leaves, wrap)


@pytest.mark.parametrize("wrap", WRAPS)
def test_table3_header_in_every_group_and_leaf_order_and_wrap(wrap: int) -> None:
    """Groups either way round × 5! leaf orders (shared by the groups) × wraps."""
    for litigation_first, leaves in product((False, True), permutations(T3_LEAVES)):
        top = ["行政诉讼", "行政复议"] if litigation_first else ["行政复议", "行政诉讼"]
        groups = ["未经复议直接起诉", "复议后起诉"]
        if litigation_first:  # 行政复议's leaves span two rows, next to the litigation groups
            rows = [top, [*groups, *leaves], list(leaves) * 2]
            blocks = ["行政诉讼/未经复议直接起诉", "行政诉讼/复议后起诉", "行政复议"]
        else:
            rows = [top, [*leaves, *groups], list(leaves) * 2]
            blocks = ["行政复议", "行政诉讼/未经复议直接起诉", "行政诉讼/复议后起诉"]
        want = tuple(f"{b}/{x}" for b in blocks for x in leaves)
        assert header_order(T3, _lines(T3, rows, wrap)) == want, (top, leaves, wrap)


def test_glued_and_vertically_wrapped_header_of_a_real_page() -> None:
    """Seed 001's header: labels glued without spaces, 商业企业 and 科研机构 printed a half per line."""
    lines = ("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)申请人情况", "自然人法人或其他组织总计",
             "商业", "企业", "科研", "机构", "社会公益组织法律服务机构其他")
    got = header_order(T2, tuple("".join(clean(T2, w) for w in x.split()) for x in lines))
    assert got == template("2021").tables[T2].cols


def test_readings_that_disagree_give_no_order() -> None:
    """行政复议's leaves could be the five after the groups (their row) or the last five (a row lower):
    with 总计 first in one block only, the two readings name different columns."""
    other = "结果维持结果纠正其他结果尚未审结总计"
    lines = ("行政诉讼行政复议", "未经复议直接起诉复议后起诉", "总计结果维持结果纠正其他结果尚未审结" + other * 2)
    assert header_order(T3, lines) is False


def test_a_centred_rowspan_label_gives_no_reading() -> None:
    """PDF text prints a rowspan cell (自然人, 总计) below its row's first line: no row-major reading,
    so the header says nothing about the order (the recognised names decide, as before)."""
    lines = ("法人或其他组织", "自然人总计", "商业企业科研机构社会公益组织法律服务机构其他")
    assert header_order(T2, lines) is None


@pytest.mark.parametrize("ser", ["pipe", "tab", "dump"])
@pytest.mark.parametrize("tpl", ["2019", "2021"])
def test_reordered_wrapped_headers_parse_exactly(ser: str, tpl: str) -> None:
    """Whole documents: random column orders (and wrapped dump headers) read cell for cell."""
    for seed in range(6):
        doc = render(Case(tpl, ser, "column_order", seed))
        graded = grade_doc(doc)
        assert graded.problems == [] and graded.counts["right"] == len(doc.cells), doc.case.name


def _t2(rows: list[str]) -> str:
    head = "三、收到和处理政府信息公开申请情况\n"
    return head + "\n".join(rows) + "\n四、政府信息公开行政复议、行政诉讼情况\n"


def test_tab_fields_place_blank_cells_under_the_header() -> None:
    """A tab dump keeps a field per grid column: a blank for 0 and an unfilled 总计 are NULL cells in
    their own columns (counted), the values beside them stay where they were printed."""
    head = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t\t申请人情况",
            "\t\t\t总计\t自然人\t法人或其他组织", "\t\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他"]
    rows = ["一、本年新收政府信息公开申请数量\t\t\t\t\t3\t1\t\t2\t4",  # 总计 and 自然人 blank, 社会公益组织 blank
            "二、上年结转政府信息公开申请数量\t\t\t7\t1\t2\t0\t0\t3\t1"]
    res = extract_tables_text(_t2(head + rows))
    got = {(c.row_label[:2], c.col_label): (c.value, c.flag) for c in res.cells}
    first = "一、"
    assert got[(first, "总计")] == (None, "null_marker") and got[(first, "自然人")] == (None, "null_marker")
    assert got[(first, "法人或其他组织/商业企业")] == (3, None)
    assert got[(first, "法人或其他组织/社会公益组织")] == (None, "null_marker")
    assert got[(first, "法人或其他组织/其他")] == (4, None)
    assert got[("二、", "总计")] == (7, None) and got[("二、", "法人或其他组织/其他")] == (1, None)
    assert res.nulls == 3 and not res.ambiguous


def test_tab_header_without_grid_columns_falls_back_to_printed_order() -> None:
    """A tab dump that prints one field per cell (spans not expanded, as a browser copies a table)
    names two columns at one field: positions are not trusted, the row's fields are read in printed
    order (a blank field after the first value is a cell: seven fields for seven columns)."""
    head = ["\t自然人\t法人或其他组织\t总计", "商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他"]
    rows = ["一、本年新收政府信息公开申请数量\t1\t\t0\t0\t0\t0\t1",
            "二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t0\t2\t3",
            "三、本年度办理结果\t（一）予以公开\t\t1\t0\t0\t0\t1"]  # 6 fields after the blank: refused
    res = extract_tables_text(_t2(head + rows))
    got = {(c.row_label[:2], c.col_label): c.value for c in res.cells}
    assert got[("一、", "法人或其他组织/商业企业")] is None and got[("一、", "总计")] == 1
    assert got[("二、", "法人或其他组织/其他")] == 2 and got[("二、", "总计")] == 3
    assert {a.row_label[:2] for a in res.ambiguous} == {"三、"} and not res.flags


def test_whitespace_dump_blank_cells_are_refused_not_dropped() -> None:
    """A whitespace dump loses a blank cell's column: the row is NULL + ambiguous in every column
    (never dropped, never shifted); a blank 总计 in a `|` row is a NULL cell, counted."""
    head = ["总计  自然人  法人或其他组织", "商业企业  科研机构  社会公益组织  法律服务机构  其他"]
    res = extract_tables_text(_t2([*head, "一、本年新收政府信息公开申请数量  5  2  1  2"]))
    amb = [a for a in res.ambiguous if a.row_label.startswith("一、")]
    assert len(amb) == 7 and not [c for c in res.cells if c.row_label.startswith("一、")]
    pipe = extract_tables_text(_t2(["一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 2 |  |",
                                    "二、上年结转政府信息公开申请数量 | 1 |  | 0 | 0 | 0 | 2 | 3 |"]))
    cells = {(c.row_label[:2], c.col_label): (c.value, c.flag) for c in pipe.cells}
    assert cells[("二、", "法人或其他组织/商业企业")] == (None, "null_marker")
    assert cells[("二、", "总计")] == (3, None)
    assert ("一、", "总计") not in cells  # 总计 blank after six filled cells: refused (a lost cell?), listed
    assert {a.col_label for a in pipe.ambiguous if a.row_label.startswith("一、")} == set(
        template("2021").tables[T2].cols)
    assert pipe.nulls == 1


def test_pipe_value_row_of_table3_may_start_blank() -> None:
    leaves = " | ".join(T3_LEAVES)
    vals = [None, 1, 0, 0, 1, *[0] * 5, 2, 0, 0, 0, 2]
    text = ("四、政府信息公开行政复议、行政诉讼情况\n行政复议 | 行政诉讼 |\n" + leaves + " | 未经复议直接起诉 | 复议后起诉 |\n"
            + leaves + " | " + leaves + " |\n" + " | ".join("" if v is None else str(v) for v in vals) + " |\n"
            "五、存在的主要问题及改进情况\n")
    res = extract_tables_text(text)
    got = [c.value for c in res.cells if c.table_name == T3]
    assert got == vals and res.nulls == 1


def test_random_reordered_headers_never_give_a_wrong_number() -> None:
    """Fuzz: random orders, wraps and blank cells through the dump: every cell right or NULL."""
    rng = random.Random(15)
    for n in range(30):
        doc = render(Case(rng.choice(("2019", "2021")), "dump", rng.choice(("column_order", "blank")), 100 + n))
        graded = grade_doc(doc)
        assert graded.counts["wrong"] == 0 and graded.counts["missing"] == 0 and not graded.counts["extra"]


def _layout(rows: list[list[str]]) -> list[str]:
    """Table 2's header (总计 first) over the given value rows, as fixed-width text."""
    grid = [[C("", rs=2), C("总计", rs=2), C("自然人", rs=2), C("法人或其他组织", cs=5)], [C(x) for x in LEAVES]]
    return render_layout(grid + [[C(r[0]), *(C(v) for v in r[1:])] for r in rows])


def test_fixed_width_dump_places_blank_cells_under_their_header_words() -> None:
    """`pdftotext -layout`-style text keeps a blank cell as spaces under its header word: the values
    beside it are placed by their display columns (CJK counted double), the blank is a NULL cell."""
    lines = _layout([["二、上年结转政府信息公开申请数量", "16", "3", "2", "4", "1", "2", "4"],  # aligned: a full row
                     ["一、本年新收政府信息公开申请数量", "9", "3", "2", "", "1", "", "3"]])
    res = extract_tables_text(_t2(lines))
    got = {c.col_label: (c.value, c.flag) for c in res.cells if c.row_label.startswith("一、")}
    assert got["总计"] == (9, None) and got["自然人"] == (3, None)
    assert got["法人或其他组织/商业企业"] == (2, None) and got["法人或其他组织/科研机构"] == (None, "null_marker")
    assert got["法人或其他组织/社会公益组织"] == (1, None) and got["法人或其他组织/其他"] == (3, None)
    assert got["法人或其他组织/法律服务机构"] == (None, "null_marker") and res.nulls == 2
    unaligned = extract_tables_text(_t2(lines[:2] + lines[3:]))  # the row alone: nothing shows alignment
    assert not unaligned.cells and len(unaligned.ambiguous) == 7
    assert f"columns_from_layout:{T2}" in res.flags


@pytest.mark.parametrize("blank", range(6))  # printed columns 0–5 (column 6, the last, is refused below)
def test_fixed_width_blank_cells_before_the_first_full_row_are_placed_too(blank: int) -> None:
    """The full row that shows the text is fixed-width may come after the row with the blank (the first
    row of a document's first sub-table has none before it): the row is read by position at the end."""
    full = ["二、上年结转政府信息公开申请数量", "16", "3", "2", "4", "1", "2", "4"]
    vals = ["9", "3", "2", "1", "1", "1", "4"]
    vals[blank] = ""
    gaps = ["一、本年新收政府信息公开申请数量", *vals]
    for rows in ([full, gaps], [gaps, full]):
        res = extract_tables_text(_t2(_layout(rows)))
        got = [c for c in res.cells if c.row_label.startswith("一、")]
        assert len(got) == 7 and not res.ambiguous, res.ambiguous[:1]
        printed = dict(zip(["总计", "自然人", *(f"法人或其他组织/{x}" for x in LEAVES)], vals, strict=True))
        assert {c.col_label: c.raw for c in got} == printed
        assert f"columns_from_layout:{T2}" in res.flags


def test_fixed_width_row_with_its_last_column_blank_is_refused() -> None:
    """In a fixed-width (squared) grid a row that lost a cell prints its last column blank: refused."""
    lines = _layout([["二、上年结转政府信息公开申请数量", "16", "3", "2", "4", "1", "2", "4"],
                     ["一、本年新收政府信息公开申请数量", "9", "3", "2", "", "1", "3", ""]])
    res = extract_tables_text(_t2(lines))
    assert len(res.cells) == 7 and len(res.ambiguous) == 7


def test_a_dump_starting_at_the_margin_is_not_read_by_position() -> None:
    """The same row in a whitespace dump (header lines at the margin, under the row labels): refused."""
    lines = [line.strip() for line in _layout([["二、上年结转政府信息公开申请数量", "16", "3", "2", "4", "1", "2", "4"],
                                                ["一、本年新收政府信息公开申请数量", "9", "3", "2", "", "1", "", "3"]])]
    res = extract_tables_text(_t2(lines))
    assert len(res.cells) == 7 and len(res.ambiguous) == 7


@pytest.mark.parametrize("quirk", ["blank", "ragged", "column_order", "merged_header"])
def test_fixed_width_documents_never_give_a_wrong_number(quirk: str) -> None:
    for n in range(4):
        for tpl in ("2019", "2021"):
            graded = grade_doc(render(Case(tpl, "layout", quirk, 200 + n)))
            assert graded.problems == [], graded.problems[:3]

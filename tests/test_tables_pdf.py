"""Ruled PDF tables: columns come from the cells' x-positions, never from their index in pdfplumber's
grid. pdfplumber cuts a table wherever its ruling changes (a header whose merged cells leave out vertical
lines, a header continued on the next page), so the header row `[None, 总计, 自然人, 法人或其他组织]` and the
data row `[label, None, None, 138, 28, …]` index their cells differently; their left edges agree.

The quick tier re-grids every arrangement of the variation matrix the way pdfplumber does (each row its
own grid, covered cells gone, edges jittered by a point); the e2e tier converts the same arrangements to
PDF through LibreOffice and reads them with pdfplumber."""

from __future__ import annotations

import random

import pytest

from bench.accuracy import grade_cells, grade_doc
from bench.matrix import QUIRKS, TEMPLATES, Case, expand, make_report, render, render_many, sections
from pipelines.documents.office import soffice_path
from pipelines.tables import extract_tables_text, parse_segments
from pipelines.tables.pdf import Row, _columns, pdf_text, rows_segments

LAYOUTS = {"merged_header": (0, 1, 2, 3), "page_split": (0, 1)}
ARRANGEMENTS = [Case(t, "pdf", q, s, layout) for t in TEMPLATES for q in QUIRKS for layout in LAYOUTS.get(q, (None,))
                for s in range(2)]


def regridded(case: Case, jitter: float = 1.0) -> list[Row]:
    """The case's tables as pdfplumber rows: each printed row alone (no placeholders for spanned cells),
    every cell at the left edge of its first grid column, ± jitter points."""
    rng = random.Random(case.name + "x")
    rows: list[Row] = []
    for _, grids in sections(make_report(case), case):
        for _, g in grids:
            for full in expand(g):
                rows.append([(40 + 37 * c + rng.uniform(-jitter, jitter), t) for c, t in enumerate(full)
                             if t is not None])
    return rows


@pytest.mark.parametrize("case", ARRANGEMENTS, ids=lambda c: c.name)
def test_every_header_arrangement_by_x_position(case: Case) -> None:
    doc = render(case)
    graded = grade_cells(doc.cells, parse_segments(rows_segments(regridded(case))), case.name)
    assert graded.problems == []
    assert graded.counts["wrong"] == graded.counts["missing"] == graded.counts["extra"] == 0


def test_cell_index_would_misplace_what_x_positions_place() -> None:
    """The class is real: in a re-gridded PDF a header leaf's cell index is not its values' index; its
    left edge is."""
    case = Case("2021", "pdf", "none", 0)
    rows = regridded(case, jitter=0)
    by_index = [[(40 + 37.0 * i, t) for i, (_, t) in enumerate(row)] for row in rows]

    def cols(segs: list) -> tuple[int, int]:
        head = next(t.col for seg in segs for t in seg if t.key == "自然人")
        first = next(seg for seg in segs if seg[0].key.startswith("一、本年新收"))
        return head, next(t.col for t in first if t.kind == "V")

    at_x, at_index = cols(rows_segments(rows)), cols(rows_segments(by_index))
    assert at_x[0] == at_x[1] and at_index[0] != at_index[1]
    doc = render(case)
    assert grade_cells(doc.cells, parse_segments(rows_segments(rows))).counts["right"] == len(doc.cells)


def test_edges_within_tolerance_are_one_column() -> None:
    assert _columns([10.0, 11.2, 12.4, 60.0, 61.0, 100.0]) == [10.0, 60.0, 100.0]
    assert _columns([]) == []


@pytest.mark.e2e
@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice not installed")
def test_every_arrangement_through_libreoffice_and_pdfplumber() -> None:
    cases = [c for c in ARRANGEMENTS if c.quirk in ("merged_header", "page_split", "column_order", "none")]
    docs = render_many(cases)
    problems = [p for d in docs for p in grade_doc(d).problems]
    assert problems == []


T2_TEXT_HEAD = ("三、收到和处理政府信息公开申请情况\n申请人情况\n自然人 法人或其他组织 总计\n"
                "商业企业 科研机构 社会公益组织 法律服务机构 其他\n")


def test_pdf_text_a_unit_printed_apart_joins_its_value() -> None:
    """`76 个` in PDF text is one cell: never the digit run `76` cut into 7 and 6 for two columns."""
    text = ("二、主动公开政府信息情况\n第二十条第（九）项\n信息内容 采购项目数量 采购总金额（单位：万元）\n"
            "政府集中采购 76 个 96320.12\n三、收到和处理政府信息公开申请情况\n")
    got = {c.col_label: (c.value, c.unit) for c in extract_tables_text(text).cells}
    assert got == {"采购项目数量": (76, None), "采购总金额": (96320.12, "万元")}


def test_pdf_text_group_label_pieces_on_the_value_line_are_skipped() -> None:
    """A vertically centred group label (`（三）` / `不予公` / `开`, `三、本年` / `度办理结`) shares a line
    with a row's values: the row is still named by its own (wrapped) label, flagged."""
    text = T2_TEXT_HEAD + ("一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1\n3.危及“三安全一稳\n三、本年 0 0 1 29 2 0 32\n定”\n"
                           "4.保护第三方合法权\n（三） 0 0 0 2 0 0 2\n益\n不予公\n5.属于三类内部事务信息 1 0 0 0 0 0 1\n开\n")
    res = extract_tables_text(text)
    rows = {c.row_label.split("/")[-1]: [] for c in res.cells}
    for c in res.cells:
        rows[c.row_label.split("/")[-1]].append(c.value)
    assert rows["3.危及“三安全一稳定”"] == [0, 0, 1, 29, 2, 0, 32]
    assert rows["4.保护第三方合法权益"] == [0, 0, 0, 2, 0, 0, 2]
    assert rows["5.属于三类内部事务信息"] == [1, 0, 0, 0, 0, 0, 1]
    assert any(f.startswith("label_fragment_skipped:") for f in res.flags)


def test_pdf_text_a_wrapped_blank_row_before_the_next_is_kept_null() -> None:
    text = T2_TEXT_HEAD + ("5.要求行政机关确认或重\n2 0 1 0 2 0 5\n新出具已获取信息\n1.申请人无正当理由逾期\n"
                           "不补正、行政机关不再处\n理其政府信息公开申请\n（六）\n2.申请人逾期未按收费通\n其他处\n"
                           "知要求缴纳费用、行政机\n理 0 10 0 1 2 0 13\n关不再处理其政府信息公\n开申请\n本年制发件数\n")
    res = extract_tables_text(text)
    first = [c for c in res.cells if c.row_label.endswith("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")]
    assert [c.value for c in first] == [None] * 7 and {c.flag for c in first} == {"blank_row"}
    second = [c.value for c in res.cells if "2.申请人逾期未按收费通知" in c.row_label]
    assert second == [0, 10, 0, 1, 2, 0, 13]


@pytest.mark.e2e
@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice not installed")
def test_pdf_text_fallback_over_the_matrix_is_never_wrong() -> None:
    """The page text of LibreOffice PDFs (labels wrapped around their values, group labels printed
    vertically): every cell right or NULL + flag; none wrong, lost or invented."""
    docs = render_many([Case(t, "pdf", q, 0) for t in TEMPLATES for q in QUIRKS])
    counts: dict[str, int] = {}
    for d in docs:
        g = grade_cells(d.cells, extract_tables_text(pdf_text(d.data)), d.case.name)
        for k, v in g.counts.items():
            counts[k] = counts.get(k, 0) + v
    assert counts.get("wrong", 0) == counts.get("missing", 0) == counts.get("extra", 0) == 0
    assert counts["right"] > 0.8 * sum(counts.values())


def test_pdf_text_of_the_real_pdfs_is_never_wrong() -> None:
    """The real PDFs' text layer (WPS: values printed above their labels, a vertical 三、本年度办理结果
    between rows): whatever it cannot place is NULL or left out, never another row's numbers."""
    import json
    from pathlib import Path

    from bench.accuracy import real_truth

    real = Path(__file__).parent / "fixtures" / "real"
    for exp_path in sorted(real.glob("*.expected.json")):
        exp = json.loads(exp_path.read_text(encoding="utf-8"))
        res = extract_tables_text(pdf_text((real / exp["source"]).read_bytes()))
        g = grade_cells(real_truth(exp), res, exp["source"])
        assert g.counts["wrong"] == g.counts["extra"] == 0, g.problems
        assert g.counts["right"] > 0.75 * sum(g.counts.values())

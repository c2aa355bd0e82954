"""A table-2 row whose 总计 is blank after six filled cells, by class of serialisation.

A row that lost a cell (the others shifted left) prints one cell fewer in a serialisation whose rows list
their own cells (a web page's `<td>`s, `|` cells, tab fields: `explicit_cells`), so there a printed empty
last cell is read as printed. A converter that squares the grid (LibreOffice writing DOCX/DOC/PDF, a
spreadsheet, OCR) adds an empty cell to the short row, and it looks exactly like a blank 总计: there the
row is read only when its sixth value is below the sum of the five before it (a shifted row would print
its 总计 there, and a total of counts is never below its parts); otherwise NULL + flag."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.process import process_document
from pipelines.tables import EXPLICIT_CELL_KINDS, extract_tables_html, extract_tables_text

ROW = "一、本年新收政府信息公开申请数量"
FORMS = ("html", "pipe", "tab")


def _doc(cells: list[str], form: str) -> str:
    if form == "html":
        tds = "".join(f"<td>{c}</td>" for c in [ROW, *cells])
        return ("<html><body><p>三、收到和处理政府信息公开申请情况</p><table><tr>" + tds + "</tr></table>"
                "<p>四、政府信息公开行政复议、行政诉讼情况</p></body></html>")
    sep = " | " if form == "pipe" else "\t"
    end = " |" if form == "pipe" else ""
    return f"三、收到和处理政府信息公开申请情况\n{ROW}{sep}{sep.join(cells)}{end}\n四、政府信息公开行政复议、行政诉讼情况\n"


def _parse(cells: list[str], form: str, explicit: bool) -> tuple[list[int | None], int]:
    doc = _doc(cells, form)
    res = (extract_tables_html(doc, explicit_cells=explicit) if form == "html"
           else extract_tables_text(doc, explicit_cells=explicit))
    got = [c.value for c in res.cells if c.row_label == ROW]
    return got, len([a for a in res.ambiguous if a.row_label == ROW])


leaves = st.lists(st.integers(0, 60), min_size=6, max_size=6)


@settings(max_examples=200, deadline=None)
@given(leaves, st.sampled_from(FORMS))
def test_explicit_cells_a_blank_total_is_read_as_printed(vals, form):
    got, refused = _parse([*map(str, vals), ""], form, explicit=True)
    assert got == [*vals, None] and not refused


@settings(max_examples=200, deadline=None)
@given(leaves, st.integers(0, 5), st.sampled_from(FORMS), st.booleans())
def test_a_row_that_lost_a_cell_is_never_read(vals, lost, form, explicit):
    """Explicit cells: the short row itself (six cells). Squared: the converter's empty cell at its end."""
    printed = [str(v) for i, v in enumerate(vals) if i != lost] + [str(sum(vals))]
    got, refused = _parse(printed if explicit else [*printed, ""], form, explicit)
    assert not any(v is not None for v in got) and refused == 7


@settings(max_examples=200, deadline=None)
@given(leaves, st.sampled_from(FORMS))
def test_squared_grids_a_blank_total_is_read_only_below_the_sum(vals, form):
    got, refused = _parse([*map(str, vals), ""], form, explicit=False)
    if vals[5] < sum(vals[:5]):
        assert got == [*vals, None] and not refused
    else:
        assert not any(v is not None for v in got) and refused == 7


def _docx(cells: list[str]) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("XX县审计局2023年政府信息公开工作年度报告")
    head = d.add_table(rows=1, cols=len(T1_HEAD))
    for cell, text in zip(head.rows[0].cells, T1_HEAD, strict=True):
        cell.text = text
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    table = d.add_table(rows=1, cols=len(cells) + 1)
    for cell, text in zip(table.rows[0].cells, [ROW, *cells], strict=True):
        cell.text = text
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


T1_HEAD = ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]  # names the 2021 template


def test_the_pipeline_trusts_a_blank_only_where_the_document_lists_its_cells():
    """The same row (sixth value ≥ the five before it): read from a web page and a text file, NULL + flag
    from a DOCX (LibreOffice/WPS write squared grids)."""
    assert set(EXPLICIT_CELL_KINDS) == {"html", "txt"}
    cells = ["1", "0", "0", "0", "0", "9", ""]
    title = "XX县审计局2023年政府信息公开工作年度报告"
    head = "".join(f"<td>{c}</td>" for c in T1_HEAD)
    page = process_document(url="http://127.0.0.1/a.html", html=_doc(cells, "html").replace(
        "<body>", f"<body><h1>{title}</h1><table><tr>{head}</tr></table>"), title=title)
    text = process_document(url="http://127.0.0.1/a.txt", body="\n".join(  # `|` cells: the body text keeps
        [title, " | ".join(T1_HEAD) + " |", _doc(cells, "pipe")]).encode(),  # `|  |` (a line's trailing tab
        content_type="text/plain; charset=utf-8", title=title)  # field is cut with its whitespace)
    word = process_document(url="http://127.0.0.1/a.docx", body=_docx(cells), title=title)
    for out in (page, text):
        got = [c["value"] for c in out.record["cells"] if c["row_label"] == ROW]
        assert got == [1, 0, 0, 0, 0, 9, None], out.record.get("table_errors")
    assert word.record["source_kind"] == "docx"
    assert not [c for c in word.record["cells"] if c["row_label"] == ROW]
    assert len([a for a in word.record["ambiguous"] if a["row_label"] == ROW]) == 7

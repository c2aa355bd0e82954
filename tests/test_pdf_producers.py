"""PDFs from another producer than LibreOffice: the variation matrix's reports printed by headless Chromium
(`--print-to-pdf`, bench/matrix.py `chromium`), as served (Letter, the browser's header and footer, doubled
rules) and with a portal's print style (A4, 16 pt text whose labels wrap, collapsed single rules, tables
continued over page breaks without a top rule). Every cell is checked; a wrong number, a lost or an invented
cell fails. Also: a reading that assumed the template's column order never beats one that read the printed
order (quick tier, no browser)."""

from __future__ import annotations

import pytest

import pipelines.tables.pdf as pdf_mod
from bench.accuracy import grade_cells, grade_doc
from bench.matrix import QUIRKS, Case, chromium_path, render_many
from pipelines.documents import load_document
from pipelines.tables import Cell, TableResult, extract_tables

# every quirk in both print styles (seed parity), the templates alternating
CASES = [Case(("2019", "2021")[(i + seed) % 2], "chromium", q, seed) for i, q in enumerate(QUIRKS) for seed in (0, 1)]


@pytest.fixture(scope="module")
def printed():
    if chromium_path() is None:
        pytest.skip("needs Debian's chromium (bin/test installs it)")
    return {d.case: d for d in render_many(CASES)}


@pytest.mark.e2e
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_cell_of_a_chromium_pdf(printed, case):
    doc = printed[case]
    assert doc.kind == "pdf" and doc.data.startswith(b"%PDF")
    graded = grade_doc(doc)
    assert graded.problems == []  # wrong, missing, extra, or NULL where the document prints the number
    assert graded.counts["wrong"] == 0 and graded.counts["right"] > 150


@pytest.mark.e2e
def test_without_the_page_break_rule_rows_are_lost_never_wrong(printed, monkeypatch):
    """Without the rule a continued table lacks at the top of a page, its first row is lost (pdfplumber
    never closes its cells); the page text then holds every row but cannot read a reordered header: its
    cells would all sit in the template's columns. The ruled reading wins: lost cells, no wrong one."""
    doc = printed[Case("2021", "chromium", "column_order", 1)]
    monkeypatch.setattr(pdf_mod, "_open_ends", lambda page: [])
    loaded = load_document(doc.data, url="http://127.0.0.1/report.pdf")
    res = extract_tables(pdf=doc.data, text=loaded.text)
    graded = grade_cells(doc.cells, res)
    assert graded.counts["wrong"] == 0 and graded.counts["missing"] > 0
    assert any(f.startswith("missing_row:") for f in res.flags)


def _result(cells: int, flags: list[str]) -> TableResult:
    return TableResult("2021", [Cell("t", f"r{i}", "c", 1.0, "1", None, None) for i in range(cells)], [], 0, flags, [])


def test_a_text_reading_that_assumed_the_column_order_never_beats_a_grid_that_read_it(monkeypatch):
    """A grid reading (here an HTML table) that read a reordered header beats a more complete text reading
    that did not; a text reading's own claim of a reordered header privileges nothing."""
    import pipelines.tables as tables

    reordered = ["columns_from_header:收到和处理政府信息公开申请情况"]
    for grid_flags, text_cells, text_flags, chosen in [
        (reordered, 200, [], "grid"),  # the text assumed the template's order: out
        (reordered, 200, reordered, "text"),  # both read it: the more complete wins
        ([], 200, [], "text"),  # no order read anywhere: the more complete wins, as before
        ([], 150, reordered, "grid"),
        ([], 193, reordered, "grid"),  # a tie: the first (the grid), as before
    ]:
        grid, text = _result(193, grid_flags), _result(text_cells, text_flags)
        monkeypatch.setattr(tables, "extract_tables_html", lambda html, tree, g=grid, **kw: g)
        monkeypatch.setattr(tables, "extract_tables_text", lambda t, x=text, **kw: x)
        got = extract_tables(html="<table></table>", text="…")
        assert got is (grid if chosen == "grid" else text), (grid_flags, text_cells, text_flags)


@pytest.mark.e2e
def test_reading_a_chromium_pdf_logs_no_font_warnings(printed, caplog):
    """pdfminer's `Could not get FontBBox` (Type 3 fonts without one) is dropped: it would fill a crawl's log."""
    doc = printed[CASES[0]]
    with caplog.at_level("WARNING"):
        loaded = load_document(doc.data, url="http://127.0.0.1/report.pdf")
    assert loaded.text and not loaded.error
    assert not [r for r in caplog.records if "FontBBox" in r.getMessage()]

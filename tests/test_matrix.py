"""The variation matrix (bench/matrix.py): generated reports crossing template × serialisation × quirk
parse to exactly their known cells. A cell the serialisation cannot carry (a blank in a whitespace dump,
a ragged row) may come back NULL + flag; a wrong number, a lost cell or an invented one always fails."""

from __future__ import annotations

import pytest

from bench.accuracy import grade_doc
from bench.matrix import (
    FAST,
    QUIRKS,
    SLOW,
    TEMPLATES,
    Case,
    cases,
    convert,
    make_report,
    printed_form,
    render,
    render_many,
    sample,
    squared_twins,
)
from pipelines.documents.office import soffice_path

SAMPLE = sample(24, seed=15)


@pytest.mark.parametrize("case", SAMPLE, ids=lambda c: c.name)
def test_sample_case_parses_exactly(case: Case) -> None:
    doc = render(case)
    graded = grade_doc(doc)
    assert graded.problems == []
    assert sum(graded.counts.values()) == len(doc.cells) > 150


def test_sample_covers_every_quirk_and_serialisation() -> None:
    assert {c.quirk for c in SAMPLE} == set(QUIRKS)
    assert {c.ser for c in SAMPLE} == set(FAST)
    assert {c.tpl for c in SAMPLE} == set(TEMPLATES)


def test_rendering_is_deterministic_and_the_truth_is_the_values() -> None:
    a, b = render(Case("2021", "html", "yuan", 3)), render(Case("2021", "html", "yuan", 3))
    assert a.data == b.data and a.cells == b.cells
    rep = make_report(Case("2021", "pipe", "other_shape", 0))
    six = "三、本年度办理结果/(六)其他处理"
    assert six in rep.t2 and all(t.value is None for r, ts in rep.t2_truth.items() if r.startswith(six + "/")
                                 for t in ts)


def test_a_wrong_parse_is_caught() -> None:
    """The grader is not vacuous: a shifted value is `wrong`, a dropped row `missing`."""
    from pipelines.tables import extract_tables

    doc = render(Case("2019", "pipe", "none", 0))
    res = extract_tables(text=doc.data.decode("utf-8"))
    res.cells[0].value = (res.cells[0].value or 0) + 1
    del res.cells[-5:]
    from bench.accuracy import grade_cells

    g = grade_cells(doc.cells, res)
    assert g.counts["wrong"] == 1 and g.counts["missing"] == 5


@pytest.mark.e2e
@pytest.mark.parametrize("tpl", TEMPLATES)
def test_full_fast_matrix(tpl: str) -> None:
    docs = [render(c) for c in cases(FAST) if c.tpl == tpl]
    problems = [p for d in docs for p in grade_doc(d).problems]
    assert problems == []


@pytest.mark.e2e
@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice not installed")
def test_docx_and_pdf_through_libreoffice() -> None:
    """Through a real converter the grid is whatever LibreOffice and pdfplumber make of it: where
    pdfplumber cannot align merged header cells with the data columns, rows come back NULL + flag
    (allowed here); a wrong number, a lost or an invented cell still fails."""
    docs = render_many(cases(SLOW))  # Chromium's PDFs: tests/test_pdf_producers.py
    assert all(d.data for d in docs)
    graded = [grade_doc(d) for d in docs]
    problems = [p for g in graded for p in g.problems if ": null_def " not in p]
    assert problems == []
    right = sum(g.counts["right"] for g in graded)
    assert right / sum(sum(g.counts.values()) for g in graded) > 0.9


@pytest.mark.e2e
@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice not installed")
@pytest.mark.parametrize("ser", SLOW)
def test_a_squared_grid_prints_a_lost_cell_like_a_blank_total(ser: str) -> None:
    """The proof behind `null-amb` for a blank 总计 in DOCX/PDF: LibreOffice squares the row that lost
    a cell, and the two documents print the same; the grader then counts those NULLs as ambiguous."""
    case = Case("2021", ser, "blank", 0)
    doc = render_many([case])[0]
    twins = squared_twins(case)
    assert twins and all(printed_form(c, ser) == printed_form(doc.data, ser) for c in convert(twins, ser))
    graded = grade_doc(doc, frozenset(twins))
    assert graded.counts["null_def"] == 0 and graded.problems == []

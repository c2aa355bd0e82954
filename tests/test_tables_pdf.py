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
from pipelines.tables import parse_segments
from pipelines.tables.pdf import Row, _columns, rows_segments

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
    """The class is real: with cell indexes a re-gridded header names other columns than its values'."""
    case = Case("2021", "pdf", "column_order", 0)
    rows = regridded(case, jitter=0)
    by_index = [[(float(i), t) for i, (_, t) in enumerate(row)] for row in rows]
    doc = render(case)
    assert grade_cells(doc.cells, parse_segments(rows_segments(rows))).counts["right"] == len(doc.cells)
    assert grade_cells(doc.cells, parse_segments(rows_segments(by_index))).counts["right"] < len(doc.cells) / 2


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

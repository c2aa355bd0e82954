"""The two 洪泽区 PDFs (real WPS exports, 2021 template printing (六)其他处理 in the 2019 shape) parse to
exactly their hand-read cells (tests/fixtures/real/hongze_expected.py), flags and checks included."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from pipelines.checks import run_checks
from pipelines.documents import load_document
from pipelines.tables import TableResult, extract_tables, extract_tables_pdf

REAL = Path(__file__).parent / "fixtures" / "real"
YEARS = (2023, 2024)


def _expected(year: int) -> dict:
    return json.loads((REAL / f"hongze_{year}.expected.json").read_text(encoding="utf-8"))


def _cells(res: TableResult) -> list[dict]:
    return [{"table_name": c.table_name, "row_label": c.row_label, "col_label": c.col_label, "value": c.value,
             "raw": c.raw, "unit": c.unit, **({"flag": c.flag} if c.flag else {})} for c in res.cells]


@pytest.mark.parametrize("year", YEARS)
def test_hongze_pdf_every_cell(year: int) -> None:
    exp = _expected(year)
    res = extract_tables_pdf((REAL / f"hongze_{year}.pdf").read_bytes())
    assert res.template == exp["template"]
    assert _cells(res) == exp["cells"]
    assert res.ambiguous == [] and res.errors == []
    assert res.flags == exp["flags"]
    assert [asdict(c) for c in run_checks(res)] == exp["checks"]
    assert res.nulls == 21  # the three unprinted 2021 (六) sub-rows, 7 columns each


@pytest.mark.parametrize("year", YEARS)
def test_hongze_through_the_document_loader(year: int) -> None:
    """As the pipeline calls it: the PDF plus its text layer; the ruled tables win."""
    data = (REAL / f"hongze_{year}.pdf").read_bytes()
    doc = load_document(data, url=f"http://127.0.0.1/hongze_{year}.pdf")
    assert doc.error is None and doc.kind == "pdf"
    res = extract_tables(pdf=data, text=doc.text)
    assert _cells(res) == _expected(year)["cells"]


def test_hongze_2023_prints_totals_that_do_not_add_up() -> None:
    """Printed 行政复议 10 + 1 with 总计 0: stored as printed, R4 reports it (never corrected)."""
    failed = [(c["rule"], c["scope"]) for c in _expected(2023)["checks"] if not c["ok"]]
    assert failed == [("R4", "行政复议"), ("R4", "行政诉讼/复议后起诉")]


def test_expected_fields_for_metadata() -> None:
    """The fields the metadata tests read (agency is the government, not the compiling 办公室)."""
    for year in YEARS:
        exp = _expected(year)
        assert exp["agency"] == "洪泽区人民政府" and exp["year"] == year
        assert exp["contact"]["phone"].startswith("0517-8") and exp["contact"]["postcode"] == "223100"

"""The five text seeds and the real PDF parse to exactly their hand-read ground truth."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from pipelines.checks import run_checks
from pipelines.tables import TableResult, extract_tables, extract_tables_pdf, extract_tables_text
from pipelines.tables.pdf import pdf_text

FIX = Path(__file__).parent / "fixtures"
SEEDS = sorted((FIX / "seeds").glob("*.txt"))
PDF = FIX / "real" / "szfgs2024.pdf"
FIELDS = ("table_name", "row_label", "col_label", "value", "raw", "unit")


def expected(stem: str) -> dict:
    path = FIX / "seeds" / "expected" / f"{stem}.json"
    if not path.exists():
        path = FIX / "real" / f"{stem}.expected.json"
    return json.loads(path.read_text(encoding="utf-8"))


def assert_matches(res: TableResult, exp: dict, *, raw: bool = True) -> None:
    fields = FIELDS if raw else tuple(f for f in FIELDS if f != "raw")
    assert res.template == exp["template"]
    assert [{k: getattr(c, k) for k in fields} for c in res.cells] == [{k: c[k] for k in fields} for c in exp["cells"]]
    assert [(a.table_name, a.row_label, a.col_label) for a in res.ambiguous] == [
        (a["table_name"], a["row_label"], a["col_label"]) for a in exp["ambiguous"]]
    want = [{k: c[k] for k in ("rule", "scope", "expected", "actual", "ok")} for c in exp["checks"]]
    assert [asdict(c) for c in run_checks(res)] == want


def test_seed_files_are_present() -> None:
    assert len(SEEDS) == 5 and PDF.exists()


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem[:3])
def test_seed(path: Path) -> None:
    res = extract_tables_text(path.read_text(encoding="utf-8"))
    assert_matches(res, expected(path.stem))
    assert res.errors == []


def test_real_pdf_tables() -> None:
    res = extract_tables_pdf(PDF.read_bytes())
    assert_matches(res, expected("szfgs2024"))


def test_real_pdf_text_fallback_gives_the_same_cells() -> None:
    res = extract_tables_text(pdf_text(PDF.read_bytes()))
    assert_matches(res, expected("szfgs2024"))


def test_extract_tables_with_pdf_and_its_text() -> None:
    data = PDF.read_bytes()
    res = extract_tables(pdf=data, text="二、主动公开政府信息情况\n规章 | 1 | 0 |")
    assert_matches(res, expected("szfgs2024"))


def test_seed_002_fails_r1_in_two_columns() -> None:
    res = extract_tables_text(SEEDS[2].read_text(encoding="utf-8"))
    failed = [(c.rule, c.scope, c.expected, c.actual) for c in run_checks(res) if not c.ok]
    assert failed == [("R1", "自然人", 28, 27), ("R1", "总计", 28, 27)]
    doubled = [c for c in res.cells if c.flag == "doubled_digits"]
    assert [(c.raw, c.value) for c in doubled] == [("00", 0), ("00", 0)]


def test_seed_001_ambiguous_row_is_not_guessed() -> None:
    res = extract_tables_text(SEEDS[1].read_text(encoding="utf-8"))
    rows = {a.row_label for a in res.ambiguous}
    assert rows == {"三、本年度办理结果/(三)不予公开/1.属于国家秘密"}
    assert not any(c.row_label in rows for c in res.cells)

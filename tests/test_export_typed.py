"""Excel-ready, typed exports: BOM, integers as integers, XLSX of the panel, Parquet; opened and read back."""

from __future__ import annotations

import csv
import re
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from python_calamine import CalamineWorkbook

from pipelines import typed_export
from pipelines.export import canonical_keys, export
from tests.test_cli_sample_archive import build_archive

COUNT = "收到和处理政府信息公开申请情况|一、本年新收政府信息公开申请数量|总计"
MONEY = "主动公开政府信息情况|第二十条第(八)项/行政事业性收费|本年收费金额(单位:万元)"
INTEGER = re.compile(r"^-?\d+$")


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("typed")
    return export(build_archive(tmp / "archive.db"), tmp / "out", version="t")


def rows(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("name", ["reports.csv", "cells.csv", "checks.csv", "panel.csv"])
def test_csvs_start_with_a_bom_and_decode(snapshot, name):
    raw = (snapshot / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    assert not text.startswith("\ufeff")


def test_no_bom_on_request(tmp_path):
    out = export(build_archive(tmp_path / "a.db"), tmp_path / "o", version="n", bom=False, formats=["csv"])
    assert not (out / "cells.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (out / "panel.xlsx").exists() and not (out / "panel.parquet").exists()


def test_integers_are_written_as_integers(snapshot):
    panel = rows(snapshot / "panel.csv")
    counts = [k for k in canonical_keys() if "金额" not in k]
    values = [r[k] for r in panel for k in counts if r[k] != ""]
    assert len(values) > 500 and all(INTEGER.match(v) for v in values), [v for v in values if not INTEGER.match(v)][:5]
    assert {r[MONEY] for r in panel} >= {"1798.66"}
    cells = rows(snapshot / "cells.csv")
    assert not [c["value"] for c in cells if c["value"].endswith(".0")]
    checks = rows(snapshot / "checks.csv")
    assert all(INTEGER.match(c["expected"]) for c in checks if c["expected"])
    for r in rows(snapshot / "reports.csv"):
        assert INTEGER.match(r["year"]) and INTEGER.match(r["checks_failed"])


def test_xlsx_panel_has_numbers_and_the_csv_values(snapshot):
    book = CalamineWorkbook.from_path(str(snapshot / "panel.xlsx"))
    assert book.sheet_names == ["panel", "columns"]
    sheet = book.get_sheet_by_name("panel").to_python()
    header, data = sheet[0], sheet[1:]
    csv_rows = rows(snapshot / "panel.csv")
    assert header == list(csv_rows[0]) and len(data) == len(csv_rows)
    col = header.index(COUNT)
    shuangliao = next(r for r in data if r[header.index("agency")] == "双辽市政府办公室")
    assert isinstance(shuangliao[col], int | float) and shuangliao[col] == 27
    assert shuangliao[header.index(MONEY)] == pytest.approx(1798.66)
    assert shuangliao[header.index("year")] == 2021
    for r_xlsx, r_csv in zip(data, csv_rows, strict=True):  # every value equals the CSV's
        for name, v in zip(header, r_xlsx, strict=True):
            expected = r_csv[name]
            got = "" if v == "" else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
            assert got == expected, (name, v, expected)
    keys = book.get_sheet_by_name("columns").to_python()
    assert keys[0] == ["column", "table_name", "row_label", "col_label", "type"]
    row = next(k for k in keys if k[0] == COUNT)
    assert row[1:] == ["收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量", "总计", "int"]


def test_parquet_types_and_values(snapshot):
    panel = pq.read_table(snapshot / "panel.parquet")
    assert str(panel.schema.field(COUNT).type) == "int64"
    assert str(panel.schema.field(MONEY).type) == "double"
    assert str(panel.schema.field("year").type) == "int64" and str(panel.schema.field("agency").type) == "string"
    data = panel.to_pylist()
    shuangliao = next(r for r in data if r["agency"] == "双辽市政府办公室")
    assert shuangliao[COUNT] == 27 and shuangliao["year"] == 2021 and shuangliao[MONEY] == pytest.approx(1798.66)
    assert len(data) == len(rows(snapshot / "panel.csv"))
    cells = pq.read_table(snapshot / "cells.parquet")
    assert cells.num_rows == len(rows(snapshot / "cells.csv"))
    assert str(cells.schema.field("report_id").type) == "int64"
    checks = pq.read_table(snapshot / "checks.parquet")
    assert str(checks.schema.field("expected").type) == "int64" and str(checks.schema.field("ok").type) == "int64"


def test_xlsx_row_limit_is_a_recorded_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(typed_export, "XLSX_MAX_ROWS", 4)
    w = typed_export.TableWriter(tmp_path, "panel", ["agency", "year"], {"agency": "str", "year": "int"},
                                 {"csv", "xlsx"})
    with w:
        w.write_all({"agency": f"a{i}", "year": 2020 + i} for i in range(10))
    assert w.xlsx_truncated == 7
    sheet = CalamineWorkbook.from_path(str(tmp_path / "panel.xlsx")).get_sheet_by_name("panel").to_python()
    assert len(sheet) == 4 and len(rows(tmp_path / "panel.csv")) == 10


def test_non_integer_count_is_an_error_not_a_rounding(tmp_path):
    w = typed_export.TableWriter(tmp_path, "t", ["n"], {"n": "int"}, {"csv"})
    with pytest.raises(ValueError, match=r"non-integer value 2\.5"), w:
        w.write({"n": 2.5})


def test_export_command_options(tmp_path):
    db = build_archive(tmp_path / "a.db")
    cmd = [sys.executable, "-m", "crawler.cli", "export", str(db), "--out", str(tmp_path / "o")]
    done = subprocess.run([*cmd, "--version", "v", "--no-bom", "--format", "csv"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "o" / "nianbao-v" / "panel.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    bad = subprocess.run([*cmd, "--format", "ods"], capture_output=True, text=True)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_coverage_csv_with_a_bom(tmp_path):
    db = build_archive(tmp_path / "a.db")
    cmd = [sys.executable, "-m", "crawler.cli", "coverage", str(db), "--format", "csv"]
    with_bom = subprocess.run([*cmd, "--bom"], capture_output=True, check=True).stdout
    plain = subprocess.run(cmd, capture_output=True, check=True).stdout
    assert with_bom.startswith(b"\xef\xbb\xbfagency,") and plain.startswith(b"agency,")
    assert with_bom[3:] == plain

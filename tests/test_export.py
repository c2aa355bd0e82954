"""Snapshots: files, checksums, the wide panel, and one data dictionary for export, datasette and README."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import subprocess
import sys

import pytest
import yaml

from pipelines import schema_docs, store
from pipelines.export import ExportError, canonical_keys, export
from tests.test_cli_sample_archive import build_archive


@pytest.fixture
def snapshot(tmp_path):
    return export(build_archive(tmp_path / "archive.db"), tmp_path / "out", version="t1")


def read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_snapshot_files_and_checksums(snapshot):
    assert snapshot.name == "nianbao-t1"
    names = {p.name for p in snapshot.iterdir()}
    assert names == {"archive.sqlite", "reports.csv", "cells.csv", "checks.csv", "panel.csv", "data_dictionary.md",
                     "manifest.json", "SHA256SUMS", "panel.xlsx", "reports.parquet", "cells.parquet",
                     "checks.parquet", "panel.parquet"}
    sums = dict(reversed(line.split("  ")) for line in (snapshot / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == names - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((snapshot / name).read_bytes()).hexdigest() == digest, name
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=snapshot, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    manifest = json.loads((snapshot / "manifest.json").read_text())
    assert manifest["version"] == "t1" and manifest["schema_version"] == store.SCHEMA_VERSION
    assert manifest["rows"] == {"reports.csv": 6, "cells.csv": 1183, "checks.csv": 241, "panel.csv": 6}


def test_sqlite_snapshot_is_a_complete_archive(snapshot):
    conn = sqlite3.connect(snapshot / "archive.sqlite")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("select count(*) from report_index where province is not null").fetchone()[0] == 6
    assert conn.execute("select count(*) from reports_fts where reports_fts match '\"依申请\"'").fetchone()[0] > 0


def test_panel_has_one_column_per_canonical_key(snapshot):
    rows = read_csv(snapshot / "panel.csv")
    header = list(rows[0])
    keys = canonical_keys()
    assert header[header.index("url") + 1:] == keys  # no cell outside the official format in the seeds
    assert len(keys) == len(set(keys)) and "收到和处理政府信息公开申请情况|一、本年新收政府信息公开申请数量|总计" in keys
    assert "主动公开政府信息情况|第二十条第(五)项/行政许可|本年增/减" in keys  # 2019-only, literal '/'
    shuangliao = next(r for r in rows if r["agency"] == "双辽市政府办公室")
    assert shuangliao["year"] == "2021" and shuangliao["province"] == "吉林省"
    assert shuangliao["收到和处理政府信息公开申请情况|一、本年新收政府信息公开申请数量|总计"] == "27"
    assert float(shuangliao["主动公开政府信息情况|第二十条第(八)项/行政事业性收费|本年收费金额(单位:万元)"]) == 1798.66
    assert shuangliao["主动公开政府信息情况|第二十条第(五)项/行政许可|本年增/减"] == ""  # 2019 key, 2021 report
    assert [(r["agency"], r["year"]) for r in rows].count(("常熟市城市管理局", "2018")) == 1


def test_cells_csv_matches_the_archive(snapshot):
    cells = read_csv(snapshot / "cells.csv")
    r1 = [c for c in read_csv(snapshot / "checks.csv") if c["rule"] == "R1" and c["ok"] == "0"]
    assert {c["agency"] for c in r1} == {"双辽市政府办公室"}
    assert {c["table_name"] for c in cells} == {"主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                                                "政府信息公开行政复议、行政诉讼情况"}


def test_export_never_overwrites_and_needs_an_archive(tmp_path):
    db = build_archive(tmp_path / "archive.db")
    export(db, tmp_path / "out", version="same")
    with pytest.raises(ExportError, match="already exists"):
        export(db, tmp_path / "out", version="same")
    with pytest.raises(ExportError, match="does not exist"):
        export(tmp_path / "missing.db", tmp_path / "out")
    cli = subprocess.run([sys.executable, "-m", "crawler.cli", "export", str(db), "--out", str(tmp_path / "o2")],
                         capture_output=True, text=True, check=True)
    assert (tmp_path / "o2").joinpath(cli.stdout.strip().rsplit("/", 1)[-1], "SHA256SUMS").is_file()


# -- one source of truth for the dictionary -------------------------------------------------

def test_every_table_and_column_is_described():
    assert schema_docs.undocumented() == [], "describe them in pipelines/schema_docs.py"
    archive_tables = set(store.TABLES)
    assert archive_tables <= set(schema_docs.documented_tables())


def test_dictionary_export_datasette_and_readme_agree(snapshot):
    exported = (snapshot / "data_dictionary.md").read_text(encoding="utf-8")
    assert exported == schema_docs.render_markdown()
    committed = yaml.safe_load(schema_docs.METADATA_YML.read_text(encoding="utf-8"))
    assert committed == schema_docs.metadata_for("archive"), "run: python -m pipelines.schema_docs --write"
    tables = committed["databases"]["archive"]["tables"]
    for name, spec in schema_docs.documented_tables().items():
        assert tables[name]["columns"] == spec["columns"]
        assert f"`{name}`" in exported
    page = schema_docs.SCHEMA_MD.read_text(encoding="utf-8")  # docs/schema.md (tests/test_docs.py checks it whole)
    for name, spec in schema_docs.documented_tables().items():
        for column, text in spec["columns"].items():
            assert f"| `{column}` | {text.replace('|', chr(92) + '|')} |" in page, f"{name}.{column}"

"""Coverage and timeliness: missing years, late reports (条例第四十九条), failing checks; the command."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipelines import store
from pipelines.coverage import coverage, format_text, summary
from tests.test_cli_sample_archive import build_archive


@pytest.fixture
def archive(tmp_path):
    return build_archive(tmp_path / "archive.db")


def by_agency(entries):
    return {e.agency: e for e in entries}


def test_missing_years_late_and_failing(archive):
    db = store.open_archive(archive)
    entries = by_agency(coverage(db))
    changshu = entries["常熟市城市管理局"]
    assert changshu.years == [2018, 2020] and changshu.missing == [2019, 2021]
    assert (changshu.province, changshu.city, changshu.county, changshu.kind) == ("江苏省", "苏州市", "常熟市", "部门")
    shuangliao = entries["双辽市政府办公室"]
    assert shuangliao.missing == []
    assert [(x["year"], x["deadline"], x["days_late"]) for x in shuangliao.late] == [(2021, "2022-03-31", 15)]
    assert [x["rules"] for x in shuangliao.failing] == ["R1"]
    guichi = entries["池州市贵池区自然资源和规划局"]
    assert [(x["deadline"], x["days_late"]) for x in guichi.late] == [("2021-01-31", 20)]
    assert entries["伊川县城市管理局"].undated == [2020] and entries["伊川县城市管理局"].late == []
    assert entries["曲靖市麒麟区珠街街道"].late == []  # 街道 (政府): 2021-02-16 is before 3月31日
    assert summary(list(entries.values()))["late_reports"] == 2


def test_since_until_and_region(archive):
    db = store.open_archive(archive)
    changshu = by_agency(coverage(db, since=2017, until=2020))["常熟市城市管理局"]
    assert changshu.missing == [2019]  # `since` never goes before the agency's first report
    only = coverage(db, region="3205")
    assert [e.agency for e in only] == ["常熟市城市管理局"]


def test_text_table_lists_every_agency(archive):
    text = format_text(coverage(store.open_archive(archive)))
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["province", "city", "county"]
    assert any("常熟市城市管理局" in x and "2019 2021" in x for x in lines)
    assert "late reports 2" in lines[-1]
    region_lines = lines[lines.index("per region:") + 1:-2]
    assert region_lines[0].split() == ["province", "city", "county", "agencies", "reports", "years", "missing", "late",
                                       "failing"]
    assert len(region_lines) == 6


def test_coverage_command_json_and_csv(archive):
    cmd = [sys.executable, "-m", "crawler.cli", "coverage", str(archive)]
    out = subprocess.run([*cmd, "--format", "json"], capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    assert data["summary"]["missing_report_years"] == 5 and len(data["agencies"]) == 5
    changshu = next(r for r in data["regions"] if r["county"] == "常熟市")
    assert (changshu["agencies"], changshu["reports"], changshu["years"], changshu["missing"]) == (1, 2, "2018–2020", 2)
    csv_out = subprocess.run([*cmd, "--format", "csv"], capture_output=True, text=True, check=True).stdout
    assert csv_out.splitlines()[0].startswith("agency,code,province") and len(csv_out.splitlines()) == 6


def test_closing_summary_table_per_portal(tmp_path):
    from pipelines.coverage import run_table

    db = store.open_archive(tmp_path / "a.db")
    run = store.start_run(db, "portals", "{}")
    store.upsert_portals(db, [{"name": n, "start_url": f"http://{n}.gov.cn/", "render": 0, "region_code": "",
                               "last_run_id": run} for n in ("甲县人民政府", "乙县人民政府")])
    store.log_fetches(db, [
        {"run_id": run, "url": "http://a/1", "portal": "甲县人民政府", "status": 200, "kind": "column"},
        {"run_id": run, "url": "http://a/robots.txt", "portal": "甲县人民政府", "status": 200, "kind": "robots"},
        {"run_id": run, "url": "http://b/1", "portal": "乙县人民政府", "status": 500, "error": "HTTP 500"},
        {"run_id": run, "url": "http://a/s", "portal": "甲县人民政府", "error": "Forbidden by robots.txt"},
    ])
    lines = run_table(db, run).splitlines()
    assert lines[0].split() == ["portal", "pages", "reports", "errors", "robots.txt", "refused"]
    assert lines[1].split() == ["乙县人民政府", "0", "0", "1", "0"]  # problems first
    assert lines[2].split() == ["甲县人民政府", "1", "0", "0", "1"]
    assert lines[3].split() == ["total", "1", "0", "1", "1"]

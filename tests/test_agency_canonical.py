"""`report_regions.agency_canonical`: one body's name from its own division down, whichever way a year's
title spelled it (hongze_2024 prints 淮安市洪泽区人民政府, hongze_2023 洪泽区人民政府: one agency). A class
rule over the division table: every county and prefecture of a province × body × prefix, and names the
rule must leave alone."""

from __future__ import annotations

import sqlite3

import pytest

from pipelines import store
from pipelines.regions import _ancestors, canonical_agency, divisions

BODIES = ("人民政府", "审计局", "人民政府办公室", "卫生健康委员会", "岔河镇人民政府")
PROVINCES = ("320000", "410000", "350000")  # 江苏, 河南, 福建: every county and prefecture of each


def _units() -> list:
    return [d for d in divisions().values() if d.level in ("county", "prefecture") and d.code[:2] + "0000" in PROVINCES]


@pytest.mark.parametrize("body", BODIES)
def test_names_above_the_division_are_dropped_in_every_form(body: str) -> None:
    checked = 0
    for d in _units():
        above = [a.name for a in reversed(_ancestors(d))]  # province first
        want = d.name + body
        forms = [want] + ["".join(above[i:]) + want for i in range(len(above))]
        for printed in forms:
            assert canonical_agency(printed) == want, printed
            assert canonical_agency(printed, d.code) == want, printed
            checked += 1
    assert checked > 400


def test_names_it_must_leave_alone() -> None:
    for name in ("淮安市人民政府", "江苏省人民政府", "审计局", "北京市人民政府", "平潭综合实验区管理委员会",
                 "洪泽区审计局", "国务院办公厅"):
        assert canonical_agency(name) == name
    assert canonical_agency("北京市海淀区人民政府") == "海淀区人民政府"  # a 直辖市 district
    assert canonical_agency(" 淮安市洪泽区\n人民政府") == "洪泽区人民政府"  # whitespace, PDF line breaks
    assert canonical_agency(None) is None and canonical_agency("") is None


def test_stored_with_each_report_and_filled_in_an_old_archive(tmp_path) -> None:
    path = tmp_path / "a.db"
    db = store.open_archive(path)
    for i, agency in enumerate(("洪泽区人民政府", "淮安市洪泽区人民政府"), 1):
        db.table("reports").insert({"id": i, "url": f"http://x/{i}", "agency": agency, "year": 2022 + i})
    db.table("report_regions").insert_all([{"report_id": i} for i in (1, 2)])  # rows of an older archive
    db.conn.close()
    db = store.open_archive(path)
    got = {r["report_id"]: r["agency_canonical"] for r in db.query("select * from report_regions")}
    assert got == {1: "洪泽区人民政府", 2: "洪泽区人民政府"}
    printed = [r["agency"] for r in db.query("select agency from reports order by id")]
    assert printed == ["洪泽区人民政府", "淮安市洪泽区人民政府"]  # reports.agency keeps what was printed
    db.conn.close()
    assert sqlite3.connect(path).execute("select count(*) from report_regions").fetchone()[0] == 2

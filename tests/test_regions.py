"""Regions: classify_agency on real agency names, deadlines, and the tables/view in the archive."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines import store
from pipelines.regions import (
    Region,
    classify_agency,
    days_late,
    deadline,
    divisions,
    normalize_code,
    refresh_regions,
)
from tests.test_cli_sample_archive import build_archive


@pytest.fixture
def sample_archive(tmp_path):
    return build_archive(tmp_path / "archive.db")


@pytest.mark.parametrize(("agency", "code", "expected"), [
    # a county department found on its city's portal: the agency names the county
    ("常熟市城市管理局", "320500", Region("320581", "江苏省", "苏州市", "常熟市", "县", "部门")),
    # a government's report published by its office (seed 002)
    ("双辽市政府办公室", "220382", Region("220382", "吉林省", "四平市", "双辽市", "县", "政府")),
    ("淮安市人民政府", "320800", Region("320800", "江苏省", "淮安市", None, "市", "政府")),
    ("江苏省财政厅", "320000", Region("320000", "江苏省", None, None, "省", "部门")),
    # 直辖市 districts: the municipality is the city
    ("北京市海淀区人民政府", "", Region("110108", "北京市", "北京市", "海淀区", "县", "政府")),
    # townships: level 乡 under the county, with the township's name
    ("曲靖市麒麟区珠街街道", "530302", Region("530302", "云南省", "曲靖市", "麒麟区", "乡", "政府", "珠街街道")),
    ("苏州市吴中区东山镇人民政府", None, Region("320506", "江苏省", "苏州市", "吴中区", "乡", "政府", "东山镇")),
    # 乡村振兴局 / 城乡建设 are departments, not townships
    ("常熟市乡村振兴局", "320581", Region("320581", "江苏省", "苏州市", "常熟市", "县", "部门")),
    ("常熟市住房和城乡建设局", "320581", Region("320581", "江苏省", "苏州市", "常熟市", "县", "部门")),
    # a report of another region on this portal: the agency's own division wins, an ancestor does not
    ("池州市贵池区自然资源和规划局", "220382", Region("341702", "安徽省", "池州市", "贵池区", "县", "部门")),
    ("伊川县城市管理局", "530302", Region("410329", "河南省", "洛阳市", "伊川县", "县", "部门")),
    ("苏州市常熟生态环境局", "320581", Region("320581", "江苏省", "苏州市", "常熟市", "县", "部门")),
    # 省直辖县级市: no prefecture
    ("仙桃市人民政府", "429004", Region("429004", "湖北省", None, "仙桃市", "县", "政府")),
])
def test_classify_agency(agency, code, expected):
    assert classify_agency(agency, code) == expected


def test_ambiguous_district_name_needs_its_city_or_a_region_code():
    assert classify_agency("城关区人民政府", None).code is None  # 兰州, 拉萨, 天水 … all have one
    assert classify_agency("兰州市城关区人民政府", None).code == "620102"
    assert classify_agency("城关区人民政府", "620100").code == "620102"


def test_region_code_alone_when_the_agency_names_no_division():
    r = classify_agency("县财政局", "410329")
    assert (r.code, r.county, r.level, r.kind) == ("410329", "伊川县", "县", "部门")
    assert classify_agency(None, "410329").kind is None


def test_normalize_code():
    assert normalize_code("3205") == "320500"
    assert normalize_code("320581103000") == "320581"  # 12-digit statistical code of a township
    assert normalize_code("x") is None
    assert len(divisions()) == 3213


def test_deadlines_follow_article_49():
    assert deadline(2021, "部门") == date(2022, 1, 31)
    assert deadline(2021, "政府") == date(2022, 3, 31)
    assert deadline(2021, None) is None
    assert days_late("2022-02-03T10:00", deadline(2021, "部门")) == 3
    assert days_late("2022-03-31", deadline(2021, "政府")) == 0
    assert days_late("not a date", deadline(2021, "政府")) is None


def test_archive_gets_divisions_regions_and_the_index_view(sample_archive):
    db = store.open_archive(sample_archive)
    assert db.execute("select count(*) from divisions").fetchone()[0] == 3213
    assert refresh_regions(db) == 6
    rows = {r["agency"]: r for r in db.query("select * from report_index")}
    assert rows["常熟市城市管理局"]["county"] == "常熟市"
    assert rows["双辽市政府办公室"]["late"] == 1 and rows["双辽市政府办公室"]["days_late"] == 15
    assert rows["池州市贵池区自然资源和规划局"]["deadline"] == "2021-01-31"
    assert rows["伊川县城市管理局"]["late"] is None
    assert rows["曲靖市麒麟区珠街街道"]["level"] == "乡"
    # refreshing follows a changed agency
    db.execute("update reports set agency = '张家港市城市管理局' where agency = '常熟市城市管理局'")
    refresh_regions(db)
    assert {r[0] for r in db.execute("select county from report_index where agency like '张家港%'")} == {"张家港市"}

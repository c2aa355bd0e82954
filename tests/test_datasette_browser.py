"""`nianbao serve` in a real headless Chromium: index, a facet, a full-text search, the report view,
and canned queries. Screenshots go to the test's tmp_path (printed on failure)."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from tests.serving import CHROMIUM, NO_CHROMIUM, serving
from tests.test_cli_sample_archive import build_archive

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    db = build_archive(tmp / "archive.db")
    with serving(db, log=tmp / "serve.log") as base:
        yield base, db


def test_serves_immutable_with_metadata(server):
    base, _ = server
    import json
    dbs = json.load(urllib.request.urlopen(base + "/-/databases.json"))
    assert [(d["name"], d["is_mutable"]) for d in dbs] == [("archive", False)]


def test_index_facet_search_and_report_view(server, page, tmp_path):
    base, _ = server
    # index
    page.goto(base + "/")
    assert "政府信息公开工作年度报告 archive" in page.title()
    page.screenshot(path=str(tmp_path / "1-index.png"), full_page=True)
    page.get_by_role("link", name="archive", exact=True).first.click()
    page.get_by_role("link", name="report_index").first.click()
    assert page.locator("table.rows-and-columns tbody tr").count() == 6

    # a facet: province = 江苏省
    page.locator("#facet-province a", has_text="江苏省").first.click()
    page.wait_for_load_state()
    assert "province=" in page.url
    agencies = page.locator("table.rows-and-columns td.col-agency").all_inner_texts()
    assert agencies == ["常熟市城市管理局", "常熟市城市管理局"]
    page.screenshot(path=str(tmp_path / "2-facet.png"), full_page=True)

    # full-text search (trigram) from the table's search box
    page.goto(base + "/archive/report_index")
    page.fill("input[name=_search]", "依申请公开方面")
    page.press("input[name=_search]", "Enter")
    page.wait_for_load_state()
    assert page.locator("table.rows-and-columns td.col-agency").all_inner_texts() == ["曲靖市麒麟区珠街街道"]
    page.screenshot(path=str(tmp_path / "3-search.png"), full_page=True)

    # the report view, opened from the row's link
    page.fill("input[name=_search]", "双辽市政府")
    page.press("input[name=_search]", "Enter")
    page.wait_for_load_state()
    page.locator("a.report-link").first.click()
    page.wait_for_load_state()
    assert re.search(r"/-/report/\d+", page.url)
    assert page.locator("h1.report-title").inner_text() == "双辽市政府办公室2021年政府信息公开工作年度报告"
    assert page.locator("table.report-table[data-table]").count() == 3
    table2 = page.locator("table.report-table[data-table='收到和处理政府信息公开申请情况']")
    new_requests = table2.locator("tr", has=page.locator("th", has_text=re.compile("^一、本年新收政府信息公开申请数量$")))
    assert new_requests.locator("td").all_inner_texts() == ["27", "0", "0", "0", "0", "0", "27"]
    header = table2.locator("thead").inner_text()
    assert "法人或其他组织" in header and "商业企业" in header
    table3 = page.locator("table.report-table[data-table='政府信息公开行政复议、行政诉讼情况']")
    assert "未经复议直接起诉" in table3.locator("thead").inner_text()
    assert table3.locator("tbody td").count() == 15
    text = page.locator("body").inner_text()
    assert "15 days late" in text and "2 failing" in text and "✗ fails" in text
    assert "吉林省 / 四平市 / 双辽市" in text
    page.screenshot(path=str(tmp_path / "4-report.png"), full_page=True)
    print("screenshots:", tmp_path)


def test_canned_queries(server, page, tmp_path):
    base, _ = server
    page.goto(base + "/archive/coverage")
    row = page.locator("table.rows-and-columns tbody tr", has_text="常熟市城市管理局")
    assert row.locator("td.col-missing_years").inner_text() == "2019, 2021"
    page.goto(base + "/archive/search?q=复议")  # two characters: the LIKE fallback
    assert page.locator("table.rows-and-columns tbody tr").count() >= 1
    page.goto(base + "/archive/failing_r1")
    assert set(page.locator("td.col-agency").all_inner_texts()) == {"双辽市政府办公室"}
    page.goto(base + "/archive/requests_by_year")
    years = page.locator("td.col-year").all_inner_texts()
    assert years == ["2018", "2020", "2021"]
    page.screenshot(path=str(tmp_path / "canned.png"), full_page=True)

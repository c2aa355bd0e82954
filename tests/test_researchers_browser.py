"""The researchers' view in a real headless Chromium, on a real crawl of the bundled demo portals:
datasette's search box finds 诉讼 and 复议 (word index), report_index opens narrow with the column
descriptions after the rows, /-/figures and the one-file `nianbao report` dashboard draw their charts
from the archive (offline: nothing is requested from anywhere), the report view marks the cells of
failing checks. Screenshots go to $NIANBAO_SCREENSHOTS, else the test's tmp dir (printed)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serving import CHROMIUM, NO_CHROMIUM, serving

ROOT = Path(__file__).resolve().parents[1]
BRIEF = ["id", "agency", "year", "level", "late", "days_late", "checks_failed"]

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM)]


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("NIANBAO_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print("screenshots:", folder)
    return folder


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo archive, made the way bin/demo makes it: a real crawl of the bundled portals."""
    db = tmp_path_factory.mktemp("demo") / "archive.db"
    scrapy = Path(sys.executable).with_name("scrapy")
    proc = subprocess.run([str(scrapy), "crawl", "portals", "-a", "portals=demo", "-s", f"ARCHIVE_DB={db}",
                           "-s", "LOG_LEVEL=WARNING"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return db


def containing(db: Path, text: str) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {a for (a,) in conn.execute(
            "select agency from reports where instr(title || agency || body_text, ?) > 0", [text])}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(demo, tmp_path_factory):
    with serving(demo, log=tmp_path_factory.mktemp("serve") / "serve.log") as base:
        yield base


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 1300, "height": 900}


def agencies_shown(page) -> list[str]:
    return page.locator("table.rows-and-columns td.col-agency").all_inner_texts()


@pytest.mark.parametrize("word", ["诉讼", "复议"])
def test_search_box_finds_two_character_words(server, demo, page, shots, word):
    expected = containing(demo, word)
    assert expected  # the demo reports do talk about reviews and lawsuits
    page.goto(server + "/archive/report_index")
    page.fill("input[name=_search]", word)
    page.press("input[name=_search]", "Enter")
    page.wait_for_load_state()
    assert "_search=" in page.url
    assert sorted(agencies_shown(page)) == sorted(expected)
    page.screenshot(path=str(shots / f"search-{word}.png"), full_page=True)


def test_search_box_takes_an_unsegmented_phrase(server, demo, page):
    page.goto(server + "/archive/report_index?_search=依申请公开")
    assert sorted(agencies_shown(page)) == sorted(containing(demo, "依申请公开"))
    page.goto(server + "/archive/report_index?_search=没有这个词语")
    assert agencies_shown(page) == []


def test_report_index_opens_narrow_with_descriptions_after_the_rows(server, page, shots):
    page.goto(server + "/archive/report_index")
    assert "_col=agency" in page.url
    headers = [h.get_attribute("data-column") for h in page.locator("table.rows-and-columns thead th").all()]
    assert headers == BRIEF
    assert page.locator("table.rows-and-columns tbody tr").count() == 5
    assert page.locator("a.report-link").count() == 5  # each id links to its report view
    folded = page.locator("details.column-descriptions-folded")
    assert folded.count() == 1 and not folded.get_attribute("open")
    table_y = page.locator("table.rows-and-columns").bounding_box()["y"]
    assert folded.bounding_box()["y"] > table_y  # after the data
    page.screenshot(path=str(shots / "report_index-brief.png"), full_page=True)
    page.get_by_role("link", name="Show all columns").click()
    page.wait_for_load_state()
    headers = [h.get_attribute("data-column") for h in page.locator("table.rows-and-columns thead th").all()]
    assert len(headers) == 23 and {"title", "province", "url"} <= set(headers)
    page.screenshot(path=str(shots / "report_index-full.png"), full_page=True)


def test_figures_page_draws_charts_from_the_archive(server, page, shots):
    page.goto(server + "/-/figures")
    cells = page.locator("svg.figure-coverage rect.cell")
    assert cells.count() >= 5
    shares = [float(c.get_attribute("data-share")) for c in cells.all()]
    assert max(shares) == 1.0 and min(shares) == 0.0
    assert set(page.locator("svg.figure-coverage text.region").all_text_contents()) == {
        "云南省", "吉林省", "安徽省", "江苏省", "河南省"}
    assert page.locator("svg.figure-timeliness rect.bar").count() >= 2
    points = page.locator("svg.figure-trends circle.point")
    assert points.count() >= 4
    requests = {p.get_attribute("data-year"): float(p.get_attribute("data-value")) for p in points.all()
                if p.get_attribute("data-series").startswith("requests")}
    assert requests and all(v >= 0 for v in requests.values()) and sum(requests.values()) > 0
    page.screenshot(path=str(shots / "figures.png"), full_page=True)
    page.goto(server + "/-/figures?level=county")
    assert page.locator("svg.figure-coverage text.region").count() == 5


def test_report_view_marks_failing_cells(server, demo, page, shots):
    conn = sqlite3.connect(demo)
    rid, failing = conn.execute("select id, checks_failed from reports where checks_failed > 0").fetchone()
    conn.close()
    page.goto(f"{server}/-/report/{rid}")
    marked = page.locator("td.failed")
    assert marked.count() > 0
    assert all(m.get_attribute("data-fails") for m in marked.all())
    assert f"{failing} failing" in page.locator("body").inner_text()
    page.screenshot(path=str(shots / "report-failing.png"), full_page=True)


def test_static_dashboard_is_one_offline_file(demo, browser, viewport, shots, tmp_path):
    out = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "crawler.cli", "report", str(demo), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and " src=" not in html
    context = browser.new_context(viewport=viewport, offline=True)
    requested: list[str] = []
    page = context.new_page()
    page.on("request", lambda r: requested.append(r.url))
    page.goto(out.as_uri())
    assert requested == [out.as_uri()]  # nothing else is fetched
    assert page.locator("svg.figure-coverage").count() == 3
    assert page.locator("svg.figure-coverage rect.cell").count() >= 15
    assert page.locator("svg.figure-timeliness rect.bar").count() >= 2
    assert page.locator("svg.figure-trends circle.point").count() >= 4
    section = page.locator("section.report")
    assert section.count() == 1 and section.locator("td.failed").count() > 0
    assert "双辽市政府办公室" in section.inner_text()
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    context.close()

"""The search box (`?_search=`) with the project's plugins (crawler/datasette/plugins, as `nianbao serve` runs
datasette): datasette's own filter over every match becomes the newest BOX_CAP matches, which datasette
sorts, counts, facets and pages; when more reports match the page says so. Datasette's own test client on
a real archive; the reference is the unbounded filter run as SQL on the same archive."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
from datasette.app import Datasette
from datasette.plugins import pm

from crawler.datasette.plugins.researchers_view import escape_fts
from pipelines import store
from pipelines.schema_docs import DATASETTE_DIR, metadata_for
from tests.search_rows import insert_report

PLUGINS = DATASETTE_DIR / "plugins"


@pytest.fixture
def archive(tmp_path) -> Path:
    path = tmp_path / "archive.db"
    db = store.open_archive(path)
    for i in range(7):  # 诉讼 in 7 reports, ids interleaved with others
        insert_report(db, f"本年度发生行政诉讼{i}件。", title=f"甲局{i}年度报告")
        insert_report(db, f"本年度无此类事项{i}。", title=f"乙局{i}年度报告")
    with store.transaction(db):  # years differ from id order: the page is sorted by year, not by id
        db.execute("update reports set year = 2019 + (id * 5) % 7")
    db.close()
    return path


@pytest.fixture
def plugin(archive):
    """A datasette with the project's plugins; `plugin.cap(n)` sets the box's cap; unregistered afterwards
    (datasette registers a plugins dir's modules in its process-wide plugin manager)."""
    before = {name for name, _ in pm.list_name_plugin()}
    ds = Datasette(immutables=[str(archive)], metadata=metadata_for("archive"), plugins_dir=str(PLUGINS),
                   settings={"default_page_size": 50})
    module = pm.get_plugin("researchers_view.py")
    saved = module.BOX_CAP

    class Handle:
        client = ds.client

        @staticmethod
        def cap(n: int) -> None:
            module.BOX_CAP = n

    yield Handle
    module.BOX_CAP = saved
    for name, mod in pm.list_name_plugin():
        if name not in before:
            pm.unregister(mod)


def matching(archive: Path, q: str, column: str | None = None) -> list[int]:
    """Every report matching `q`, newest first: datasette's own filter, unbounded."""
    conn = sqlite3.connect(archive)
    conn.create_function("escape_fts", 1, escape_fts)
    col = column or "reports_words"
    ids = [r[0] for r in conn.execute(f"select id from report_index where id in (select rowid from reports_words "
                                      f"where {col} match escape_fts(?)) order by id desc", [q])]
    conn.close()
    return ids


def get(plugin, url: str, status: int = 200) -> dict:
    if ".json" in url:
        url += "&_shape=objects"

    async def run():
        return await plugin.client.get(url)

    r = asyncio.run(run())
    assert r.status_code == status, r.text
    return r.json() if ".json" in url else {"html": r.text}


@pytest.mark.parametrize("table", ["report_index", "reports"])
@pytest.mark.parametrize("cap", [1, 3, 6])
def test_box_reads_the_newest_cap_matches_and_says_so(archive, plugin, table, cap):
    plugin.cap(cap)
    every = matching(archive, "诉讼")
    assert len(every) == 7
    page = get(plugin, f"/archive/{table}.json?_search=诉讼&_facet=year")
    ids = [row["id"] for row in page["rows"]]
    assert sorted(ids, reverse=True) == every[:cap]  # the newest cap matches, no other report
    years = [row["year"] for row in page["rows"]]
    assert years == sorted(years, reverse=True)  # datasette's own sort over them (sort_desc: year)
    assert page["filtered_table_rows_count"] == cap
    assert sum(v["count"] for v in page["facet_results"]["year"]["results"]) == cap
    assert f"only the newest {cap:,} of more than {cap:,} matching reports" in page["human_description_en"]
    sql, params = page["query"]["sql"], page["query"]["params"]  # the index is read once, by the plugin
    assert "json_each(:search_ids_0)" in sql and "match" not in sql
    assert json.loads(params["search_ids_0"]) == every[:cap]


@pytest.mark.parametrize("table", ["report_index", "reports"])
def test_box_within_the_cap_shows_every_match_without_a_note(archive, plugin, table):
    plugin.cap(7)
    page = get(plugin, f"/archive/{table}.json?_search=诉讼")
    assert sorted((row["id"] for row in page["rows"]), reverse=True) == matching(archive, "诉讼")
    assert page["filtered_table_rows_count"] == 7
    assert "only the newest" not in page["human_description_en"]
    assert page["human_description_en"].startswith('where search matches "诉讼"')


def test_box_note_is_on_the_html_page(plugin):
    plugin.cap(3)
    html = get(plugin, "/archive/report_index?_search=诉讼&_col=agency")["html"]
    assert "3 rows where search matches" in html and "only the newest 3 of more than 3 matching reports" in html
    plugin.cap(50)
    html = get(plugin, "/archive/report_index?_search=诉讼&_col=agency")["html"]
    assert "7 rows where search matches" in html and "only the newest" not in html


def test_box_pages_walk_the_capped_matches(archive, plugin):
    """Offset pages of the view and keyset pages of the table give the same capped set, each report once."""
    plugin.cap(5)
    for table in ("report_index", "reports"):
        seen, url = [], f"/archive/{table}.json?_search=诉讼&_size=2"
        while url:
            page = get(plugin, url)
            seen += [row["id"] for row in page["rows"]]
            url = page["next_url"] and page["next_url"].split("localhost", 1)[-1].replace("&_shape=objects", "")
        assert sorted(seen, reverse=True) == matching(archive, "诉讼")[:5], table


def test_box_column_search_and_phrases_are_bounded(archive, plugin):
    plugin.cap(2)
    page = get(plugin, "/archive/reports.json?_search_title=甲局")
    assert sorted((row["id"] for row in page["rows"]), reverse=True) == matching(archive, "甲局", "title")[:2]
    assert "only the newest 2" in page["human_description_en"]
    page = get(plugin, "/archive/report_index.json?_search=行政诉讼")  # a phrase of two words
    assert sorted((row["id"] for row in page["rows"]), reverse=True) == matching(archive, "行政诉讼")[:2]
    page = get(plugin, "/archive/report_index.json?_search=没有这个词语")
    assert page["rows"] == [] and page["filtered_table_rows_count"] == 0
    assert "only the newest" not in page["human_description_en"]


def test_box_fts_errors_are_datasette_own(plugin):
    """A raw FTS query SQLite refuses: the plugin keeps datasette's filter, whose error datasette reports."""
    page = get(plugin, '/archive/reports.json?_search="诉讼&_searchmode=raw', status=400)
    assert page["error"] == "unterminated string"  # SQLite's message, from datasette's query


@pytest.mark.e2e
def test_nianbao_serve_bounds_the_box_and_says_so(tmp_path):
    """A real `nianbao serve` on 127.0.0.1 (datasette's CLI loading the plugins dir): 501 reports hold 诉讼;
    the report_index page lists the newest 500, counts 500 and says that more match."""
    import urllib.parse
    import urllib.request

    from pipelines.search import index_pending
    from tests.serving import serving

    path = tmp_path / "archive.db"
    db = store.open_archive(path)
    with store.transaction(db):
        db.conn.executemany("insert into reports (title, agency, year, body_text, content_hash) values (?, ?, ?, ?, ?)",
                            [(f"甲局{i}年度报告", "甲局", 2019 + i % 7, f"本年度发生行政诉讼{i}件。", f"h{i}")
                             for i in range(501)])
    index_pending(db)
    db.close()
    with serving(path, log=tmp_path / "serve.log") as base:
        url = base + "/archive/report_index?_search=" + urllib.parse.quote("诉讼")
        html = urllib.request.urlopen(url, timeout=60).read().decode()  # follows the narrow-columns redirect
        assert "500 rows where search matches" in html
        assert "only the newest 500 of more than 500 matching reports" in html
        data = json.loads(urllib.request.urlopen(base + "/archive/report_index.json?_shape=objects&_size=max&_search="
                                                 + urllib.parse.quote("诉讼"), timeout=60).read())
        assert data["filtered_table_rows_count"] == 500
        assert sorted(r["id"] for r in data["rows"]) == list(range(2, 502))  # the newest 500: not report 1

"""cell_year_totals (report_cell_totals) equals the aggregate over every cell after every kind of write:
new reports, revisions (versions), reprocess, a report's year changed, cells written or deleted through
the report_cells view, replaced cells, deleted reports; and an archive without it gets it on open."""

from __future__ import annotations

import random
import sqlite3

import pytest

from crawler.demo.seeds import SEEDS
from pipelines import store
from pipelines.dedup import canonical_url, content_hash, minhash_signature
from pipelines.records import Report
from pipelines.store.reports import reparse_report
from pipelines.store.totals import rebuild_totals

FROM_SCRATCH = """select r.year, c.table_name, c.row_label, c.col_label, count(*), count(c.value), sum(c.value)
                  from report_cells c left join reports r on r.id = c.report_id group by 1, 2, 3, 4"""
SUMMARY = """select year, table_name, row_label, col_label, reports, values_count, value_sum
             from report_cell_totals"""


def totals_match(db) -> int:
    expected = {r[:4]: r[4:] for r in db.execute(FROM_SCRATCH)}
    got = {r[:4]: r[4:] for r in db.execute(SUMMARY)}
    assert set(got) == set(expected)
    for key, (n, k, total) in expected.items():
        assert got[key][:2] == (n, k), key
        assert got[key][2] == (None if total is None else pytest.approx(total, abs=1e-6)), key
    return len(expected)


def report(rng: random.Random, url: str, agency: str, year: int, seed: str, shift: int) -> dict:
    """A seed report under another agency, year and numbers (some cells blank, a few percentages)."""
    cells = []
    for c in SEEDS[seed].expected["cells"]:
        value = c["value"]
        if value is not None and rng.random() < 0.1:
            value = None  # a blank cell
        elif value is not None:
            value = value + shift if rng.random() < 0.9 else round(rng.random() * 100, 2)
        cells.append({**c, "value": value, "raw": None if value is None else str(value)})
    body = f"{agency}{year}年政府信息公开工作年度报告 {shift} " + SEEDS[seed].text
    rec = {"url": url, "canonical_url": canonical_url(url), "url_kind": "page",
           "urls": [(url, canonical_url(url), "page", None)], "title": f"{agency}{year}年政府信息公开工作年度报告",
           "agency": agency, "year": year, "published_at": year and f"{year + 1}-01-20", "body_text": body, "cells": cells,
           "ambiguous": [], "checks": [], "portal": "demo", "template": SEEDS[seed].template}
    rec["content_hash"] = content_hash(body, cells)
    rec["minhash"] = minhash_signature(body, cells)
    return rec


def test_totals_follow_saves_revisions_reprocess_and_direct_writes(db):
    rng = random.Random(3)
    seeds = sorted(SEEDS)
    ids = []
    for i in range(12):  # new reports, years 2019–2024 and one without a year
        year = None if i == 11 else 2019 + i % 6
        rec = report(rng, f"http://a.example/r{i}.html", f"某县{i}局", year, seeds[i % 5], i)
        outcome, rid = store.save_report(db, rec, None)
        assert outcome == "new"
        ids.append(rid)
    assert totals_match(db) > 200
    # a revision: changed numbers at the same URL → the report keeps its id, its old cells go to report_versions
    rec = report(rng, "http://a.example/r3.html", "某县3局", 2022, seeds[3], 40)
    outcome, rid = store.save_report(db, rec, None)
    assert (outcome, rid) == ("updated", ids[3])
    assert db.execute("select count(*) from report_versions").fetchone()[0] == 1
    totals_match(db)
    # the same content again: unchanged, nothing moves
    assert store.save_report(db, rec, None)[0] == "unchanged"
    totals_match(db)
    # reprocess: the current parsers read another year and other cells for report 5
    new = report(rng, "http://a.example/r5.html", "某县5局", 2025, seeds[0], 7)
    new["minhash"] = minhash_signature(new["body_text"], new["cells"])
    changes = reparse_report(db, ids[5], Report.from_dict(new))
    assert changes["changed"] and changes["fields"]["year"] == (2024, 2025)
    totals_match(db)
    # the year alone changes (a metadata fix by SQL), the unknown year becomes known
    db.execute("update reports set year = 2020 where id = ?", [ids[0]])
    db.execute("update reports set year = 2023 where id = ?", [ids[11]])
    totals_match(db)
    # writes through the report_cells view: a new key, a replaced cell, a deleted cell
    db.execute("insert into report_cells (report_id, table_name, row_label, col_label, value, raw) "
               "values (?, '自定义表', '行', '列', 5, '5')", [ids[1]])
    db.execute("insert into report_cells (report_id, table_name, row_label, col_label, value, raw) "
               "values (?, '自定义表', '行', '列', 9, '9')", [ids[1]])  # replaces the 5
    cell = next(db.query("select * from report_cells where report_id = ? and value is not null limit 1", [ids[2]]))
    db.execute("delete from report_cells where report_id = ? and table_name = ? and row_label = ? and col_label = ?",
               [ids[2], cell["table_name"], cell["row_label"], cell["col_label"]])
    db.execute("update cell_values set value = value + 1 where report_id = ?", [ids[4]])
    totals_match(db)
    # a report deleted before its cells: they count as year unknown until they go too
    db.execute("delete from reports where id = ?", [ids[6]])
    totals_match(db)
    db.execute("delete from cell_values where report_id = ?", [ids[6]])
    totals_match(db)
    # another tool's connection (no PRAGMA recursive_triggers, which sqlite-utils sets): a replace is still one cell
    other = sqlite3.connect(db.conn.execute("pragma database_list").fetchone()[2], isolation_level=None)
    assert other.execute("pragma recursive_triggers").fetchone()[0] == 0
    for value in (11, 12):
        other.execute("insert into report_cells (report_id, table_name, row_label, col_label, value, raw) "
                      "values (?, '自定义表', '行', '列', ?, null)", [ids[7], value])
    other.execute("insert or replace into cell_values (report_id, key_id, value) "
                  "select report_id, key_id, 13 from cell_values where report_id = ? limit 1", [ids[8]])
    other.close()
    totals_match(db)
    snapshot = list(db.execute("select * from cell_year_totals order by 1, 2"))
    rebuild_totals(db)
    assert [r for r in snapshot if r[2]] == list(db.execute("select * from cell_year_totals order by 1, 2"))


def test_an_archive_without_totals_gets_them_on_open(tmp_path):
    path = tmp_path / "old.db"
    db = store.open_archive(path)
    rng = random.Random(5)
    for i in range(4):
        store.save_report(db, report(rng, f"http://b.example/{i}.html", f"某市{i}局", 2020 + i, "00" + str(i), i),
                          None)
    db.close()
    conn = sqlite3.connect(path)  # as an archive from before the totals: no table, view or triggers
    for kind, name in conn.execute("select type, name from sqlite_master where name like '%totals%'").fetchall():
        conn.execute(f"drop {kind} {name}")
    conn.commit()
    conn.close()
    db = store.open_archive(path)
    assert totals_match(db) > 100
    store.save_report(db, report(rng, "http://b.example/9.html", "某市9局", 2021, "002", 9), None)
    totals_match(db)
    db.close()


def test_documented_aggregate_from_totals_equals_the_cell_query(db):
    """The correction-rate query of docs/tables.md, over report_cell_totals and over report_cells."""
    rng = random.Random(8)
    for i in range(10):
        store.save_report(db, report(rng, f"http://c.example/{i}.html", f"某区{i}局", 2019 + i % 4,
                                     sorted(SEEDS)[i % 5], i * 3), None)
    cells = dict(db.execute("""select r.year,
               sum(case when c.col_label = '行政复议/结果纠正' then c.value end) * 1.0
               / nullif(sum(case when c.col_label = '行政复议/总计' then c.value end), 0)
        from reports r join report_cells c on c.report_id = r.id
        where c.table_name = '政府信息公开行政复议、行政诉讼情况' group by r.year""").fetchall())
    totals = dict(db.execute("""select year,
               sum(case when col_label = '行政复议/结果纠正' then value_sum end) * 1.0
               / nullif(sum(case when col_label = '行政复议/总计' then value_sum end), 0)
        from report_cell_totals where table_name = '政府信息公开行政复议、行政诉讼情况' group by year""").fetchall())
    assert cells.keys() == totals.keys() and len(cells) == 4
    assert all(totals[y] == pytest.approx(cells[y]) for y in cells)

"""The archive writer: schema, outcomes of save_report, atomicity under failure and SIGKILL."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from pipelines import store
from pipelines.dedup import canonical_url, content_hash


def record(url: str, body: str, cells: list[dict] | None = None, **extra) -> dict:
    cells = cells if cells is not None else [
        {"table_name": "收到和处理政府信息公开申请情况", "row_label": "一、本年新收政府信息公开申请数量",
         "col_label": "自然人", "value": 3, "raw": "3", "unit": None, "flag": None},
    ]
    rec = {
        "url": url, "canonical_url": canonical_url(url), "url_kind": "page",
        "urls": [(url, canonical_url(url), "page", None)],
        "title": "某县2021年政府信息公开工作年度报告", "agency": "某县人民政府", "year": 2021,
        "published_at": "2022-01-28", "body_text": body, "cells": cells, "ambiguous": [], "checks": [
            {"rule": "R1", "scope": "自然人", "expected": 3.0, "actual": 3.0, "ok": True}],
        "portal": "demo", **extra,
    }
    rec["content_hash"] = content_hash(body, cells)
    return rec


def test_schema_has_documented_tables_and_columns(db):
    for name, spec in store.TABLES.items():
        table = db[name]  # a table, or a view (report_cells) with the same columns
        assert table.exists(), name
        assert set(spec["columns"]) <= set(table.columns_dict), name
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_ensure_schema_adds_missing_columns_to_an_old_archive(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("create table reports (id integer primary key, url text, title text)")
    conn.execute("insert into reports (url, title) values ('http://x.gov.cn/a.html', 't')")
    conn.commit()
    conn.close()
    db = store.open_archive(path)
    assert "content_hash" in db.table("reports").columns_dict
    assert db.execute("select title from reports").fetchone()[0] == "t"


def test_same_content_elsewhere_is_one_report_with_two_urls(db):
    body = "一、总体情况\n本机关2021年共收到申请3件。"
    assert store.save_report(db, record("http://a.gov.cn/nb/t1.html", body), 1)[0] == "new"
    outcome, rid = store.save_report(db, record("http://b.gov.cn/zwgk/x.html", body), 1)
    assert outcome == "unchanged"
    assert db.execute("select count(*) from reports").fetchone()[0] == 1
    urls = {r[0] for r in db.execute("select url from report_urls where report_id = ?", [rid])}
    assert urls == {"http://a.gov.cn/nb/t1.html", "http://b.gov.cn/zwgk/x.html"}


def test_changed_content_at_same_url_updates_and_replaces_cells(db):
    url = "http://a.gov.cn/nb/t1.html"
    store.save_report(db, record(url, "版本一"), 1)
    new_cells = [{"table_name": "收到和处理政府信息公开申请情况", "row_label": "一、本年新收政府信息公开申请数量",
                  "col_label": "自然人", "value": 4, "raw": "4", "unit": None, "flag": None}]
    outcome, rid = store.save_report(db, record(url, "版本二", new_cells), 2)
    assert outcome == "updated"
    assert db.execute("select value from report_cells where report_id = ?", [rid]).fetchall() == [(4.0,)]
    assert db.execute("select body_text, last_run_id from reports").fetchone() == ("版本二", 2)


def test_failed_write_leaves_nothing_behind(db):
    bad = record("http://a.gov.cn/nb/bad.html", "正文")
    bad["cells"] = [{"table_name": "t", "no_such_column": 1}]  # the cells insert fails inside the transaction
    with pytest.raises(Exception):  # noqa: B017 - any sqlite error
        store.save_report(db, bad, 1)
    assert db.execute("select count(*) from reports").fetchone()[0] == 0
    assert db.execute("select count(*) from report_urls").fetchone()[0] == 0


def test_sigkill_during_writes_leaves_a_valid_archive(tmp_path):
    path = tmp_path / "k.db"
    store.open_archive(path).close()
    writer = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(__import__('pathlib').Path(__file__).parents[1])!r})
        from pipelines import store
        from tests.test_store import record
        db = store.open_archive({str(path)!r})
        i = 0
        while True:
            store.save_report(db, record(f"http://a.gov.cn/nb/t{{i}}.html", f"正文{{i}}" * 200), 1)
            i += 1
            if i == 20: print("ready", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    reports = conn.execute("select count(*) from reports").fetchone()[0]
    assert reports >= 20
    # every committed report is complete: its URL and cells landed with it
    orphans = conn.execute("""select count(*) from reports r where not exists
                              (select 1 from report_urls u where u.report_id = r.id)
                              or not exists (select 1 from report_cells c where c.report_id = r.id)""").fetchone()[0]
    assert orphans == 0


@pytest.mark.parametrize("seed", range(3))
def test_insert_row_writes_what_sqlite_utils_insert_writes(tmp_path, seed):
    """save_report's inserts (`insert_row`, one statement) and sqlite-utils' `Table.insert` on generated
    rows of the reports and report_regions columns: the same rows, the same values and types."""
    import datetime
    import decimal
    import random

    from pipelines.store.reports import insert_row

    rng = random.Random(seed)
    values = [None, 0, -3, 2**40, 1.5, "", "某县", "a\x00b", b"\x00\x01", ["x", 1], {"k": "值"}, ("t",),
              decimal.Decimal("1.25"), datetime.date(2024, 1, 31), True]
    dbs = [store.open_archive(tmp_path / f"{name}.db") for name in ("mine", "theirs")]
    for table, replace, pk in (("reports", False, "id"), ("report_regions", True, "report_id")):
        columns = [c for c in store.TABLES[table]["columns"] if c != pk]
        for i in range(1, 40):
            row = {c: rng.choice(values) for c in rng.sample(columns, rng.randint(1, len(columns)))}
            if table == "reports":
                row["content_hash"] = f"h{i}"  # unique
            else:
                row["report_id"] = rng.randint(1, 12)  # replaced rows too
            got = insert_row(dbs[0], table, row, replace=replace)
            ref = dbs[1].table(table)
            ref.insert(row, replace=replace, pk=pk)
            assert got == dbs[1].execute("select max(rowid) from " + table).fetchone()[0] or replace
        sql = f"select *, {', '.join(f'typeof({c})' for c in store.TABLES[table]['columns'])} from {table} order by 1"
        assert dbs[0].execute(sql).fetchall() == dbs[1].execute(sql).fetchall()

"""The compact check store: report_checks is a view with the old columns, writable, and old archives migrate."""

from __future__ import annotations

import sqlite3

import pytest

from pipelines import store
from pipelines.store.checks import write_checks

CHECKS = [  # (rule, scope, expected, actual, ok): the kinds of checks the parser makes
    ("R1", "自然人", 28.0, 27.0, 0),
    ("R1", "法人或其他组织/商业企业", 0.0, 0.0, 1),
    ("R1", "总计", 1234.0, 1234.0, 1),
    ("R3", "三、本年度办理结果/（三）不予公开/1.属于国家秘密", 2.5, 2.5, 1),
    ("D1", "一、本年新收政府信息公开申请数量", None, 12.0, 0),
    ("R4", None, 3.0, None, 0),  # a NULL scope is a key of its own, once
]
OLD_SCHEMA = """create table report_checks (report_id integer, rule text, scope text, expected float, actual float,
                ok integer, primary key (report_id, rule, scope));
                create index idx_report_checks_rule_ok on report_checks (rule, ok);"""


def rows(db, order: str = "report_id, rule, scope") -> list[tuple]:
    return [tuple(r) for r in db.execute(
        f"select report_id, rule, scope, expected, actual, ok from report_checks order by {order}").fetchall()]


def test_checks_written_through_the_view_read_back_unchanged(tmp_path):
    db = store.open_archive(tmp_path / "a.db")
    db.conn.executemany("insert into report_checks values (?, ?, ?, ?, ?, ?)", [(7, *c) for c in CHECKS])
    assert sorted(rows(db), key=repr) == sorted(((7, *c) for c in CHECKS), key=repr)
    assert db.execute("select count(*) from check_keys").fetchone()[0] == len(CHECKS)
    # an insert over the same (report, rule, scope) replaces it, as the old primary key did
    db.execute("insert into report_checks values (7, 'R1', '自然人', 28, 28, 1)")
    db.execute("insert into report_checks values (7, 'R4', null, 1, 1, 1)")
    assert db.execute("select count(*) from report_checks").fetchone()[0] == len(CHECKS)
    assert db.execute("select ok from report_checks where rule = 'R4' and scope is null").fetchone()[0] == 1
    db.execute("update report_checks set ok = 1, actual = 28 where report_id = 7 and rule = 'R1' and scope = '自然人'")
    assert db.execute("select actual, ok from report_checks where scope = '自然人'").fetchone() == (28.0, 1)
    db.execute("delete from report_checks where report_id = 7 and rule = 'R4' and scope is null")
    db.execute("delete from report_checks where report_id = 7 and scope = '总计'")
    assert len(rows(db)) == len(CHECKS) - 2
    assert db.execute("select count(*) from check_keys").fetchone()[0] == len(CHECKS)
    db.close()


@pytest.mark.parametrize("check", CHECKS)
def test_the_writer_and_the_view_agree(tmp_path, check):
    db = store.open_archive(tmp_path / "a.db")
    rule, scope, expected, actual, ok = check
    with store.transaction(db):
        write_checks(db, 1, [{"rule": rule, "scope": scope, "expected": expected, "actual": actual, "ok": bool(ok)}])
        write_checks(db, 2, [{"rule": rule, "scope": scope, "expected": expected, "actual": actual, "ok": bool(ok)}])
    assert rows(db) == [(1, *check), (2, *check)]
    assert db.execute("select count(*) from check_keys").fetchone()[0] == 1
    db.close()


def test_a_reports_checks_read_back_in_the_order_written(tmp_path):
    db = store.open_archive(tmp_path / "a.db")
    order = [CHECKS[i] for i in (3, 0, 5, 2, 1, 4)]
    with store.transaction(db):
        for rid in (1, 2):
            write_checks(db, rid, [dict(zip(("rule", "scope", "expected", "actual", "ok"), c, strict=True))
                                   for c in order])
    got = db.execute("select rule, scope from report_checks where report_id = 2").fetchall()
    assert [tuple(g) for g in got] == [c[:2] for c in order]
    db.close()


def test_an_old_archive_moves_its_checks_into_the_store(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA)
    conn.executemany("insert into report_checks values (?, ?, ?, ?, ?, ?)",
                     [(rid, *c) for rid in (1, 2) for c in CHECKS])
    conn.commit()
    conn.close()
    db = store.open_archive(path)
    assert db.execute("select type from sqlite_master where name = 'report_checks'").fetchone()[0] == "view"
    assert sorted(rows(db), key=repr) == sorted(((rid, *c) for rid in (1, 2) for c in CHECKS), key=repr)
    # keys numbered in the old rows' order: each report's checks read back as they were written
    assert [tuple(r) for r in db.execute("select rule, scope from report_checks where report_id = 2")] == \
        [c[:2] for c in CHECKS]
    assert db.execute("select count(*) from check_keys").fetchone()[0] == len(CHECKS)
    db.close()
    store.open_archive(path).close()  # idempotent


def test_failing_checks_of_a_rule_are_found_by_index(tmp_path):
    """The documented failing-R1 queries read the partial index of failing checks, not every check."""
    db = store.open_archive(tmp_path / "a.db")
    plan = " ".join(r[3] for r in db.execute(
        "explain query plan select r.agency, k.scope from report_checks k join reports r on r.id = k.report_id "
        "where k.rule = 'R1' and not k.ok").fetchall())
    assert "check_values_failing" in plan, plan
    plan = " ".join(r[3] for r in db.execute(
        "explain query plan select r.agency, k.scope from reports r cross join report_checks k on k.report_id = r.id "
        "where k.rule = 'R1' and not k.ok order by r.year desc, r.agency, k.scope").fetchall())  # canned failing_r1
    assert "idx_reports_year_agency" in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan  # no full sort
    db.close()


def test_the_store_is_small(tmp_path):
    """40 checks a report take ~1 KB, not the ~6.5 KB of the old table and its two indexes."""
    db = store.open_archive(tmp_path / "a.db")
    checks = [{"rule": f"R{i % 4 + 1}", "scope": f"法人或其他组织/商业企业{i}", "expected": float(i * 7),
               "actual": float(i * 7 - (i == 3)), "ok": i != 3} for i in range(40)]
    with store.transaction(db):
        for rid in range(1, 1001):
            write_checks(db, rid, checks)
    size = db.execute("select sum(pgsize) from dbstat where name in ('check_values', 'check_values_failing')"
                      ).fetchone()[0]
    assert size / 1000 < 1024, size
    db.close()

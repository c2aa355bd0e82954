"""The compact check store behind `report_checks`.

Every report has ~40 consistency checks whose (rule, scope) pairs are shared by every report of a
template (R1 自然人, R1 法人或其他组织/商业企业, …). They are stored once, in `check_keys`; each result
is a small row of the integer-keyed WITHOUT ROWID table `check_values`:

    check_keys    id, rule, scope                                 (one row per (rule, scope))
    check_values  report_id, key_id, expected, actual, ok         (primary key report_id, key_id)

Keys are numbered in the order first written, so a report's checks read back (report_id, key_id
order) in the order the parser made them. `report_checks` stays readable under its name and columns
as a view over both, and writable: INSTEAD OF triggers turn its inserts, updates and deletes into the
two tables (an insert over an existing (report, rule, scope) replaces it, as the old primary key did).
The view has no rowid: `order by rowid` on it now reads NULL; order by report_id (the store's order).
An archive whose `report_checks` is still a table is migrated in place by `ensure_check_store`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

from pipelines.store.cells import move_into_store

CREATE = """
create table if not exists check_keys (
    id integer primary key,
    rule text not null,
    scope text
);
create unique index if not exists check_keys_rule_scope on check_keys (rule, ifnull(scope, char(0)));
create table if not exists check_values (
    report_id integer not null,
    key_id integer not null,
    expected real,
    actual real,
    ok integer,
    primary key (report_id, key_id)
) without rowid;
-- failing checks of a rule (`where rule = 'R1' and not ok`): a partial index, a few bytes per report
create index if not exists check_values_failing on check_values (key_id) where not ok;
"""

# the key of (rule, scope) (a NULL scope is one key too)
KEY = "select id from check_keys where rule = {r} and ifnull(scope, char(0)) = ifnull({s}, char(0))"
ADD_KEY = ("insert into check_keys (rule, scope) select {r}, {s} "
            "where not exists (select 1 from check_keys where rule = {r} and ifnull(scope, char(0)) = ifnull({s}, char(0)))")

VIEW = f"""
create view if not exists report_checks as
select v.report_id, k.rule, k.scope, v.expected, v.actual, v.ok
from check_values v join check_keys k on k.id = v.key_id;
create trigger if not exists report_checks_insert instead of insert on report_checks
begin
    {ADD_KEY.format(r="new.rule", s="new.scope")};
    insert or replace into check_values (report_id, key_id, expected, actual, ok)
        values (new.report_id, ({KEY.format(r="new.rule", s="new.scope")}), new.expected, new.actual, new.ok);
end;
create trigger if not exists report_checks_delete instead of delete on report_checks
begin
    delete from check_values where report_id = old.report_id and key_id = ({KEY.format(r="old.rule", s="old.scope")});
end;
create trigger if not exists report_checks_update instead of update on report_checks
begin
    delete from check_values where report_id = old.report_id and key_id = ({KEY.format(r="old.rule", s="old.scope")});
    {ADD_KEY.format(r="new.rule", s="new.scope")};
    insert or replace into check_values (report_id, key_id, expected, actual, ok)
        values (new.report_id, ({KEY.format(r="new.rule", s="new.scope")}), new.expected, new.actual, new.ok);
end;
"""


def ensure_check_store(db: sqlite_utils.Database) -> None:
    """Create the check store and the `report_checks` view; move an old `report_checks` table's rows in."""
    move_into_store(db, CREATE, "report_checks", [  # keys in the order first written (the old table's rowid order)
        """insert into check_keys (rule, scope)
           select rule, scope from report_checks c where rule is not null
           and not exists (select 1 from check_keys k where k.rule = c.rule
                           and ifnull(k.scope, char(0)) = ifnull(c.scope, char(0)))
           group by rule, ifnull(scope, char(0)) order by min(rowid)""",
        """insert or replace into check_values (report_id, key_id, expected, actual, ok)
           select c.report_id, k.id, c.expected, c.actual, c.ok
           from report_checks c join check_keys k on k.rule = c.rule
                and ifnull(k.scope, char(0)) = ifnull(c.scope, char(0))
           order by c.rowid"""], VIEW)


def write_checks(db: sqlite_utils.Database, report_id: int, checks: Iterable[Mapping[str, Any]]) -> None:
    """Insert (or replace) a report's checks, inside the caller's transaction."""
    rows = [(c["rule"], c.get("scope"), c.get("expected"), c.get("actual"), int(bool(c["ok"]))) for c in checks]
    if not rows:
        return
    cur = db.conn.cursor()
    cur.executemany(ADD_KEY.format(r="?1", s="?2"), [r[:2] for r in rows])
    cur.executemany(f"insert or replace into check_values (report_id, key_id, expected, actual, ok) "
                    f"values (?3, ({KEY.format(r='?1', s='?2')}), ?4, ?5, ?6)",
                    [(rule, scope, report_id, expected, actual, ok) for rule, scope, expected, actual, ok in rows])


def delete_checks(db: sqlite_utils.Database, report_id: int) -> None:
    db.execute("delete from check_values where report_id = ?", [report_id])

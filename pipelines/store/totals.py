"""Per-year cell totals, kept current on write, so whole-archive aggregates do not read every cell.

A national archive holds ~200 cells per report: 200 M rows for a million reports. The documented
aggregates (correction rates, new requests by year, the dashboard's trends) sum one or a few keys per
report year; `cell_year_totals` holds those sums, one row per (year, key):

    cell_year_totals    year (0 = unknown), key_id, reports, values_count, value_sum
    report_cell_totals  the view to query: year (NULL = unknown), table_name, row_label, col_label,
                        reports (reports with the cell), values_count (of them with a number),
                        value_sum (NULL when no number, like SQL's sum())

Triggers keep it equal to the aggregate over `cell_values` left-joined to `reports` (every write path:
save_report, reprocess, the report_cells view, other tools' SQL): a cell inserted, replaced or deleted
adds or takes its share; a report whose year changes, or that is deleted or replaced, moves its cells'
shares. An insert over an existing cell replaces it (as the report_cells view always did), whatever
its conflict clause. `ensure_totals` creates
all of it and fills it from the cells of an archive that had none (a migration in place);
`rebuild_totals` recomputes it from scratch.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

CREATE = """
create table if not exists cell_year_totals (
    year integer not null,
    key_id integer not null,
    reports integer not null,
    values_count integer not null,
    value_sum real not null,
    primary key (year, key_id)
) without rowid;
create view if not exists report_cell_totals as
select nullif(t.year, 0) as year, k.table_name, k.row_label, k.col_label, t.reports, t.values_count,
       case when t.values_count > 0 then t.value_sum end as value_sum
from cell_year_totals t join cell_keys k on k.id = t.key_id
where t.reports > 0;
"""

# One cell's share added or taken. Plain INSERT … WHERE NOT EXISTS and UPDATE, not an upsert: inside a
# trigger the outer statement's conflict clause (the INSERT OR REPLACE of write_cells) would override it.
def _cell(sign: str, rid: str, key: str, value: str) -> str:
    year = f"coalesce((select year from reports where id = {rid}), 0)"
    where = f"year = {year} and key_id = {key}"
    add = (f"insert into cell_year_totals (year, key_id, reports, values_count, value_sum) "
           f"select {year}, {key}, 0, 0, 0 where not exists (select 1 from cell_year_totals where {where});\n"
           if sign == "+" else "")
    return (add + f"    update cell_year_totals set reports = reports {sign} 1, "
            f"values_count = values_count {sign} ({value} is not null), value_sum = value_sum {sign} ifnull({value}, 0) "
            f"where {where};")


# All cells of report `rid` moved in or out of `year` (its year changed, or it was deleted).
def _report(sign: str, rid: str, year: str) -> str:
    mine = f"(select {{col}} from cell_values v where v.report_id = {rid} and v.key_id = cell_year_totals.key_id)"
    add = (f"insert into cell_year_totals (year, key_id, reports, values_count, value_sum) "
           f"select {year}, key_id, 0, 0, 0 from cell_values v where v.report_id = {rid} and not exists "
           f"(select 1 from cell_year_totals t where t.year = {year} and t.key_id = v.key_id);\n"
           if sign == "+" else "")
    return (add + f"    update cell_year_totals set reports = reports {sign} 1, "
            f"values_count = values_count {sign} {mine.format(col='value is not null')}, "
            f"value_sum = value_sum {sign} {mine.format(col='ifnull(value, 0)')} "
            f"where year = {year} and key_id in (select key_id from cell_values where report_id = {rid});")


TRIGGERS = f"""
create trigger if not exists cell_values_totals_bi before insert on cell_values
when exists (select 1 from cell_values where report_id = new.report_id and key_id = new.key_id)
begin
    -- an insert over an existing cell replaces it: deleted here, its share taken by the delete trigger
    -- (REPLACE itself fires delete triggers only under PRAGMA recursive_triggers, which not every reader sets)
    delete from cell_values where report_id = new.report_id and key_id = new.key_id;
end;
create trigger if not exists cell_values_totals_ai after insert on cell_values
begin
    {_cell("+", "new.report_id", "new.key_id", "new.value")}
end;
create trigger if not exists cell_values_totals_ad after delete on cell_values
begin
    {_cell("-", "old.report_id", "old.key_id", "old.value")}
end;
create trigger if not exists cell_values_totals_au after update of report_id, key_id, value on cell_values
begin
    {_cell("-", "old.report_id", "old.key_id", "old.value")}
    {_cell("+", "new.report_id", "new.key_id", "new.value")}
end;
create trigger if not exists reports_totals_year after update of year on reports
when old.year is not new.year
begin
    {_report("-", "new.id", "coalesce(old.year, 0)")}
    {_report("+", "new.id", "coalesce(new.year, 0)")}
end;
create trigger if not exists reports_totals_ai after insert on reports
when exists (select 1 from cell_values where report_id = new.id)
begin
    -- cells written before their report (or a report row replaced): from year unknown to the report's year
    {_report("-", "new.id", "0")}
    {_report("+", "new.id", "coalesce(new.year, 0)")}
end;
create trigger if not exists reports_totals_ad after delete on reports
begin
    -- cells left without their report count as year unknown (what the left join gives)
    {_report("-", "old.id", "coalesce(old.year, 0)")}
    {_report("+", "old.id", "0")}
end;
"""

# the same figures from scratch: what the table must always equal
FROM_SCRATCH = """select coalesce(r.year, 0) as year, v.key_id, count(*) as reports, count(v.value) as values_count,
                         total(v.value) as value_sum
                  from cell_values v left join reports r on r.id = v.report_id
                  group by 1, 2"""


def ensure_totals(db: sqlite_utils.Database) -> None:
    """Create the totals table, view and triggers; fill the table when the archive had none."""
    existed = db.execute("select 1 from sqlite_master where name = 'cell_year_totals'").fetchone() is not None
    db.conn.executescript(CREATE)
    if not existed or not _has_triggers(db):
        db.execute("BEGIN IMMEDIATE")
        try:
            for stmt in _statements(TRIGGERS):  # one by one: executescript would commit the transaction
                db.execute(stmt)
            _fill(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return out


def _has_triggers(db: sqlite_utils.Database) -> bool:
    names = {r[0] for r in db.execute("select name from sqlite_master where type = 'trigger'")}
    return {"cell_values_totals_ai", "cell_values_totals_ad", "reports_totals_year"} <= names


def _fill(db: sqlite_utils.Database) -> None:
    db.execute("delete from cell_year_totals")
    db.execute(f"insert into cell_year_totals (year, key_id, reports, values_count, value_sum) "
               f"select * from ({FROM_SCRATCH}) order by 1, 2")


def rebuild_totals(db: sqlite_utils.Database) -> None:
    """Recompute `cell_year_totals` from the cells (after writes that bypassed the triggers)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        _fill(db)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise

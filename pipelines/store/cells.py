"""The compact cell store behind `report_cells`.

Every report has ~200 cells whose keys (table, row label, column label) are long Chinese strings
shared by every report of a template. They are stored once, in `cell_keys`; each value is a small
row of the integer-keyed WITHOUT ROWID table `cell_values`:

    cell_keys    id, table_name, row_label, col_label            (unique key)
    cell_values  report_id, key_id, value, raw, unit, flag        (primary key report_id, key_id)

`raw` is left NULL when it is just the integer `value` printed ("12" for 12.0); a raw that was
really missing is stored as char(0). `report_cells` stays readable under its name and columns as a
view over both, and writable: INSTEAD OF triggers turn its inserts and deletes into the two tables.
An archive whose `report_cells` is still a table is migrated in place by `ensure_cell_store`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlite_utils

NO_RAW = "\x00"  # a cell whose printed text was missing (NULL raw with a value)

CREATE = """
create table if not exists cell_keys (
    id integer primary key,
    table_name text not null,
    row_label text not null,
    col_label text not null,
    unique (table_name, row_label, col_label)
);
create table if not exists cell_values (
    report_id integer not null,
    key_id integer not null,
    value real,
    raw text,
    unit text,
    flag text,
    primary key (report_id, key_id)
) without rowid;
create index if not exists idx_cell_values_key on cell_values (key_id);
"""

VIEW = """
create view if not exists report_cells as
select v.report_id, k.table_name, k.row_label, k.col_label, v.value,
       case when v.raw is null and v.value is not null then cast(cast(v.value as integer) as text)
            when v.raw = char(0) then null else v.raw end as raw,
       v.unit, v.flag
from cell_values v join cell_keys k on k.id = v.key_id;
create trigger if not exists report_cells_insert instead of insert on report_cells
begin
    insert or ignore into cell_keys (table_name, row_label, col_label)
        values (new.table_name, new.row_label, new.col_label);
    insert or replace into cell_values (report_id, key_id, value, raw, unit, flag)
        select new.report_id, id, new.value,
               case when new.raw is null and new.value is not null then char(0)
                    when new.value = cast(new.value as integer)
                         and new.raw = cast(cast(new.value as integer) as text) then null
                    else new.raw end,
               new.unit, new.flag
        from cell_keys where table_name = new.table_name and row_label = new.row_label and col_label = new.col_label;
end;
create trigger if not exists report_cells_delete instead of delete on report_cells
begin
    delete from cell_values where report_id = old.report_id and key_id =
        (select id from cell_keys where table_name = old.table_name and row_label = old.row_label
                                      and col_label = old.col_label);
end;
"""


def _is_table(db: sqlite_utils.Database, name: str) -> bool:
    row = db.execute("select type from sqlite_master where name = ?", [name]).fetchone()
    return bool(row) and row[0] == "table"


def move_into_store(db: sqlite_utils.Database, create: str, table: str, moves: Sequence[str], view: str) -> None:
    """Create a compact store and the view that keeps `table`'s name and columns. An archive from before the
    store has `table` as a real table: `moves` copy its rows in and it is dropped, in one transaction."""
    db.conn.executescript(create)
    if _is_table(db, table):
        db.execute("BEGIN IMMEDIATE")
        try:
            for sql in moves:
                db.execute(sql)
            db.execute(f"drop table {table}")  # its indexes go with it
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    db.conn.executescript(view)


def ensure_cell_store(db: sqlite_utils.Database) -> None:
    """Create the cell store and the `report_cells` view; move an old `report_cells` table's rows in."""
    move_into_store(db, CREATE, "report_cells", [
        """insert or ignore into cell_keys (table_name, row_label, col_label)
           select distinct table_name, row_label, col_label from report_cells""",
        f"""insert or replace into cell_values (report_id, key_id, value, raw, unit, flag)
            select c.report_id, k.id, c.value, {_RAW_SQL}, c.unit, c.flag
            from report_cells c join cell_keys k on k.table_name = c.table_name
                 and k.row_label = c.row_label and k.col_label = c.col_label"""], VIEW)


_RAW_SQL = """case when c.raw is null and c.value is not null then char(0)
                   when c.value = cast(c.value as integer) and c.raw = cast(cast(c.value as integer) as text) then null
                   else c.raw end"""


def stored_raw(value: Any, raw: str | None) -> str | None:
    """What `cell_values.raw` holds for a cell: NULL when the view can print it from the value."""
    if value is None:
        return raw
    if raw is None:
        return NO_RAW
    if float(value).is_integer() and abs(value) < 2**53 and raw == str(int(value)):
        return None
    return raw


def write_cells(db: sqlite_utils.Database, report_id: int, cells: Iterable[Mapping[str, Any]]) -> None:
    """Insert (or replace) a report's cells, inside the caller's transaction."""
    rows = [(c["table_name"], c["row_label"], c["col_label"], c.get("value"), c.get("raw"), c.get("unit"),
             c.get("flag")) for c in cells]
    if not rows:
        return
    cur = db.conn.cursor()
    cur.executemany("insert or ignore into cell_keys (table_name, row_label, col_label) values (?, ?, ?)",
                    [r[:3] for r in rows])
    cur.executemany(
        """insert or replace into cell_values (report_id, key_id, value, raw, unit, flag)
           select ?, id, ?, ?, ?, ? from cell_keys where table_name = ? and row_label = ? and col_label = ?""",
        [(report_id, v, stored_raw(v, raw), unit, flag, t, r, c) for t, r, c, v, raw, unit, flag in rows])


def delete_cells(db: sqlite_utils.Database, report_id: int) -> None:
    db.execute("delete from cell_values where report_id = ?", [report_id])

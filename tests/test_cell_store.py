"""The compact cell store: report_cells is a view with the old columns, writable, and old archives migrate."""

from __future__ import annotations

import sqlite3

import pytest

from pipelines import store
from pipelines.store.cells import stored_raw

CELLS = [  # (table, row, col, value, raw, unit, flag): the kinds of cells the parser makes
    ("T2", "一、本年新收政府信息公开申请数量", "自然人", 12.0, "12", None, None),
    ("T2", "一、本年新收政府信息公开申请数量", "总计", 1234.0, "1,234", None, None),
    ("T1", "第二十条第（八）项/行政事业性收费", "本年收费金额（单位：万元）", 3.5, "3.50", "万元", None),
    ("T1", "第二十条第（一）项/规章", "本年制发件数", None, "—", None, "dash"),
    ("T3", "行政复议/结果纠正", "总计", None, None, None, "ambiguous: two values"),
    ("T3", "行政诉讼/总计", "总计", 0.0, None, None, None),
    ("T3", "行政诉讼/尚未审结", "总计", -2.0, "-2", None, None),
]
OLD_SCHEMA = """create table report_cells (report_id integer, table_name text, row_label text, col_label text,
                value float, raw text, unit text, flag text, primary key (report_id, table_name, row_label, col_label));
                create index idx_report_cells_table_name_row_label_col_label on report_cells (table_name, row_label, col_label);"""


def rows(db) -> list[tuple]:
    return sorted(tuple(r) for r in db.execute(
        "select report_id, table_name, row_label, col_label, value, raw, unit, flag from report_cells").fetchall())


def test_cells_written_through_the_view_read_back_unchanged(tmp_path):
    db = store.open_archive(tmp_path / "a.db")
    db.conn.executemany("insert into report_cells values (?, ?, ?, ?, ?, ?, ?, ?)", [(7, *c) for c in CELLS])
    assert rows(db) == sorted((7, *c) for c in CELLS)
    assert db.execute("select count(*) from cell_keys").fetchone()[0] == len(CELLS)
    db.execute("delete from report_cells where report_id = 7 and col_label = '自然人'")
    assert len(rows(db)) == len(CELLS) - 1
    db.close()


@pytest.mark.parametrize("cell", CELLS)
def test_the_writer_and_the_view_agree_on_raw(tmp_path, cell):
    db = store.open_archive(tmp_path / "a.db")
    t, r, c, value, raw, unit, flag = cell
    from pipelines.store.cells import write_cells

    write_cells(db, 1, [{"table_name": t, "row_label": r, "col_label": c, "value": value, "raw": raw,
                         "unit": unit, "flag": flag}])
    assert rows(db) == [(1, *cell)]
    if value is not None:  # elided exactly when the view prints it back from the value
        assert (stored_raw(value, raw) is None) == (raw == f"{value:.0f}")
    db.close()


def test_an_old_archive_moves_its_cells_into_the_store(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA)
    conn.executemany("insert into report_cells values (?, ?, ?, ?, ?, ?, ?, ?)",
                     [(rid, *c) for rid in (1, 2) for c in CELLS])
    conn.commit()
    conn.close()
    db = store.open_archive(path)
    assert db.execute("select type from sqlite_master where name = 'report_cells'").fetchone()[0] == "view"
    assert rows(db) == sorted((rid, *c) for rid in (1, 2) for c in CELLS)
    assert db.execute("select count(*) from cell_keys").fetchone()[0] == len(CELLS)
    db.close()
    store.open_archive(path).close()  # idempotent


def test_the_store_is_small(tmp_path):
    """A report's 200 cells take a few KB, not the ~90 KB of the old table and its two indexes."""
    db = store.open_archive(tmp_path / "a.db")
    from pipelines.store.cells import write_cells

    cells = [{"table_name": "收到和处理政府信息公开申请情况", "row_label": f"三、本年度办理结果/（{i}）不予公开/{i}.属于国家秘密",
              "col_label": f"法人或其他组织/商业企业{j}", "value": float(i * j), "raw": str(i * j), "unit": None,
              "flag": None} for i in range(20) for j in range(10)]
    with store.transaction(db):
        for rid in range(1, 201):
            write_cells(db, rid, cells)
    db.execute("vacuum")
    size = dict(db.execute("select name, sum(pgsize) from dbstat group by name").fetchall())
    per_report = (size["cell_values"] + size["idx_cell_values_key"]) / 200
    assert per_report < 5000, per_report
    db.close()

"""`nianbao compact`: a smaller download copy whose searches find what the archive's find."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from crawler.cli import main
from pipelines import search, store
from pipelines.readonly import is_current, open_readonly
from tests.search_rows import insert_report

BODIES = [  # words, substrings across word boundaries, short terms, ASCII, FTS syntax
    "本机关2021年未收取信息处理费，依申请公开政府信息共12件。",
    "行政复议结果纠正2件，行政诉讼1件；政府信息公开工作年度报告。",
    "公开 AND 诉讼 \"引号\" 信息-处理-费 不是连在一起的信息处理 费用",
    "主动公开规章3件，办公开会一次，讼诉与诉讼。",
    "某县教育局政府信息公开工作年度报告，信息处理费收取0元。",
]
QUERIES = ["诉讼", "信息处理费", "依申请公开", "公开 诉讼", "信息处理", "处理费", "办公开会", "讼诉", "引号",
           "2021", "AND", "不存在的词语", "息处", "费"]


def _archive(tmp_path):
    path = tmp_path / "a.db"
    db = store.open_archive(path)
    for i in range(30):
        insert_report(db, BODIES[i % len(BODIES)] + f" 第{i}号", title=f"某{i}局2021年报告", agency=f"某{i}局")
    db.close()
    db = store.open_archive(path)  # regions of the rows inserted by SQL: the source is current
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_copy_finds_what_the_archive_finds(tmp_path, capsys):
    src = _archive(tmp_path)
    before = _sha(src)
    dest = tmp_path / "download.db"
    assert main(["compact", str(src), str(dest)]) == 0
    assert "KB per report" in capsys.readouterr().err
    assert _sha(src) == before  # the source is only read
    a, b = open_readonly(src), open_readonly(dest)
    assert is_current(a)
    assert search.has_positions(a) and not search.has_positions(b)
    assert is_current(b)  # reading commands read the copy itself, no migrated copy
    for q in QUERIES:
        ra, rb = search.search_result(a, q), search.search_result(b, q)
        assert ra.rows == rb.rows, q
    like = "select rowid from reports_fts where body_text like '%信息处理费%' order by rowid"
    assert a.execute(like).fetchall() == b.execute(like).fetchall() != []
    phrase = "select rowid from reports_fts where reports_fts match '\"信息处理费\"'"
    assert a.execute(phrase).fetchall()
    with pytest.raises(sqlite3.OperationalError, match="phrase queries are not supported"):
        b.execute(phrase).fetchall()  # the documented tradeoff (docs/search.md)
    size = "select sum(pgsize) from dbstat where name = 'reports_fts_data'"
    assert b.execute(size).fetchone()[0] < a.execute(size).fetchone()[0]
    for table in ("reports", "report_cells", "report_checks", "report_index"):
        q = f"select * from {table} order by 1"
        assert a.execute(q).fetchall() == b.execute(q).fetchall(), table
    a.close()
    b.close()


def test_the_copy_stays_compact_and_current_when_written(tmp_path):
    src = _archive(tmp_path)
    dest = tmp_path / "download.db"
    main(["compact", str(src), str(dest)])
    db = store.open_archive(dest)  # opening for writing keeps the positionless index (either form is current)
    assert not search.has_positions(db)
    rid = insert_report(db, "新写入的报告：信息处理费减免3件。")
    assert rid in {r["id"] for r in search.search(db, "信息处理费减免")}
    db.execute("update reports set body_text = '改过的正文' where id = ?", [rid])
    search.index_pending(db)  # what the writer does after its writes
    assert rid not in {r["id"] for r in search.search(db, "信息处理费减免")}
    assert rid in {r["id"] for r in search.search(db, "改过的正文")}
    db.close()


def test_bad_arguments_are_one_line_and_exit_2(tmp_path, capsys):
    src = _archive(tmp_path)
    assert main(["compact", str(src), str(src)]) == 2  # never over an existing file
    not_db = tmp_path / "x.txt"
    not_db.write_text("hello")
    assert main(["compact", str(not_db), str(tmp_path / "y.db")]) == 2
    assert not (tmp_path / "y.db").exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("nianbao compact: ") for line in err)

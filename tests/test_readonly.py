"""Reading commands never change the archive file: a snapshot's SHA-256 survives serve, search, coverage and
export (its source side), for a snapshot (rollback journal), a live WAL archive and an older archive; a file
that is not an archive is one line on stderr and exit code 2."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from pipelines import store
from pipelines.export import export
from pipelines.readonly import NotAnArchive, open_for_reading, open_readonly
from tests.serving import serving
from tests.test_store import record

ROOT = Path(__file__).resolve().parent.parent


def nianbao(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _archive(path: Path) -> Path:
    db = store.open_archive(path)
    for i, agency in enumerate(["苏州市人民政府办公室", "伊川县融媒体中心", "昆山市财政局"]):
        store.save_report(db, record(f"http://x{i}.gov.cn/nb.html", f"政府信息公开工作年度报告 正文{i} 依申请公开",
                                     cells=[], agency=agency, region_code="320500"), 1)
    db.close()
    return path


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("ro")
    target = export(_archive(tmp / "archive.db"), tmp / "out", version="t1")
    return target / "archive.sqlite"


def _serve_once(db: Path, tmp: Path, *extra: str) -> list[dict]:
    with serving(db, *extra, log=tmp / "serve.log") as base:
        assert json.load(urllib.request.urlopen(f"{base}/{db.stem}.json", timeout=5))
        return json.load(urllib.request.urlopen(f"{base}/{db.stem}/reports.json?_shape=array", timeout=5))


def _every_reading_command(db: Path, tmp: Path) -> None:
    proc = nianbao("search", db, "依申请公开")
    assert proc.returncode == 0 and "依申请公开" in proc.stdout, proc.stderr
    proc = nianbao("search", db, "正文")  # two characters: the LIKE path
    assert proc.returncode == 0, proc.stderr
    proc = nianbao("coverage", db, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]
    proc = nianbao("export", db, "--out", tmp / "again", "--version", "x")
    assert proc.returncode == 0, proc.stderr
    proc = nianbao("report", db, "--out", tmp / "dashboard.html")
    assert proc.returncode == 0, proc.stderr
    proc = nianbao("health", db)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert len(_serve_once(db, tmp)) == 3


def test_snapshot_sha256_survives_every_reading_command(snapshot, tmp_path):
    before = sha(snapshot)
    assert snapshot.read_bytes()[18:20] == b"\x01\x01"  # rollback journal: a snapshot, not a live archive
    _every_reading_command(snapshot, tmp_path)
    assert sha(snapshot) == before
    assert sorted(p.name for p in snapshot.parent.glob("archive.sqlite*")) == ["archive.sqlite"]  # no -wal/-shm
    sums = (snapshot.parent / "SHA256SUMS").read_text()
    assert f"{before}  archive.sqlite" in sums  # the published checksum still verifies


def test_live_wal_archive_is_read_not_written(tmp_path):
    db = _archive(tmp_path / "live.db")
    writer = sqlite3.connect(db)  # a crawl holding the archive open, with un-checkpointed rows in the WAL
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("update reports set title = title || ' ' where id = 1")
    writer.commit()
    assert Path(f"{db}-wal").stat().st_size > 0
    before = sha(db)
    proc = nianbao("search", db, "依申请公开")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") >= 3
    assert sha(db) == before
    writer.close()


def test_old_archive_is_migrated_in_a_temporary_copy_only(tmp_path, snapshot):
    old = tmp_path / "old.sqlite"
    old.write_bytes(snapshot.read_bytes())
    conn = sqlite3.connect(old)
    conn.execute("delete from report_regions")  # an archive whose regions were never refreshed
    conn.commit()
    conn.close()
    before = sha(old)
    assert not __import__("pipelines.readonly", fromlist=["x"]).is_current(open_readonly(old))
    db = open_for_reading(old)
    assert db.execute("select count(*) from report_regions").fetchone()[0] == 3
    copy = db.execute("pragma database_list").fetchone()[2]
    assert copy and Path(copy) != old and not Path(copy).exists()  # a file (not memory), already unlinked
    db.close()
    _every_reading_command(old, tmp_path)
    assert sha(old) == before


def test_archive_with_empty_search_indexes_is_read_in_place(tmp_path, snapshot):
    """As `bench.bigarchive --no-fts` leaves them: nothing is rebuilt (in memory or elsewhere), the file is read
    as it is, and a search reads the text itself, finding what the indexes would."""
    from pipelines.search import search

    bare = tmp_path / "bare.sqlite"
    bare.write_bytes(snapshot.read_bytes())
    conn = sqlite3.connect(bare)
    for index in ("reports_fts", "reports_words"):
        conn.execute(f"insert into {index} ({index}) values ('delete-all')")
    conn.commit()
    conn.close()
    before = sha(bare)
    db = open_for_reading(bare)
    assert Path(db.execute("pragma database_list").fetchone()[2]) == bare.resolve()  # the file itself
    assert db.execute("select count(*) from reports_words_docsize").fetchone()[0] == 0  # nothing built
    full = open_readonly(snapshot)
    for query in ("依申请公开", "正文1", "公开工作", "不存在"):
        assert {r["id"] for r in search(db, query)} == {r["id"] for r in search(full, query)}, query
    db.close()
    full.close()
    proc = nianbao("search", bare, "依申请公开")
    assert proc.returncode == 0 and proc.stdout.count("依申请公开") >= 3, proc.stderr
    assert "LIKE" in proc.stderr
    assert sha(bare) == before


@pytest.mark.parametrize("content", [b"", b"not a database at all\n", b"%PDF-1.7\n" + b"x" * 200,
                                     b"SQLite format 3\x00" + b"\xff" * 200])
@pytest.mark.parametrize("command", ["search", "coverage", "serve", "export"])
def test_not_a_database_is_one_line_exit_2(tmp_path, content, command):
    bad = tmp_path / "archive.db"
    bad.write_bytes(content)
    args = {"search": ["search", bad, "报告"], "coverage": ["coverage", bad], "serve": ["serve", bad],
            "export": ["export", bad, "--out", tmp_path / "o"]}[command]
    proc = nianbao(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and str(bad) in proc.stderr
    assert bad.read_bytes() == content
    assert not (tmp_path / "o").exists()


def test_sqlite_without_reports_table_is_not_an_archive(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.commit()
    with pytest.raises(NotAnArchive, match="not a nianbao archive"):
        open_readonly(other)


@pytest.mark.e2e
def test_bench_readonly_reads_a_migrated_copy_and_leaves_the_file(capsys):
    """`python -m bench.readonly` (the README's figure for an archive missing part of its schema) really
    takes the migrated-copy path, gets results and finds the file unchanged."""
    from bench import readonly

    assert readonly.main(["--synthetic", "40", "--query", "依申请公开"]) == 0
    out = capsys.readouterr().out
    assert "predates the current schema or regions" in out
    assert "archive file unchanged: yes" in out
    assert re.search(r"exit 0, [1-9]\d* lines, peak RSS \d+ MB", out)

"""bench.bigarchive builds its full-text indexes in side files (child processes) and copies them in:
the archive's indexes must hold exactly what indexing its own reports gives."""

from __future__ import annotations

import sqlite3

import pytest

from bench import bigarchive
from pipelines import search, store


def _instances(conn: sqlite3.Connection, table: str, detail_none: bool) -> list[tuple]:
    """Every (term, report[, column, offset]) of an FTS5 index, through fts5vocab."""
    conn.execute(f"create virtual table temp.v_{table} using fts5vocab(main, {table}, instance)")
    cols = "term, doc" if detail_none else "term, doc, col, offset"
    return conn.execute(f"select {cols} from temp.v_{table} order by {cols}").fetchall()


@pytest.mark.e2e  # builds two archives with child processes (~10 s; more on a loaded machine)
@pytest.mark.parametrize("compact", [False, True])
def test_side_built_indexes_equal_the_archives_own(tmp_path, compact):
    path = tmp_path / "a.db"
    n = 120
    bigarchive.build(path, n, batch=50, compact=compact)
    conn = sqlite3.connect(path)
    for table in (search.FTS_TABLE, search.WORDS_TABLE):  # structure, and the trigram index against `reports`
        conn.execute(f"insert into {table} ({table}) values ('integrity-check')")
    got = _instances(conn, search.FTS_TABLE, compact)
    # the reference: the same index rebuilt from the archive's reports by FTS5 itself
    conn.execute((search.FTS_COMPACT_SQL if compact else search._FTS_SQL).replace(search.FTS_TABLE, "ref_fts", 1))
    conn.execute("insert into ref_fts (ref_fts) values ('rebuild')")
    want = _instances(conn, "ref_fts", compact)
    assert len(got) > n * 1000 and got == want
    assert conn.execute("select count(*), min(id), max(id) from reports_words_docsize").fetchone() == (n, 1, n)
    assert conn.execute("select count(*) from reports_fts_docsize").fetchone()[0] == n
    # every report is found in the word index by its agency's last word, and only those of it
    agency = conn.execute("select agency from reports where id = 8").fetchone()[0]
    ids = [r[0] for r in conn.execute("select rowid from reports_words where reports_words match ? order by rowid",
                                      [f'agency:"{agency}"'])]
    assert 8 in ids and all(conn.execute("select agency from reports where id = ?", [i]).fetchone()[0] == agency
                            for i in ids)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("a.db-")) == ["a.db"]  # side files gone
    conn.close()
    db = store.open_archive(path)
    assert search.is_current(db) and search.has_positions(db) is not compact
    assert len(search.search_result(db, "诉讼").rows) == 50
    db.close()

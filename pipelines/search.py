"""Full-text search over reports that works on Chinese: words, then substrings.

Two FTS5 indexes, both readable by any SQLite (no loadable extension):

- `reports_words`: title, agency and body text segmented into words by jieba (`pipelines.words`:
  U+200B between words) under FTS5's default tokenizer. 1–2 character words (诉讼, 复议, 公开) are
  found wherever they occur as words, results are ranked by bm25 (title ×4, agency ×2, body ×1), and
  snippets highlight whole words. Segmentation needs Python, so SQL triggers on `reports` queue the
  ids of changed reports in `reports_words_pending`, and `index_pending` (run when an archive is
  opened for writing) and `index_reports` (run by `save_report`) bring the index up to date.
- `reports_fts`: the trigram index (kept current by triggers): any substring of 3+ characters,
  across word boundaries too.

`search` asks the word index first; when it has fewer results than asked for, substring matches
(trigram for 3+ characters, LIKE for shorter terms) follow them.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from pipelines import words

FTS_TABLE = "reports_fts"  # trigram
FTS_COLUMNS = ["title", "agency", "body_text"]
WORDS_TABLE = "reports_words"
PENDING_TABLE = "reports_words_pending"
RANK = "bm25(4.0, 2.0, 1.0)"  # title, agency, body_text
SNIPPET_TOKENS = 20  # words around the match (about 40 characters)

_WORDS_SCHEMA = [
    f"create virtual table {WORDS_TABLE} using fts5(title, agency, body_text)",
    f"insert into {WORDS_TABLE}({WORDS_TABLE}, rank) values ('rank', '{RANK}')",
]
_PENDING_SCHEMA = [
    f"create table if not exists {PENDING_TABLE} (report_id integer primary key)",
    f"""create trigger if not exists {WORDS_TABLE}_ai after insert on reports
        begin insert or ignore into {PENDING_TABLE} (report_id) values (new.id); end""",
    f"""create trigger if not exists {WORDS_TABLE}_au after update of title, agency, body_text on reports
        begin insert or ignore into {PENDING_TABLE} (report_id) values (new.id); end""",
    f"""create trigger if not exists {WORDS_TABLE}_ad after delete on reports
        begin insert or ignore into {PENDING_TABLE} (report_id) values (old.id); end""",
]


def enable_search(db: sqlite_utils.Database) -> None:
    """Create both indexes (idempotent) and index whatever is pending: every report of an archive
    made before the word index existed, reports written by other tools since."""
    if not db.table("reports").exists():
        return
    if not db.table(FTS_TABLE).exists():
        db.table("reports").enable_fts(FTS_COLUMNS, fts_version="FTS5", tokenize="trigram", create_triggers=True)
    if not db.table(WORDS_TABLE).exists():
        with _transaction(db):
            for stmt in _WORDS_SCHEMA + _PENDING_SCHEMA:
                db.execute(stmt)
            db.execute(f"insert or ignore into {PENDING_TABLE} (report_id) select id from reports")
    elif not _has_triggers(db):
        with _transaction(db):
            for stmt in _PENDING_SCHEMA:
                db.execute(stmt)
    index_pending(db)


def _has_triggers(db: sqlite_utils.Database) -> bool:
    names = {r[0] for r in db.execute("select name from sqlite_master where type = 'trigger'")}
    return {f"{WORDS_TABLE}_ai", f"{WORDS_TABLE}_au", f"{WORDS_TABLE}_ad"} <= names


class _transaction:
    """BEGIN IMMEDIATE … COMMIT unless the connection is already inside a transaction."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db, self.own = db, not db.conn.in_transaction

    def __enter__(self) -> sqlite_utils.Database:
        if self.own:
            self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.own:
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def index_reports(db: sqlite_utils.Database, ids: Iterable[int]) -> int:
    """(Re)index these reports' words now (a missing report is removed from the index); returns how many."""
    n = 0
    for rid in ids:
        db.execute(f"delete from {WORDS_TABLE} where rowid = ?", [rid])
        row = db.execute("select title, agency, body_text from reports where id = ?", [rid]).fetchone()
        if row is not None:
            db.execute(f"insert into {WORDS_TABLE} (rowid, title, agency, body_text) values (?, ?, ?, ?)",
                       [rid, *(words.segment(v) for v in row)])
        db.execute(f"delete from {PENDING_TABLE} where report_id = ?", [rid])
        n += 1
    return n


def index_pending(db: sqlite_utils.Database, batch: int = 200) -> int:
    """Index every queued report, `batch` per transaction; returns how many. Prints progress when long."""
    if not db.table(PENDING_TABLE).exists():
        return 0
    total = db.execute(f"select count(*) from {PENDING_TABLE}").fetchone()[0]
    done = 0
    if total > 1000:
        print(f"nianbao: indexing the words of {total} reports (once; about 10 ms each)", file=sys.stderr, flush=True)
    while True:
        ids = [r[0] for r in db.execute(f"select report_id from {PENDING_TABLE} limit ?", [batch])]
        if not ids:
            break
        with _transaction(db):
            done += index_reports(db, ids)
        if total > 1000 and done % (batch * 50) < batch:
            print(f"nianbao: … {done}/{total}", file=sys.stderr, flush=True)
    return done


def pending(db: sqlite_utils.Database) -> int:
    """Reports whose words are not indexed yet (0 when the archive is up to date)."""
    if not db.table(PENDING_TABLE).exists():
        return db.execute("select count(*) from reports").fetchone()[0] if db.table("reports").exists() else 0
    return db.execute(f"select count(*) from {PENDING_TABLE}").fetchone()[0]


def _terms(query: str) -> list[str]:
    return [t for t in re.split(r"\s+", query.strip()) if t]


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def search(db: sqlite_utils.Database, query: str, limit: int = 50) -> list[dict[str, Any]]:
    """Reports matching every whitespace-separated term, best first.

    Each row: id, agency, year, title, url, snippet (matched words in [brackets]) and `match`: `word`
    (every term found as words, ranked by bm25) or `substring` (found only as a substring: trigram
    for terms of 3+ characters, LIKE for shorter ones; these follow the word matches).
    """
    terms = _terms(query)
    if not terms:
        raise ValueError("empty search query")
    rows: list[dict[str, Any]] = []
    match = words.fts_query(query)
    if match and db.table(WORDS_TABLE).exists():
        rows = [{**r, "snippet": words.unmark(r["snippet"]), "match": "word"} for r in db.query(
            f"""select r.id, r.agency, r.year, r.title, r.url,
                       snippet({WORDS_TABLE}, -1, '[', ']', '…', {SNIPPET_TOKENS}) as snippet
                from {WORDS_TABLE} join reports r on r.id = {WORDS_TABLE}.rowid
                where {WORDS_TABLE} match ? order by rank limit ?""", [match, limit])]
    if len(rows) < limit:
        seen = {r["id"] for r in rows}
        rows += [r for r in _substring_search(db, terms, limit - len(rows) + len(seen)) if r["id"] not in seen]
    return rows[:limit]


def _substring_search(db: sqlite_utils.Database, terms: list[str], limit: int) -> list[dict[str, Any]]:
    """Trigram for terms of 3+ characters (ranked by bm25), LIKE filters for shorter ones."""
    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = [t for t in terms if len(t) < 3]
    where, params = [], []
    for t in short_terms:
        where.append("(r.title like ? escape '\\' or r.agency like ? escape '\\' or r.body_text like ? escape '\\')")
        params += [f"%{_like_escape(t)}%"] * 3
    like_sql = " and ".join(where)
    if long_terms:
        sql = f"""select r.id, r.agency, r.year, r.title, r.url, r.body_text, r.title as title_text
                  from {FTS_TABLE} join reports r on r.id = {FTS_TABLE}.rowid
                  where {FTS_TABLE} match ? {"and " + like_sql if like_sql else ""}
                  order by bm25({FTS_TABLE}) limit ?"""
        found = db.query(sql, [" AND ".join(_fts_phrase(t) for t in long_terms), *params, limit])
    else:
        sql = f"""select r.id, r.agency, r.year, r.title, r.url, r.body_text, r.title as title_text
                  from reports r where {like_sql} order by r.year desc, r.id limit ?"""
        found = db.query(sql, [*params, limit])
    out = []
    for r in found:
        text = r.pop("body_text") or ""
        title = r.pop("title_text") or ""
        source = next((s for s in (text, title, r["agency"] or "") if terms[0] in s), text)
        out.append({**r, "snippet": _snippet(source, terms[0]), "match": "substring"})
    return out


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _snippet(text: str, term: str, width: int = 24) -> str:
    """`text` around the first occurrence of `term`, the whole term in [brackets]."""
    i = text.find(term)
    if i < 0:
        return text[: width * 2]
    start, end = max(0, i - width), i + len(term) + width
    return ("…" if start else "") + text[start:i] + f"[{term}]" + text[i + len(term) : end] + ("…" if end < len(text) else "")

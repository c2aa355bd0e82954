"""Full-text search over reports that works on Chinese: words, then substrings.

Two FTS5 indexes, both readable by any SQLite ≥ 3.34 (no loadable extension), neither storing a copy
of the text (the text lives once, in `reports`):

- `reports_words`: title, agency and body text segmented into words by jieba (`pipelines.words`:
  U+200B between words) under FTS5's default tokenizer, **contentless** (`content=''`): it holds the
  word index only, not the segmented text. 1–2 character words (诉讼, 复议, 公开) are found wherever
  they occur as words; phrases (依申请公开) match words in sequence (`detail=full`). The segmented
  text is made by the parse worker (`Report.search_words`, pipelines/process.py); the writer only
  inserts it. SQL triggers on `reports` queue changed reports in `reports_words_pending` together
  with the values the index holds for them (a contentless index forgets its text, and removing a row
  needs it), and `index_pending` (run when an archive is opened for writing) brings the index up to
  date. `reports_words_meta` records the segmenter's version: a change re-indexes every report.
- `reports_fts`: the trigram index, external content (`content='reports'`: no copy of the text) with
  positions (`detail=full`), so every query form researchers used keeps working: `MATCH '"信息处理费"'`
  (a substring of 3+ characters), `LIKE`/`GLOB` on its columns (`reports_fts.body_text like
  '%信息处理费%'`, index-accelerated, exact). `detail=none` would be a fifth of its size but SQLite
  refuses MATCH phrases on it ("phrase queries are not supported"): a documented query form lost, so
  it is not used. `substring_match` builds the AND of a term's trigrams; candidates are verified
  against `reports`.

`search` asks the word index first. A query matching at most `RANK_CAP` reports is ranked by FTS5's
bm25 (title ×4, agency ×2, body ×1) over all of them. A query matching more is ranked over a bounded
candidate set, so its time does not grow with the number of matching reports: the newest `RANK_CAP`
matching reports (the index walks rowids newest first and stops), scored by the same bm25 formula
computed from the candidates' text, with each term's document frequency counted up to
`DF_CAP`. `search_result` says which was done. When the words give fewer results than asked for,
substring matches (trigram candidates verified with LIKE; LIKE alone for terms of 1–2 characters)
follow them, newest first.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from pipelines import words
from pipelines.words import segment_fields

FTS_TABLE = "reports_fts"  # trigram
FTS_COLUMNS = ["title", "agency", "body_text"]
WORDS_TABLE = "reports_words"
PENDING_TABLE = "reports_words_pending"
META_TABLE = "reports_words_meta"
WEIGHTS = (4.0, 2.0, 1.0)  # title, agency, body_text
RANK = "bm25(4.0, 2.0, 1.0)"
RANK_CAP = 500  # more word matches than this: bm25 over the newest RANK_CAP of them
DF_CAP = 2000  # a term's document frequency is counted up to this many reports (more: equally common)
SUBSTRING_CAP = 5000  # trigram candidates verified per substring search (newest first)
SNIPPET_WIDTH = 24  # characters either side of the match

_FTS_SQL = (f"create virtual table {FTS_TABLE} using fts5(title, agency, body_text, tokenize='trigram', "
            "content='reports', content_rowid='id')")
# the same index without positions (`nianbao compact`, pipelines/compact.py): a sixth of the size; SQLite then
# refuses MATCH phrases of 2+ trigrams ("phrase queries are not supported"); LIKE/GLOB and single trigrams work
FTS_COMPACT_SQL = _FTS_SQL[:-1] + ", detail='none')"
_FTS_TRIGGERS = {  # sqlite-utils' trigger names; the update trigger fires on the indexed columns only
    "reports_ai": f"""create trigger reports_ai after insert on reports begin
        insert into {FTS_TABLE} (rowid, title, agency, body_text) values (new.id, new.title, new.agency, new.body_text);
        end""",
    "reports_ad": f"""create trigger reports_ad after delete on reports begin
        insert into {FTS_TABLE} ({FTS_TABLE}, rowid, title, agency, body_text)
        values ('delete', old.id, old.title, old.agency, old.body_text);
        end""",
    "reports_au": f"""create trigger reports_au after update of title, agency, body_text on reports begin
        insert into {FTS_TABLE} ({FTS_TABLE}, rowid, title, agency, body_text)
        values ('delete', old.id, old.title, old.agency, old.body_text);
        insert into {FTS_TABLE} (rowid, title, agency, body_text) values (new.id, new.title, new.agency, new.body_text);
        end""",
}
_WORDS_SQL = f"create virtual table {WORDS_TABLE} using fts5(title, agency, body_text, content='')"
_PENDING_SQL = (f"create table {PENDING_TABLE} (report_id integer primary key, indexed integer not null default 0, "
                "title text, agency text, body_text text)")
_META_SQL = f"create table if not exists {META_TABLE} (key text primary key, value text)"
# A queued report keeps the values the index holds for it (indexed = 1), so that they can be removed:
# `insert or ignore` keeps the first, indexed state until the queue is drained.
_WORDS_TRIGGERS = {
    "reports_words_ai": f"""create trigger reports_words_ai after insert on reports begin
        insert or ignore into {PENDING_TABLE} (report_id, indexed) values (new.id, 0);
        end""",
    "reports_words_bu": f"""create trigger reports_words_bu before update of title, agency, body_text on reports begin
        insert or ignore into {PENDING_TABLE} (report_id, indexed, title, agency, body_text)
        values (old.id, 1, old.title, old.agency, old.body_text);
        end""",
    "reports_words_bd": f"""create trigger reports_words_bd before delete on reports begin
        insert or ignore into {PENDING_TABLE} (report_id, indexed, title, agency, body_text)
        values (old.id, 1, old.title, old.agency, old.body_text);
        end""",
}
_OLD_TRIGGERS = ["reports_words_au", "reports_words_ad"]  # the word index of before: after-triggers, ids only


def _sql_of(db: sqlite_utils.Database, name: str) -> str | None:
    row = db.execute("select sql from sqlite_master where name = ?", [name]).fetchone()
    return row[0] if row else None


def _norm(sql: str | None) -> str:
    return " ".join((sql or "").split()).lower()


def _words_version(db: sqlite_utils.Database) -> str | None:
    if not db.table(META_TABLE).exists():
        return None
    row = db.execute(f"select value from {META_TABLE} where key = 'segmenter'").fetchone()
    return row[0] if row else None


def is_current(db: sqlite_utils.Database) -> bool:
    """Both indexes have the current definition and segmenter, their triggers are in place, nothing is queued."""
    if not db.table("reports").exists():
        return True
    if _norm(_sql_of(db, FTS_TABLE)) not in (_norm(_FTS_SQL), _norm(FTS_COMPACT_SQL)):
        return False
    if _norm(_sql_of(db, WORDS_TABLE)) != _norm(_WORDS_SQL):
        return False
    if _words_version(db) != words.VERSION:
        return False
    for name, sql in {**_FTS_TRIGGERS, **_WORDS_TRIGGERS}.items():
        if _norm(_sql_of(db, name)) != _norm(sql):
            return False
    if any(_sql_of(db, name) for name in _OLD_TRIGGERS) or pending(db):
        return False
    return _newest_indexed(db)


def _newest_indexed(db: sqlite_utils.Database) -> bool:
    """The newest report is in both indexes (an index left empty, as `bench.bigarchive --no-fts` leaves
    them, is not current: a search there would silently find nothing)."""
    newest = db.execute("select max(id) from reports").fetchone()[0]
    if newest is None:
        return True
    return all(db.execute(f"select exists (select 1 from {t}_docsize where id = ?)", [newest]).fetchone()[0]
               for t in (FTS_TABLE, WORDS_TABLE))


def enable_search(db: sqlite_utils.Database) -> None:
    """Create both indexes (idempotent: nothing is written when they are current), rebuild an index of an
    older definition from `reports`, and index whatever is queued."""
    if not db.table("reports").exists():
        return
    rebuild_trigram = _norm(_sql_of(db, FTS_TABLE)) not in (_norm(_FTS_SQL), _norm(FTS_COMPACT_SQL))  # either form is current
    rebuild_words = _norm(_sql_of(db, WORDS_TABLE)) != _norm(_WORDS_SQL) or _words_version(db) != words.VERSION
    triggers = {**_FTS_TRIGGERS, **_WORDS_TRIGGERS}
    stale = [n for n, sql in triggers.items() if _norm(_sql_of(db, n)) != _norm(sql)]
    stale += [n for n in _OLD_TRIGGERS if _sql_of(db, n)]
    if rebuild_trigram or rebuild_words or stale:
        with _transaction(db):
            for name in [*triggers, *_OLD_TRIGGERS]:
                db.execute(f"drop trigger if exists {name}")
            if rebuild_trigram:
                n = db.execute("select count(*) from reports").fetchone()[0]
                if n > 1000:
                    print(f"nianbao: building the substring index of {n} reports (once)", file=sys.stderr, flush=True)
                db.execute(f"drop table if exists {FTS_TABLE}")
                db.execute(_FTS_SQL)
                db.execute(f"insert into {FTS_TABLE} ({FTS_TABLE}) values ('rebuild')")
            if rebuild_words:  # a contentless index cannot rebuild itself: every report is queued, unindexed
                db.execute(f"drop table if exists {WORDS_TABLE}")
                db.execute(f"drop table if exists {PENDING_TABLE}")
                db.execute(_WORDS_SQL)
                db.execute(f"insert into {WORDS_TABLE} ({WORDS_TABLE}, rank) values ('rank', '{RANK}')")
                db.execute(_PENDING_SQL)
                db.execute(f"insert into {PENDING_TABLE} (report_id, indexed) select id, 0 from reports")
                db.execute(_META_SQL)
                db.execute(f"insert or replace into {META_TABLE} (key, value) values ('segmenter', ?)", [words.VERSION])
            for sql in triggers.values():
                db.execute(sql)
    index_pending(db)


def has_positions(db: sqlite_utils.Database) -> bool:
    """Whether the trigram index keeps positions (MATCH '"信息处理费"' works), i.e. is not a compact copy's."""
    return _norm(_sql_of(db, FTS_TABLE)) != _norm(FTS_COMPACT_SQL)


def drop_positions(db: sqlite_utils.Database) -> None:
    """Rebuild the trigram index without positions (`detail=none`), in place: what `nianbao compact` does to
    its copy. `nianbao search` finds the same reports (it asks for single trigrams and verifies with LIKE)."""
    with _transaction(db):
        for name in _FTS_TRIGGERS:
            db.execute(f"drop trigger if exists {name}")
        db.execute(f"drop table if exists {FTS_TABLE}")
        db.execute(FTS_COMPACT_SQL)
        db.execute(f"insert into {FTS_TABLE} ({FTS_TABLE}) values ('rebuild')")
        for sql in _FTS_TRIGGERS.values():
            db.execute(sql)


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


def _matches(segmented: Sequence[str], values: Sequence[str | None]) -> bool:
    return len(segmented) == 3 and all(
        words.unmark(s) == (v or "").replace(words.SEP, " ") for s, v in zip(segmented, values, strict=True))


def index_reports(db: sqlite_utils.Database, ids: Iterable[int],
                  segmented: Mapping[int, Sequence[str] | None] | None = None,
                  segment: Callable[[str | None, str | None, str | None], Sequence[str] | None] | None = None) -> int:
    """Bring these queued reports' words up to date now; returns how many were queued.

    `segmented` maps a report id to its `segment_fields` made elsewhere (the parse worker): used when
    it is the segmentation of the report's current text, else the text is segmented here.
    `segment(title, agency, body_text)`: `segment_fields` made elsewhere (the crawl asks a parse worker)
    for the words of a replaced text; its answer is used only when it is that text's segmentation.
    """
    n = 0
    for rid in ids:
        queued = db.execute(f"select indexed, title, agency, body_text from {PENDING_TABLE} where report_id = ?",
                            [rid]).fetchone()
        if queued is None:
            continue  # the index holds its current text
        if queued[0]:  # remove what the index holds: a contentless index needs the very words it was given
            old = segment(*queued[1:]) if segment is not None else None
            old = list(old) if old is not None and _matches(old, queued[1:]) else segment_fields(*queued[1:])
            db.execute(f"insert into {WORDS_TABLE} ({WORDS_TABLE}, rowid, title, agency, body_text) "
                       "values ('delete', ?, ?, ?, ?)", [rid, *old])
        row = db.execute("select title, agency, body_text from reports where id = ?", [rid]).fetchone()
        if row is not None:
            given = (segmented or {}).get(rid)
            values = list(given) if given is not None and _matches(given, row) else segment_fields(*row)
            db.execute(f"insert into {WORDS_TABLE} (rowid, title, agency, body_text) values (?, ?, ?, ?)",
                       [rid, *values])
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


# -- querying ---------------------------------------------------------------------------------------

@dataclass
class SearchResult:
    rows: list[dict[str, Any]]
    word_matches: int  # reports matching every term as words (counted up to RANK_CAP + 1)
    ranking: str  # how the word matches were ranked, for the reader
    substrings: str = ""  # how substring matches were looked for ("" when the words gave enough)


def _terms(query: str) -> list[str]:
    return [t for t in re.split(r"\s+", query.strip()) if t]


def substring_match(terms: Iterable[str]) -> str:
    """A MATCH for `reports_fts` finding every report that holds all the trigrams of every
    term of 3+ characters: a superset of the reports containing the terms; verify with LIKE."""
    grams: list[str] = []
    for term in terms:
        for i in range(len(term) - 2):
            gram = '"' + term[i : i + 3].replace('"', '""') + '"'
            if gram not in grams:
                grams.append(gram)
    return " AND ".join(grams)


def search(db: sqlite_utils.Database, query: str, limit: int = 50) -> list[dict[str, Any]]:
    """Reports matching every whitespace-separated term, best first (`search_result(...).rows`)."""
    return search_result(db, query, limit).rows


def search_result(db: sqlite_utils.Database, query: str, limit: int = 50) -> SearchResult:
    """Reports matching every whitespace-separated term, best first, and how they were ranked.

    Each row: id, agency, year, title, url, snippet (the first term in [brackets], taken from the
    report's text) and `match`: `word` (every term found as words) or `substring` (found only as a
    substring: trigram candidates verified with LIKE for terms of 3+ characters, LIKE for shorter
    ones; these follow the word matches, newest first).
    """
    terms = _terms(query)
    if not terms:
        raise ValueError("empty search query")
    if not is_current(db):  # an index of an older definition, empty or behind: read the text itself
        found, _ = _substring_search(db, terms, limit, indexed=False)
        return SearchResult(found, 0, "search indexes not current", "substrings: LIKE over every report")
    rows: list[dict[str, Any]] = []
    match = words.fts_query(query)
    found, ranking = 0, "no word matches"
    if match and db.table(WORDS_TABLE).exists():
        newest = [r[0] for r in db.execute(
            f"select rowid from {WORDS_TABLE} where {WORDS_TABLE} match ? order by rowid desc limit ?",
            [match, RANK_CAP + 1])]
        found = len(newest)
        if found <= RANK_CAP:
            ranked = [r[0] for r in db.execute(
                f"select rowid from {WORDS_TABLE} where {WORDS_TABLE} match ? order by rank, rowid desc limit ?", [match, limit])]
            ranking = f"{found} word matches, ranked by bm25" if found else ranking
        else:
            ranked = _rank_candidates(db, [t for t in terms if words.words(t)], newest[:RANK_CAP], limit)
            ranking = (f"more than {RANK_CAP} word matches: the newest {RANK_CAP} ranked by bm25 "
                       f"(document frequencies counted up to {DF_CAP})")
        rows = [{**r, "match": "word"} for r in _rows(db, ranked, terms)]
    note = ""
    if len(rows) < limit:
        seen = {r["id"] for r in rows}
        more, note = _substring_search(db, terms, limit - len(rows) + len(seen))
        rows += [r for r in more if r["id"] not in seen]
    return SearchResult(rows[:limit], found, ranking, note)


def _rank_candidates(db: sqlite_utils.Database, terms: list[str], ids: list[int], limit: int) -> list[int]:
    """FTS5's bm25 (k1 1.2, b 0.75, column weights 4/2/1) over these candidates, computed from their text:
    term frequency = weighted occurrences, document length in UTF-8 bytes, IDF from each term's
    document frequency in the word index counted up to DF_CAP."""
    total = db.execute("select max(id) from reports").fetchone()[0] or 1
    idf = []
    for term in terms:
        n = db.execute(f"select count(*) from (select 1 from {WORDS_TABLE} where {WORDS_TABLE} match ? limit ?)",
                       [words.fts_query(term), DF_CAP]).fetchone()[0]
        idf.append(max(1e-6, math.log((total - n + 0.5) / (n + 0.5))))
    # occurrences per column, counted in the UTF-8 bytes (no decoding); lengths in bytes
    needles = [t.encode() for t in terms]
    stats: list[tuple[int, int, list[int]]] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for r in db.execute(f"""select id, cast(coalesce(title, '') as blob), cast(coalesce(agency, '') as blob),
                                       cast(coalesce(body_text, '') as blob)
                                from reports where id in ({','.join('?' * len(chunk))})""", chunk):
            cols = r[1:]
            stats.append((r[0], sum(len(c) for c in cols), [c.count(n) for n in needles for c in cols]))
    if not stats:
        return []
    avgdl = sum(dl for _, dl, _ in stats) / len(stats) or 1.0
    k1, b = 1.2, 0.75
    scores = []
    for rid, dl, hits in stats:
        score = 0.0
        for k, weight in enumerate(idf):
            tf = sum(w * h for w, h in zip(WEIGHTS, hits[3 * k : 3 * k + 3], strict=True))
            score += weight * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
        scores.append((-score, -rid))
    scores.sort()
    return [-rid for _, rid in scores[:limit]]


def _rows(db: sqlite_utils.Database, ids: list[int], terms: list[str]) -> list[dict[str, Any]]:
    """The result rows of these reports, in this order, with a snippet around the first term's first word."""
    if not ids:
        return []
    found = {r["id"]: r for r in db.query(
        f"select id, agency, year, title, url, body_text from reports where id in ({','.join('?' * len(ids))})", ids)}
    out = []
    for rid in ids:
        r = found.get(rid)
        if r is None:
            continue
        text = r.pop("body_text") or ""
        source = next((s for s in (text, r["title"] or "", r["agency"] or "") if terms[0] in s), text)
        out.append({**r, "snippet": _snippet(source, terms[0], as_word=True)})
    return out


def _substring_search(db: sqlite_utils.Database, terms: list[str], limit: int,
                      indexed: bool = True) -> tuple[list[dict[str, Any]], str]:
    """Reports containing every term, newest first, and a note on how they were looked for.

    Terms of 3+ characters: the trigram index gives the reports holding every trigram of
    the terms, a superset; the newest SUBSTRING_CAP of them are verified with LIKE (the note says when
    there were more: older reports were not checked). Only shorter terms: LIKE over every report.
    """
    long_terms = [t for t in terms if len(t) >= 3]
    where, params = [], []
    for t in terms:
        where.append("(r.title like ? escape '\\' or r.agency like ? escape '\\' or r.body_text like ? escape '\\')")
        params += [f"%{_like_escape(t)}%"] * 3
    like_sql = " and ".join(where)
    note = "substrings: LIKE over every report"
    if indexed and long_terms and db.table(FTS_TABLE).exists():
        match = substring_match(long_terms)
        ids = [r[0] for r in db.execute(f"select rowid from {FTS_TABLE} where {FTS_TABLE} match ? "
                                        "order by rowid desc limit ?", [match, SUBSTRING_CAP + 1])]
        note = (f"substrings: {len(ids)} trigram candidates verified" if len(ids) <= SUBSTRING_CAP else
                f"substrings: the newest {SUBSTRING_CAP} of more than {SUBSTRING_CAP} trigram candidates verified "
                "(older reports not checked)")
        found: list[dict[str, Any]] = []
        for i in range(0, min(len(ids), SUBSTRING_CAP), 100):  # newest first, until enough are found
            chunk = ids[i : min(i + 100, SUBSTRING_CAP)]
            found += db.query(f"""select r.id, r.agency, r.year, r.title, r.url, r.body_text from reports r
                                  where r.id in ({','.join('?' * len(chunk))}) and {like_sql}
                                  order by r.id desc""", [*chunk, *params])
            if len(found) >= limit:
                break
        found = found[:limit]
        if len(found) >= limit:
            note = f"substrings: the newest {limit} matches among the trigram candidates, newest first"
    else:
        sql = f"""select r.id, r.agency, r.year, r.title, r.url, r.body_text
                  from reports r where {like_sql} order by r.id desc limit ?"""
        found = list(db.query(sql, [*params, limit]))
    out = []
    for r in found:
        text = r.pop("body_text") or ""
        source = next((s for s in (text, r["title"] or "", r["agency"] or "") if terms[0] in s), text)
        out.append({**r, "snippet": _snippet(source, terms[0]), "match": "substring"})
    return out, note


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _snippet(text: str, term: str, width: int = SNIPPET_WIDTH, as_word: bool = False) -> str:
    """`text` around the first occurrence of `term` (with `as_word`: the first where it stands as words,
    judged by segmenting a few characters around it), the whole term in [brackets]."""
    i = text.find(term)
    if i < 0:
        return text[: width * 2]
    if as_word:
        want = words.words(term)
        j, tries = i, 0
        while j >= 0 and tries < 20:
            window = words.words(text[max(0, j - 6) : j + len(term) + 6])
            if any(window[k : k + len(want)] == want for k in range(len(window))):
                i = j
                break
            j, tries = text.find(term, j + 1), tries + 1
    start, end = max(0, i - width), i + len(term) + width
    return ("…" if start else "") + text[start:i] + f"[{term}]" + text[i + len(term) : end] + ("…" if end < len(text) else "")

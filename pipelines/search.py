"""Full-text search over reports that works on Chinese.

FTS5's default tokenizer keeps a run of Han characters as one token, so 依申请 inside a sentence is
never found. The `trigram` tokenizer (SQLite ≥ 3.34) indexes every 3-character window: any query of 3
or more characters matches anywhere. Shorter terms (复议, 诉) fall back to LIKE.
"""

from __future__ import annotations

import re
from typing import Any

import sqlite_utils

FTS_TABLE = "reports_fts"
FTS_COLUMNS = ["title", "agency", "body_text"]


def enable_search(db: sqlite_utils.Database) -> None:
    """Create the trigram index on reports (kept current by triggers); idempotent, cheap when present."""
    if db.table(FTS_TABLE).exists() or not db.table("reports").exists():
        return
    db.table("reports").enable_fts(FTS_COLUMNS, fts_version="FTS5", tokenize="trigram", create_triggers=True)


def _terms(query: str) -> list[str]:
    return [t for t in re.split(r"\s+", query.strip()) if t]


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def search(db: sqlite_utils.Database, query: str, limit: int = 50) -> list[dict[str, Any]]:
    """Reports matching every whitespace-separated term, best first.

    Terms of 3+ characters go through the trigram index (ranked by bm25); shorter ones are LIKE
    filters. Returns id, agency, year, title, url and a snippet around the first match.
    """
    terms = _terms(query)
    if not terms:
        raise ValueError("empty search query")
    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = [t for t in terms if len(t) < 3]
    where, params = [], []
    for t in short_terms:
        where.append("(r.title like ? or r.agency like ? or r.body_text like ?)")
        params += [f"%{_like_escape(t)}%"] * 3
    like_sql = " and ".join(w.replace("like ?", "like ? escape '\\'") for w in where)
    if long_terms:
        match = " AND ".join(_fts_phrase(t) for t in long_terms)
        sql = f"""select r.id, r.agency, r.year, r.title, r.url,
                         snippet({FTS_TABLE}, 2, '[', ']', '…', 24) as snippet
                  from {FTS_TABLE} join reports r on r.id = {FTS_TABLE}.rowid
                  where {FTS_TABLE} match ? {"and " + like_sql if like_sql else ""}
                  order by bm25({FTS_TABLE}) limit ?"""
        rows = db.query(sql, [match, *params, limit])
    else:
        sql = f"""select r.id, r.agency, r.year, r.title, r.url, r.body_text as snippet
                  from reports r where {like_sql} order by r.year desc, r.id limit ?"""
        rows = ({**r, "snippet": _snippet(r["snippet"] or "", short_terms[0])} for r in db.query(sql, [*params, limit]))
    return list(rows)


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _snippet(text: str, term: str, width: int = 24) -> str:
    i = text.find(term)
    if i < 0:
        return text[: width * 2]
    start, end = max(0, i - width), i + len(term) + width
    return ("…" if start else "") + text[start:i] + f"[{term}]" + text[i + len(term) : end] + ("…" if end < len(text) else "")

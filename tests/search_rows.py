"""A bare report row for the search tests: inserted through SQL (the triggers keep both indexes), the
word index brought up to date."""

from __future__ import annotations

from pipelines import store
from pipelines.search import index_pending


def insert_report(db, body: str, title: str = "某某局2021年度报告", agency: str = "某某局") -> int:
    with store.transaction(db):
        db.execute("insert into reports (title, agency, year, body_text, content_hash) values (?, ?, 2021, ?, ?)",
                   [title, agency, body, f"h{hash((title, agency, body))}"])
        rid = db.execute("select last_insert_rowid()").fetchone()[0]
    index_pending(db)
    return rid

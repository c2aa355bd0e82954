"""Links between WARC captures (`warc_records`, written by crawler.extensions.warc) and reports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

from pipelines.store.schema import transaction


def log_captures(db: sqlite_utils.Database, rows: Iterable[Mapping[str, Any]]) -> None:
    """Rows of `warc_records` (written by crawler.extensions.warc, passed through the one writer)."""
    rows = list(rows)
    if rows:
        with transaction(db):
            db.table("warc_records").insert_all(rows)
            for r in rows:  # a capture of an already archived URL (a 304 revisit, a re-fetch)
                db.execute("""update warc_records set report_id = (select report_id from http_validators v
                              where v.url = warc_records.url) where url = ? and report_id is null""", [r["url"]])


def link_captures(db: sqlite_utils.Database, report_id: int, url: str) -> None:
    """Attach the not yet linked captures of `url` to its report (inside the caller's transaction)."""
    db.execute("update warc_records set report_id = ? where url = ? and report_id is null", [report_id, url])

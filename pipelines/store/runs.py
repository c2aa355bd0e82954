"""Crawl and import runs, the fetch log, rejected candidates and the portal list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

from pipelines.store.schema import now_iso, transaction


def start_run(db: sqlite_utils.Database, spider: str, args: str) -> int:
    with transaction(db):
        table = db.table("crawl_runs")
        table.insert({"started_at": now_iso(), "spider": spider, "args": args})
        return int(table.last_pk)


def finish_run(db: sqlite_utils.Database, run_id: int, stats: Mapping[str, Any]) -> None:
    with transaction(db):
        db.table("crawl_runs").update(run_id, {"finished_at": now_iso(), **stats})


def progress_run(db: sqlite_utils.Database, run_id: int, counts: Mapping[str, Any]) -> None:
    """The counts of a run still going (finished_at stays NULL until finish_run): a killed run keeps them."""
    with transaction(db):
        db.table("crawl_runs").update(run_id, dict(counts))


def log_fetches(db: sqlite_utils.Database, rows: Iterable[Mapping[str, Any]]) -> None:
    rows = list(rows)
    if rows:
        with transaction(db):
            db.table("fetch_log").insert_all(rows)


def upsert_portals(db: sqlite_utils.Database, rows: Iterable[Mapping[str, Any]]) -> None:
    with transaction(db):
        db.table("portals").upsert_all(list(rows), pk="name")


def record_rejected(db: sqlite_utils.Database, row: Mapping[str, Any]) -> None:
    with transaction(db):
        db.table("rejected_pages").insert({"seen_at": now_iso(), **row})

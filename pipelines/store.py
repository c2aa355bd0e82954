"""The archive: one SQLite file written with sqlite-utils. Schema, migrations and the one writer.

The schema is a public interface (README "Archive schema"): add tables and columns, never
rename or drop them. `ensure_schema` is idempotent and adds whatever an older archive lacks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from pipelines.regions import load_divisions
from pipelines.search import enable_search

SCHEMA_VERSION = 1

# table -> (columns with types, primary key, not-null defaults). Order is the documented order.
TABLES: dict[str, dict[str, Any]] = {
    "reports": {
        "columns": {
            "id": int,
            "url": str,
            "title": str,
            "agency": str,
            "year": int,
            "published_at": str,
            "signature_date": str,
            "contact_phone": str,
            "contact_address": str,
            "contact_postcode": str,
            "contact_email": str,
            "template": str,
            "source_kind": str,
            "portal": str,
            "region_code": str,
            "index_no": str,
            "doc_no": str,
            "body_text": str,
            "needs_ocr": int,
            "cells_count": int,
            "nulls_count": int,
            "checks_failed": int,
            "table_flags": str,
            "table_errors": str,
            "content_hash": str,
            "first_seen": str,
            "last_seen": str,
            "first_run_id": int,
            "last_run_id": int,
        },
        "pk": "id",
    },
    "report_urls": {
        "columns": {
            "report_id": int,
            "url": str,
            "canonical_url": str,
            "kind": str,
            "portal": str,
            "page_url": str,
            "first_seen": str,
            "last_seen": str,
        },
        "pk": ("report_id", "canonical_url"),
    },
    "report_cells": {
        "columns": {
            "report_id": int,
            "table_name": str,
            "row_label": str,
            "col_label": str,
            "value": float,
            "raw": str,
            "unit": str,
            "flag": str,
        },
        "pk": ("report_id", "table_name", "row_label", "col_label"),
    },
    "report_checks": {
        "columns": {
            "report_id": int,
            "rule": str,
            "scope": str,
            "expected": float,
            "actual": float,
            "ok": int,
        },
        "pk": ("report_id", "rule", "scope"),
    },
    "crawl_runs": {
        "columns": {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "spider": str,
            "args": str,
            "portals": int,
            "pages": int,
            "bytes": int,
            "not_modified": int,
            "reports_new": int,
            "reports_updated": int,
            "reports_unchanged": int,
            "rejected": int,
            "errors": int,
            "finish_reason": str,
        },
        "pk": "id",
    },
    "fetch_log": {
        "columns": {
            "id": int,
            "run_id": int,
            "url": str,
            "portal": str,
            "kind": str,
            "status": int,
            "bytes": int,
            "content_type": str,
            "error": str,
            "referer": str,
            "fetched_at": str,
        },
        "pk": "id",
    },
    "rejected_pages": {
        "columns": {
            "id": int,
            "run_id": int,
            "url": str,
            "portal": str,
            "title": str,
            "reason": str,
            "seen_at": str,
        },
        "pk": "id",
    },
    "portals": {
        "columns": {
            "name": str,
            "start_url": str,
            "render": int,
            "region_code": str,
            "last_run_id": int,
        },
        "pk": "name",
    },
    # administrative divisions (GB/T 2260, pipelines/data/divisions_2024.csv) and each report's place in them
    "divisions": {
        "columns": {"code": str, "name": str, "level": str, "parent_code": str, "full_name": str},
        "pk": "code",
    },
    "report_regions": {
        "columns": {
            "report_id": int,
            "code": str,
            "province": str,
            "city": str,
            "county": str,
            "level": str,
            "kind": str,
            "township": str,
            "deadline": str,
            "days_late": int,
        },
        "pk": "report_id",
    },
}

INDEXES: list[tuple[str, list[str], bool]] = [
    ("reports", ["content_hash"], True),
    ("reports", ["agency", "year"], False),
    ("reports", ["year"], False),
    ("report_urls", ["canonical_url"], False),
    ("report_cells", ["table_name", "row_label", "col_label"], False),
    ("report_checks", ["rule", "ok"], False),
    ("fetch_log", ["run_id"], False),
    ("fetch_log", ["url"], False),
    ("rejected_pages", ["url"], False),
]


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def open_archive(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) an archive in WAL mode with the current schema."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    for name, spec in TABLES.items():
        table = db.table(name)
        if not table.exists():
            table.create(spec["columns"], pk=spec["pk"])
        else:
            missing = {c: t for c, t in spec["columns"].items() if c not in table.columns_dict}
            for column, col_type in missing.items():
                table.add_column(column, col_type)
    for table, cols, unique in INDEXES:
        db.table(table).create_index(cols, unique=unique, if_not_exists=True)
    enable_search(db)  # trigram full-text index on reports (pipelines/search.py)
    load_divisions(db)  # divisions table and the report_index view (pipelines/regions.py)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


@contextmanager
def transaction(db: sqlite_utils.Database):
    """One atomic write: either everything inside lands or nothing does."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    else:
        db.execute("COMMIT")


def start_run(db: sqlite_utils.Database, spider: str, args: str) -> int:
    with transaction(db):
        table = db.table("crawl_runs")
        table.insert({"started_at": now_iso(), "spider": spider, "args": args})
        return int(table.last_pk)


def finish_run(db: sqlite_utils.Database, run_id: int, stats: Mapping[str, Any]) -> None:
    with transaction(db):
        db.table("crawl_runs").update(run_id, {"finished_at": now_iso(), **stats})


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


REPORT_FIELDS = [c for c in TABLES["reports"]["columns"] if c not in ("id",)]


def save_report(db: sqlite_utils.Database, record: Mapping[str, Any], run_id: int | None) -> tuple[str, int]:
    """Store one processed report atomically; returns (outcome, report_id).

    outcome: "new" (a report not archived before), "updated" (same URL, changed content),
    "unchanged" (same content seen again, perhaps at another URL: only `report_urls` grows).
    """
    seen = now_iso()
    with transaction(db):
        reports = db.table("reports")
        existing = list(
            db.query("select id, content_hash from reports where content_hash = ?", [record["content_hash"]])
        )
        if existing:
            report_id = existing[0]["id"]
            reports.update(report_id, {"last_seen": seen, "last_run_id": run_id})
            outcome = "unchanged"
        else:
            by_url = list(
                db.query(
                    "select report_id from report_urls where canonical_url = ? and kind = ?",
                    [record["canonical_url"], record.get("url_kind", "page")],
                )
            )
            row = {k: record.get(k) for k in REPORT_FIELDS if k in record}
            row.update(last_seen=seen, last_run_id=run_id)
            if by_url:
                report_id = by_url[0]["report_id"]
                reports.update(report_id, row)
                for child in ("report_cells", "report_checks"):
                    db.execute(f"delete from {child} where report_id = ?", [report_id])
                outcome = "updated"
            else:
                row.update(first_seen=seen, first_run_id=run_id)
                reports.insert(row)
                report_id = int(reports.last_pk)
                outcome = "new"
            _write_children(db, report_id, record)
        _add_urls(db, report_id, record, seen)
    return outcome, report_id


def _add_urls(db: sqlite_utils.Database, report_id: int, record: Mapping[str, Any], seen: str) -> None:
    for url, canonical, kind, page_url in record.get("urls", []):
        db.execute(
            """insert into report_urls (report_id, url, canonical_url, kind, portal, page_url, first_seen, last_seen)
               values (?, ?, ?, ?, ?, ?, ?, ?)
               on conflict (report_id, canonical_url) do update set last_seen = excluded.last_seen""",
            [report_id, url, canonical, kind, record.get("portal"), page_url, seen, seen],
        )


def _write_children(db: sqlite_utils.Database, report_id: int, record: Mapping[str, Any]) -> None:
    cells = [{"report_id": report_id, **c} for c in record.get("cells", [])]
    cells += [
        {
            "report_id": report_id,
            "table_name": a["table_name"],
            "row_label": a["row_label"],
            "col_label": a["col_label"],
            "value": None,
            "raw": None,
            "unit": None,
            "flag": f"ambiguous: {a['why']}",
        }
        for a in record.get("ambiguous", [])
    ]
    if cells:
        db.table("report_cells").insert_all(cells, replace=True)
    checks = [{"report_id": report_id, **c, "ok": int(bool(c["ok"]))} for c in record.get("checks", [])]
    if checks:
        db.table("report_checks").insert_all(checks, replace=True)

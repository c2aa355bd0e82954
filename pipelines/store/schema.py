"""The archive schema: tables, indexes, migrations (`ensure_schema`), opening and transactions.

The schema is a public interface (README "Archive schema"): add tables and columns, never
rename or drop them. `ensure_schema` is idempotent and adds whatever an older archive lacks.
"""

from __future__ import annotations

import itertools
import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.db import DescIndex

from pipelines.regions import fill_missing_regions, load_divisions
from pipelines.search import enable_search
from pipelines.store.cells import ensure_cell_store
from pipelines.store.checks import ensure_check_store
from pipelines.store.coverage_totals import ensure_agency_years
from pipelines.store.totals import ensure_totals

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
            "version": int,
            # where agency and published_at came from, and metadata ambiguities (pipelines/metadata.py)
            "agency_source": str,
            "published_source": str,
            "metadata_flags": str,
            "parser_version": str,  # pipelines.process.PARSER_VERSION that produced the row (nianbao reprocess)
            "ocr_engine": str,
            "ocr_model": str,
            "ocr_confidence": float,
            "bounds_hit": str,
            # every phone / fax number of the contact passage, JSON arrays (contact_phone is the first phone)
            "contact_phones": str,
            "contact_faxes": str,
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
            # the portal removed it: 404/410 or a soft 404 on a later crawl (the report stays archived)
            "gone_at": str,
            "gone_run_id": int,
            "gone_status": str,  # "404", "410", "soft404"
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
        "view": True,  # a view over the compact cell store (pipelines/store/cells.py), same name and columns
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
        "view": True,  # a view over the compact check store (pipelines/store/checks.py), same name and columns
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
            "run_key": str,
            "worker": str,
            "warc_dir": str,
        },
        "pk": "id",
    },
    # one row per portal per crawl run (crawler/extensions/health.py, `nianbao health`)
    "portal_health": {
        "columns": {
            "run_id": int,
            "portal": str,
            "status": str,  # ok | degraded | no-report | site-changed | unreachable
            "failure": str,  # main failure class: dns, refused, timeout, tls, http4xx, http5xx, waf, soft404, …
            "pages": int,
            "reports_new": int,
            "reports_seen": int,
            "failures": str,  # JSON {class: count}
            "examples": str,  # JSON {class: "url (detail)"}
            "hosts_down": str,  # JSON [host, …]
            "gone": int,  # known report URLs now gone (404/410/soft 404)
            "consecutive_empty": int,  # runs in a row without a report found or seen, this one included
            "last_good_run": int,  # the latest run with status ok (this one if ok)
            "checked_at": str,
        },
        "pk": ("run_id", "portal"),
    },
    # 年报 list URLs of each portal: pages that answered 200 as a list (crawler/health.py); a known list that
    # later answers 404/410/soft 404 makes its portal's run `site-changed`
    "portal_lists": {
        "columns": {
            "portal": str,
            "url": str,
            "first_run_id": int,
            "last_run_id": int,  # the latest run in which it answered as a list
            "last_seen_at": str,
            "gone_at": str,
            "gone_run_id": int,
            "gone_status": str,  # "404", "410", "soft404"
        },
        "pk": ("portal", "url"),
    },
    # distributed workers' shares of one pass's portal health (crawler/distributed/writer.py merges them into
    # portal_health under the pass's first worker run)
    "portal_health_parts": {
        "columns": {"pass_key": str, "run_id": int, "portals": str, "health": str, "received_at": str},
        "pk": ("pass_key", "run_id"),
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
            "agency_canonical": str,  # the agency from its own division down (pipelines/regions.py)
        },
        "pk": "report_id",
    },

    # -- dedup, history, incremental re-crawls, raw captures (README "Dedup, re-crawls and WARC") --
    # earlier contents of a report: the row in `reports` is always the newest version
    "report_versions": {
        "columns": {
            "id": int,
            "report_id": int,
            "version": int,
            "content_hash": str,
            "similarity": float,
            "url": str,
            "title": str,
            "published_at": str,
            "body_text": str,
            "cells": str,
            "checks": str,
            "first_seen": str,
            "last_seen": str,
            "first_run_id": int,
            "replaced_at": str,
            "replaced_run_id": int,
        },
        "pk": "id",
    },
    "report_minhash": {
        "columns": {"report_id": int, "signature": bytes},
        "pk": "report_id",
    },
    "report_lsh": {
        "columns": {"bucket": str, "report_id": int},
        "pk": ("bucket", "report_id"),
    },
    "http_validators": {
        "columns": {
            "url": str,
            "kind": str,
            "etag": str,
            "last_modified": str,
            "sha256": str,
            "report_id": int,
            "last_status": int,
            "first_seen": str,
            "last_seen": str,
            "last_run_id": int,
            "is_report": int,
            "memo": bytes,
        },
        "pk": "url",
    },
    "warc_records": {
        "columns": {
            "id": int,
            "run_id": int,
            "url": str,
            "warc_file": str,
            "offset": int,
            "length": int,
            "record_type": str,
            "record_id": str,
            "digest": str,
            "status": int,
            "kind": str,
            "fetched_at": str,
            "report_id": int,
        },
        "pk": "id",
    },
    # stream messages already written by `nianbao writer` (crawler/distributed/writer.py): at-least-once
    # delivery, applied once
    "stream_applied": {
        "columns": {"msg_id": str, "run_id": int, "kind": str, "applied_at": str},
        "pk": "msg_id",
    },
}

INDEXES: list[tuple[str, list[Any], bool]] = [
    ("reports", ["content_hash"], True),
    ("reports", ["agency", "year"], False),
    ("reports", ["year"], False),
    ("reports", ["year", "template"], False),  # counts by year and template without reading the wide rows
    ("reports", [DescIndex("year"), "agency"], False),  # newest year first, by agency (failing_r1): no sort
    ("report_urls", ["canonical_url"], False),
    ("report_regions", ["days_late"], False),  # late reports, latest first, without sorting every report
    ("fetch_log", ["run_id"], False),
    ("portal_health", ["portal", "run_id"], False),
    ("fetch_log", ["url"], False),
    ("rejected_pages", ["url"], False),
    ("report_versions", ["report_id"], False),
    ("report_versions", ["content_hash"], False),
    ("report_lsh", ["report_id"], False),
    ("http_validators", ["report_id"], False),
    ("warc_records", ["url"], False),
    ("warc_records", ["report_id"], False),
    ("warc_records", ["digest"], False),
    ("crawl_runs", ["run_key"], True),
]


# indexes of the few rows a listing wants (sqlite-utils' create_index has no WHERE)
PARTIAL_INDEXES = [
    # canned removed_reports: the URLs found gone, latest first, without reading every URL
    "create index if not exists idx_report_urls_gone_at on report_urls (gone_at) where gone_at is not null",
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
        if spec.get("view"):
            continue
        table = db.table(name)
        if not table.exists():
            table.create(spec["columns"], pk=spec["pk"])
        else:
            missing = {c: t for c, t in spec["columns"].items() if c not in table.columns_dict}
            for column, col_type in missing.items():
                table.add_column(column, col_type)
    ensure_cell_store(db)  # cell_keys + cell_values, and the report_cells view (migrates an old table)
    ensure_check_store(db)  # check_keys + check_values, and the report_checks view (migrates an old table)
    ensure_totals(db)  # cell_year_totals + the report_cell_totals view, kept by triggers (filled for an old archive)
    ensure_agency_years(db)  # reports per agency, division and year for the coverage listings, kept by triggers
    for table, cols, unique in INDEXES:
        db.table(table).create_index(cols, unique=unique, if_not_exists=True)
    for sql in PARTIAL_INDEXES:
        db.execute(sql)
    enable_search(db)  # trigram full-text index on reports (pipelines/search.py)
    load_divisions(db)  # divisions table and the report_index view (pipelines/regions.py)
    fill_missing_regions(db)  # archives from before region rows were written with each report
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


_savepoints = itertools.count()


@contextmanager
def transaction(db: sqlite_utils.Database):
    """One atomic write: either everything inside lands or nothing does.

    Nested inside an open transaction (the stream writer applies a batch of messages in one), it is a
    savepoint: a failing inner write is undone alone, and nothing lands before the outer COMMIT.
    """
    if db.conn.in_transaction:
        name = f"nb_{next(_savepoints)}"
        db.execute(f"SAVEPOINT {name}")
        try:
            yield db
        except BaseException:
            db.execute(f"ROLLBACK TO {name}")
            db.execute(f"RELEASE {name}")
            raise
        else:
            db.execute(f"RELEASE {name}")
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    else:
        db.execute("COMMIT")

"""The archive: one SQLite file written with sqlite-utils. Schema, migrations and the one writer.

The schema is a public interface (README "Archive schema"): add tables and columns, never
rename or drop them. `ensure_schema` is idempotent and adds whatever an older archive lacks.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from pipelines.dedup import NEAR_DUP_THRESHOLD, canonical_url, lsh_buckets, minhash_signature, similarity
from pipelines.normalize import label_key
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
            "version": int,
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
    # one row per portal per crawl run (crawler/extensions/health.py, `nianbao health`)
    "portal_health": {
        "columns": {
            "run_id": int,
            "portal": str,
            "status": str,  # ok | unreachable | no-report | site-changed
            "failure": str,  # main failure class: dns, refused, timeout, tls, http4xx, http5xx, waf, robots, …
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
}

INDEXES: list[tuple[str, list[str], bool]] = [
    ("reports", ["content_hash"], True),
    ("reports", ["agency", "year"], False),
    ("reports", ["year"], False),
    ("report_urls", ["canonical_url"], False),
    ("report_cells", ["table_name", "row_label", "col_label"], False),
    ("report_checks", ["rule", "ok"], False),
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

    Dedup policy (README "Dedup, re-crawls and WARC"), in this order:
    "unchanged"  the content fingerprint equals a report's, or one of its earlier versions': the
                 report is seen again (perhaps at another URL, in 繁體, with other chrome); only
                 `report_urls` (and last_seen) change.
    "updated"    a new version of a known report: changed content at a URL where the report was
                 seen (same agency and year, or unknown), or a near-duplicate (MinHash similarity
                 ≥ NEAR_DUP_THRESHOLD) with the same agency and year at another URL. The report
                 keeps its id; its previous content moves to `report_versions`.
    "new"        anything else.
    The HTTP validators of the fetched URL are stored in the same transaction (incremental re-crawls).
    """
    seen = now_iso()
    sig = record.get("minhash")
    if sig is None:
        sig = minhash_signature(record.get("body_text") or "", record.get("cells", []))
    with transaction(db):
        reports = db.table("reports")
        report_id = _exact_match(db, record["content_hash"], seen, run_id)
        if report_id is not None:
            reports.update(report_id, {"last_seen": seen, "last_run_id": run_id})
            outcome = "unchanged"
        else:
            target, sim = _version_target(db, record, sig)
            row = {k: record.get(k) for k in REPORT_FIELDS if k in record}
            row.update(last_seen=seen, last_run_id=run_id)
            if target is not None:
                row["version"] = _archive_version(db, target, sim, seen, run_id) + 1
                reports.update(target, row)
                for child in ("report_cells", "report_checks", "report_lsh"):
                    db.execute(f"delete from {child} where report_id = ?", [target])
                report_id, outcome = target, "updated"
            else:
                row.update(first_seen=seen, first_run_id=run_id, version=1)
                reports.insert(row)
                report_id, outcome = int(reports.last_pk), "new"
            _write_children(db, report_id, record)
            _write_minhash(db, report_id, sig)
        _add_urls(db, report_id, record, seen)
        _save_validators(db, report_id, record, seen, run_id)
        _link_captures(db, report_id, record["url"])
    return outcome, report_id


def _exact_match(db: sqlite_utils.Database, content_hash: str, seen: str, run_id: int | None) -> int | None:
    row = db.execute("select id from reports where content_hash = ?", [content_hash]).fetchone()
    if row:
        return int(row[0])
    row = db.execute("select id, report_id from report_versions where content_hash = ? order by id desc limit 1",
                     [content_hash]).fetchone()
    if row:  # an earlier version, still served somewhere (an unrevised mirror)
        db.execute("update report_versions set last_seen = ? where id = ?", [seen, row[0]])
        return int(row[1])
    return None


def _same(a: Any, b: Any) -> bool | None:
    """True/False when both are known, None when either is missing. Agencies compare normalised."""
    if a in (None, "") or b in (None, ""):
        return None
    if isinstance(a, str) and isinstance(b, str):
        return label_key(a) == label_key(b)
    return a == b


def _version_target(db: sqlite_utils.Database, record: Mapping[str, Any], sig: bytes) -> tuple[int | None, float]:
    """The report this record is a new version of (and the similarity), or (None, 0.0)."""
    by_url = {r[0] for r in db.execute(
        "select report_id from report_urls where canonical_url = ? and kind = ?",
        [record["canonical_url"], record.get("url_kind", "page")])}
    buckets = lsh_buckets(sig)
    by_lsh: set[int] = set()
    if buckets:
        marks = ",".join("?" * len(buckets))
        by_lsh = {r[0] for r in db.execute(f"select report_id from report_lsh where bucket in ({marks})", buckets)}
    best: tuple[int | None, float] = (None, -1.0)
    for rid in sorted(by_url | by_lsh):
        agency, year = db.execute("select agency, year from reports where id = ?", [rid]).fetchone()
        same_agency, same_year = _same(agency, record.get("agency")), _same(year, record.get("year"))
        stored = db.execute("select signature from report_minhash where report_id = ?", [rid]).fetchone()
        sim = similarity(sig, stored[0] if stored else b"")
        if rid in by_url:  # the page at a known URL changed: a revision unless it is another agency's or year's
            ok = same_agency is not False and same_year is not False
        else:  # the same text elsewhere: only with the same agency and year, and nearly the same content
            ok = bool(same_agency and same_year) and sim >= NEAR_DUP_THRESHOLD
        if ok and sim > best[1]:
            best = (rid, sim)
    return (best[0], max(best[1], 0.0)) if best[0] is not None else (None, 0.0)


def _archive_version(db: sqlite_utils.Database, report_id: int, sim: float, seen: str, run_id: int | None) -> int:
    """Copy a report's current content into report_versions; returns its version number."""
    old = next(db.query("select * from reports where id = ?", [report_id]))
    cells = list(db.query("select table_name, row_label, col_label, value, raw, unit, flag from report_cells "
                          "where report_id = ? order by rowid", [report_id]))
    checks = list(db.query("select rule, scope, expected, actual, ok from report_checks where report_id = ? "
                           "order by rowid", [report_id]))
    version = old.get("version") or 1
    db.table("report_versions").insert({
        "report_id": report_id, "version": version, "content_hash": old["content_hash"], "similarity": round(sim, 4),
        "url": old["url"], "title": old["title"], "published_at": old["published_at"], "body_text": old["body_text"],
        "cells": json.dumps(cells, ensure_ascii=False), "checks": json.dumps(checks, ensure_ascii=False),
        "first_seen": old["first_seen"], "last_seen": old["last_seen"], "first_run_id": old["first_run_id"],
        "replaced_at": seen, "replaced_run_id": run_id,
    })
    return int(version)


def _write_minhash(db: sqlite_utils.Database, report_id: int, sig: bytes) -> None:
    db.execute("insert or replace into report_minhash (report_id, signature) values (?, ?)", [report_id, sig])
    db.execute("delete from report_lsh where report_id = ?", [report_id])
    for bucket in lsh_buckets(sig):
        db.execute("insert or ignore into report_lsh (bucket, report_id) values (?, ?)", [bucket, report_id])


def _header(headers: Mapping[Any, str], name: str) -> str | None:
    for key, value in headers.items():
        if (key.decode("latin-1") if isinstance(key, bytes) else key).lower() == name.lower():
            return value
    return None


def _save_validators(db: sqlite_utils.Database, report_id: int, record: Mapping[str, Any], seen: str,
                     run_id: int | None) -> None:
    """ETag / Last-Modified / body sha256 of the fetched URL, for conditional requests next time."""
    fetch = record.get("fetch")
    if not fetch:  # a local import: nothing to revalidate
        return
    headers = fetch.get("headers") or {}
    db.execute(
        """insert into http_validators (url, kind, etag, last_modified, sha256, report_id, last_status,
                                        first_seen, last_seen, last_run_id)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           on conflict (url) do update set etag = excluded.etag,
               last_modified = excluded.last_modified, sha256 = excluded.sha256, report_id = excluded.report_id,
               last_status = excluded.last_status, last_seen = excluded.last_seen, last_run_id = excluded.last_run_id""",
        [record["url"], record.get("url_kind", "page"), _header(headers, "ETag"), _header(headers, "Last-Modified"),
         fetch.get("sha256"), report_id, fetch.get("status", 200), seen, seen, run_id],
    )


def _link_captures(db: sqlite_utils.Database, report_id: int, url: str) -> None:
    db.execute("update warc_records set report_id = ? where url = ? and report_id is null", [report_id, url])


def mark_seen(db: sqlite_utils.Database, url: str, run_id: int | None, status: int = 304) -> int | None:
    """A known document answered 304 (or the same bytes): it is seen again, nothing is re-parsed.

    Updates last_seen of the report, its URL and the validators; returns the report id, or None
    when the URL is not an archived report (then nothing changes).
    """
    seen = now_iso()
    with transaction(db):
        row = db.execute("select report_id from http_validators where url = ?", [url]).fetchone()
        if not row:
            return None
        db.execute("update http_validators set last_status = ?, last_seen = ?, last_run_id = ? where url = ?",
                   [status, seen, run_id, url])
        if row[0] is None:  # a known page that is not a report (a list, a news page)
            return None
        report_id = int(row[0])
        db.execute("update reports set last_seen = ?, last_run_id = ? where id = ?", [seen, run_id, report_id])
        db.execute("update report_urls set last_seen = ? where report_id = ? and canonical_url = ?",
                   [seen, report_id, canonical_url(url)])
        _link_captures(db, report_id, url)
    return report_id


def remember_pages(db: sqlite_utils.Database, rows: Iterable[Mapping[str, Any]], run_id: int | None) -> None:
    """Validators and memo (title, page metadata, links) of parsed pages, for conditional re-crawls.

    Never touches report_id: that is set by save_report when the page is archived as a report.
    """
    rows = list(rows)
    if not rows:
        return
    seen = now_iso()
    with transaction(db):
        for r in rows:
            db.execute(
                """insert into http_validators (url, kind, etag, last_modified, sha256, last_status, first_seen,
                                                last_seen, last_run_id, is_report, memo)
                   values (?, ?, ?, ?, ?, 200, ?, ?, ?, ?, ?)
                   on conflict (url) do update set kind = excluded.kind, etag = excluded.etag,
                       last_modified = excluded.last_modified, sha256 = excluded.sha256, last_status = 200,
                       last_seen = excluded.last_seen, last_run_id = excluded.last_run_id,
                       is_report = excluded.is_report, memo = excluded.memo""",
                [r["url"], r["kind"], r.get("etag"), r.get("last_modified"), r.get("sha256"), seen, seen, run_id,
                 int(bool(r.get("is_report"))), r.get("memo")],
            )


def log_captures(db: sqlite_utils.Database, rows: Iterable[Mapping[str, Any]]) -> None:
    """Rows of `warc_records` (written by crawler.extensions.warc, passed through the one writer)."""
    rows = list(rows)
    if rows:
        with transaction(db):
            db.table("warc_records").insert_all(rows)
            for r in rows:  # a capture of an already archived URL (a 304 revisit, a re-fetch)
                db.execute("""update warc_records set report_id = (select report_id from http_validators v
                              where v.url = warc_records.url) where url = ? and report_id is null""", [r["url"]])


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

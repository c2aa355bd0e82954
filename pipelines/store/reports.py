"""The report writer: one processed report → reports, its URLs, cells, checks, versions and dedup keys."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from pipelines.dedup import Candidate, lsh_buckets, minhash_signature, version_target
from pipelines.records import Report
from pipelines.regions import region_row
from pipelines.search import index_reports
from pipelines.store.captures import link_captures
from pipelines.store.memos import save_validators
from pipelines.store.schema import TABLES, now_iso, transaction

REPORT_FIELDS = [c for c in TABLES["reports"]["columns"] if c not in ("id",)]


def save_report(db: sqlite_utils.Database, report: Report | Mapping[str, Any], run_id: int | None) -> tuple[str, int]:
    """Store one processed report atomically; returns (outcome, report_id).

    Dedup policy (README "Dedup, re-crawls and WARC"), in this order:
    "unchanged"  the content fingerprint equals a report's, or one of its earlier versions': the
                 report is seen again (perhaps at another URL, in 繁體, with other chrome); only
                 `report_urls` (and last_seen) change.
    "updated"    a new version of a known report (`pipelines.dedup.version_target`): changed content
                 at a URL where the report was seen, or a near-duplicate with the same agency and
                 year at another URL. The report keeps its id; its previous content moves to
                 `report_versions`.
    "new"        anything else.
    The HTTP validators of the fetched URL and the report's region row are written in the same transaction.
    """
    record = report.to_dict() if isinstance(report, Report) else report
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
            target, sim = version_target(_candidates(db, record, sig), record.get("agency"), record.get("year"), sig)
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
            write_region(db, report_id, record)
            index_reports(db, [report_id])  # its words, for search (pipelines/search.py)
        _add_urls(db, report_id, record, seen)
        save_validators(db, report_id, record, seen, run_id)
        link_captures(db, report_id, record["url"])
    return outcome, report_id


def write_region(db: sqlite_utils.Database, report_id: int, record: Mapping[str, Any]) -> None:
    """The report's division, level and deadline (pipelines/regions.py), kept current on every write."""
    row = region_row({"id": report_id, **{k: record.get(k) for k in ("agency", "region_code", "year",
                                                                        "published_at")}})
    db.table("report_regions").insert(row, pk="report_id", replace=True)


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


def _candidates(db: sqlite_utils.Database, record: Mapping[str, Any], sig: bytes) -> list[Candidate]:
    """Reports seen at the record's URL, and reports sharing an LSH bucket with it."""
    by_url = {r[0] for r in db.execute(
        "select report_id from report_urls where canonical_url = ? and kind = ?",
        [record["canonical_url"], record.get("url_kind", "page")])}
    buckets = lsh_buckets(sig)
    by_lsh: set[int] = set()
    if buckets:
        marks = ",".join("?" * len(buckets))
        by_lsh = {r[0] for r in db.execute(f"select report_id from report_lsh where bucket in ({marks})", buckets)}
    out = []
    for rid in sorted(by_url | by_lsh):
        agency, year = db.execute("select agency, year from reports where id = ?", [rid]).fetchone()
        stored = db.execute("select signature from report_minhash where report_id = ?", [rid]).fetchone()
        out.append(Candidate(rid, agency, year, stored[0] if stored else b"", rid in by_url))
    return out


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

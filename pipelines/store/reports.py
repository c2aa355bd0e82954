"""The report writer: one processed report → reports, its URLs, cells, checks, versions and dedup keys."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from typing import Any

import sqlite_utils
from sqlite_utils.db import jsonify_if_needed

from pipelines.dedup import Candidate, lsh_buckets, minhash_signature, version_target
from pipelines.records import Report
from pipelines.regions import region_row
from pipelines.search import index_reports
from pipelines.store.captures import link_captures
from pipelines.store.cells import delete_cells, write_cells
from pipelines.store.checks import delete_checks, write_checks
from pipelines.store.memos import save_validators
from pipelines.store.schema import TABLES, now_iso, transaction

REPORT_FIELDS = [c for c in TABLES["reports"]["columns"] if c not in ("id",)]


def save_report(db: sqlite_utils.Database, report: Report | Mapping[str, Any], run_id: int | None,
                segment: Callable[[str | None, str | None, str | None], Sequence[str] | None] | None = None,
                ) -> tuple[str, int]:
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
    `segment`: how the words of a replaced text are segmented (pipelines.search.index_reports).
    """
    record = _fields(report) if isinstance(report, Report) else report
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
                delete_cells(db, target)
                delete_checks(db, target)
                db.execute("delete from report_lsh where report_id = ?", [target])
                report_id, outcome = target, "updated"
            else:
                row.update(first_seen=seen, first_run_id=run_id, version=1)
                report_id, outcome = insert_row(db, "reports", row), "new"
            _write_children(db, report_id, record)
            _write_minhash(db, report_id, sig)
            write_region(db, report_id, record)
            # its words, for search (pipelines/search.py), segmented by the parse worker
            index_reports(db, [report_id], {report_id: record.get("search_words")}, segment)
        _add_urls(db, report_id, record, seen)
        save_validators(db, report_id, record, seen, run_id)
        link_captures(db, report_id, record["url"])
    return outcome, report_id


def _fields(report: Report) -> dict[str, Any]:
    """A report's fields as a mapping, not copied (`to_dict`'s deep copy of every cell was most of the
    writer's CPU)."""
    return {f.name: getattr(report, f.name) for f in fields(report)}


def write_region(db: sqlite_utils.Database, report_id: int, record: Mapping[str, Any]) -> None:
    """The report's division, level and deadline (pipelines/regions.py), kept current on every write."""
    row = region_row({"id": report_id, **{k: record.get(k) for k in ("agency", "region_code", "year",
                                                                        "published_at")}})
    insert_row(db, "report_regions", row, replace=True)


def insert_row(db: sqlite_utils.Database, table: str, row: Mapping[str, Any], replace: bool = False) -> int:
    """`db.table(table).insert(row[, replace=True])` as one statement (the same row, values converted by
    sqlite-utils' own rule), without sqlite-utils' per-call schema reads and savepoint; the new rowid."""
    columns = ", ".join(f'"{c}"' for c in row)
    marks = ", ".join("?" * len(row))
    sql = f'insert {"or replace " if replace else ""}into "{table}" ({columns}) values ({marks})'
    return int(db.execute(sql, [jsonify_if_needed(v) for v in row.values()]).lastrowid)


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
                          "where report_id = ?", [report_id]))
    checks = list(db.query("select rule, scope, expected, actual, ok from report_checks where report_id = ?",
                           [report_id]))  # the store's order: as written
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
    cells = list(record.get("cells", []))
    cells += [
        {
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
    write_cells(db, report_id, cells)
    write_checks(db, report_id, record.get("checks", []))


# -- nianbao reprocess: the current parsers over an archived capture, in place -------------------------

# Columns a parser produces (everything else — URL, title, portal, region, first/last seen, version — is
# the crawl's and stays as it is).
PARSED_FIELDS = [
    "agency", "agency_source", "year", "published_at", "published_source", "metadata_flags", "signature_date",
    "contact_phone", "contact_phones", "contact_faxes", "contact_address", "contact_postcode", "contact_email", "template", "source_kind", "index_no",
    "doc_no", "body_text", "needs_ocr", "cells_count", "nulls_count", "checks_failed", "table_flags", "table_errors",
    "content_hash",
]


def _cell_rows(record: Mapping[str, Any]) -> dict[tuple[str, str, str], tuple]:
    rows = {(c["table_name"], c["row_label"], c["col_label"]): (c.get("value"), c.get("raw"), c.get("unit"), c.get("flag"))
            for c in record.get("cells", [])}
    for a in record.get("ambiguous", []):
        rows[(a["table_name"], a["row_label"], a["col_label"])] = (None, None, None, f"ambiguous: {a['why']}")
    return rows


def reparse_changes(db: sqlite_utils.Database, report_id: int, report: Report) -> dict[str, Any]:
    """What writing `report` over stored report `report_id` would change: fields (old, new), cells
    added/removed/changed, checks newly failing. Reads only."""
    record = report.to_dict()
    old = next(db.query("select * from reports where id = ?", [report_id]))
    fields = {k: (old.get(k), record.get(k)) for k in PARSED_FIELDS if k != "content_hash" and old.get(k) != record.get(k)}
    old_cells = {(r["table_name"], r["row_label"], r["col_label"]): (r["value"], r["raw"], r["unit"], r["flag"])
                 for r in db.query("select * from report_cells where report_id = ?", [report_id])}
    new_cells = _cell_rows(record)
    old_failing = {(r["rule"], r["scope"]) for r in db.query(
        "select rule, scope from report_checks where report_id = ? and not ok", [report_id])}
    new_failing = {(c["rule"], c["scope"]) for c in record.get("checks", []) if not c["ok"]}
    old_checks = {(r["rule"], r["scope"], r["expected"], r["actual"], r["ok"]) for r in db.query(
        "select rule, scope, expected, actual, ok from report_checks where report_id = ?", [report_id])}
    new_checks = {(c["rule"], c["scope"], c["expected"], c["actual"], int(bool(c["ok"]))) for c in record.get("checks", [])}
    return {
        "fields": fields,
        "cells_added": sorted(set(new_cells) - set(old_cells)),
        "cells_removed": sorted(set(old_cells) - set(new_cells)),
        "cells_changed": sorted(k for k in set(old_cells) & set(new_cells) if old_cells[k] != new_cells[k]),
        "checks_newly_failing": sorted(new_failing - old_failing),
        "checks_changed": old_checks != new_checks,
        "parser_version": (old.get("parser_version"), record.get("parser_version")),
    }


def reparse_report(db: sqlite_utils.Database, report_id: int, report: Report) -> dict[str, Any]:
    """Write the current parsers' output for an archived capture over report `report_id`, in place.

    Only parsed columns, cells, checks, dedup keys, region row and search words change; the report keeps
    its id, URLs, first/last seen and version (a re-parse is not a new version of the document; its
    earlier versions in report_versions are kept as they are). When the new content fingerprint equals
    another report's, nothing is written and `collides_with` says which (the dedup policy would make them
    one report; that merge is left to the reader). Returns reparse_changes plus `collides_with`.
    """
    record = report.to_dict()
    with transaction(db):
        changes = reparse_changes(db, report_id, report)
        changed = bool(changes["fields"] or changes["cells_added"] or changes["cells_removed"]
                       or changes["cells_changed"] or changes["checks_changed"])
        changes["changed"] = changed
        changes["collides_with"] = None
        if changed:
            other = db.execute("select id from reports where content_hash = ? and id != ?",
                               [record["content_hash"], report_id]).fetchone()
            if other:
                changes["collides_with"] = int(other[0])
                return changes
            db.table("reports").update(report_id, {k: record.get(k) for k in [*PARSED_FIELDS, "parser_version"]})
            delete_cells(db, report_id)
            delete_checks(db, report_id)
            _write_children(db, report_id, record)
            _write_minhash(db, report_id, record.get("minhash") or minhash_signature(record["body_text"],
                                                                                      record.get("cells", [])))
            region = next(db.query("select region_code from reports where id = ?", [report_id]))
            write_region(db, report_id, {**record, "region_code": region["region_code"]})
            index_reports(db, [report_id], {report_id: record.get("search_words")})
        elif changes["parser_version"][0] != record.get("parser_version"):
            db.table("reports").update(report_id, {"parser_version": record.get("parser_version")})
    return changes

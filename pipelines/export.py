"""A versioned, checksummed snapshot of the archive for download.

    <out>/nianbao-<version>/
      archive.sqlite        the whole archive (VACUUM INTO: compact, consistent, no WAL)
      reports.csv           reports with their region and deadline (body_text stays in the SQLite)
      cells.csv             every table cell, with agency and year
      checks.csv            every consistency check
      panel.csv             agency × year × every canonical cell key (one column per key)
      panel.xlsx            the panel for Excel (typed numbers, frozen header, a sheet naming each key)
      *.parquet             reports, cells, checks and panel for pandas/R (typed; needs pyarrow)
      data_dictionary.md    tables and columns (pipelines/schema_docs.py)
      manifest.json         version, schema version, counts, files with sizes and SHA-256
      SHA256SUMS            `sha256sum -c SHA256SUMS` checks the download
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from pipelines import schema_docs, store
from pipelines.readonly import open_readonly, vacuum_into
from pipelines.typed_export import TableWriter, column_types, parquet_available

FORMAT = json.loads((Path(__file__).parent / "data" / "report-format.json").read_text(encoding="utf-8"))
PANEL_KEYS_SEP = "|"
PANEL_ID_COLUMNS = ["agency", "year", "province", "city", "county", "level", "kind", "division_code", "report_id",
                    "reports_in_year", "template", "published_at", "days_late", "checks_failed", "url"]


class ExportError(RuntimeError):
    pass


def canonical_keys() -> list[str]:
    """Every canonical cell key of both formats (2021 first, then keys only 2019 has), as panel column names."""
    keys: list[str] = []
    for template in ("2021", "2019"):
        for table, spec in FORMAT[template].items():
            for row, col in spec["cells"]:
                key = cell_key(table, row, col)
                if key not in keys:
                    keys.append(key)
    return keys


def cell_key(table: str, row: str, col: str) -> str:
    return PANEL_KEYS_SEP.join((table, row, col))


def export(db_path: str | Path, out_dir: str | Path, version: str | None = None, *, bom: bool = True,
           formats: Iterable[str] | None = None) -> Path:
    """Write a snapshot directory and return it. Never overwrites an existing snapshot.

    CSVs start with a UTF-8 BOM unless `bom=False` (Excel on Chinese Windows reads them right);
    `formats` from csv, xlsx, parquet (default: all three, parquet when pyarrow is installed).
    """
    db_path = Path(db_path)
    if not db_path.is_file():
        raise ExportError(f"archive {db_path} does not exist")
    wanted = set(formats) if formats is not None else {"csv", "xlsx"} | ({"parquet"} if parquet_available() else set())
    if unknown := wanted - {"csv", "xlsx", "parquet"}:
        raise ExportError(f"unknown format {', '.join(sorted(unknown))} (choose from csv, xlsx, parquet)")
    if "parquet" in wanted and not parquet_available():
        raise ExportError("Parquet needs pyarrow: pip install 'gov-nianbao-archiver[parquet]'")
    version = version or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = Path(out_dir) / f"nianbao-{version}"
    if target.exists():
        raise ExportError(f"{target} already exists; choose another --version or --out")
    src = open_readonly(db_path)  # the source is never written (pipelines/readonly.py)
    target.mkdir(parents=True)
    snapshot = target / "archive.sqlite"
    try:
        vacuum_into(src, snapshot)
    finally:
        src.close()
    copy = sqlite_utils.Database(sqlite3.connect(str(snapshot), isolation_level=None))
    try:  # the snapshot, not the source, is migrated (schema, missing regions)
        store.ensure_schema(copy)
        copy.execute("VACUUM")
    finally:
        copy.close()
    db = sqlite_utils.Database(sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True))
    notes: dict[str, Any] = {}
    try:
        counts: dict[str, int] = {}
        for name, sql in SNAPSHOT_TABLES.items():
            cursor = db.execute(sql)
            columns = [d[0] for d in cursor.description]
            rows = (dict(zip(columns, r, strict=True)) for r in cursor)
            with TableWriter(target, name, columns, column_types(columns), wanted - {"xlsx"}, bom=bom) as w:
                counts[f"{name}.csv"] = w.write_all(rows)
        counts["panel.csv"] = _write_panel(db, target, wanted, bom, notes)
        schema_version = db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()
    if "csv" not in wanted:
        counts = {k.replace(".csv", ""): v for k, v in counts.items()}
    (target / "data_dictionary.md").write_text(schema_docs.render_markdown(), encoding="utf-8")
    files = sorted(p.name for p in target.iterdir() if p.is_file())
    sums = {name: _sha256(target / name) for name in files}
    manifest = {
        "version": version, "created_at": store.now_iso(), "source": str(db_path.resolve()),
        "schema_version": schema_version, "rows": counts, "csv_bom": bom and "csv" in wanted,
        "formats": sorted(wanted), **notes,
        "files": {name: {"bytes": (target / name).stat().st_size, "sha256": sums[name]} for name in files},
    }
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    sums["manifest.json"] = _sha256(target / "manifest.json")
    (target / "SHA256SUMS").write_text("".join(f"{h}  {n}\n" for n, h in sorted(sums.items())), encoding="utf-8")
    return target


SNAPSHOT_TABLES = {
    "reports": "select i.*, r.contact_phone, r.contact_phones, r.contact_faxes, r.contact_address, r.contact_postcode, r.contact_email, r.index_no, "
               "r.doc_no, r.signature_date, r.content_hash, r.first_seen, r.last_seen "
               "from report_index i join reports r on r.id = i.id order by i.id",
    "cells": "select c.report_id, r.agency, r.year, c.table_name, c.row_label, c.col_label, c.value, c.raw, "
             "c.unit, c.flag from report_cells c join reports r on r.id = c.report_id order by c.report_id",  # cell_values order (report, key)
    "checks": "select k.report_id, r.agency, r.year, k.rule, k.scope, k.expected, k.actual, k.ok "
              "from report_checks k join reports r on r.id = k.report_id order by k.report_id",  # check_values order (report, key: as written)
}


def _write_panel(db: sqlite_utils.Database, target: Path, formats: set[str], bom: bool,
                 notes: dict[str, Any]) -> int:
    """One row per agency × year (the most recently seen report when several), one column per cell key."""
    keys = canonical_keys()
    extra = sorted({cell_key(r["table_name"], r["row_label"], r["col_label"]) for r in db.query(
        "select distinct table_name, row_label, col_label from report_cells")} - set(keys))
    columns = PANEL_ID_COLUMNS + keys + extra
    reports = list(db.query(
        """select i.id as report_id, i.agency, i.year, i.province, i.city, i.county, i.level, i.kind,
                  i.division_code, i.template, i.published_at, i.days_late, i.checks_failed, i.url,
                  count(*) over (partition by i.agency, i.division_code, i.year) as reports_in_year,
                  row_number() over (partition by i.agency, i.division_code, i.year
                                     order by r.last_seen desc, i.id desc) as pick
           from report_index i join reports r on r.id = i.id
           where i.year is not null"""))
    chosen = [r for r in reports if r["pick"] == 1]
    chosen.sort(key=lambda r: (r["province"] or "", r["city"] or "", r["county"] or "", r["agency"] or "", r["year"]))

    def rows() -> Iterable[dict[str, Any]]:
        for r in chosen:
            row = {c: r.get(c) for c in PANEL_ID_COLUMNS}
            for c in db.query("select table_name, row_label, col_label, value from report_cells where report_id = ?",
                              [r["report_id"]]):
                row[cell_key(c["table_name"], c["row_label"], c["col_label"])] = c["value"]
            yield row

    types = column_types(columns, money=lambda c: PANEL_KEYS_SEP in c and _is_money(c), extra=set(extra))
    with TableWriter(target, "panel", columns, types, formats, bom=bom, key_sep=PANEL_KEYS_SEP) as writer:
        n = writer.write_all(rows())
    if writer.xlsx_truncated:
        notes["panel_xlsx_truncated_rows"] = writer.xlsx_truncated
    return n


def _is_money(key: str) -> bool:
    """Cell keys whose values are amounts (万元), not counts: typed as floats, all others as integers."""
    col = key.rsplit(PANEL_KEYS_SEP, 1)[-1]
    return "金额" in col or "万元" in col


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()

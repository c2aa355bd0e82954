"""`nianbao serve`: datasette on the archive, read-only (immutable) by default, with the project's
metadata (pipelines/schema_docs.py + crawler/datasette/canned.yml), templates and the report-view plugin."""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from pathlib import Path

import yaml

from pipelines import readonly, schema_docs, store

DATASETTE_DIR = schema_docs.DATASETTE_DIR


def prepare(db_path: Path) -> None:
    """--mutable: bring an archive up to date in place: schema, search index, regions; fold the WAL in."""
    db = store.open_archive(db_path)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()


def readable_copy(db_path: Path) -> Path:
    """The file to serve immutable: the archive itself when it is current, else a migrated copy in a
    temporary folder (VACUUM INTO from a read-only connection): the archive file is never written."""
    db = readonly.open_readonly(db_path)
    wal = db_path.with_name(db_path.name + "-wal")
    try:  # immutable mode ignores the WAL: an archive with unfolded writes is served as a copy that has them
        if readonly.is_current(db) and not (wal.is_file() and wal.stat().st_size > 0):
            return db_path
        folder = Path(tempfile.mkdtemp(prefix="nianbao-serve-"))
        copy = folder / db_path.name
        readonly.vacuum_into(db, copy)
    finally:
        db.close()
    migrated = store.open_archive(copy)  # migrates, fills missing regions
    try:
        migrated.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        migrated.execute("PRAGMA journal_mode=DELETE")
    finally:
        migrated.close()
    print(f"nianbao serve: {db_path} predates the current schema or regions, or has writes in its WAL; serving a "
          f"migrated copy {copy} "
          "(the archive is not changed)", file=sys.stderr)
    return copy


# datasette settings of `nianbao serve` (bench/search.py times the search box with the same)
SETTINGS = {"sql_time_limit_ms": 5000, "facet_time_limit_ms": 1000, "default_page_size": 50}


def datasette_args(db_path: Path, *, host: str, port: int, mutable: bool, metadata: Path) -> list[str]:
    args = [sys.executable, "-m", "datasette", "serve"]
    args += [str(db_path)] if mutable else ["-i", str(db_path)]
    args += ["--host", host, "--port", str(port), "--metadata", str(metadata),
             "--template-dir", str(DATASETTE_DIR / "templates"), "--plugins-dir", str(DATASETTE_DIR / "plugins"),
             "--static", f"assets:{DATASETTE_DIR / 'static'}"]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value)]
    return args


def write_metadata(db_path: Path, directory: Path | None = None) -> Path:
    directory = directory or Path(tempfile.mkdtemp(prefix="nianbao-datasette-"))
    path = directory / "metadata.yml"
    path.write_text(yaml.safe_dump(schema_docs.metadata_for(db_path.stem), allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def serve(db_path: Path, *, host: str = "127.0.0.1", port: int = 8001, mutable: bool = False,
          refresh: bool = True) -> None:
    """Replace this process with datasette (so signals and the PID are datasette's)."""
    if not db_path.is_file():
        raise FileNotFoundError(f"archive {db_path} does not exist (crawl first: nianbao crawl -a portals=demo)")
    served = db_path
    if mutable and refresh:
        try:
            prepare(db_path)
        except sqlite3.OperationalError as exc:  # a read-only file or folder: serve it as it is
            print(f"nianbao serve: not refreshing regions ({exc})", file=sys.stderr)
    elif refresh:
        served = readable_copy(db_path)
    args = datasette_args(served, host=host, port=port, mutable=mutable, metadata=write_metadata(db_path))
    print(f"nianbao serve: http://{host}:{port}/{db_path.stem}  ({'mutable' if mutable else 'immutable'})",
          file=sys.stderr, flush=True)
    os.execv(sys.executable, args)

"""Open an archive for reading without ever changing its file (a downloaded snapshot keeps its SHA-256).

`open_readonly` checks the header (a file that is not SQLite raises `NotAnArchive`, which the CLI
prints as one line with exit code 2), then opens with `immutable=1` (no locks, no journal, no WAL
switch) unless the file is in WAL mode with a `-wal` beside it, i.e. a crawl may be writing it:
then `mode=ro`, which reads the WAL but never writes the database file.

An older archive cannot be migrated in place by a command that only reads. `open_for_reading`:

- search indexes not current (an older definition, queued words, an index left empty): the file is
  read as it is; `nianbao search` then looks for the terms with LIKE over every report (correct, slower)
  and says so. Nothing is rebuilt, in memory or elsewhere;
- tables, columns, views or regions missing: a migrated copy in a temporary file (`VACUUM INTO`, then
  `ensure_schema`), opened read-only and unlinked at once (it goes when closed), said on stderr. Memory
  stays bounded whatever the archive's size (the copy takes disk, as `nianbao serve` does).

The file itself is never written.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

SQLITE_MAGIC = b"SQLite format 3\x00"


class NotAnArchive(ValueError):
    """The path is not a readable nianbao archive (the message is one line for the user)."""


def _uri(path: Path, *, live: bool) -> str:
    return f"file:{quote(str(path.resolve()))}?{'mode=ro' if live else 'immutable=1'}"


def open_readonly(path: str | Path) -> sqlite_utils.Database:
    path = Path(path)
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise NotAnArchive(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not header.startswith(SQLITE_MAGIC):
        raise NotAnArchive(f"{path} is not an SQLite database (give the archive file, e.g. data/archive.db "
                           "or archive.sqlite of a snapshot)")
    wal_mode = len(header) > 19 and header[18] == 2 and header[19] == 2
    live = wal_mode and Path(f"{path}-wal").exists()
    try:
        conn = sqlite3.connect(_uri(path, live=live), uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only=1")
        names = {r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view')")}
    except sqlite3.DatabaseError as exc:
        raise NotAnArchive(f"{path}: unreadable SQLite database ({exc})") from None
    if "reports" not in names:
        conn.close()
        raise NotAnArchive(f"{path} is an SQLite database but not a nianbao archive (no reports table)")
    return sqlite_utils.Database(conn)


def vacuum_into(db: sqlite_utils.Database, target: Path) -> None:
    """A compact copy of a read-only archive (query_only is lifted for it: the source stays read-only)."""
    db.execute("PRAGMA query_only=0")
    try:
        db.execute("VACUUM INTO ?", [str(target)])
    finally:
        db.execute("PRAGMA query_only=1")


def is_current(db: sqlite_utils.Database) -> bool:
    """Everything a reading command uses is there: schema, both search indexes current, a region per report."""
    from pipelines.search import is_current as search_is_current

    return schema_is_current(db) and search_is_current(db)


def schema_is_current(db: sqlite_utils.Database) -> bool:
    """Every table, column and view of the current schema is there, with a region row per report."""
    from pipelines.store import TABLES

    for name, spec in TABLES.items():  # tables or views (report_cells is a view over the cell store)
        columns = {r[1] for r in db.execute(f"PRAGMA table_info([{name}])").fetchall()}
        if not columns or set(spec["columns"]) - columns:
            return False
    if not {"report_index", "report_cell_totals"} <= set(db.view_names()):
        return False
    missing = db.execute("select count(*) from reports r where not exists "
                         "(select 1 from report_regions g where g.report_id = r.id)").fetchone()[0]
    return missing == 0


def migrated_copy(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """A private migrated copy of `db` in a temporary file, opened read-only and already unlinked (the
    source is untouched; memory stays bounded; the disk space returns when the copy is closed)."""
    from pipelines.store import open_archive

    folder = Path(tempfile.mkdtemp(prefix="nianbao-read-"))
    path = folder / "archive.db"
    try:
        vacuum_into(db, path)
        copy = open_archive(path)  # migrates, fills missing regions, (re)builds what the schema needs
        try:
            copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
        return open_readonly(path)  # immutable: SQLite never reopens the path, so it can go now
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def open_for_reading(path: str | Path, *, command: str = "nianbao") -> sqlite_utils.Database:
    """`open_readonly`; a migrated temporary copy when the file lacks part of the current schema."""
    from pipelines.search import is_current as search_is_current

    db = open_readonly(path)
    if schema_is_current(db):
        if not search_is_current(db):
            print(f"{command}: the search indexes of {path} are not current (older, empty or with queued "
                  "reports): searches read every report with LIKE (open it for writing once to index it)",
                  file=sys.stderr)
        return db
    print(f"{command}: {path} predates the current schema or regions; reading a migrated copy in a temporary "
          "file (the archive is not changed)", file=sys.stderr)
    try:
        return migrated_copy(db)
    finally:
        db.close()

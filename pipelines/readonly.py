"""Open an archive for reading without ever changing its file (a downloaded snapshot keeps its SHA-256).

`open_readonly` checks the header (a file that is not SQLite raises `NotAnArchive`, which the CLI
prints as one line with exit code 2), then opens with `immutable=1` (no locks, no journal, no WAL
switch) unless the file is in WAL mode with a `-wal` beside it, i.e. a crawl may be writing it:
then `mode=ro`, which reads the WAL but never writes the database file.

An older archive (missing tables, columns, the search index or current regions) cannot be migrated
in place by a command that only reads: `open_for_reading` then migrates a private in-memory copy
(`sqlite3` backup) and says so on stderr. The file itself is never written.
"""

from __future__ import annotations

import sqlite3
import sys
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
    from pipelines.store import TABLES

    for name, spec in TABLES.items():  # tables or views (report_cells is a view over the cell store)
        columns = {r[1] for r in db.execute(f"PRAGMA table_info([{name}])").fetchall()}
        if not columns or set(spec["columns"]) - columns:
            return False
    if not search_is_current(db):
        return False
    if not {"report_index", "report_cell_totals"} <= set(db.view_names()):
        return False
    missing = db.execute("select count(*) from reports r where not exists "
                         "(select 1 from report_regions g where g.report_id = r.id)").fetchone()[0]
    return missing == 0


def migrated_copy(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """A private in-memory copy of `db`, migrated with its missing regions filled (the source is untouched)."""
    from pipelines.store import ensure_schema

    mem = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    db.conn.backup(mem)
    copy = sqlite_utils.Database(mem)
    ensure_schema(copy)
    return copy


def open_for_reading(path: str | Path, *, command: str = "nianbao") -> sqlite_utils.Database:
    """`open_readonly`, or a migrated in-memory copy when the file predates the current schema."""
    db = open_readonly(path)
    if is_current(db):
        return db
    print(f"{command}: {path} predates the current schema or regions; reading a migrated in-memory copy "
          "(the file is not changed)", file=sys.stderr)
    try:
        return migrated_copy(db)
    finally:
        db.close()

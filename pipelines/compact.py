"""`nianbao compact SRC DEST`: a smaller copy of an archive for researchers to download.

The copy is the whole archive (`VACUUM INTO`: consistent, no WAL, migrated to the current schema) with
the trigram index rebuilt without positions (`detail=none`, pipelines/search.py): ~2.8 instead of
~19.5 KB per report. Everything reads as in the archive, except a MATCH phrase of 2+ trigrams on
`reports_fts` (`match '"信息处理费"'`), which SQLite refuses on such an index; `LIKE`/`GLOB` on its
columns, the word index, datasette's canned search and `nianbao search` find the same reports
(docs/search.md). The source is only read (pipelines/readonly.py); the copy stays writable and
compact (`open_archive` keeps either form of the index).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines import readonly, search, store


class CompactError(ValueError):
    """A problem with the destination (one line for the user)."""


@dataclass
class Compacted:
    source_bytes: int
    bytes: int
    reports: int


def compact(src: Path, dest: Path) -> Compacted:
    if dest.exists():
        raise CompactError(f"{dest} exists (give a new file name)")
    if not dest.parent.is_dir():
        raise CompactError(f"{dest.parent} is not a folder")
    db = readonly.open_readonly(src)  # NotAnArchive when it is not one; the source is never written
    try:
        readonly.vacuum_into(db, dest)
    finally:
        db.close()
    try:
        copy = store.open_archive(dest)  # migrates an older archive's copy, indexes queued words
        try:
            if search.has_positions(copy):
                search.drop_positions(copy)
            copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            copy.execute("PRAGMA journal_mode=DELETE")
            copy.execute("VACUUM")  # the freed pages of the positional index
            reports = copy.execute("select count(*) from reports").fetchone()[0]
        finally:
            copy.close()
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return Compacted(src.stat().st_size, dest.stat().st_size, reports)


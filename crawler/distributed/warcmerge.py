"""`nianbao warc-merge`: bring distributed workers' WARC files into the archive's WARC directory.

Workers write WARC files on their own disks (their file names carry the host, WARC_NAME_TAG); the
writer stores the `warc_records` rows with the file name and each run's `crawl_runs.warc_dir`
(host:directory). After copying a worker's directory to the archive host (rsync, scp), run

    nianbao warc-merge --db data/archive.db /srv/incoming/worker-a/warc …

For every file the archive refers to, it copies the file into the archive's WARC directory (an
identical file already there is kept; a different one with the same name is an error), checks
that every `warc_records` row of that file points at a record with the row's WARC-Record-ID, and
then, in one transaction, rewrites `warc_records.warc_file` to the file's path relative to the
WARC directory (unchanged for the flat layout, `<subdir>/<name>` with --subdir) and sets the
runs' `warc_dir` to the archive host's directory. Files still open (`.warc.gz.open`, the worker
is running or was killed) are skipped and listed: repair them by starting any crawl on that
worker, or merge them later. Files the archive does not refer to are left where they are.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path

from crawler.extensions.warc import record_at
from pipelines import store


class MergeError(Exception):
    """A merge that must not go on; the message says what to fix."""


@dataclass
class MergeResult:
    copied: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    skipped_open: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    rows: int = 0


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _record_id_at(path: Path, offset: int) -> str | None:
    try:
        with record_at(path, offset) as record:
            return record.rec_headers.get_header("WARC-Record-ID")
    except ValueError:  # no record there
        return None


def merge(db_path: Path, sources: list[Path], warc_dir: Path | None = None, subdir: str = "") -> MergeResult:
    if not db_path.is_file():
        raise MergeError(f"archive {db_path} does not exist")
    target = (warc_dir or db_path.parent / "warc") / subdir
    target.mkdir(parents=True, exist_ok=True)
    db = store.open_archive(db_path)
    result = MergeResult()
    try:
        known = {r[0] for r in db.execute("select distinct warc_file from warc_records")}
        plan: list[tuple[Path, str]] = []
        for src in sources:
            if not src.is_dir():
                raise MergeError(f"{src} is not a directory (give the worker's copied WARC directory)")
            result.skipped_open += sorted(str(p) for p in src.glob("*.warc.gz.open"))
            for path in sorted(src.glob("*.warc.gz")):
                if path.name not in known:
                    result.unknown.append(str(path))
                    continue
                plan.append((path, path.name))
        for path, name in plan:
            dest = target / name
            if dest.exists() and dest.resolve() != path.resolve():
                if _sha256(dest) != _sha256(path):
                    raise MergeError(f"{dest} exists with other content than {path}; "
                                     "two workers wrote the same file name (set WARC_NAME_TAG per worker)")
                result.present.append(name)
            elif not dest.exists():
                shutil.copy2(path, dest.with_name(name + ".part"))
                dest.with_name(name + ".part").rename(dest)
                result.copied.append(name)
            else:
                result.present.append(name)
            for offset, record_id in db.execute("select offset, record_id from warc_records where warc_file = ?",
                                                [name]).fetchall():
                if _record_id_at(dest, offset) != record_id:
                    raise MergeError(f"{dest}: no record {record_id} at offset {offset}; the file is not the one "
                                     "the archive refers to (copy it again from the worker)")
        relative = {name: f"{subdir}/{name}" if subdir else name for _, name in plan}
        here = f"{socket.gethostname()}:{target.resolve().parent if subdir else target.resolve()}"
        with store.transaction(db):
            for name, rel in relative.items():
                result.rows += db.execute("update warc_records set warc_file = ? where warc_file = ?",
                                          [rel, name]).rowcount or 0
                db.execute("""update crawl_runs set warc_dir = ? where warc_dir is not null and id in
                              (select distinct run_id from warc_records where warc_file = ?)""", [here, rel])
    finally:
        db.close()
    return result

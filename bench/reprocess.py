"""`nianbao reprocess` throughput and memory on an archive copy (figures, not a timed test).

    .venv/bin/python -m bench.reprocess                 # crawls the demo portals into a temp archive first
    .venv/bin/python -m bench.reprocess DB [--warc-dir DIR]

Works on a copy (the archive and its WARC directory are not touched). Prints reports, captures,
wall and CPU seconds per report (parsers only, start-up excluded) and peak RSS; a second pass shows
the cost when nothing changes.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db", nargs="?", type=Path)
    ap.add_argument("--warc-dir", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-reprocess-") as tmp:
        work = Path(tmp)
        if args.db is None:
            db = work / "demo.db"
            proc = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "-a", "portals=demo", "-s",
                                   f"ARCHIVE_DB={db}"], cwd=ROOT, capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit(f"bench.reprocess: demo crawl failed: {proc.stderr[-500:]}")
            warc = work / "warc"
        else:
            db = work / args.db.name
            shutil.copy(args.db, db)
            warc = work / "warc"
            shutil.copytree(args.warc_dir or args.db.parent / "warc", warc)
        from crawler.commands.reprocess import reprocess
        from pipelines.store import open_archive

        open_archive(db).close()  # imports and migrations outside the measurement
        import pipelines.dedup  # noqa: F401  (datasketch/scipy import: seconds, not per report)

        for label in ("first pass", "second pass (nothing changes)"):
            cpu0, t0 = time.process_time(), time.perf_counter()
            summary = reprocess(db, warc, out=lambda _: None)
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            n = max(summary.reports, 1)
            print(f"{label}: {summary.reports} reports, {summary.captures} captures, {len(summary.changed)} changed; "
                  f"{wall:.2f} s wall ({wall / n * 1000:.0f} ms/report), {cpu:.2f} s CPU ({cpu / n * 1000:.0f} ms/report)")
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()

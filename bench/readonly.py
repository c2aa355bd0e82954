"""Reading an archive that lacks part of the current schema: peak memory of `nianbao search`, and the file
left as it was.

    python -m bench.readonly --db A.db [--query 依申请公开]   # A.db: e.g. `bench.bigarchive --reports 30000 --keep`
    python -m bench.readonly --synthetic 3000                # builds a small synthetic archive first

A copy of the archive loses one report's region row (to the reader this is an archive from before
region rows: `pipelines.readonly.open_for_reading` reads a migrated copy in a temporary file instead of
the file). Then `nianbao search COPY QUERY` runs as a child process; the bench prints its peak RSS
(VmHWM, read by the child at exit: Linux's ru_maxrss would carry this bench's own peak across exec),
CPU and wall time, and checks that the copy's SHA-256 did not change (read-only commands never write
the archive). The copy is deleted at the end; the given archive is only read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Runs in the child: the CLI as `nianbao` runs it, then its own peak memory on stderr's last line.
CHILD = """
import json, resource, sys
from pathlib import Path
from crawler.cli import main
def peak():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"bench_peak_rss_mb": peak()}), file=sys.stderr)
sys.exit(code or 0)
"""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def drop_one_region(path: Path) -> int:
    """Delete the region row of the newest report; returns how many reports the archive holds."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute("delete from report_regions where report_id = (select max(report_id) from report_regions)")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        return conn.execute("select count(*) from reports").fetchone()[0]
    finally:
        conn.close()


def run_search(path: Path, query: str) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, "search", str(path), query],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = done.stderr.strip().splitlines()
    peak = json.loads(lines[-1])["bench_peak_rss_mb"] if lines and lines[-1].startswith("{") else float("nan")
    return {"code": done.returncode, "seconds": seconds, "peak_mb": peak,
            "cpu_s": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
            "results": sum(1 for line in done.stdout.splitlines() if line.strip()), "stderr": lines[:-1]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--db", type=Path, help="an archive to copy (it is only read)")
    source.add_argument("--synthetic", type=int, metavar="N", help="build a synthetic archive of N reports first")
    parser.add_argument("--query", default="依申请公开")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-readonly-"))
    try:
        copy = work / "archive.db"
        if args.synthetic:
            from bench.search import synthetic

            synthetic(copy, args.synthetic)
            print(f"synthetic archive of {args.synthetic} reports")
        else:
            if not args.db.is_file():
                print(f"bench.readonly: {args.db} is not a file (build one with "
                      "`python -m bench.bigarchive --reports 30000 --out A.db --keep`)", file=sys.stderr)
                return 2
            shutil.copyfile(args.db, copy)
        reports = drop_one_region(copy)
        size = copy.stat().st_size
        digest = sha256(copy)
        result = run_search(copy, args.query)
        unchanged = sha256(copy) == digest
        print(f"archive: {reports:,} reports, {size / 1e9:.2f} GB, one report without its region row")
        for line in result["stderr"]:
            print(f"  nianbao said: {line}")
        print(f"nianbao search {args.query}: exit {result['code']}, {result['results']} lines, "
              f"peak RSS {result['peak_mb']:.0f} MB, {result['cpu_s']:.1f} s CPU, {result['seconds']:.1f} s wall")
        print(f"archive file unchanged: {'yes' if unchanged else 'NO'}")
        return 0 if result["code"] == 0 and unchanged else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""`nianbao crawl`: the scheduled-job entry. Runs `scrapy crawl portals …` and turns its outcome into an
exit code (Scrapy itself exits 0 after a crawl that ran but went wrong).

| code | meaning |
|---|---|
| 0 | ok: pages fetched, no fetch errors, every portal yielded at least one report (`nianbao health`: every portal ok) |
| 1 | partial: some fetch errors (robots.txt refusals do not count), or some portals yielded no report or are not ok in `portal_health`, or an unusual finish reason |
| 2 | failed: no page fetched, no portal reachable, bootstrap or configuration error (bad portal CSV, `-a`/`-s` value …) |
| 3 | interrupted: SIGINT/SIGTERM (finish_reason shutdown), or the crawl process was killed |

The outcome is read from the stats JSON the Progress extension writes (NIANBAO_STATS_FILE) and the
archive's crawl_runs row.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OK, PARTIAL, FAILED, INTERRUPTED = 0, 1, 2, 3
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CrawlOutcome:
    code: int
    reason: str
    run: dict[str, Any] | None = None
    silent_portals: list[str] = field(default_factory=list)


def archive_path(args: list[str]) -> Path:
    """ARCHIVE_DB from `-s ARCHIVE_DB=…` / `--set=ARCHIVE_DB=…`, else the project default."""
    value = None
    for i, arg in enumerate(args):
        item = None
        if arg in ("-s", "--set") and i + 1 < len(args):
            item = args[i + 1]
        elif arg.startswith("--set="):
            item = arg[len("--set="):]
        elif arg.startswith("-s") and len(arg) > 2:
            item = arg[2:]
        if item and item.startswith("ARCHIVE_DB="):
            value = item.split("=", 1)[1]
    if value is None:
        from settings.base import ARCHIVE_DB
        value = ARCHIVE_DB
    return Path(value)


def _last_run_id(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("select coalesce(max(id), 0) from crawl_runs").fetchone()[0]
    except sqlite3.Error:
        return 0


def _run_row(db: Path, after: int) -> dict[str, Any] | None:
    if not db.exists():
        return None
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("select * from crawl_runs where id > ? and spider = 'portals' order by id desc limit 1",
                           [after]).fetchone()
        return dict(row) if row else None


def _health(db: Path, run: dict[str, Any] | None) -> dict[str, str]:
    """{portal: status} of the run's portal_health rows (crawler/extensions/health.py)."""
    if run is None or not db.exists():
        return {}
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return dict(conn.execute("select portal, status from portal_health where run_id = ?", [run["id"]]))
    except sqlite3.Error:
        return {}


def judge(returncode: int, stats: dict[str, Any] | None, run: dict[str, Any] | None,
          interrupted: bool, health: dict[str, str] | None = None) -> CrawlOutcome:
    """The exit-code policy, pure: from the child's return code, the stats JSON and the crawl_runs row."""
    reason = (stats or {}).get("finish_reason") or (run or {}).get("finish_reason")
    if interrupted or reason == "shutdown":
        return CrawlOutcome(INTERRUPTED, f"interrupted (finish_reason {reason or 'none'})", run)
    if stats is None and run is None:
        return CrawlOutcome(FAILED, f"the crawl did not start (scrapy exit status {returncode}); see the log above",
                            run)
    if run is not None and not run.get("finished_at") and stats is None:
        return CrawlOutcome(INTERRUPTED, "the crawl process ended without closing its run (killed?)", run)
    pages = (run or {}).get("pages")
    if pages is None:
        pages = (stats or {}).get("pages", 0)
    if not pages:
        return CrawlOutcome(FAILED, "no page was fetched", run)
    health = health or {}
    if health and all(v == "unreachable" for v in health.values()):
        return CrawlOutcome(FAILED, f"no portal reachable ({len(health)} unreachable; see nianbao health)", run)
    portals = (stats or {}).get("portals") or {}
    silent = sorted(name for name, p in portals.items() if not p.get("reports"))
    # the stats JSON counts robots.txt refusals apart (polite skips); crawl_runs.errors includes them
    errors = stats.get("errors", 0) if stats is not None else (run or {}).get("errors") or 0
    problems = []
    if errors:
        problems.append(f"{errors} fetch errors")
    if silent:
        problems.append(f"{len(silent)} of {len(portals)} portals yielded no report")
    not_ok = {v for v in health.values() if v != "ok"}
    if not_ok:
        counts = ", ".join(f"{sum(1 for v in health.values() if v == s)} {s}" for s in sorted(not_ok))
        problems.append(f"portal health: {counts} (nianbao health)")
    if reason and reason != "finished" and not reason.startswith("closespider_"):
        problems.append(f"finish_reason {reason}")
    if returncode not in (0, None):
        problems.append(f"scrapy exit status {returncode}")
    if problems:
        return CrawlOutcome(PARTIAL, "partial: " + "; ".join(problems), run, silent)
    return CrawlOutcome(OK, f"ok: {pages} pages", run)


def run_crawl(scrapy_args: list[str]) -> CrawlOutcome:
    """Run the crawl in a child process; SIGINT/SIGTERM are forwarded once (Scrapy then stops cleanly)."""
    db = archive_path(scrapy_args)
    before = _last_run_id(db)
    stats_file = Path(tempfile.mkdtemp(prefix="nianbao-crawl-")) / "stats.json"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "portals", *scrapy_args, "-s", f"NIANBAO_STATS_FILE={stats_file}"]
    env = dict(__import__("os").environ)
    # settings.distributed (a worker of a shared frontier, docs/distributed.md) when asked for; else the base
    if env.get("SCRAPY_SETTINGS_MODULE") != "settings.distributed":
        env["SCRAPY_SETTINGS_MODULE"] = "settings.base"
    env["PYTHONPATH"] = str(PROJECT_ROOT) + (":" + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    child = subprocess.Popen(cmd, env=env, start_new_session=True)  # our signal handler decides what it gets
    received: list[int] = []

    def forward(signum, _frame) -> None:
        if not received:
            child.send_signal(signum)
        received.append(signum)

    old = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        returncode = child.wait()
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else None
    run = _run_row(db, before)
    outcome = judge(returncode, stats, run, interrupted=bool(received), health=_health(db, run))
    return outcome  # region rows are written with each report (pipelines/store/reports.py)

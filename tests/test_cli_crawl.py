"""`nianbao crawl`: the exit-code policy (pure) and real runs of `scrapy crawl portals`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.commands.job import FAILED, INTERRUPTED, OK, PARTIAL, archive_path, judge

ROOT = Path(__file__).resolve().parent.parent


def stats(**portals):
    return {"finish_reason": "finished", "pages": 10, "errors": 0,
            "portals": {name: {"pages": 5, "reports": n, "errors": 0} for name, n in portals.items()}}


def run(**kw):
    return {"finished_at": "2026-01-01T00:00:00+00:00", "pages": 10, "errors": 0, "finish_reason": "finished", **kw}


def test_ok():
    assert judge(0, stats(a=1, b=2), run(), interrupted=False).code == OK


def test_partial_on_fetch_errors_or_silent_portals():
    out = judge(0, stats(a=1, b=0), run(), interrupted=False)
    assert out.code == PARTIAL and out.silent_portals == ["b"] and "1 of 2 portals" in out.reason
    assert judge(0, {**stats(a=1), "errors": 3}, run(errors=3), interrupted=False).code == PARTIAL
    assert judge(0, None, run(errors=3), interrupted=False).code == PARTIAL  # no stats file: the run's count
    # robots.txt refusals are in crawl_runs.errors but not in the stats' errors: not a problem
    assert judge(0, {**stats(a=1), "errors": 0, "refused": 3}, run(errors=3), interrupted=False).code == OK
    assert judge(0, {**stats(a=1), "finish_reason": "memusage_exceeded"}, run(finish_reason="memusage_exceeded"),
                 interrupted=False).code == PARTIAL
    # a deliberate limit is not a problem
    assert judge(0, {**stats(a=1), "finish_reason": "closespider_pagecount"}, run(), interrupted=False).code == OK


def test_failed_when_nothing_was_fetched_or_nothing_started():
    assert judge(0, stats(a=0), run(pages=0), interrupted=False).code == FAILED
    out = judge(1, None, None, interrupted=False)
    assert out.code == FAILED and "did not start" in out.reason


def test_portal_health_decides_like_nianbao_health():
    """The crawl's exit code agrees with `nianbao health` on the same run (crawler/commands/health.py)."""
    from crawler.commands.health import exit_code

    cases = [({"a": "ok", "b": "ok"}, OK), ({"a": "ok", "b": "degraded"}, PARTIAL),
             ({"a": "ok", "b": "no-report"}, PARTIAL), ({"a": "site-changed"}, PARTIAL),
             ({"a": "unreachable", "b": "ok"}, PARTIAL), ({"a": "unreachable", "b": "unreachable"}, FAILED)]
    for health, code in cases:
        out = judge(0, stats(a=1, b=1), run(), interrupted=False, health=health)
        assert out.code == code, (health, out.reason)
        assert exit_code([{"status": s} for s in health.values()]) == code
        if code == PARTIAL:
            assert "nianbao health" in out.reason


def test_interrupted():
    assert judge(0, {**stats(a=1), "finish_reason": "shutdown"}, run(finish_reason="shutdown"),
                 interrupted=False).code == INTERRUPTED
    assert judge(0, stats(a=1), run(), interrupted=True).code == INTERRUPTED
    assert judge(-9, None, {"finished_at": None, "pages": None}, interrupted=False).code == INTERRUPTED


@pytest.mark.parametrize(("args", "expected"), [
    (["-a", "portals=demo", "-s", "ARCHIVE_DB=x/a.db"], "x/a.db"),
    (["-sARCHIVE_DB=b.db"], "b.db"),
    (["--set=ARCHIVE_DB=c.db", "-s", "LOG_LEVEL=INFO"], "c.db"),
    (["-a", "region=3205"], "data/archive.db"),
])
def test_archive_path(args, expected):
    assert archive_path(args) == Path(expected)


def test_bad_portal_list_exits_2_with_the_reason(tmp_path):
    bad = tmp_path / "portals.csv"
    bad.write_text("name,url\n某县,http://127.0.0.1:9/\n", encoding="utf-8")
    db = tmp_path / "a.db"
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "-a", f"portals={bad}",
                           "-s", f"ARCHIVE_DB={db}"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == FAILED, proc.stderr[-2000:]
    assert "lacks ['start_url', 'render']" in proc.stderr
    assert "nianbao crawl: exit 2" in proc.stderr

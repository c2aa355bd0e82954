"""`nianbao reprocess` on the demo archive: the current parsers over the WARC captures, in place.

One demo crawl (loopback servers, WARC on), then: a re-parse with unchanged parsers changes nothing;
a deliberate parser change (monkeypatched: an agency rule for 城市管理局 reports, a table value of the
双辽 report, and a version bump) updates exactly the affected reports — their fields, cells and checks,
with the new parser_version — and every other row stays byte-identical.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import crawler.commands.reprocess as reprocess_cmd
import pipelines.process as process_mod
from crawler.commands.reprocess import reprocess

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent


def nianbao(*args):
    return subprocess.run([sys.executable, "-m", "crawler.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    proc = nianbao("crawl", "-a", "portals=demo", "-s", f"ARCHIVE_DB={db}")
    # the demo carries a deliberately broken portal (crawler/demo/broken.py): the crawl is partial, exit 1
    assert proc.returncode == 1 and "exit 1 — partial" in proc.stderr, proc.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
    return db


@pytest.fixture
def archive(crawled, tmp_path):
    """A private copy of the crawled archive and its WARC directory."""
    shutil.copy(crawled, tmp_path / "demo.db")
    shutil.copytree(crawled.parent / "warc", tmp_path / "warc")
    return tmp_path / "demo.db"


def _dump(db: Path) -> dict[str, list[tuple]]:
    """Every row of the tables reprocess may touch, by report id."""
    with sqlite3.connect(db) as conn:
        return {
            "reports": conn.execute("select * from reports order by id").fetchall(),
            "cells": conn.execute("select * from report_cells order by report_id, table_name, row_label, "
                                  "col_label").fetchall(),
            "checks": conn.execute("select * from report_checks order by report_id, rule, scope").fetchall(),
            "versions": conn.execute("select * from report_versions order by id").fetchall(),
            "urls": conn.execute("select * from report_urls order by report_id, canonical_url").fetchall(),
            "columns": [c[1] for c in conn.execute("pragma table_info(reports)")],
        }


def _by_report(rows: list[tuple], key: int = 0) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    for row in rows:
        out.setdefault(row[key], []).append(row)
    return out


def test_unchanged_parsers_change_nothing(archive):
    before = _dump(archive)
    assert before["reports"], "the demo crawl archived no report"
    lines: list[str] = []
    summary = reprocess(archive, out=lines.append)
    assert summary.captures == summary.reports == len(before["reports"])
    assert (summary.changed, summary.no_capture, summary.rejected, summary.unreadable) == ([], [], [], [])
    assert _dump(archive) == before
    assert lines == [summary.line()]


def test_a_parser_change_updates_exactly_the_affected_reports(archive, monkeypatch):
    before = _dump(archive)
    cols = before["columns"]
    ids = {r[cols.index("id")]: r for r in before["reports"]}
    agency_of = {i: r[cols.index("agency")] for i, r in ids.items()}
    renamed = {i for i, a in agency_of.items() if a.endswith("城市管理局")}
    retabled = {i for i, a in agency_of.items() if a.startswith("双辽")}
    assert renamed and retabled and len(renamed | retabled) < len(ids)

    real_metadata, real_tables = process_mod.extract_metadata, process_mod._tables

    def metadata(title, body, **kw):  # the deliberate change: a new agency rule for 城市管理局
        meta = real_metadata(title, body, **kw)
        if meta.agency and meta.agency.endswith("城市管理局"):
            meta.agency = meta.agency.replace("城市管理局", "城市管理综合行政执法局")
        return meta

    def tables(html, body_text, pdf, *parsed, **kw):  # and a table rule that reads one more item for 双辽
        result = real_tables(html, body_text, pdf, *parsed, **kw)  # parsed: the PDF's rows, the page's tree
        if "双辽" in body_text[:400]:
            first = result.cells[0]
            result.cells[0] = replace(first, value=(first.value or 0) + 1000, raw=str((first.value or 0) + 1000))
        return result

    monkeypatch.setattr(process_mod, "extract_metadata", metadata)
    monkeypatch.setattr(process_mod, "_tables", tables)
    monkeypatch.setattr(process_mod, "PARSER_VERSION", "test-2")
    monkeypatch.setattr(reprocess_cmd, "PARSER_VERSION", "test-2")
    lines: list[str] = []
    summary = reprocess(archive, out=lines.append)

    assert set(summary.changed) == renamed | retabled
    assert summary.agency == len(renamed) and summary.year == 0 and summary.template == 0
    assert summary.cells == len(retabled)
    after = _dump(archive)
    new_ids = {r[cols.index("id")]: r for r in after["reports"]}
    assert set(new_ids) == set(ids)  # no report added or dropped
    assert after["versions"] == before["versions"] and after["urls"] == before["urls"]
    for i in ids:
        old, new = dict(zip(cols, ids[i], strict=True)), dict(zip(cols, new_ids[i], strict=True))
        assert new["parser_version"] == "test-2"  # every re-parsed row names the parser that (re)produced it
        changed = {k for k in cols if old[k] != new[k]} - {"parser_version"}
        if i in renamed:
            assert new["agency"] == old["agency"].replace("城市管理局", "城市管理综合行政执法局")
            assert "agency" in changed
        if i in retabled:
            assert "content_hash" in changed
        if i not in renamed | retabled:
            assert changed == set(), (i, changed)
        assert new["version"] == old["version"] and new["first_seen"] == old["first_seen"]
    old_cells, new_cells = _by_report(before["cells"]), _by_report(after["cells"])
    old_checks, new_checks = _by_report(before["checks"]), _by_report(after["checks"])
    for i in ids:
        if i in retabled:
            diff = set(new_cells[i]) ^ set(old_cells[i])
            assert len(diff) == 2  # one cell, old and new value
        else:
            assert new_cells.get(i) == old_cells.get(i) and new_checks.get(i) == old_checks.get(i)
    # what changed is printed: one line per changed report, then the summary
    assert len(lines) == len(summary.changed) + 1 and lines[-1] == summary.line()
    assert all("城市管理局 →" in ln for ln in lines if any(f"report {i} " in ln for i in renamed))
    # run again with the same parsers: nothing more changes
    assert reprocess(archive, out=lambda _: None).changed == []


def test_cli(archive, tmp_path):
    proc = nianbao("reprocess", archive)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith("nianbao reprocess: ")
    assert " 0 changed" in proc.stdout
    missing = nianbao("reprocess", tmp_path / "nope.db")
    assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    no_warc = tmp_path / "alone" / "a.db"
    no_warc.parent.mkdir()
    shutil.copy(archive, no_warc)
    proc = nianbao("reprocess", no_warc)
    assert proc.returncode == 2 and "WARC" in proc.stderr

"""The `nianbao` entry point: subcommands, clear errors for bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.cli import parser

ROOT = Path(__file__).resolve().parent.parent


def nianbao(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "crawler.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


def test_help_lists_every_subcommand():
    out = nianbao("--help").stdout
    for command in ("crawl", "serve", "search", "coverage", "export", "import"):
        assert command in out


def test_console_script_is_declared():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'nianbao = "crawler.cli:main"' in text
    args = parser().parse_args(["export", "x.db", "--out", "snap"])
    assert (args.db, args.out, args.version) == (Path("x.db"), Path("snap"), None)


@pytest.mark.parametrize("command", [["serve"], ["coverage"], ["export", "--out", "o"], ["search", "{db}", "报告"]])
def test_missing_archive_is_a_clear_error(tmp_path, command):
    db = tmp_path / "missing.db"
    args = [a.replace("{db}", str(db)) for a in command]
    if args[0] != "search":
        args.insert(1, str(db))
    proc = nianbao(*args)
    assert proc.returncode == 1 and f"archive {db} does not exist" in proc.stderr
    assert not db.exists()  # nothing created by a typo


def test_import_needs_something_to_import(tmp_path):
    proc = nianbao("import", "--db", tmp_path / "a.db")
    assert proc.returncode == 1 and "give files, folders or --list FILE" in proc.stderr
    proc = nianbao("import", "--list", tmp_path / "nope.txt", "--db", tmp_path / "a.db")
    assert proc.returncode == 1 and "does not exist" in proc.stderr


def test_serve_mutable_and_report_without_tables(tmp_path):
    import json
    import urllib.request

    from pipelines import store
    from tests.serving import serving
    from tests.test_store import record

    db = store.open_archive(tmp_path / "a.db")
    store.save_report(db, record("http://x.gov.cn/nb.html", "正文", cells=[], agency="伊川县融媒体中心",
                                 region_code="410329"), 1)
    db.close()
    with serving(tmp_path / "a.db", "--mutable", log=tmp_path / "serve.log") as base:
        dbs = json.load(urllib.request.urlopen(base + "/-/databases.json", timeout=5))
        assert [(d["name"], d["is_mutable"]) for d in dbs] == [("a", True)]
        html = urllib.request.urlopen(base + "/-/report/1").read().decode("utf-8")
        assert "No statistical tables were read" in html and "河南省 / 洛阳市 / 伊川县" in html

"""`pipelines/` (the parsing stages) imports neither Scrapy, Twisted nor `crawler`.

Every module under pipelines/ is imported in a fresh interpreter; the test fails if any of those
packages got loaded on the way (directly or through a dependency).
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pipelines

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("scrapy", "twisted", "crawler")


def pipeline_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(pipelines.__path__, "pipelines."))


def test_every_pipelines_module_is_found():
    names = pipeline_modules()
    for expected in ("pipelines.process", "pipelines.records", "pipelines.classify", "pipelines.store.reports",
                     "pipelines.tables.html", "pipelines.documents.office"):
        assert expected in names


def test_pipelines_load_no_scrapy_twisted_or_crawler():
    code = (
        "import importlib, json, sys\n"
        f"for name in {pipeline_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(json.dumps(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_check_can_fail():
    """The same probe sees a forbidden package when a module does pull one in."""
    code = "import sys, crawler.items\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'crawler'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "crawler.items" in out.stdout

"""The install a new user does: every dependency is declared for the stock pip of Python 3.11 (23.x),
pinned in constraints.txt (bin/lock), and the wheel carries what `nianbao serve` needs.
The install itself runs in a fresh venv in bin/check-install (.ci/run)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_every_dependency_is_pinned_in_constraints():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in ("test", "ocr"):  # the extras bin/test installs
        wanted |= {_name(r) for r in project["optional-dependencies"].get(extra, [])}
    pins = {_name(line.split("==")[0]) for line in (ROOT / "constraints.txt").read_text().splitlines()
            if "==" in line and not line.startswith("#")}
    assert not wanted - pins, f"not pinned in constraints.txt: {sorted(wanted - pins)}; run bin/lock"


def test_trafilatura_needs_lxml_html_clean_declared_directly():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^\s*"lxml_html_clean', text, re.M)  # pip 23.x does not resolve lxml's html-clean extra


def test_datasette_files_are_package_data():
    from pipelines.schema_docs import DATASETTE_DIR

    assert DATASETTE_DIR.parent.name == "crawler"  # inside a packaged module, so the wheel has it
    for part in ("metadata.yml", "canned.yml", "templates/report.html", "plugins/report_view.py", "static"):
        assert (DATASETTE_DIR / part).exists(), part
    assert not (ROOT / "datasette").exists()

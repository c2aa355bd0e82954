"""README, docs/ and the schema do not drift apart: every link resolves, docs/schema.md and datasette's
metadata are what the schema generates, every `nianbao` subcommand is documented, README stays short.
Pages added to docs/ later need no change here: links are checked, not a fixed list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.cli import parser
from pipelines import schema_docs

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").rglob("*.md"))  # sub-folders too: an old copy of a section must not linger
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def pages() -> list[Path]:
    return [README, *DOCS]


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    broken = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#", 1)[0]).resolve()
        if not path.exists():
            broken.append(target)
    assert not broken, f"{page.name}: broken links {broken}"


def test_readme_is_short_and_links_the_docs():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150
    assert "bin/demo" in text and "bin/test" in text
    assert (ROOT / "bin" / "demo").is_file() and (ROOT / "bin" / "test").is_file()
    linked = {t.split("#")[0] for t in LINK.findall(text)}
    assert {"docs/schema.md", "docs/search.md", "docs/exports.md", "docs/figures.md", "docs/using.md"} <= linked
    assert "## Figures" in text and "## Documentation" in text


def test_schema_page_and_datasette_metadata_are_generated():
    assert schema_docs.SCHEMA_MD.read_text(encoding="utf-8") == schema_docs.schema_page(), \
        "run: python -m pipelines.schema_docs --write"
    assert schema_docs.main(["--check"]) == 0


def test_schema_is_described_once():
    """Only docs/schema.md has the column tables; other pages link to it."""
    for page in pages():
        if page == schema_docs.SCHEMA_MD:
            continue
        text = page.read_text(encoding="utf-8")
        assert "| `content_hash` |" not in text and "| `first_run_id` |" not in text, page.name


def test_every_nianbao_subcommand_is_documented():
    sub = next(a for a in parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    text = "\n".join(p.read_text(encoding="utf-8") for p in pages())
    missing = [c for c in sub.choices if not re.search(rf"nianbao {re.escape(c)}\b", text)]
    assert not missing, f"document these in README.md or docs/: {missing}"


def test_feed_fields_are_documented_as_they_are():
    text = (ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    source = (ROOT / "crawler" / "item_pipelines.py").read_text(encoding="utf-8")
    fields = re.search(r'"report_id": report_id,\s*"outcome": outcome,.*?for k in \(([^)]*)\)', source, re.S)
    assert fields, "the feed record moved: update this test and docs/exports.md"
    for name in ["report_id", "outcome", *re.findall(r'"(\w+)"', fields.group(1))]:
        assert f"`{name}`" in text, name

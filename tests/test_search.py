"""Full-text search on Chinese: trigram FTS5 for 3+ characters, LIKE for 1–2, index kept current."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipelines import store
from pipelines.search import search
from tests.test_cli_sample_archive import build_archive


@pytest.fixture
def db(tmp_path):
    archive = store.open_archive(build_archive(tmp_path / "archive.db"))
    yield archive
    archive.close()


def agencies(rows):
    return {r["agency"] for r in rows}


def test_word_inside_a_sentence_is_found(db):
    # 珠街街道's body: "(四)依申请公开方面"; the default unicode61 tokenizer would not find it
    rows = search(db, "依申请公开方面")
    assert agencies(rows) == {"曲靖市麒麟区珠街街道"}
    assert "[依申请公开方面]" in rows[0]["snippet"]


def test_agency_and_title_are_searched(db):
    assert agencies(search(db, "贵池区")) == {"池州市贵池区自然资源和规划局"}
    assert len(search(db, "常熟市城市管理局")) == 2  # 2018 and 2020


def test_short_queries_fall_back_to_like(db):
    rows = search(db, "复议")
    assert rows and all("复议" in r["snippet"] for r in rows)
    assert agencies(search(db, "珠街")) == {"曲靖市麒麟区珠街街道"}


def test_terms_are_combined_with_and(db):
    both = agencies(search(db, "双辽 依申请"))
    assert both == {"双辽市政府办公室"}
    assert search(db, "双辽 珠街街道") == []


def test_fts_syntax_in_a_query_is_literal(db):
    assert search(db, 'AND "OR" NEAR(') == []
    with pytest.raises(ValueError, match="empty"):
        search(db, "   ")


def test_index_follows_inserts_updates_and_deletes(db):
    rid = db.execute("select id from reports where agency = '伊川县城市管理局'").fetchone()[0]
    db.execute("update reports set body_text = body_text || '新增的独特短语甲乙丙' where id = ?", [rid])
    assert [r["id"] for r in search(db, "独特短语甲乙丙")] == [rid]
    db.execute("delete from report_cells where report_id = ?", [rid])
    db.execute("delete from report_checks where report_id = ?", [rid])
    db.execute("delete from report_urls where report_id = ?", [rid])
    db.execute("delete from reports where id = ?", [rid])
    assert search(db, "独特短语甲乙丙") == []


def test_search_command(tmp_path):
    path = build_archive(tmp_path / "archive.db")
    cmd = [sys.executable, "-m", "crawler.cli", "search", str(path)]
    found = subprocess.run([*cmd, "依申请公开方面"], capture_output=True, text=True, check=False)
    assert found.returncode == 0, found.stderr
    assert "曲靖市麒麟区珠街街道" in found.stdout and "1 reports" in found.stderr
    none = subprocess.run([*cmd, "没有这个词语"], capture_output=True, text=True, check=False)
    assert none.returncode == 1 and none.stdout == ""
    missing = subprocess.run([*cmd[:-1], str(tmp_path / "nope.db"), "x"], capture_output=True, text=True, check=False)
    assert missing.returncode == 1 and "does not exist" in missing.stderr

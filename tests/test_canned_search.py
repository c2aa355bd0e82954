"""datasette's canned `search` query (crawler/datasette/canned.yml) run on a real archive with the plugin's
`escape_fts`: words first ranked by bm25, substrings after, 1–2 characters by LIKE; bounded like
`nianbao search` (the newest 500 word matches ranked, the newest 5,000 substring matches, 200 short ones).
The caps are tested by running the same SQL with smaller numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from crawler.datasette.plugins.researchers_view import escape_fts
from pipelines import store
from tests.search_rows import insert_report

CANNED = Path(__file__).resolve().parents[1] / "crawler" / "datasette" / "canned.yml"
SQL = yaml.safe_load(CANNED.read_text(encoding="utf-8"))["queries"]["search"]["sql"]


@pytest.fixture
def db(tmp_path):
    archive = store.open_archive(tmp_path / "a.db")
    archive.conn.create_function("escape_fts", 1, escape_fts)
    yield archive
    archive.close()


def run(db, q: str, word_cap: int = 500, substring_cap: int = 5000, short_cap: int = 200) -> list[tuple]:
    sql = SQL.replace("limit 5000", f"limit {substring_cap}").replace("limit 500\n", f"limit {word_cap}\n")
    sql = sql.replace("order by id desc limit 200", f"order by id desc limit {short_cap}")
    assert sql.count(f"limit {word_cap}\n") == 1 and sql.count(f"limit {substring_cap})") == 3
    return [(r[0], r[4]) for r in db.execute(sql, {"q": q}).fetchall()]


def test_words_ranked_then_substrings(db):
    in_title = insert_report(db, "本年度情况如下。", title="乙局行政诉讼情况报告")
    in_body = insert_report(db, "本年度发生行政诉讼一件。")
    substring_only = insert_report(db, "本机关收取信息处理费一次。")
    insert_report(db, "本年度无此类事项。")
    rows = run(db, "诉讼")
    assert rows[0] == (in_title, "word") and (in_body, "word") in rows and len(rows) == 2
    assert run(db, "息处理费") == [(substring_only, "substring")]  # no word: the trigram index
    assert run(db, "处理费") == [(substring_only, "word")]  # a word of the index (jieba: 信息 处理费)


def test_short_text_is_found_by_like_newest_first(db):
    ids = [insert_report(db, f"第{i}项：收费{i}元。") for i in range(5)]
    assert {r for r in run(db, "收费")} == {(i, "word") for i in ids}
    assert {r for r in run(db, "收")} == {(i, "substring") for i in ids}  # one character, no word: LIKE
    assert run(db, "收", short_cap=2) == [(ids[4], "substring"), (ids[3], "substring")]  # newest first, stops


@pytest.mark.parametrize("cap", [1, 3])
def test_common_word_ranks_only_the_newest_cap(db, cap):
    old_in_title = insert_report(db, "本年度情况。", title="甲局行政诉讼情况报告")  # best match, older than the cap
    newest = [insert_report(db, f"本年度行政诉讼{i}件。") for i in range(cap)]
    assert {r[0] for r in run(db, "诉讼", word_cap=cap)} == set(newest)
    assert run(db, "诉讼", word_cap=cap + 1)[0] == (old_in_title, "word")  # within the cap: bm25 puts it first


def test_substring_matches_beyond_the_cap_are_not_read(db):
    matches = [insert_report(db, f"本机关收取信息处理费{i}次。") for i in range(4)]
    assert {r[0] for r in run(db, "息处理费", substring_cap=2)} == set(matches[-2:])
    assert {r[0] for r in run(db, "息处理费")} == set(matches)



def without_skips(sql: str) -> str:
    """The query as it was before it skipped substring and short matches the page has no room for."""
    sql, n = re.subn(r"select \* from \((select id, 'substring', null from (?:substrings|short)[^\n]*)\s*"
                     r"limit case when [^\n]* then 0 else -1 end\)", r"\1", sql)
    assert n == 2
    return sql


def page_rows(db, sql: str, q: str, page: int) -> list[tuple]:
    """`sql` with a page of `page` rows instead of 200."""
    assert sql.endswith("\nlimit 200") and sql.count(") >= 200 then 0") <= 1
    sql = sql[: -len("limit 200")] + f"limit {page}"
    sql = sql.replace(") >= 200 then 0", f") >= {page} then 0")
    return [(r[0], r[4]) for r in db.execute(sql, {"q": q}).fetchall()]


@pytest.mark.parametrize("page", [1, 2, 3, 4, 5, 8])
@pytest.mark.parametrize("q", ["诉讼", "处理费", "息处理费", "收", "行政 诉讼"])
def test_skipping_what_the_page_has_no_room_for_changes_no_row(db, page, q):
    """Substring matches are read only when word matches leave room on the page (1-2 characters only when
    no word matched): the page is row for row what the query without those skips gives."""
    for i in range(3):
        insert_report(db, f"本年度行政诉讼{i}件，收取信息处理费。")
        insert_report(db, f"本机关收取息处理费{i}次，诉讼。", title=f"丙局{i}年度报告")
        insert_report(db, f"本年度无此类事项{i}。")
    rows = page_rows(db, SQL, q, page)
    assert rows == page_rows(db, without_skips(SQL), q, page)
    assert rows

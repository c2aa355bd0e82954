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


def capped(sql: str, word_cap: int = 500, df_cap: int = 2000, substring_cap: int = 5000, short_cap: int = 200) -> str:
    """The canned SQL with other caps (the caps CTE, the substring and short limits)."""
    assert sql.count("select 500 as words, 2000 as df") == 1 and sql.count("limit 5000)") == 3
    sql = sql.replace("select 500 as words, 2000 as df", f"select {word_cap} as words, {df_cap} as df")
    sql = sql.replace("limit 5000)", f"limit {substring_cap})")
    assert sql.count("order by id desc limit 200") == 1
    return sql.replace("order by id desc limit 200", f"order by id desc limit {short_cap}")


def run(db, q: str, word_cap: int = 500, substring_cap: int = 5000, short_cap: int = 200, df_cap: int = 2000,
        sql: str = SQL) -> list[tuple]:
    sql = capped(sql, word_cap, df_cap, substring_cap, short_cap)
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


FRAGMENTS = ["本年度发生行政诉讼{n}件。", "行政复议{n}件，结果纠正{m}件。", "收到依申请公开申请{n}件。", "行政诉讼结果纠正{m}件。",
             "依申请公开的答复均在法定期限内。", "本机关主动公开政府信息{n}条。", "无。", "其他需要报告的事项：无。" * 3]


def varied_archive(db, n: int = 40, seed: int = 7, others: int = 160) -> None:
    """Reports of varied length and term counts (few equal bm25 scores), some with a term in the title, among
    `others` without any term (so that the terms' document frequencies, hence their weights, differ)."""
    import random

    rng = random.Random(seed)
    for i in range(n):
        for k in range(others // n):
            insert_report(db, f"本年度无此类事项{i}-{k}。", title=f"丙局{i}-{k}年度报告", agency="丙局")
        body = "".join(rng.choice(FRAGMENTS).format(n=rng.randint(0, 99), m=rng.randint(0, 9))
                       for _ in range(rng.randint(1, 12)))
        title = rng.choice(["某局年度报告", "行政诉讼情况报告", "依申请公开工作报告", "复议与诉讼报告"]) + str(i)
        insert_report(db, body, title=title, agency=rng.choice(["甲局", "乙局", "行政复议办公室"]))


@pytest.mark.parametrize("q", ["诉讼", "依申请公开", "复议 纠正", "依申请公开 诉讼", "纠正　行政诉讼", "行政复议 依申请公开 公开",
                               "诉讼 ，"])
@pytest.mark.parametrize("word_cap,df_cap", [(3, 2000), (10, 2000), (10, 4), (12, 1), (1000, 2000)])
def test_word_matches_are_ranked_as_nianbao_search_ranks_them(db, monkeypatch, q, word_cap, df_cap):
    """Row for row the word matches `nianbao search` gives (pipelines.search.search_result): FTS5's bm25 over
    at most word_cap matches; more: its bm25 formula over the newest word_cap, document frequencies
    counted up to df_cap (the canned query computes the logarithm with a series: no SQL math functions)."""
    from pipelines import search as cli

    varied_archive(db)
    monkeypatch.setattr(cli, "RANK_CAP", word_cap)
    monkeypatch.setattr(cli, "DF_CAP", df_cap)
    result = cli.search_result(db, q, limit=200)
    expected = [r["id"] for r in result.rows if r["match"] == "word"]
    assert len(expected) >= 3, (q, result.word_matches)
    assert (result.word_matches > word_cap) == (word_cap < 1000)  # both ways of ranking are exercised
    got = [rid for rid, how in run(db, q, word_cap=word_cap, df_cap=df_cap) if how == "word"]
    assert got == expected


@pytest.mark.parametrize("q", ["诉讼", "复议 纠正", "依 申请 公开"])
def test_plain_datasette_runs_it_without_plugins(tmp_path, q):
    """Plain datasette (no plugins dir: datasette's own escape_fts, no project function, SQLite without math
    functions needed): the canned page is the query's rows with datasette's escape_fts, both ways of ranking."""
    import asyncio
    import sqlite3

    from datasette.app import Datasette
    from datasette.plugins import pm
    from datasette.utils import escape_fts as datasette_escape_fts

    from pipelines.schema_docs import metadata_for

    assert pm.get_plugin("researchers_view.py") is None  # the plugin's escape_fts is not in play
    path = tmp_path / "archive.db"
    archive = store.open_archive(path)
    varied_archive(archive, others=40)
    archive.close()
    conn = sqlite3.connect(path)
    conn.create_function("escape_fts", 1, datasette_escape_fts)
    for word_cap in (3, 500):
        sql = capped(SQL, word_cap=word_cap)
        expected = [(r[0], r[4]) for r in conn.execute(sql, {"q": q}).fetchall()]
        assert len([e for e in expected if e[1] == "word"]) >= 3
        metadata = metadata_for("archive")
        metadata["databases"]["archive"]["queries"]["search"]["sql"] = sql
        ds = Datasette(immutables=[str(path)], metadata=metadata)

        async def page(ds=ds):
            return await ds.client.get("/archive/search.json?_shape=objects&q=" + q)

        r = asyncio.run(page())
        assert r.status_code == 200, r.text
        assert [(row["id"], row["match"]) for row in r.json()["rows"]] == expected
    conn.close()


def test_only_core_sql_functions():
    """Every function the query calls is in every SQLite ≥ 3.34 (no math functions: `ln` is missing from many
    builds, e.g. Python's on Windows) or is datasette's own escape_fts; the rest are the CTEs' names."""
    called = set(re.findall(r"\b([a-z_0-9]+)\(", SQL))
    core = {"avg", "cast", "char", "coalesce", "count", "instr", "length", "ltrim", "max", "min", "replace",
            "substr", "sum", "trim", "escape_fts"}
    assert called - core == {"terms", "halved", "series"}

"""The word index (reports_words): 1–2 character Chinese words found inside longer words, ranked,
whole-word snippets; kept current through SQL triggers and a pending queue; old archives migrate;
plain datasette (no plugin, no extension) finds words with its own search box."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from pathlib import Path

import pytest

from pipelines import store
from pipelines.search import index_pending, pending, search, substring_match
from pipelines.words import SEP, fts_query, segment, unmark, words
from tests.search_rows import insert_report
from tests.test_cli_sample_archive import build_archive

ROOT = Path(__file__).resolve().parents[1]

# (word a researcher types, contexts in which it must be found, contexts holding its characters
# that are not the word and must not match)
WORD_CASES = {
    "诉讼": (["行政诉讼", "提起诉讼", "诉讼费用", "行政复议和行政诉讼"], ["讼诉", "申诉"]),
    "复议": (["行政复议", "复议机关", "行政复议决定书", "申请复议"], ["议复"]),
    "公开": (["主动公开", "不予公开", "政府信息公开", "依申请公开", "公开透明"], ["办公开会"]),
    "纠正": (["结果纠正", "责令纠正", "纠正违法"], ["纠纷正在"]),
    "依申请公开": (["办理依申请公开事项", "（三）依申请公开"], ["依法申请公开"]),
}
FILLERS = ["本机关", "2021年", "全年共", "。"]


_insert = insert_report


@pytest.mark.parametrize("word", list(WORD_CASES))
def test_word_found_in_every_context_and_only_there(db, word):
    found_in, not_in = WORD_CASES[word]
    hits = {}
    for ctx, (before, after) in zip(found_in, itertools.product(FILLERS, FILLERS), strict=False):
        hits[_insert(db, f"{before}{ctx}{after}情况。")] = ctx
    decoys = {_insert(db, f"本机关{ctx}情况。") for ctx in not_in}
    rows = search(db, word)
    word_rows = {r["id"]: r for r in rows if r["match"] == "word"}
    assert set(word_rows) == set(hits), {r["id"]: r["snippet"] for r in rows}
    for rid in word_rows:
        assert f"[{word}]" in word_rows[rid]["snippet"], word_rows[rid]["snippet"]  # the whole word, marked once
    assert not decoys & set(word_rows)


def test_snippets_highlight_whole_words_not_trigram_windows(tmp_path):
    db = store.open_archive(build_archive(tmp_path / "archive.db"))
    try:
        for term in ("政府信息公开", "诉讼", "复议", "公开"):
            rows = [r for r in search(db, term) if r["match"] == "word"]
            assert rows, term
            for r in rows:
                marked = [s.split("]")[0] for s in r["snippet"].split("[")[1:]]
                assert marked and all(m == term for m in marked), (term, r["snippet"])
                assert SEP not in r["snippet"]
    finally:
        db.close()


def test_ranked_by_bm25_title_first(db):
    body_only = _insert(db, "本年度未发生行政诉讼。", title="甲局2021年报告", agency="甲局")
    in_title = _insert(db, "本年度情况如下。", title="乙局行政诉讼情况报告", agency="乙局")
    many = _insert(db, "行政诉讼一件；行政诉讼两件；诉讼三件。", title="丙局2021年报告", agency="丙局")
    ids = [r["id"] for r in search(db, "诉讼")]
    assert ids[0] == in_title
    assert ids.index(many) < ids.index(body_only)


def test_several_terms_all_required_and_substring_results_follow(db):
    both = _insert(db, "行政复议两件，行政诉讼一件。")
    one = _insert(db, "行政复议两件。")
    assert [r["id"] for r in search(db, "复议 诉讼")] == [both]
    # 请公开 is no word anywhere: found as a substring (trigram), after word matches, marked whole
    sub = _insert(db, "依申请公开的事项。")
    rows = search(db, "请公开")
    assert [r["id"] for r in rows] == [sub] and rows[0]["match"] == "substring"
    assert "[请公开]" in rows[0]["snippet"]
    assert one not in [r["id"] for r in search(db, "复议 诉讼")]


def test_fts_syntax_is_literal(db):
    _insert(db, "行政复议 AND OR NEAR 两件。")
    assert fts_query('AND "OR" NEAR(') == '"AND" """OR""" "NEAR("'
    assert search(db, 'NEAR( 复议')[0]["match"] == "word"


def test_queue_catches_writes_from_other_tools(tmp_path):
    path = tmp_path / "a.db"
    store.open_archive(path).close()
    conn = sqlite3.connect(path)  # a plain sqlite3 writer: no jieba, triggers queue the ids
    conn.execute("insert into reports (id, title, agency, body_text, content_hash) values (7, 't', 'a', '责令纠正', 'x')")
    conn.execute("insert into reports (id, title, agency, body_text, content_hash) values (8, 't', 'a', '行政复议', 'y')")
    conn.commit()
    conn.execute("update reports set body_text = '行政诉讼' where id = 8")
    conn.execute("delete from reports where id = 7")
    conn.commit()
    conn.close()
    db = store.open_archive(path)  # drains the queue
    try:
        assert pending(db) == 0
        assert [r["id"] for r in search(db, "诉讼") if r["match"] == "word"] == [8]
        assert [r for r in search(db, "复议") if r["match"] == "word"] == []
        assert [r for r in search(db, "纠正") if r["match"] == "word"] == []
    finally:
        db.close()


def test_archive_without_word_index_migrates_on_open(tmp_path):
    path = build_archive(tmp_path / "old.db")
    conn = sqlite3.connect(path)  # make it look like an archive written before the word index existed
    for name in ("reports_words_ai", "reports_words_bu", "reports_words_bd"):
        conn.execute(f"drop trigger {name}")
    for name in ("reports_words", "reports_words_pending", "reports_words_meta"):
        conn.execute(f"drop table {name}")
    conn.commit()
    n = conn.execute("select count(*) from reports").fetchone()[0]
    conn.close()
    db = store.open_archive(path)
    try:
        assert db.execute("select count(*) from reports_words_docsize").fetchone()[0] == n
        assert pending(db) == 0
        assert {r["match"] for r in search(db, "诉讼")} == {"word"}
    finally:
        db.close()


def downgrade_search(path: Path) -> None:
    """Give an archive the full-text indexes of before issue #9: both storing their text (the word index
    its segmented copy, the trigram index with positions), triggers on every update, a queue of ids."""
    import sqlite_utils

    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    for name in ("reports_ai", "reports_ad", "reports_au", "reports_words_ai", "reports_words_bu", "reports_words_bd"):
        db.execute(f"drop trigger {name}")
    for name in ("reports_fts", "reports_words", "reports_words_pending", "reports_words_meta"):
        db.execute(f"drop table {name}")
    db.table("reports").enable_fts(["title", "agency", "body_text"], fts_version="FTS5", tokenize="trigram",
                                   create_triggers=True)
    db.execute("create virtual table reports_words using fts5(title, agency, body_text)")
    db.execute("insert into reports_words(reports_words, rank) values ('rank', 'bm25(4.0, 2.0, 1.0)')")
    db.execute("create table reports_words_pending (report_id integer primary key)")
    for when, event in (("ai", "insert"), ("au", "update of title, agency, body_text"), ("ad", "delete")):
        row = "old" if when == "ad" else "new"
        db.execute(f"create trigger reports_words_{when} after {event} on reports begin insert or ignore into "
                   f"reports_words_pending (report_id) values ({row}.id); end")
    for rid, title, agency, body in db.execute("select id, title, agency, body_text from reports").fetchall():
        db.execute("insert into reports_words (rowid, title, agency, body_text) values (?, ?, ?, ?)",
                   [rid, segment(title), segment(agency), segment(body)])
    db.close()


def _index_sql(conn: sqlite3.Connection, name: str) -> str:
    return conn.execute("select sql from sqlite_master where name = ?", [name]).fetchone()[0]


def test_archive_with_the_old_indexes_migrates_in_place(tmp_path):
    """An archive written before #9 (both indexes storing text) is rebuilt from reports on open: the same
    reports are found, the indexes hold no copy of the text, later writes keep them current."""
    path = build_archive(tmp_path / "old.db")
    before = store.open_archive(path)
    expected = {q: [r["id"] for r in search(before, q)] for q in ("诉讼", "依申请公开", "请公开", "复议 纠正")}
    before.close()
    downgrade_search(path)
    conn = sqlite3.connect(path)
    assert "content='reports'" not in _index_sql(conn, "reports_fts")
    assert conn.execute("select count(*) from reports_words_content").fetchone()[0] > 0
    conn.close()
    db = store.open_archive(path)
    try:
        assert pending(db) == 0
        assert {q: [r["id"] for r in search(db, q)] for q in expected} == expected
        tables = {r[0] for r in db.execute("select name from sqlite_master")}
        assert "reports_words_content" not in tables and "reports_fts_content" not in tables
        assert "content='reports'" in _index_sql(db.conn, "reports_fts")
        assert "detail" not in _index_sql(db.conn, "reports_fts")  # positions kept: MATCH phrases work
        phrase = db.execute("select count(*) from reports_fts where reports_fts match '\"依申请公开\"'").fetchone()[0]
        assert phrase == len(db.execute("select id from reports where body_text like '%依申请公开%'").fetchall())
        assert "content=''" in _index_sql(db.conn, "reports_words")
        rid = expected["诉讼"][0]
        db.execute("update reports set body_text = '本年度无行政诉讼，另有独特短语甲乙丙。' where id = ?", [rid])
        index_pending(db)
        assert [r["id"] for r in search(db, "独特短语甲乙丙")] == [rid]
        assert rid not in [r["id"] for r in search(db, "依申请公开")]
        assert rid in [r["id"] for r in search(db, "诉讼")]
    finally:
        db.close()


def test_old_indexes_are_not_rewritten_by_reading(tmp_path):
    """`nianbao search` on an archive with the old indexes reads the text itself (LIKE); the file is unchanged."""
    import hashlib
    import subprocess
    import sys

    path = build_archive(tmp_path / "old.db")
    downgrade_search(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "search", str(path), "依申请公开"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    assert "[依申请公开]" in out.stdout
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_segment_round_trips_and_is_deterministic():
    text = "根据《中华人民共和国政府信息公开条例》\n| 行政复议 | 3 |  ​x"
    assert unmark(segment(text)) == text.replace(SEP, " ")
    assert segment(text) == segment(text)
    assert words("中华人民共和国政府") == ["中华", "人民", "共和", "国", "政府"]


def test_plain_datasette_search_box_finds_words(tmp_path):
    """No plugin, no loadable extension: datasette's own escape_fts and the generated metadata."""
    from datasette.app import Datasette

    from pipelines.schema_docs import metadata_for

    path = build_archive(tmp_path / "archive.db")
    store.open_archive(path).close()
    ds = Datasette(immutables=[str(path)], metadata=metadata_for("archive"))

    async def agencies(q: str) -> set[str]:
        r = await ds.client.get(f"/archive/report_index.json?_search={q}&_shape=array&_col=agency")
        assert r.status_code == 200, r.text
        return {row["agency"] for row in r.json()}

    conn = sqlite3.connect(path)
    containing = {w: {a for (a,) in conn.execute(
        "select agency from reports where instr(title || agency || body_text, ?) > 0", [w])} for w in ("诉讼", "复议", "公开")}
    conn.close()

    async def run():
        for word, expected in containing.items():
            assert len(expected) >= 3
            assert await agencies(word) == expected, word
        assert await agencies("麒麟 街道") == {"曲靖市麒麟区珠街街道"}

    asyncio.run(run())


def test_plugin_escape_fts_segments_queries(tmp_path):
    """With the project's plugin the box also takes unsegmented phrases; the trigram index answers LIKE."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("rv", ROOT / "crawler" / "datasette" / "plugins" / "researchers_view.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = build_archive(tmp_path / "archive.db")
    store.open_archive(path).close()
    conn = sqlite3.connect(path)
    conn.create_function("escape_fts", 1, module.escape_fts)
    q = "select count(*) from {} where {} match escape_fts(?)"
    containing = conn.execute("select count(*) from reports where instr(body_text, '依申请公开') > 0").fetchone()[0]
    assert containing >= 3
    assert conn.execute(q.format("reports_words", "reports_words"), ["依申请公开"]).fetchone()[0] == containing
    like = "select count(*) from reports_fts where reports_fts.body_text like ?"
    assert conn.execute(like, ["%依申请公开方面%"]).fetchone()[0] == 1
    assert conn.execute(q.format("reports_fts", "reports_fts").replace("escape_fts(?)", "?"),
                        [substring_match(["依申请公开方面"])]).fetchone()[0] >= 1
    assert conn.execute(q.format("reports_words", "reports_words"), ["珠街街道 依申请公开"]).fetchone()[0] == 1


def test_report_index_redirects_to_brief_columns_once():
    import importlib.util

    spec = importlib.util.spec_from_file_location("rv2", ROOT / "crawler" / "datasette" / "plugins" / "researchers_view.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def target(path: str, qs: str = "") -> str | None:
        return module._brief_redirect({"type": "http", "method": "GET", "path": path,
                                       "query_string": qs.encode()})

    brief = target("/archive/report_index", "_search=%E8%AF%89%E8%AE%BC")
    assert brief.startswith("/archive/report_index?_col=id&_col=agency") and brief.endswith("_search=%E8%AF%89%E8%AE%BC")
    assert target("/archive/report_index", "_col=agency") is None  # already chosen columns
    assert target("/archive/report_index", "_full=1") is None      # "Show all columns"
    assert target("/archive/report_index.json") is None and target("/archive/reports") is None
    assert target("/档案/report_index").startswith("/%E6%A1%A3%E6%A1%88/report_index?")


def test_jieba_starts_quietly_and_caches_in_the_user_cache(tmp_path):
    """No log lines, the prefix-dictionary caches in $NIANBAO_CACHE, nothing written to the shared temp dir;
    later processes load our pickle of the dictionary (not jieba's slower marshal cache); a cache file that
    is not a plain prefix dictionary (here one that would run a command) is ignored and rewritten."""
    import os
    import subprocess
    import sys

    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir()
    cache = tmp_path / "cache"
    env = {**os.environ, "NIANBAO_CACHE": str(cache), "TMPDIR": str(shared_tmp)}
    code = "from pipelines.words import segment; print(segment('行政诉讼').replace(chr(0x200b), '|'))"

    def run() -> None:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
        assert done.returncode == 0 and done.stdout.strip() == "行政|诉讼", done.stderr
        assert done.stderr == ""

    run()  # builds jieba's cache and ours
    names = sorted(p.name for p in cache.iterdir())
    assert names[1] == "jieba.cache" and names[0].startswith("jieba-0.42.1-") and names[0].endswith(".pickle")
    (cache / "jieba.cache").unlink()
    run()  # loads the pickle: jieba's cache is not rebuilt
    assert [p.name for p in cache.iterdir()] == [names[0]]
    marker = tmp_path / "ran"
    (cache / names[0]).write_bytes(b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")
    run()
    assert not marker.exists()
    assert sorted(p.name for p in cache.iterdir()) == names and (cache / names[0]).stat().st_size > 1_000_000
    assert list(shared_tmp.iterdir()) == []


@pytest.mark.parametrize("cached", [True, False])
def test_jieba_loaded_without_pkg_resources_segments_the_same(tmp_path, cached):
    """`words._import_jieba` keeps jieba from importing pkg_resources (0.1 s per parse server): the
    same dictionary (from our pickle, or read by jieba itself from an empty cache folder) and the same
    words on the seed reports and on generated mixes of their characters, as with pkg_resources."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import hashlib, json, random, sys\n"
        "if sys.argv[1] == 'pre':\n"
        "    import pkg_resources\n"
        "from crawler.demo.seeds import SEEDS\n"
        "from pipelines import words\n"
        "texts = [s.text for s in SEEDS.values()]\n"
        "rng, pool = random.Random(7), ''.join(texts)\n"
        "texts += [''.join(rng.choice(pool) for _ in range(rng.randint(1, 400))) for _ in range(300)]\n"
        "tk = words.tokenizer()\n"
        "seg = json.dumps([words.segment(t) for t in texts], ensure_ascii=False).encode()\n"
        "print(json.dumps({'pkg': 'pkg_resources' in sys.modules, 'blocked': sys.modules.get('pkg_resources', 0) is None,"
        " 'n': len(tk.FREQ), 'total': tk.total, 'seg': hashlib.sha256(seg).hexdigest()}))\n"
    )
    seen = {}
    for how in ("pre", "plain"):
        cache = tmp_path / ("shared" if cached else how)  # shared: "pre" writes the pickle, "plain" reads it
        env = {**os.environ, "NIANBAO_CACHE": str(cache)}
        out = subprocess.run([sys.executable, "-c", code, how], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == 0, out.stderr
        seen[how] = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["pre"]["pkg"] and not seen["plain"]["pkg"] and not seen["plain"]["blocked"]
    assert seen["plain"]["n"] > 400_000
    assert {k: v for k, v in seen["plain"].items() if k != "pkg"} == {k: v for k, v in seen["pre"].items() if k != "pkg"}

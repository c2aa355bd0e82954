"""Search stays bounded on common terms: more word matches than RANK_CAP are ranked by bm25 over the
newest RANK_CAP (and the result says so); substring candidates beyond SUBSTRING_CAP are not verified
(and the result says so); the archive writer indexes the words the parse worker segmented."""

from __future__ import annotations

import pytest

from pipelines import search as search_mod
from pipelines import store
from pipelines.search import index_pending, search_result
from pipelines.words import segment_fields
from tests.search_rows import insert_report
from tests.test_store import record


@pytest.fixture
def db(tmp_path):
    archive = store.open_archive(tmp_path / "a.db")
    yield archive
    archive.close()


def _insert(db, body: str, title: str = "某局2021年度报告", agency: str = "某局") -> int:
    return insert_report(db, body, title, agency)


@pytest.mark.parametrize("cap", [1, 3, 5])
def test_common_term_ranked_over_the_newest_cap(db, monkeypatch, cap):
    monkeypatch.setattr(search_mod, "RANK_CAP", cap)
    old_in_title = _insert(db, "本年度情况。", title="甲局行政诉讼情况报告")  # the best match, but older than the cap
    plain = [_insert(db, f"本年度行政诉讼{i}件。") for i in range(cap - 1)]
    many = _insert(db, "行政诉讼一件；行政诉讼两件；诉讼三件。")
    newest = [*plain, many]
    result = search_result(db, "诉讼", limit=50)
    assert result.word_matches == cap + 1
    assert f"newest {cap}" in result.ranking
    ids = [r["id"] for r in result.rows if r["match"] == "word"]
    assert set(ids) == set(newest) and old_in_title not in ids
    assert ids[0] == many  # bm25: most occurrences first among equals in length
    assert all("[诉讼]" in r["snippet"] for r in result.rows)


@pytest.mark.parametrize("n", [1, 4])
def test_matches_within_the_cap_are_ranked_by_fts5_bm25(db, monkeypatch, n):
    monkeypatch.setattr(search_mod, "RANK_CAP", 10)
    body_only = [_insert(db, f"本年度未发生行政诉讼{i}。") for i in range(n)]
    in_title = _insert(db, "本年度情况如下。", title="乙局行政诉讼情况报告")
    result = search_result(db, "诉讼")
    assert result.word_matches == n + 1 and "ranked by bm25" in result.ranking and "newest" not in result.ranking
    assert result.rows[0]["id"] == in_title
    assert {r["id"] for r in result.rows} == {in_title, *body_only}


def test_substring_candidates_beyond_the_cap_are_not_checked_and_said_so(db, monkeypatch):
    monkeypatch.setattr(search_mod, "SUBSTRING_CAP", 2)
    real = _insert(db, "本机关收取信息处理费一次。")  # oldest: the only report holding the substring
    decoys = [_insert(db, f"信息处理工作{i}，处理费用另计。") for i in range(3)]  # every trigram, not the substring
    result = search_result(db, "息处理费")
    assert result.rows == [] and "older reports not checked" in result.substrings
    monkeypatch.setattr(search_mod, "SUBSTRING_CAP", 10)
    result = search_result(db, "息处理费")
    assert [r["id"] for r in result.rows] == [real] and "4 trigram candidates verified" in result.substrings
    assert "[息处理费]" in result.rows[0]["snippet"]
    assert not set(decoys) & {r["id"] for r in result.rows}


def test_writer_inserts_the_workers_words_and_never_segments(db, monkeypatch):
    body = "本年度发生行政复议两件，行政诉讼一件。"
    rec = record("http://a.gov.cn/nb.html", body)
    rec["search_words"] = segment_fields(rec["title"], rec["agency"], body)

    def forbidden(*args):
        raise AssertionError("the writer segmented text")

    monkeypatch.setattr(search_mod, "segment_fields", forbidden)
    outcome, rid = store.save_report(db, rec, 1)
    assert outcome == "new"
    assert [r["id"] for r in search_result(db, "复议").rows] == [rid]


def test_stale_worker_words_are_not_indexed(db):
    """Words segmented from another text than the row's (a caller's mistake) are replaced, not trusted."""
    rec = record("http://a.gov.cn/nb.html", "本年度发生行政复议两件。")
    rec["search_words"] = segment_fields(rec["title"], rec["agency"], "本年度发生行政诉讼两件。")
    _, rid = store.save_report(db, rec, 1)
    assert [r["id"] for r in search_result(db, "复议").rows] == [rid]
    assert [r for r in search_result(db, "诉讼").rows if r["match"] == "word"] == []


def test_updates_and_deletes_leave_no_ghost_words(db):
    """A contentless index removes a row only with the words it was given: after every kind of change,
    the word matches are exactly the reports whose text holds the word."""
    ids = [_insert(db, f"第{i}号：行政复议{i}件。") for i in range(6)]
    db.execute("update reports set body_text = '改为行政诉讼。' where id = ?", [ids[0]])
    db.execute("update reports set body_text = '改为行政诉讼。' where id = ?", [ids[0]])  # twice before indexing
    db.execute("update reports set title = '行政复议专题' , body_text = '无。' where id = ?", [ids[1]])
    db.execute("delete from reports where id = ?", [ids[2]])
    db.execute("update reports set last_seen = 'x' where id = ?", [ids[3]])  # not an indexed column
    index_pending(db)
    rec = record("http://b.gov.cn/nb.html", "行政复议三件。")
    _, new = store.save_report(db, rec, 1)
    with store.transaction(db):
        db.execute("update reports set body_text = '再改为行政诉讼。' where id = ?", [ids[4]])
    index_pending(db)
    truth = {r[0] for r in db.execute("select id from reports where instr(title || agency || body_text, '复议') > 0")}
    assert {r["id"] for r in search_result(db, "复议").rows if r["match"] == "word"} == truth
    assert truth == {ids[1], ids[3], ids[5], new}
    truth = {r[0] for r in db.execute("select id from reports where instr(body_text, '诉讼') > 0")}
    assert {r["id"] for r in search_result(db, "诉讼").rows if r["match"] == "word"} == truth == {ids[0], ids[4]}


def test_parse_worker_segments_the_report_words():
    """process() returns the word-index text of the report it made (the writer only inserts it)."""
    import json
    from pathlib import Path

    from pipelines.process import process_document

    demo = Path(__file__).resolve().parents[1] / "crawler" / "demo"
    manifest = json.loads((demo / "manifest.json").read_text(encoding="utf-8"))
    portals = {p["key"]: p for p in manifest["portals"]}
    pages = [r for r in manifest["reports"] if r["path"].endswith((".html", ".htm", ".shtml"))][:3]
    assert pages
    for rep in pages:
        portal = portals[rep["portal"]]
        html = (demo / "site" / portal["directory"] / rep["path"].lstrip("/")).read_bytes().decode(portal["encoding"])
        out = process_document(url=f"http://demo.test{rep['path']}", html=html, title=rep["title"])
        assert out.accepted, out.reason
        rec = out.record
        assert rec["search_words"] == segment_fields(rec["title"], rec["agency"], rec["body_text"])
        assert "words" in rec["timings"]


def _words_index(db) -> list[tuple]:
    """The word index's logical contents (term, report, column, position), whatever its segment layout."""
    db.execute("create virtual table if not exists temp.words_vocab using fts5vocab(main, reports_words, instance)")
    return sorted(db.execute("select term, doc, col, offset from temp.words_vocab"))


def _revisions(seed: int) -> list[tuple[str, str]]:
    """Generated report texts at a few URLs, each revised (changed content at its URL: "updated")."""
    import random

    rng = random.Random(seed)
    vocab = ["政府信息公开", "行政复议", "行政诉讼", "申请", "答复", "本年度", "收到", "件", "处理费", "主动公开",
             "2021年", "。", "，", "依申请", "Ｆ", "a b", "\u200b", "県", "信息"]

    def text() -> str:
        return "".join(rng.choice(vocab) for _ in range(rng.randint(3, 40)))

    urls = [f"http://a{i}.gov.cn/nb/t{i}.html" for i in range(4)]
    return [(url, text()) for _ in range(3) for url in urls]


@pytest.mark.parametrize("seed", range(4))
def test_replaced_words_come_from_the_segment_callable_when_they_are_that_texts(tmp_path, monkeypatch, seed):
    """save_report(…, segment): the words of a replaced text (a contentless index removes a row only with
    the words it was given) come from `segment` (the crawl asks a parse worker) when its answer is that
    text's segmentation, else are segmented here: either way the same index as without it, no ghost words.
    (Only the text is checked: the answer must come from `segment_fields` itself, as the workers' does.)"""
    def build(name: str, segment) -> tuple[list[tuple], list[str], int]:
        db = store.open_archive(tmp_path / f"{name}.db")
        asked: list[str] = []

        def counted(title, agency, body):
            asked.append(body)
            return segment(title, agency, body)

        outcomes = [store.save_report(db, rec, 1, counted if segment else None)[0]
                    for rec in (record(url, body) for url, body in _revisions(seed))]
        index, n = _words_index(db), db.execute("select count(*) from reports").fetchone()[0]
        db.close()
        return index, asked, n, outcomes

    plain, _, n, outcomes = build("plain", None)
    assert "updated" in outcomes and n == 4
    right, asked, *_ = build("right", segment_fields)
    assert right == plain and len(asked) == outcomes.count("updated")
    for name, wrong in (("none", lambda *a: None), ("other", lambda t, a, b: segment_fields(t, a, b + "。")),
                        ("short", lambda *a: ["x"])):
        got, *_ = build(name, wrong)
        assert got == plain, name
    monkeypatch.setattr(search_mod, "segment_fields", lambda *a: (_ for _ in ()).throw(AssertionError("segmented")))
    rec = record("http://z.gov.cn/nb.html", "行政复议")
    rec["search_words"] = segment_fields(rec["title"], rec["agency"], rec["body_text"])
    db = store.open_archive(tmp_path / "never.db")
    store.save_report(db, rec, 1)
    rec = record("http://z.gov.cn/nb.html", "行政诉讼")
    rec["search_words"] = segment_fields(rec["title"], rec["agency"], rec["body_text"])
    assert store.save_report(db, rec, 1, segment_fields)[0] == "updated"  # the writer never segmented
    db.close()

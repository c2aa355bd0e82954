"""Dedup policy on real report text: reposts and 繁體 mirrors merge, revisions become versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines import store
from pipelines.dedup import (
    NEAR_DUP_THRESHOLD,
    canonical_url,
    content_hash,
    lsh_buckets,
    minhash_signature,
    similarity,
)
from pipelines.normalize import to_simplified

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
SEED = "001_4a4f3564ba85f8ba"  # a Simplified report with the three tables


def seed_text(stem: str = SEED) -> str:
    return (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")


def seed_cells(stem: str = SEED) -> list[dict]:
    expected = json.loads((SEEDS / "expected" / f"{stem}.json").read_text(encoding="utf-8"))
    return [{**c, "flag": None} for c in expected["cells"]]


def record(url: str, body: str, cells: list[dict], *, agency: str = "曲靖市麒麟区人民政府", year: int | None = 2020,
           kind: str = "page", fetch: dict | None = None) -> dict:
    rec = {
        "url": url, "canonical_url": canonical_url(url), "url_kind": kind, "urls": [(url, canonical_url(url), kind, None)],
        "title": f"{agency}{year}年政府信息公开工作年度报告", "agency": agency, "year": year, "body_text": body,
        "cells": cells, "ambiguous": [], "checks": [], "portal": "p",
        "content_hash": content_hash(body, cells),
    }
    if fetch:
        rec["fetch"] = fetch
    return rec


def count(db, sql: str, args=()) -> int:
    return db.execute(sql, list(args)).fetchone()[0]


@pytest.mark.parametrize(("a", "b"), [
    ("http://www.x.gov.cn/nb/index.html", "https://www.x.gov.cn/nb/"),
    ("http://www.x.gov.cn/nb/", "http://WWW.X.GOV.CN/nb"),
    ("http://www.x.gov.cn/a.html?b=2&a=1#top", "http://www.x.gov.cn/a.html?a=1&b=2"),
    ("http://www.x.gov.cn:80/a.html", "https://www.x.gov.cn:443/a.html"),
])
def test_canonical_url_folds_variants(a, b):
    assert canonical_url(a) == canonical_url(b)


def test_canonical_url_keeps_distinct_pages_apart():
    assert canonical_url("http://www.x.gov.cn/nb/t1.html") != canonical_url("http://www.x.gov.cn/nb/t2.html")
    assert canonical_url("http://a.gov.cn/nb/") != canonical_url("http://b.gov.cn/nb/")


def test_fingerprint_ignores_script_width_and_spacing():
    text = seed_text()
    traditional = text.replace("信息", "資訊").replace("公开", "公開")  # a few Traditional forms
    assert to_simplified("公開") == "公开"
    respaced = "\n\n".join(line.replace("，", ", ") + "  " for line in text.splitlines())
    cells = seed_cells()
    assert content_hash(respaced, cells) == content_hash(text, cells)
    assert content_hash(text.replace("公开", "公開"), cells) == content_hash(text, cells)
    assert content_hash(traditional, cells) != content_hash(text, cells)  # 資訊 is another word, not another script


def test_fingerprint_sees_a_changed_figure():
    cells = seed_cells()
    changed = [dict(c) for c in cells]
    changed[0]["value"] = (changed[0]["value"] or 0) + 1
    assert content_hash(seed_text(), changed) != content_hash(seed_text(), cells)


def test_minhash_separates_revisions_from_other_reports():
    text, cells = seed_text(), seed_cells()
    sig = minhash_signature(text, cells)
    revised = minhash_signature(text + "\n六、其他需要报告的事项\n本机关无其他需要报告的事项。", cells)
    other = minhash_signature(seed_text("003_5fcee4d99d0760d8"), seed_cells("003_5fcee4d99d0760d8"))
    assert similarity(sig, revised) >= NEAR_DUP_THRESHOLD
    assert similarity(sig, other) < 0.5
    assert set(lsh_buckets(sig)) & set(lsh_buckets(revised))
    assert minhash_signature(text, cells) == sig  # deterministic across processes (fixed seed)


@pytest.mark.parametrize("stem", sorted(p.stem for p in SEEDS.glob("*.txt")))
def test_minhash_is_datasketchs_affine32_signature(stem):
    """Signatures stored in archives were written by datasketch 2.x (MinHash, seed 1, the affine32 scheme);
    the numpy implementation must give the same bytes, or old archives' near-duplicate keys stop matching."""
    datasketch = pytest.importorskip("datasketch", minversion="2.0")
    from pipelines.dedup import _SEED, NUM_PERM, shingles

    text = seed_text(stem)
    cells = seed_cells(stem) if (SEEDS / "expected" / f"{stem}.json").exists() else []
    for body, with_cells in ((text, cells), (text[: len(text) // 3], []), ("总体情况", [])):
        mh = datasketch.MinHash(num_perm=NUM_PERM, seed=_SEED, scheme="affine32")
        mh.update_batch(list(shingles(body, with_cells)))
        assert minhash_signature(body, with_cells) == mh.hashvalues.astype("<u4").tobytes()
    assert minhash_signature("", []) == b""


def test_repost_and_traditional_mirror_merge_into_one_report(db):
    text, cells = seed_text(), seed_cells()
    city = record("http://www.qj.gov.cn/xxgk/nb/t1.html", text, cells)
    county = record("http://www.ql.gov.cn/zwgk/2021/nianbao.html", "\n".join(f" {ln} " for ln in text.splitlines()),
                    cells)
    mirror = record("http://big5.qj.gov.cn/gate/big5/www.qj.gov.cn/xxgk/nb/t1.html",
                    text.replace("公开", "公開").replace("报告", "報告"), cells, agency="曲靖市麒麟區人民政府")
    outcomes = [store.save_report(db, r, 1) for r in (city, county, mirror)]
    assert [o for o, _ in outcomes] == ["new", "unchanged", "unchanged"]
    assert len({rid for _, rid in outcomes}) == 1
    assert count(db, "select count(*) from reports") == 1
    assert count(db, "select count(*) from report_urls where report_id = ?", [outcomes[0][1]]) == 3


def test_corrected_figure_elsewhere_is_a_new_version_not_a_merge(db):
    text, cells = seed_text(), seed_cells()
    store.save_report(db, record("http://www.qj.gov.cn/nb/t1.html", text, cells), 1)
    corrected = [dict(c) for c in cells]
    corrected[0]["value"] = (corrected[0]["value"] or 0) + 10
    outcome, rid = store.save_report(db, record("http://www.ql.gov.cn/nb/2021.html", text, corrected), 2)
    assert outcome == "updated"
    assert count(db, "select count(*) from reports") == 1
    assert db.execute("select version from reports where id = ?", [rid]).fetchone()[0] == 2
    old = next(db.query("select * from report_versions where report_id = ?", [rid]))
    assert old["version"] == 1 and old["similarity"] >= NEAR_DUP_THRESHOLD
    assert json.loads(old["cells"])[0]["value"] == cells[0]["value"]  # the old figure is kept
    assert db.execute("select value from report_cells where report_id = ? and table_name = ? and row_label = ? "
                      "and col_label = ?", [rid, corrected[0]["table_name"], corrected[0]["row_label"],
                                            corrected[0]["col_label"]]).fetchone()[0] == corrected[0]["value"]
    # both versions seen again next week: nothing changes, no flip-flop
    assert store.save_report(db, record("http://www.qj.gov.cn/nb/t1.html", text, cells), 3)[0] == "unchanged"
    assert store.save_report(db, record("http://www.ql.gov.cn/nb/2021.html", text, corrected), 3)[0] == "unchanged"
    assert count(db, "select count(*) from report_versions") == 1


def test_added_paragraph_at_the_same_url_is_a_new_version(db):
    url = "http://www.qj.gov.cn/nb/t1.html"
    store.save_report(db, record(url, seed_text(), seed_cells()), 1)
    outcome, rid = store.save_report(db, record(url, seed_text() + "\n补充说明：更正了第二部分的数字。", seed_cells()), 2)
    assert outcome == "updated"
    assert count(db, "select count(*) from report_versions where report_id = ?", [rid]) == 1


def test_same_template_other_agency_or_year_is_not_merged(db):
    text, cells = seed_text(), seed_cells()
    store.save_report(db, record("http://www.qj.gov.cn/nb/t1.html", text, cells), 1)
    # nearly the same text, but another agency: two reports
    other = text.replace("麒麟区", "沾益区")
    assert store.save_report(db, record("http://www.zy.gov.cn/nb/t1.html", other, cells,
                                        agency="曲靖市沾益区人民政府"), 1)[0] == "new"
    # the same URL now shows the next year's report (a "latest report" page): a new report, not a version
    assert store.save_report(db, record("http://www.qj.gov.cn/nb/t1.html", text.replace("2020", "2021"), cells,
                                        year=2021), 1)[0] == "new"
    assert count(db, "select count(*) from reports") == 3
    assert count(db, "select count(*) from report_versions") == 0


def test_validators_are_stored_and_a_304_marks_the_report_seen(db):
    url = "http://www.qj.gov.cn/nb/t1.html"
    fetch = {"headers": {"ETag": '"abc"', "Last-Modified": "Mon, 01 Feb 2021 00:00:00 GMT"}, "sha256": "00" * 32}
    _, rid = store.save_report(db, record(url, seed_text(), seed_cells(), fetch=fetch), 1)
    row = next(db.query("select * from http_validators where url = ?", [url]))
    assert (row["etag"], row["last_modified"], row["report_id"]) == ('"abc"', "Mon, 01 Feb 2021 00:00:00 GMT", rid)
    db.execute("update report_urls set last_seen = '2000-01-01T00:00:00+00:00'")
    assert store.mark_seen(db, url, 2) == rid
    assert db.execute("select last_seen > '2001' from report_urls").fetchone()[0] == 1
    assert db.execute("select last_status, last_run_id from http_validators").fetchone() == (304, 2)
    assert store.mark_seen(db, "http://www.qj.gov.cn/unknown.html", 2) is None


def test_reprocessing_the_same_item_is_idempotent(db):
    rec = record("http://www.qj.gov.cn/nb/t1.html", seed_text(), seed_cells(), fetch={"headers": {}})
    store.save_report(db, rec, 1)
    before = {t: count(db, f"select count(*) from {t}") for t in
              ("reports", "report_urls", "report_cells", "report_versions", "report_lsh", "http_validators")}
    assert store.save_report(db, rec, 1)[0] == "unchanged"
    after = {t: count(db, f"select count(*) from {t}") for t in before}
    assert after == before


def test_fingerprint_ignores_chrome_left_above_and_inside_the_body():
    text, cells = seed_text("004_f3bbfa1004ed2dd6"), seed_cells("004_f3bbfa1004ed2dd6")
    county = "伊川县人民政府\n当前位置：首页 > 政务公开 > 年报\n" + text + "\n主办单位：伊川县人民政府办公室"
    town = "曲靖市麒麟区珠街街道办事处\n发布时间：2021-01-29 信息来源：伊川县城市管理局\n" + text
    assert content_hash(county, cells) == content_hash(town, cells) == content_hash(text, cells)
    # but the report's own first paragraph counts
    assert content_hash(text.replace("严格按照", "按照", 1), cells) != content_hash(text, cells)

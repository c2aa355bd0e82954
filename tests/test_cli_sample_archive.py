"""A realistic archive for the researcher-facing tests: the five hand-checked seed reports (their real
cells and checks from tests/fixtures/seeds/expected) written with pipelines.store, plus one earlier
report of 常熟市城市管理局 so that a year is missing. Publication dates are chosen to cover on time,
late (部门 and 政府) and unknown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines import store
from pipelines.dedup import canonical_url, content_hash

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
# seed stem → (portal, portal region code, published_at)
PLACES = {
    "000_e9c077b201ae9dfc": ("苏州市人民政府", "320500", "2021-01-26"),        # 部门, on time
    "001_4a4f3564ba85f8ba": ("曲靖市麒麟区人民政府", "530302", None),          # 街道 (乡), page says 2021-02-16
    "002_b58532c6c9d423bb": ("双辽市人民政府", "220382", "2022-04-15"),        # 政府, 15 days late, fails R1
    "003_5fcee4d99d0760d8": ("池州市贵池区人民政府", "341702", "2021-02-20"),  # 部门, 20 days late
    "004_f3bbfa1004ed2dd6": ("伊川县人民政府", "410329", None),                # publication date unknown
}


def seed_record(stem: str, *, year: int | None = None, body_suffix: str = "", published_at: str | None = None,
                url: str | None = None) -> dict:
    expected = json.loads((SEEDS / "expected" / f"{stem}.json").read_text(encoding="utf-8"))
    body = (SEEDS / f"{stem}.txt").read_text(encoding="utf-8") + body_suffix
    portal, region_code, published = PLACES[stem]
    year = year or expected["year"]
    url = url or f"http://www.example.gov.cn/{stem[:3]}/{year}/nb.html"
    cells = [{**c, "flag": None} for c in expected["cells"]]
    record = {
        "url": url, "canonical_url": canonical_url(url), "url_kind": "page",
        "urls": [(url, canonical_url(url), "page", None)],
        "title": f"{expected['agency']}{year}年政府信息公开工作年度报告", "agency": expected["agency"], "year": year,
        "published_at": published_at or published or expected["published_at"],
        "signature_date": expected["signature_date"], "template": expected["template"], "source_kind": "html",
        "portal": portal, "region_code": region_code,
        "contact_phone": expected["contact"]["phone"], "contact_address": expected["contact"]["address"],
        "contact_postcode": expected["contact"]["postcode"], "contact_email": expected["contact"]["email"],
        "body_text": body, "cells": cells, "ambiguous": [], "checks": expected["checks"],
        "cells_count": len(cells), "nulls_count": 0,
        "checks_failed": sum(1 for c in expected["checks"] if not c["ok"]),
    }
    record["content_hash"] = content_hash(body, cells)
    return record


def build_archive(path: Path) -> Path:
    db = store.open_archive(path)
    try:
        run = store.start_run(db, "portals", "{}")
        for stem in PLACES:
            store.save_report(db, seed_record(stem), run)
        # 常熟市城市管理局 also for 2018: so 2019 (and 2021) are missing for it
        store.save_report(db, seed_record("000_e9c077b201ae9dfc", year=2018, body_suffix="\n（2018年度）",
                                          published_at="2019-01-20"), run)
        store.finish_run(db, run, {"portals": 5, "pages": 6, "reports_new": 6, "finish_reason": "finished"})
    finally:
        db.close()
    return path


@pytest.fixture
def sample_archive(tmp_path) -> Path:
    return build_archive(tmp_path / "archive.db")


def test_sample_archive_has_the_seed_reports(sample_archive):
    db = store.open_archive(sample_archive)
    assert db.execute("select count(*) from reports").fetchone()[0] == 6
    assert db.execute("select count(*) from report_cells").fetchone()[0] == 198 + 191 + 200 + 198 + 198 + 198
    assert db.execute("select agency from reports where checks_failed > 0").fetchall() == [("双辽市政府办公室",)]

"""Metadata of the five real seeds against their hand-read ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.metadata import agency_from_title, extract_metadata, page_published_at, report_year
from pipelines.normalize import normalize_text

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
STEMS = sorted(p.stem for p in SEEDS.glob("0*.txt"))


def test_all_five_seeds_are_shipped():
    assert len(STEMS) == 5


@pytest.mark.parametrize("stem", STEMS)
def test_seed_metadata_matches_ground_truth(stem):
    expected = json.loads((SEEDS / "expected" / f"{stem}.json").read_text(encoding="utf-8"))
    meta = extract_metadata("", normalize_text((SEEDS / f"{stem}.txt").read_text(encoding="utf-8")))
    got = {
        "agency": meta.agency, "year": meta.year, "published_at": meta.published_at,
        "signature_date": meta.signature_date, "phone": meta.contact_phone, "address": meta.contact_address,
        "postcode": meta.contact_postcode, "email": meta.contact_email,
    }
    want = {
        "agency": expected["agency"], "year": expected["year"], "published_at": expected["published_at"],
        "signature_date": expected["signature_date"], **expected["contact"],
    }
    assert got == want


def test_footer_phone_is_not_the_contact_phone():
    text = normalize_text((SEEDS / "003_5fcee4d99d0760d8.txt").read_text(encoding="utf-8"))
    assert "0566-2567602" in text  # 运维电话 in the footer
    assert extract_metadata("", text).contact_phone == "0566-2816907"


@pytest.mark.parametrize(("title", "agency", "year"), [
    ("伊川县城市管理局2020年政府信息公开工作年度报告", "伊川县城市管理局", 2020),
    ("常熟市人民政府2021年度政府信息公开工作报告", "常熟市人民政府", 2021),
    ("北京市东城区东华门街道办事处2022年政府信息公开工作年度报告", "北京市东城区东华门街道办事处", 2022),
    ("2021年政府信息公开工作年度报告", None, 2021),
    ("关于2021年政府信息公开工作年度报告", None, 2021),
])
def test_title_gives_agency_and_year(title, agency, year):
    assert agency_from_title(title) == agency
    assert report_year(title, "") == year


@pytest.mark.parametrize(("html", "expected"), [
    ('<meta name="PubDate" content="2022-01-28 09:30"><p>正文</p>', "2022-01-28T09:30"),
    ("<div>发布时间：2021-02-16 14:57 浏览次数：12</div>", "2021-02-16T14:57"),
    ("<table><tr><td>成文日期：</td><td>2021年01月20日</td></tr><tr><td>发布日期：</td>"
     "<td>2021年01月29日</td></tr></table>", "2021-01-29"),
    ("<div>来源：县政府办 日期：2023/03/30</div>", "2023-03-30"),
])
def test_published_at_comes_from_the_page_not_the_signing_date(html, expected):
    from pipelines.metadata import page_text

    assert page_published_at(html, page_text(html)) == expected

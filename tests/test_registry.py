"""The bundled registry of real portals: built reproducibly from its sources, loadable, selectable."""

from __future__ import annotations

import csv

import pytest

from crawler.portals import build_registry
from crawler.registry import REGISTRY_PATH, PortalListError, load_portals, select
from crawler.spiders.portals import PortalsSpider


def test_registry_is_up_to_date_with_its_sources():
    assert build_registry.main(["--check"]) == 0


def test_registry_covers_the_divisions():
    portals = load_portals(REGISTRY_PATH)
    assert len(portals) > 3000
    codes = {p.region_code for p in portals}
    for code in ("110000", "320500", "320583", "330825", "610626"):  # 北京, 苏州, 昆山, 龙游, 吴起
        assert code in codes
    assert len({p.name for p in portals}) == len(portals)
    assert {p.level for p in portals} >= {"province", "prefecture", "county"}
    assert not any(p.region_code.startswith(("81", "82")) for p in portals)


def test_registry_flags_suspects_with_a_reason():
    rows = list(csv.DictReader(REGISTRY_PATH.open(encoding="utf-8")))
    suspects = {r["region_code"]: r for r in rows if r["suspect"] == "1"}
    assert "310107" in suspects and "shpt" in suspects["310107"]["suspect_reason"]  # 上海普陀 → 舟山's host
    assert all(r["suspect_reason"] for r in suspects.values())
    assert all(r["source"] and r["access_method"] for r in rows)


def test_county_column_on_the_prefecture_portal_is_an_entry_url():
    by_code = {p.region_code: p for p in load_portals(REGISTRY_PATH)}
    yongjing = by_code["622923"]  # 永靖县: its reports sit on linxia.gov.cn
    assert "https://linxia.gov.cn/lxz/zwgk/zfxxgknb/2024/gxs/" in yongjing.entry_urls
    assert "linxia.gov.cn" in yongjing.hosts()
    assert "https://www.longyou.gov.cn/col/col1229114055/index.html" in by_code["330825"].entry_urls


@pytest.mark.parametrize(("url", "column"), [
    ("https://www.longyou.gov.cn/art/2024/1/30/art_1229114055_89890.html",
     "https://www.longyou.gov.cn/col/col1229114055/index.html"),
    ("http://xianning.gov.cn/xxgk/xxgknb/2024/xsq/202501/t20250120_3885364.shtml",
     "http://xianning.gov.cn/xxgk/xxgknb/2024/xsq/"),
    ("http://www.suixi.gov.cn/zwgk/xxgknb/content/post_1872167.html", "http://www.suixi.gov.cn/zwgk/xxgknb/"),
    ("http://www.wqx.gov.cn/zfxxgk/zfxxgknb/xj/1753311688616128514.html", "http://www.wqx.gov.cn/zfxxgk/zfxxgknb/xj/"),
    ("http://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/gknb2018/", "http://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/gknb2018/"),
    ("http://www.gangu.gov.cn/info/2381/644672.htm", None),  # VSB: the list URL is not derivable
    ("https://shanghai.gov.cn/nw12344/20230331/4a03b5fa47ae4c73b7ec42801de6be66.html", None),
])
def test_column_of_a_sample_report(url, column):
    assert build_registry.column_of(url) == column


def test_select_by_region_prefix_and_sample():
    portals = load_portals(REGISTRY_PATH)
    suzhou = select(portals, "3205")
    assert suzhou and all(p.region_code.startswith("3205") for p in suzhou)
    assert len(select(portals, "3205", 3)) == 3


def test_spider_without_portals_arg_uses_the_registry():
    spider = PortalsSpider(region="3205", sample="2")
    spider.load_portals()
    assert len(spider.portals) == 2 and all(p.region_code.startswith("3205") for p in spider.portals)


def test_old_three_column_csv_still_loads(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("name,start_url,render\nA县人民政府,http://www.a.gov.cn/,false\n", encoding="utf-8")
    (portal,) = load_portals(path)
    assert portal.level == "" and portal.suspect is False and portal.entry_urls == []


@pytest.mark.parametrize(("content", "message"), [
    ("name,start_url,render\nA,http://a.gov.cn/,false\nA,http://b.gov.cn/,false\n", "already used on line 2"),
    ("name,start_url,render,entry_urls\nA,http://a.gov.cn/,false,a.gov.cn/nb\n", "entry_urls item"),
    ("name,start_url,render,suspect\nA,http://a.gov.cn/,false,maybe\n", "suspect must be 0 or 1"),
])
def test_bad_rows_name_the_line(tmp_path, content, message):
    path = tmp_path / "p.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PortalListError, match=message):
        load_portals(path)


def test_overrides_fix_a_portal(tmp_path, monkeypatch):
    for src in build_registry.SOURCES.glob("*.csv"):
        (tmp_path / src.name).write_bytes(src.read_bytes())
    header = ",".join(build_registry.COLUMNS)
    (tmp_path / "overrides.csv").write_text(
        header + "\n"
        ",https://www.shpt.gov.cn/,,310107,,,,https://www.shpt.gov.cn/shpt/gkxxgknb/,,0,,,2026-11-23,checked by hand\n"
        "测试县人民政府,http://www.cs.gov.cn/,false,999999,county,990000,测试县,,direct,0,,,,\n",
        encoding="utf-8")
    monkeypatch.setattr(build_registry, "SOURCES", tmp_path)
    rows = {r["region_code"]: r for r in build_registry.build()}
    putuo = rows["310107"]
    assert putuo["start_url"] == "https://www.shpt.gov.cn/" and putuo["suspect"] == "0"
    assert putuo["entry_urls"] == "https://www.shpt.gov.cn/shpt/gkxxgknb/" and putuo["render"] == "false"
    assert putuo["source"].endswith("+ overrides.csv") and putuo["name"] == "上海市普陀区人民政府"
    assert rows["999999"]["name"] == "测试县人民政府" and rows["999999"]["source"] == "overrides.csv"


def test_start_url_and_entry_urls_kept_apart(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("name,start_url,render,entry_urls\nA,http://www.a.gov.cn/,false,http://b.gov.cn/nb/ http://c.gov.cn/x/\n",
                    encoding="utf-8")
    (portal,) = load_portals(path)
    assert portal.start_url == "http://www.a.gov.cn/"
    assert portal.entry_urls == ["http://b.gov.cn/nb/", "http://c.gov.cn/x/"]

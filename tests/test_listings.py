"""List mechanics on the fixture portals' pages (tests/sites/discovery), one per CMS family, and URL hygiene."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.discovery.listings import Page, anchor_kind, extract_links
from crawler.discovery.strategies import HanwebDatastore, JsonList, PageNumPager, ShellRedirect, TrsPager
from crawler.discovery.urls import clean_url, trap_reason

SITE = Path(__file__).parent / "sites" / "discovery"
BASE = "http://www.example.gov.cn"


def page(portal: str, path: str, url_path: str | None = None, encoding: str = "utf-8") -> Page:
    return Page((SITE / portal / path).read_bytes().decode(encoding), BASE + "/" + (url_path or path))


def kinds(links, kind: str) -> list[str]:
    return [lk.url for lk in links if lk.kind == kind]


def test_plain_list_reports_next_page_and_gbk():
    links = extract_links(page("plain", "zwgk/xxgknb/index.html", encoding="gbk"))
    reports = kinds(links, "report")
    assert f"{BASE}/zwgk/xxgknb/202401/t20240120_101.html" in reports
    assert f"{BASE}/zwgk/xxgknb/202201/t20220125_103.html" in reports  # title with a line break
    assert kinds(links, "next") == [f"{BASE}/zwgk/xxgknb/list_2.html"]
    assert f"{BASE}/zwgk/xxgknb/202312/t20231201_104.html" in kinds(links, "page")  # look-alike: not a report


def test_nav_menu_links_are_dropped_where_a_list_container_exists():
    links = extract_links(page("plain", "zwgk/xxgknb/index.html", encoding="gbk"))
    urls = {lk.url for lk in links}
    assert not any("/lm/c" in u for u in urls)  # 40 nav items named 栏目N: outside the list, not columns
    assert f"{BASE}/zwgk/index.html" in kinds(links, "column")  # 政务公开 in the nav is kept


def test_home_page_keeps_its_column_links():
    links = extract_links(page("plain", "index.html", encoding="gbk"))
    assert f"{BASE}/zwgk/index.html" in kinds(links, "column")


def test_traps_and_session_ids_never_reach_the_frontier():
    urls = {lk.url for lk in extract_links(page("plain", "zwgk/xxgknb/index.html", encoding="gbk"))}
    assert not any("date=" in u or "jsessionid" in u for u in urls)


def test_trs_create_page_html_generates_the_other_pages():
    p = page("trs", "zfxxgk/zfxxgknb/index.html")
    assert TrsPager().matches(p)
    nxt = kinds(TrsPager().links(p), "next")
    assert nxt == [f"{BASE}/zfxxgk/zfxxgknb/index.html", f"{BASE}/zfxxgk/zfxxgknb/index_1.html",
                   f"{BASE}/zfxxgk/zfxxgknb/index_2.html"]
    reports = kinds(extract_links(p), "report")
    assert f"{BASE}/zfxxgk/zfxxgknb/202401/t20240125_5001.html" in reports


def test_trs_var_count_page():
    nxt = kinds(TrsPager().links(page("trs", "zfxxgk/zfxxgknb/bm/index_1.html")), "next")
    assert nxt == [f"{BASE}/zfxxgk/zfxxgknb/bm/index.html", f"{BASE}/zfxxgk/zfxxgknb/bm/index_1.html"]


@pytest.mark.parametrize(("script", "pages"), [
    ("createPageHTML('page_div', 4, 1, 'index', 'shtml', 60);", ["index.shtml", "index_1.shtml", "index_2.shtml",
                                                                 "index_3.shtml"]),
    ('createPageHTML(1, 0, "index", "html");', []),
    ("var countPage = 3;", ["index.html", "index_1.html", "index_2.html"]),
])
def test_trs_variants(script, pages):
    p = Page(f"<html><body><ul class='list'></ul><script>{script}</script></body></html>", BASE + "/nb/index.html")
    assert [lk.url.rsplit("/", 1)[1] for lk in TrsPager().links(p)] == pages


def test_hanweb_datastore_records_and_post_groups():
    p = page("hanweb", "col/col1229/index.html")
    links = HanwebDatastore().links(p)
    assert kinds(links, "report") == [f"{BASE}/art/2024/1/20/art_1229_100.html", f"{BASE}/art/2024/1/21/art_1229_101.html"]
    posts = [lk for lk in links if lk.kind == "listing"]
    assert [(parse_qs(urlsplit(lk.url).query)["startrecord"], lk.method) for lk in posts] == [(["3"], "POST"), (["5"], "POST")]
    assert urlsplit(posts[0].url).path == "/module/web/jpage/dataproxy.jsp"
    form = parse_qs(posts[0].body)
    assert form["columnid"] == ["1229"] and form["unitid"] == ["5826"] and form["webname"] == ["松阳"]
    assert posts[0].headers["Content-Type"].startswith("application/x-www-form-urlencoded")


def test_hanweb_dataproxy_answer_yields_its_records_only():
    xml = (SITE / "hanweb" / "module/web/jpage/dataproxy.jsp@startrecord=3&endrecord=4&perpage=2").read_text()
    p = Page(xml, BASE + "/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=4&perpage=2")
    links = extract_links(p)
    assert kinds(links, "report") == [f"{BASE}/art/2024/1/22/art_1229_102.html"]
    assert f"{BASE}/art/2024/1/23/art_1229_103.html" in kinds(links, "page")  # the 通知 look-alike
    assert not kinds(links, "listing")


def test_hanweb_page_num_pager():
    p = page("hanweb", "col/col1300/index.html", "col/col1300/index.html?uid=77&pageNum=1")
    nxt = kinds(PageNumPager().links(p), "next")
    assert [parse_qs(urlsplit(u).query)["pageNum"] for u in nxt] == [["1"], ["2"], ["3"]]
    assert all(parse_qs(urlsplit(u).query)["uid"] == ["77"] for u in nxt)


def test_json_endpoint_from_page_source_then_links_from_json():
    p = page("jsonlist", "xxgk/nb/index.html")
    assert kinds(JsonList().links(p), "listing") == [f"{BASE}/api/nb/list.json?page=1"]
    data = (SITE / "jsonlist" / "api/nb/list.json@page=1").read_text()
    jp = Page(data, BASE + "/api/nb/list.json?page=1")
    links = extract_links(jp)
    assert kinds(links, "report") == [f"{BASE}/xxgk/nb/2024/c_301.html", f"{BASE}/xxgk/nb/2023/c_302.html"]
    assert f"{BASE}/api/nb/list.json?page=2" in kinds(links, "listing")


def test_json_nested_keys_and_no_html_misreading():
    data = {"result": {"rows": [{"docTitle": "某县2023年政府信息公开工作年度报告", "docPubUrl": "/a/1.html",
                                 "content": '<a href="/junk.html">x</a>'}], "pageCount": 1}}
    links = extract_links(Page(json.dumps(data, ensure_ascii=False), BASE + "/api/list?pageNo=1"))
    assert [(lk.url, lk.kind) for lk in links] == [(f"{BASE}/a/1.html", "report")]


def test_location_replace_shell():
    p = page("shell", "zfxxgk/nb/index.html")
    assert [(lk.url, lk.kind) for lk in ShellRedirect().links(p)] == [(f"{BASE}/zfxxgk/nb/2024n/index.html", "column")]


def test_meta_refresh_shell():
    p = page("shell", "zfxxgk/nb/2023n/index.html")
    assert [lk.url for lk in ShellRedirect().links(p)] == [f"{BASE}/zfxxgk/nb/2023n/list.html"]


def test_search_box_script_is_not_a_shell():
    html = ("<html><body><div class='list'>" + "<p>正文内容</p>" * 200 + "</div><script>function go(){"
            "location.href = '/search/index.html';}</script></body></html>")
    assert ShellRedirect().links(Page(html, BASE + "/")) == []


def test_department_and_township_sub_columns_are_columns():
    links = extract_links(page("shell", "zfxxgk/nb/2024n/index.html"))
    cols = {lk.text: lk.kind for lk in links if lk.text in ("区政府部门", "街道乡镇")}
    assert cols == {"区政府部门": "column", "街道乡镇": "column"}


@pytest.mark.parametrize(("text", "url", "kind"), [
    ("下一页", "/nb/list_2.html", "next"), ("尾页", "/nb/index_9.html", "next"), ("3", "/nb/index_3.html", "next"),
    ("2", "/list?uid=1&pageNum=2", "next"), ("某县2023年政府信息公开工作年度报告", "/a.html", "report"),
    ("附件1", "/P0201.pdf", "attachment"), ("报告.wps", "/W0201.wps", "attachment"), ("乡镇年报", "/nb/xz/", "column"),
    ("联系我们", "/lxwm/", "page"),
])
def test_anchor_kind(text, url, kind):
    assert anchor_kind(text, BASE + url) == kind


@pytest.mark.parametrize(("url", "reason"), [
    ("http://a.gov.cn/col/index.html?date=2024-01-01", "calendar/date parameter"),
    ("http://a.gov.cn/cal.jsp?year=2024&month=3", "calendar/date parameter"),
    ("http://a.gov.cn/list?day=20240101", "calendar/date parameter"),
    ("http://a.gov.cn/xxgk/nb/xxgk/nb/index.html", "repeating path segments"),
    ("http://a.gov.cn/a/b/a/b/a/b/", "repeating path segments"),
    ("http://a.gov.cn/nb/index.html?sort=desc", "sort/print/view variant"),
    ("http://a.gov.cn/nb/1.html?print=1", "sort/print/view variant"),
    ("http://a.gov.cn/" + "x/" * 20, "path too deep"),
    ("http://a.gov.cn/?" + "&".join(f"k{i}=1" for i in range(12)), "too many query parameters"),
    ("http://a.gov.cn/q?x=" + "a" * 500, "URL too long"),
    ("http://a.gov.cn/art/2024/1/1/art_1229_1.html", None),
    ("http://a.gov.cn/module/xxgk/xxgkAnnualReport.jsp?fbtime=2017&area=113325000026455663", None),
    ("http://a.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15", None),
    ("http://a.gov.cn/col/col1300/index.html?uid=77&pageNum=2", None),
])
def test_trap_reason(url, reason):
    assert trap_reason(url) == reason


def test_clean_url_strips_session_ids_only():
    assert clean_url("http://a.gov.cn/nb/index.html;jsessionid=8F3A2B?id=1#top") == "http://a.gov.cn/nb/index.html?id=1"
    assert clean_url("http://a.gov.cn/nb/?sid=99&page=2") == "http://a.gov.cn/nb/?page=2"
    assert clean_url("http://a.gov.cn/m.jsp?path=/&webname=%E6%9D%BE") == "http://a.gov.cn/m.jsp?path=/&webname=%E6%9D%BE"


def test_trs_count_page_takes_the_list_pages_own_extension():
    p = Page("<html><body><script>var countPage = 2;</script></body></html>", BASE + "/xxgk/nb/index_1.shtml")
    assert [lk.url for lk in TrsPager().links(p)] == [f"{BASE}/xxgk/nb/index.shtml", f"{BASE}/xxgk/nb/index_1.shtml"]


def _marked_texts() -> list[str]:
    """Pages and fragments around the words the Hanweb and refresh strategies look for: every case mix,
    the two non-ASCII letters that lower into ASCII (İ, K), long s and Kelvin-like look-alikes, GBK and
    UTF-8 generated portal pages, and the fixture portals' pages."""
    import random

    from bench.realgen import build_site

    rng = random.Random(9)
    words = ["<datastore", "<recordset", "refresh", "<dataſtore", "reFreſh", "<recordſet", "<datast", "refres",
             "İ", "K", "<RECORDSET", "http-equiv=Refresh"]
    out = []
    for _ in range(400):
        w = rng.choice(words)
        w = "".join(c.upper() if rng.random() < 0.5 else c for c in w)
        out.append(rng.choice(["", "年报", "<html>", "İK", " " * 19990]) + w + rng.choice(["", ">", "年度报告"]))
    for k in (1, 2, 3, 4):
        site = build_site(k, 4, 12, random.Random(k))
        out += [data.decode("gbk" if site.gbk else "utf-8") for path, data in site.files.items() if path.endswith(".html")]
    out += [p.read_bytes().decode("utf-8", "replace") for p in sorted(SITE.rglob("*")) if p.is_file()]
    return out


def test_strategy_marks_match_the_lowered_page_search():
    """HanwebDatastore and ShellRedirect find their marks without lowering the page: the same answer as
    `"<datastore" in html.lower() or "<recordset" in html.lower()` and `"refresh" in html[:20000].lower()`."""
    texts = _marked_texts()
    assert any(HanwebDatastore().matches(Page(t, BASE)) for t in texts)
    assert not all(HanwebDatastore().matches(Page(t, BASE)) for t in texts)
    for text in texts:
        page_ = Page(text, BASE)
        assert HanwebDatastore().matches(page_) == ("<datastore" in text.lower() or "<recordset" in text.lower())
        head = text[:20000]
        assert ShellRedirect().matches(page_) == ("location" in head or "refresh" in head.lower())

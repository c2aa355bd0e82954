"""Scope rules (crawler/scope.py) and link blocks (crawler/discovery/blocks.py): pure, no network."""

from __future__ import annotations

import itertools

import pytest

from crawler.discovery.listings import Page, extract_links
from crawler.scope import OffScopeBudget, PortalScope, ScopeMap, may_leave, site_domain
from tests.realweb.world import World


@pytest.mark.parametrize(("host", "domain"), [
    ("www.yichuan.gov.cn", "yichuan.gov.cn"),
    ("www1.yichuan.gov.cn", "yichuan.gov.cn"),
    ("yichuan.gov.cn", "yichuan.gov.cn"),
    ("yichuan.ly.gov.cn", "yichuan.ly.gov.cn"),  # a county under its city's domain: not the whole city
    ("www.gov.cn", "www.gov.cn"),  # never a public suffix
    ("www.tongcheng.com.cn", "tongcheng.com.cn"),
    ("127.0.0.1", "127.0.0.1"),
    ("WWW.Luoyang.GOV.CN.", "luoyang.gov.cn"),
])
def test_site_domain(host, domain):
    assert site_domain(host) == domain


CITY = PortalScope.of("洛阳市", "http://www.luoyang.gov.cn/")
COUNTY = PortalScope.of("伊川县", "http://www.yichuan.gov.cn/", entry_urls=["http://xxgk.luoyang.gov.cn/yichuan/"],
                        allowed_domains=["xxgk.yichuan.com.cn"])
SONG = PortalScope.of("嵩县", "http://www.songxian.gov.cn:8080/index.html",
                      entry_urls=["http://xxgk.luoyang.gov.cn/songxian/"])
MAP = ScopeMap([CITY, COUNTY, SONG])


@pytest.mark.parametrize(("url", "owner"), [
    ("http://www.luoyang.gov.cn/xxgk/nb/1.html", "洛阳市"),
    ("http://sjj.luoyang.gov.cn/xxgk/", "洛阳市"),  # department sub-site: the city's
    ("http://xxgk.luoyang.gov.cn/szf/nb/", "洛阳市"),  # the city's platform, outside the county columns
    ("http://xxgk.luoyang.gov.cn/yichuan/nb/t1.html", "伊川县"),  # shared host: the county's column
    ("http://xxgk.luoyang.gov.cn/songxian/", "嵩县"),
    ("http://www.yichuan.gov.cn/", "伊川县"),
    ("http://jyj.yichuan.gov.cn/xxgk/nb/", "伊川县"),
    ("http://xxgk.yichuan.com.cn/nb/", "伊川县"),  # allowed_domains
    ("http://a.xxgk.yichuan.com.cn/nb/", "伊川县"),
    ("http://www.songxian.gov.cn:8080/xxgk/", "嵩县"),  # the port does not change the host
    ("http://www.henan.gov.cn/", None),
    ("http://www.gov.cn/zhengce/", None),
    ("http://yichuan.gov.cn.365bet.com/nb.html", None),  # look-alike names
    ("http://fakeyichuan.gov.cn/nb.html", None),
])
def test_owner(url, owner):
    assert MAP.owner(url) == owner


def test_owner_independent_of_portal_order():
    urls = ["http://xxgk.luoyang.gov.cn/yichuan/nb/", "http://xxgk.luoyang.gov.cn/szf/", "http://sjj.luoyang.gov.cn/"]
    expected = [MAP.owner(u) for u in urls]
    for order in itertools.permutations([CITY, COUNTY, SONG]):
        assert [ScopeMap(order).owner(u) for u in urls] == expected


@pytest.mark.parametrize(("host", "block", "column", "follow", "ok"), [
    ("www.ycwjw.gov.cn", "", True, True, True),
    ("www.ycwjw.gov.cn", "", False, True, False),  # from a home or news page
    ("www.ycwjw.gov.cn", "", True, False, False),  # FOLLOW_GOV_CN off
    ("www.parking.com", "", True, True, False),  # not *.gov.cn
    *[("www.henan.gov.cn", b, True, True, False) for b in ("nav", "header", "footer", "friends", "service", "offsite")],
])
def test_may_leave(host, block, column, follow, ok):
    assert (may_leave(host, block=block, from_column=column, follow_gov_cn=follow) is None) is ok


def test_offscope_budget_hosts_and_pages():
    b = OffScopeBudget(max_hosts=2, max_pages=5)
    assert b.take("p", "a.gov.cn") and b.take("p", "b.gov.cn")
    assert not b.take("p", "c.gov.cn")  # a third host
    assert b.take("p", "a.gov.cn") and b.take("p", "b.gov.cn") and b.take("p", "a.gov.cn")
    assert not b.take("p", "a.gov.cn")  # six pages
    assert b.take("q", "c.gov.cn")  # per portal
    assert b.refused["p"] == 2


# -- link blocks: every chrome variant of the generated world, every page kind -----------------------
WORLD = World(cities=2, counties=3)
BASE = "http://{host}:8000"
HOSTS = ["www.luoyang.gov.cn", "www.yichuan.gov.cn", "www.songxian.gov.cn", "www.ruyang.gov.cn",
         "www.kaifeng.gov.cn", "jyj.yichuan.gov.cn", "xxgk.luoyang.gov.cn"]
PATHS = ["/", "/xxgk/", "/xxgk/nb/", "/yichuan/nb/"]


def _links(host: str, path: str):
    answer = WORLD.page(host, path, BASE)
    if answer is None or answer[0] != 200:
        return None
    return extract_links(Page(answer[2].decode(), BASE.format(host=host) + path))


@pytest.mark.parametrize(("host", "path"), [(h, p) for h, p in itertools.product(HOSTS, PATHS)
                                             if _links(h, p) is not None])
def test_chrome_links_are_blocked_content_links_are_not(host, path):
    links = _links(host, path)
    from crawler.scope import hostname
    chrome_hosts = {*WORLD.dead_footer, "www.gov.cn", "www.henan.gov.cn", "www.hnzwfw.gov.cn",
                    *(f"www.{m}.gov.cn" for m in ("mof", "moe"))}
    for link in links:
        if hostname(link.url) in chrome_hosts:
            assert link.block, (link.url, link.text)  # footers, menus, service blocks
    stem = site_domain(host)
    for link in links:  # the page's own column and list links sit in content
        if link.kind in ("report", "next") and hostname(link.url).endswith(stem):
            assert link.block == "", (link.url, link.text)


def test_department_list_in_the_column_is_content():
    links = _links("www.yichuan.gov.cn", "/xxgk/")
    off = [link for link in links if "yichuanwjw" in link.url]
    assert off and all(link.block == "" for link in off if "/xxgk/" in link.url and link.kind == "column")


@pytest.mark.parametrize("wrapper", [
    '<div class="footer">{}</div>', '<footer>{}</footer>', '<div id="bottom">{}</div>', '<div class="yqlj">{}</div>',
    '<div><h3>友情链接</h3>{}</div>', '<div><span>相关链接：</span>{}</div>', '<nav>{}</nav>',
    '<div class="nav-menu">{}</div>', '<div class="bsfw">{}</div>', '<div><div class="tit">办事服务</div>{}</div>',
    '<div class="wrap">{}</div>',  # no telling name or heading: 8+ links to other sites
])
def test_block_variants(wrapper):
    links = "".join(f'<li><a href="http://www.site{i}.gov.cn/">信息公开{i}</a></li>' for i in range(10))
    html = (f'<html><body><div class="list"><ul><li><a href="/nb/1.html">x</a></li></ul></div>'
            f"{wrapper.format('<ul>' + links + '</ul>')}</body></html>")
    got = [link for link in extract_links(Page(html, "http://www.yichuan.gov.cn/xxgk/")) if "site" in link.url]
    assert got and all(link.block for link in got)


def test_few_offsite_links_without_a_name_are_content():
    html = ('<html><body><div class="wrap"><ul><li><a href="http://www.ycwjw.gov.cn/xxgk/">卫健委信息公开</a></li>'
            '<li><a href="/xxgk/nb/">年报</a></li></ul></div></body></html>')
    got = [link for link in extract_links(Page(html, "http://www.yichuan.gov.cn/xxgk/")) if "ycwjw" in link.url]
    assert got and got[0].block == ""


def test_sites_on_one_address_differ_by_port():
    a = PortalScope.of("a", "http://127.0.0.1:8001/")
    b = PortalScope.of("b", "http://127.0.0.1:8002/", allowed_domains=["127.0.0.3:8003"])
    m = ScopeMap([a, b])
    assert m.owner("http://127.0.0.1:8001/x") == "a" and m.owner("http://127.0.0.1:8002/x") == "b"
    assert m.owner("http://127.0.0.3:8003/x") == "b" and m.owner("http://127.0.0.3:9999/x") is None
    assert m.owner("http://127.0.0.1/x") is None

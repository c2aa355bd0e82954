"""Host rules: the portal's own hosts (start URL, entry_urls, allowed_domains) and, by default, *.gov.cn."""

from __future__ import annotations

import pytest
from scrapy.utils.test import get_crawler

from crawler.spiders.portals import PortalsSpider
from settings import base


@pytest.fixture
def portal_csv(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("name,start_url,render,region_code,entry_urls,allowed_domains\n"
                    "通城县人民政府,http://www.tongcheng.gov.cn/,false,421222,"
                    "http://xianning.gov.cn/xxgk/xxgknb/2024/xsq/,xxgk.tongcheng.com.cn\n", encoding="utf-8")
    return path


def spider(portal_csv, **settings) -> PortalsSpider:
    crawler = get_crawler(PortalsSpider, {"FOLLOW_GOV_CN": base.FOLLOW_GOV_CN, **settings})  # the project default
    sp = PortalsSpider.from_crawler(crawler, portals=str(portal_csv))
    return sp


@pytest.mark.parametrize(("url", "allowed"), [
    ("http://www.tongcheng.gov.cn/zwgk/nb/1.html", True),  # own host
    ("http://xianning.gov.cn/xxgk/xxgknb/2024/xsq/202501/t1.shtml", True),  # entry URL's host (city portal)
    ("http://xxgk.tongcheng.com.cn/nb/", True),  # allowed_domains
    ("http://www.hubei.gov.cn/zwgk/", True),  # another *.gov.cn host (FOLLOW_GOV_CN)
    ("http://www.haose21.com/zwgk/xxgkzd/202111/t20211118_1337823.html", False),  # spam mirror
    ("http://tongcheng.gov.cn.365bet.com/nb.html", False),
    ("http://fakegov.cn/nb.html", False),
])
def test_hosts_followed(portal_csv, url, allowed):
    sp = spider(portal_csv)
    assert sp._allowed(url, sp.portals[0]) is allowed


def test_other_gov_cn_hosts_off(portal_csv):
    sp = spider(portal_csv, FOLLOW_GOV_CN=False)
    assert not sp._allowed("http://www.hubei.gov.cn/zwgk/", sp.portals[0])
    assert sp._allowed("http://xianning.gov.cn/xxgk/", sp.portals[0])


def test_polite_defaults():
    assert base.ROBOTSTXT_OBEY is True and base.AUTOTHROTTLE_ENABLED is True
    assert 1 <= base.CONCURRENT_REQUESTS_PER_DOMAIN <= 2 and base.AUTOTHROTTLE_TARGET_CONCURRENCY <= 2
    assert base.DOWNLOAD_DELAY > 0 and base.DEPTH_LIMIT and base.PORTAL_MAX_PAGES and base.DOWNLOAD_MAXSIZE
    assert "robots.txt" in base.USER_AGENT and "http" in base.USER_AGENT  # says who we are and where to read more
    assert 503 in base.RETRY_HTTP_CODES and base.RETRY_TIMES >= 1

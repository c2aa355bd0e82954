"""A page reached by a report-like link is a 年报 list only when the page itself says so (crawler/spiders/portals.py
`_looks_like_list`): the rule is checked over a matrix of titles, report links and report text, so it never
turns a report (with its section headings, or titled as a report) into a list."""

from __future__ import annotations

import itertools

import pytest

from crawler.discovery.listings import Link
from crawler.spiders.portals import _looks_like_list

LINK_TEXT = "伊川县人民政府政府信息公开年报"
TITLES = {
    "list": ["政府信息公开年报"],
    "report": ["伊川县人民政府2023年政府信息公开工作年度报告"],
    "list+report": ["政府信息公开年报", "伊川县人民政府2023年政府信息公开工作年度报告"],
    "other": ["工作动态"],
    "none": [],
}
REPORT_TEXT = ("一、总体情况 本年度…… 二、主动公开政府信息情况 …… 三、收到和处理政府信息公开申请情况 …… "
               "四、政府信息公开行政复议、行政诉讼情况 …… 五、存在的主要问题及改进情况")


def _links(n: int, kind: str) -> list[Link]:
    if kind == "report":
        return [Link(f"http://www.yichuan.gov.cn/xxgk/nb/t{k}.html", f"伊川县{2020 + k}年政府信息公开工作年度报告", "report")
                for k in range(n)]
    return [Link(f"http://www.yichuan.gov.cn/xxgk/nb/f{k}.pdf", f"伊川县{2020 + k}年政府信息公开工作年度报告.pdf",
                 "attachment") for k in range(n)]


CASES = list(itertools.product(TITLES, [0, 1, 2, 5], ["report", "attachment"], [False, True], [LINK_TEXT, ""]))


@pytest.mark.parametrize(("titles", "n", "kind", "report_text", "link_text"), CASES)
def test_list_rule_matrix(titles, n, kind, report_text, link_text):
    html = f"<html><body><div>{REPORT_TEXT if report_text else '列表'}</div></body></html>"
    url = "http://www.yichuan.gov.cn/xxgk/nb/"
    got = _looks_like_list(TITLES[titles], link_text, _links(n, kind), url, html)
    expected = titles == "list" and n >= 2 and not report_text and bool(link_text)
    assert got == expected


def test_a_report_linking_itself_and_one_other_is_not_a_list():
    url = "http://www.yichuan.gov.cn/xxgk/nb/t0.html"
    links = [*_links(1, "report"), Link(url, LINK_TEXT, "report")]  # 上一篇/本篇: one other report
    assert not _looks_like_list(TITLES["list"], LINK_TEXT, links, url, "<p>列表</p>")

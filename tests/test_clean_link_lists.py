"""clean._drop_link_lists: navigation link lists leave the tree before trafilatura, and nothing else does.

Class test: link lists in every shape portals print them (mega-menu ul/li, a div of bare links with
separators, 友情链接 in a table cell, a nav of nested lists) are dropped; blocks that hold report text
(a paragraph among the links, long list items with a link each, a table of numbers, fewer than 10
links, a whole page wrapper) are kept. On the realistic generated portal pages (bench/realgen.py:
~300 links each) the body text is the same with and without the drop.
"""

from __future__ import annotations

import copy
import random

import pytest
from lxml import etree
from lxml import html as lxml_html

from bench.realgen import build_site
from crawler.discovery.listings import Page, page_titles
from pipelines import clean
from pipelines.classify import classify_title

REPORT = ("<h1>某县人民政府2023年政府信息公开工作年度报告</h1>"
          + "".join(f"<p>一、总体情况{i}。本年度共主动公开政府信息{i * 7}条，依申请公开办理{i}件。</p>" for i in range(12)))


def links(n: int, sep: str = "") -> str:
    return sep.join(f'<a href="http://dept{i}.example.gov.cn/">部门网站{i}</a>' for i in range(n))


DROPPED = {
    "mega-menu": f'<div class="nav"><ul>{"".join(f"<li><a href=x{i}>栏目{i}</a></li>" for i in range(30))}</ul></div>',
    "bare links with separators": f"<div>{links(12, ' | ')}</div>",
    "links in spans": "<p>" + "".join(f"<span><a href=s{i}>专题{i}</a></span>·" for i in range(15)) + "</p>",
    "友情链接 cell": f"<table><tr><td>{links(11, ' ')}</td></tr></table>",
    "nested lists": f"<nav><ul><li>政务<ul>{''.join(f'<li><a href=a{i}>栏目名称{i}</a></li>' for i in range(20))}</ul></li></ul></nav>",
}
KEPT = {
    "paragraph among links": f"<div>{links(12, ' ')}<div>本机关全年受理政府信息公开申请12件，均按期答复。</div></div>",
    "long items with a link each": "<ul>" + "".join(
        f"<li>第{i}项：本年度依申请公开政府信息办理情况说明，详见<a href=f{i}>附件{i}</a></li>" for i in range(12)) + "</ul>",
    "table of numbers": "<table>" + "".join(f"<tr><td><a href=r{i}>{i}</a></td><td>{i * 3}</td><td>12</td></tr>"
                                             for i in range(12)) + "</table>",
    "nine links": f"<ul>{''.join(f'<li><a href=a{i}>栏目{i}</a></li>' for i in range(9))}</ul>",
    "heading in the block": f"<div><h3>部门网站导航说明</h3>{links(12)}</div>",
}


def _page(block: str) -> str:
    return f"<html><head><title>年报</title></head><body>{block}<div class='main'>{REPORT}</div></body></html>"


@pytest.mark.parametrize("name", sorted(DROPPED))
def test_link_lists_are_dropped(name):
    tree = lxml_html.fromstring(_page(DROPPED[name]))
    before = len(tree.xpath("//a"))
    clean._drop_link_lists(tree)
    assert before >= 10 and tree.xpath("//a") == []
    assert "一、总体情况11" in tree.text_content()


@pytest.mark.parametrize("name", sorted(KEPT))
def test_blocks_with_other_content_are_kept(name):
    tree = lxml_html.fromstring(_page(KEPT[name]))
    before = lxml_html.tostring(tree)
    clean._drop_link_lists(tree)
    assert lxml_html.tostring(tree) == before


def test_a_page_that_is_only_links_and_a_short_report_keeps_its_wrapper():
    page = f"<html><body><div id='wrap'>{links(40, ' ')}<p>详见附件</p></div></body></html>"
    tree = lxml_html.fromstring(page)
    clean._drop_link_lists(tree)
    assert "详见附件" in tree.text_content()


def _report_pages(portals: int) -> list[tuple[str, str]]:
    rng = random.Random(3)
    out = []
    for k in range(1, portals + 1):
        site = build_site(k, portals, 30, rng)
        enc = "gbk" if site.gbk else "utf-8"
        for path, data in site.files.items():
            if path.endswith(".html"):
                html = data.decode(enc)
                url = f"http://127.0.1.{k}{path}"
                if any(classify_title(t).is_report for t in page_titles(Page(html, url))):
                    out.append((url, html))
    return out


def test_generated_portal_pages_give_the_same_body_text(monkeypatch):
    pages = _report_pages(3)
    assert len(pages) >= 15
    dropped = 0
    for _url, html in pages:
        tree = lxml_html.fromstring(html)
        n = len(tree.xpath("//a"))
        clean._drop_link_lists(tree)
        dropped += n - len(tree.xpath("//a"))
    assert dropped > 100 * len(pages)  # the mega-menus really go
    with_drop = [clean.extract_body(html, url) for url, html in pages]
    monkeypatch.setattr(clean, "_drop_link_lists", lambda tree: None)
    without = [clean.extract_body(html, url) for url, html in pages]
    assert with_drop == without


def _drop_reference(tree) -> None:
    """_drop_link_lists as first written: each link's text read through its own element."""
    for block in tree.xpath(clean._LINK_LISTS):
        if block is tree or block.getroottree().getroot() is not tree:
            continue
        if any(el.tag not in clean._LINK_LIST_INSIDE for el in block.iterdescendants()):
            continue
        text = len(clean._NOT_WORD.sub("", block.text_content()))
        linked = sum(len(clean._NOT_WORD.sub("", a.text_content())) for a in block.iter("a"))
        if linked >= 0.9 * text:
            block.drop_tree()


NESTED_BLOCK = "<div>" + "".join(f'<a href="/a{i}">栏目{i}</a>' for i in range(10)) + "说明文字一二三四五六七八九十甲乙丙</div>"


def test_the_drop_is_the_reference_drop_on_every_shape_and_page():
    trees = [lxml_html.fromstring(_page(b)) for b in (*DROPPED.values(), *KEPT.values())]
    trees += [lxml_html.fromstring(html) for _, html in _report_pages(2)]
    for k in range(6):  # k links holding a link (a tree a caller can build, lxml's parser does not): the nested
        tree = lxml_html.fromstring(_page(NESTED_BLOCK))  # texts count once per link and tip it from k = 2
        for a in tree.xpath("//div/a")[:k]:
            etree.SubElement(a, "a").text = "嵌套链接文字"
        trees.append(tree)
    dropped = []
    for tree in trees:
        mine, reference = copy.deepcopy(tree), copy.deepcopy(tree)
        clean._drop_link_lists(mine)
        _drop_reference(reference)
        assert lxml_html.tostring(mine) == lxml_html.tostring(reference)
        dropped.append(len(mine.xpath("//a")) < len(tree.xpath("//a")))
    assert sum(dropped) >= len(DROPPED) + 10 and dropped[-6:] == [False, False, True, True, True, True]

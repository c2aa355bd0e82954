"""Chrome removal on real scraped texts and on a portal page; the report itself stays intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.clean import clean_text, extract_body, is_chrome_line
from pipelines.normalize import normalize_text

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
CHROME = re.compile(r"ICP|公网安备|网站标识码|技术支持|无障碍|长者专版|运维电话|主办[:：]|承办[:：]|版权所有|CopyRight|站点地图")


@pytest.mark.parametrize("stem", ["001_4a4f3564ba85f8ba", "003_5fcee4d99d0760d8"])
def test_seed_chrome_lines_are_removed(stem):
    raw = (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")
    assert CHROME.search(normalize_text(raw))  # the seed really carries chrome
    assert CHROME.search(clean_text(raw)) is None


@pytest.mark.parametrize("stem", sorted(p.stem for p in SEEDS.glob("0*.txt")))
def test_report_sections_and_tables_survive(stem):
    text = clean_text((SEEDS / f"{stem}.txt").read_text(encoding="utf-8"))
    for heading in ("总体情况", "主动公开政府信息情况", "存在的主要问题"):
        assert heading in text.replace(" ", "")
    assert "报(bào)" not in text and "報" not in text  # pinyin stripped, Simplified


@pytest.mark.parametrize("line", [
    "滇ICP备05005095号-2 滇公网安备53030202000210号 技术支持: 华海信息",
    "皖公网安备34170202000262号", "网站标识码:3417020005", "主办:池州市贵池区人民政府办公室 承办:池州市贵池区融媒体中心",
    "当前位置：首页 > 政务公开 > 政府信息公开年报", "无障碍浏览 长者专版", "【打印本页】 【关闭窗口】",
    "• 发布时间2021-02-16 14:57", "CopyRight 2016-2022 版权所有 | 备案号:滇ICP备05005095号-2",
])
def test_chrome_lines(line):
    assert is_chrome_line(line)


@pytest.mark.parametrize("line", [
    "一、总体情况", "(三)政府信息管理", "如对本报告有任何疑问,请与双辽市人民政府办公室联系(地址:双辽市辽河路1980号)",
    "本机关主办的政府网站全年发布信息120条。", "| 自然人 | 3 | 0 |",
])
def test_report_lines_are_not_chrome(line):
    assert not is_chrome_line(line)


def test_extract_body_drops_page_chrome_but_keeps_tables():
    html = """<html><head><meta charset="utf-8"><title>某县2021年政府信息公开工作年度报告-某县人民政府</title></head>
    <body><div class="nav">""" + "".join(f'<a href="/c{i}.html">栏目{i}</a>' for i in range(60)) + """</div>
    <div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>
    <div class="article"><h1>某县2021年政府信息公开工作年度报告</h1>
    <p>本报告根据《中华人民共和国政府信息公开条例》编制。一、总体情况。2021年，本县认真贯彻落实条例要求，
    全面推进政务公开工作，主动公开政府信息1200条，依申请公开办理及时规范，政府信息管理制度健全。</p>
    <p>二、主动公开政府信息情况</p><table border="1"><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td>
    <td>现行有效件数</td></tr><tr><td>规章</td><td>0</td><td>0</td><td>3</td></tr></table>
    <p>三、收到和处理政府信息公开申请情况。本年新收申请27件。</p><p>五、存在的主要问题及改进情况。</p></div>
    <div class="footer"><p>主办单位：某县人民政府办公室 承办单位：某县大数据中心</p><p>豫ICP备12345678号-1</p>
    <p>豫公网安备41032902000123号</p><p>网站标识码：4103290001</p></div></body></html>"""
    body = extract_body(html)
    assert "主动公开政府信息情况" in body and "本年制发件数" in body and "现行有效件数" in body
    assert CHROME.search(body) is None
    assert "栏目12" not in body and "当前位置" not in body


def test_metadata_table_inside_the_article_is_not_body_text():
    html = """<html><body><div class="article">
    <table class="xxgk_table"><tr><td>索引号：</td><td>11341702486344515H/202110-00013</td><td>发布机构：</td>
    <td>池州市贵池区自然资源和规划局</td></tr><tr><td>成文日期：</td><td>2021-01-20</td><td>发布日期：</td>
    <td>2021-01-29</td></tr></table><h1>池州市贵池区自然资源和规划局2020年政府信息公开工作年度报告</h1>
    <p>一、总体情况。2020年，区自然资源和规划局认真贯彻落实新修订的《中华人民共和国政府信息公开条例》，
    结合实际，制定并实施了政务公开重点工作方案，主动公开各类信息，依申请公开工作规范有序。</p>
    <p>二、主动公开政府信息情况</p><table border="1"><tr><td>信息内容</td><td>本年新制作数量</td></tr>
    <tr><td>规章</td><td>0</td></tr></table><p>五、存在的主要问题及改进情况。人员力量不足。</p></div></body></html>"""
    body = extract_body(html)
    assert "索引号" not in body and "11341702486344515H" not in body
    assert "本年新制作数量" in body and "总体情况" in body

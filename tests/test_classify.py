"""Report titles vs look-alikes, on real-style titles (positive and negative), and the document level."""

from __future__ import annotations

import pytest

from pipelines.classify import classify_document, classify_title, marker_count, title_year

REPORTS = [
    ("青山县2023年政府信息公开工作年度报告", 2023),
    ("北京市东城区人民政府2022年政府信息公开工作年度报告", 2022),
    ("2023年度政府信息公开工作报告", 2023),
    ("淮安市人民政府办公室2024年政府信息公开年报", 2024),
    ("舒兰市2016年政务信息公开年度报告", 2016),  # the pre-2019 name
    ("XX县2009年政务信息公开年度报告", 2009),
    ("XX县2010年政府信息公开年度报告", 2010),
    ("白河县〔2020〕年度政府信息公开工作报告", 2020),
    ("某区政府信息公开工作\n年度报告（2021年）", 2021),  # a line break inside the title
    ("青山县人民政府办公室\r\n2021年政府信息\n公开工作年度报告", 2021),
    ("青山縣2023年政府信息公開工作年度報告", 2023),  # 繁體 mirror title
    ("東湖區2021年政府信息公開工作年度報告", 2021),
    ("青山县2019年政府信息公开工作年度报告（图片版）", 2019),
    ("石桥镇2023年度政府信息公开工作年度报告", 2023),
    ("2022年新城街道办事处政府信息公开工作年度报告", 2022),
    ("县教育局2023年政府信息公开工作年度报告.pdf", 2023),
    ("2023年政府信息公开工作年度报告（县发改局）", 2023),
    ("二〇二三年度政府信息公开工作年度报告", 2023),
    ("XX县人民政府2023年度信息公开工作年度报告", 2023),
    ("白河县\n2023年政府信息公开\n工作年度报告", 2023),
]

LOOKALIKES = [
    ("关于做好2023年政府信息公开工作年度报告编制发布工作的通知", "notice"),
    ("關於做好2023年政府信息公開工作年度報告編制發布工作的通知", "notice"),
    ("关于报送2023年度政府信息公开工作年度报告的通知", "notice"),
    ("国务院办公厅政府信息公开办公室关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知", "notice"),
    ("关于印发政府信息公开工作年度报告格式的通知", "format"),
    ("政府信息公开工作年度报告格式", "format"),
    ("青山县2023年法治政府建设年度报告", "法治"),
    ("XX县2023年度法治政府建设情况报告", "法治"),
    ("青山县2023年度部门决算公开", "budget"),
    ("2024年部门预算公开说明", "budget"),
    ("XX县2023年度预算执行情况和2024年预算草案的报告", "budget"),
    ("2024年青山县人民政府工作报告", "政府工作报告"),
    ("2024年青山县政府工作报告", "政府工作报告"),
    ("青山县人民政府信息公开指南", "指南"),
    ("政府信息公开指南（2024年修订）", "指南"),
    ("关于2023年度政府信息公开工作年度报告的解读", "related"),
    ("图解：2023年政府信息公开工作年度报告", "related"),
    ("XX县2023年度政府信息公开工作考核结果", "related"),
    ("XX县2024年政务公开工作要点", "related"),
    ("XX县统计局2023年国民经济和社会发展统计公报", "other"),
    ("XX市人民政府门户网站2023年工作年度报表", "other"),
    ("2023年度企业年度报告公示的通告", "other"),
    ("XX公司2023年社会责任报告", "other"),
    ("县政府召开2024年政务公开工作推进会", "related"),
]

COLUMNS = ["政府信息公开年报", "政府信息公开工作年度报告", "信息公开年报", "年报", "部门年报", "乡镇年报",
           "往年年报", "街道（乡镇）年报", "政务信息公开年报专栏"]


@pytest.mark.parametrize(("title", "year"), REPORTS)
def test_report_titles(title, year):
    verdict = classify_title(title)
    assert verdict.is_report, verdict
    assert verdict.year == year


@pytest.mark.parametrize(("title", "kind"), LOOKALIKES)
def test_lookalike_titles_are_rejected_with_a_reason(title, kind):
    verdict = classify_title(title)
    assert not verdict.is_report
    assert verdict.reason


@pytest.mark.parametrize("title", COLUMNS)
def test_column_titles_are_lists(title):
    assert classify_title(title).reason == "column/list title"


def test_news_is_not_a_report():
    assert classify_title("县政府召开常务会议").reason == "title does not name an annual report"
    assert classify_title("  ").reason == "empty title"


@pytest.mark.parametrize(("text", "year"), [("2023年", 2023), ("〔2020〕年度", 2020), ("（2021）年", 2021),
                                            ("二〇一九年", 2019), ("无年份", None)])
def test_title_year(text, year):
    assert title_year(text) == year


NEW_FORMAT = """一、总体情况 ……二、主动公开政府信息情况……三、收到和处理政府信息公开申请情况……
四、政府信息公开行政复议、行政诉讼情况……五、存在的主要问题及改进情况……六、其他需要报告的事项……"""
OLD_FORMAT = """一、概述 ……二、主动公开政府信息的情况……三、依申请公开政府信息情况……四、政府信息公开的收费及减免情况……
五、因政府信息公开申请行政复议、提起行政诉讼的情况……六、存在的主要问题及改进措施"""


def test_markers_of_both_formats():
    assert marker_count(NEW_FORMAT) == 6
    assert marker_count(OLD_FORMAT) == 6


def test_document_level():
    assert classify_document("青山县2023年政府信息公开工作年度报告", NEW_FORMAT).is_report
    assert classify_document("舒兰市2016年政务信息公开年度报告", OLD_FORMAT).is_report
    assert classify_document("", NEW_FORMAT).is_report  # untitled (an attachment): the headings decide
    stub = classify_document("青山县2022年政府信息公开工作年度报告", "全文详见附件。")
    assert not stub.is_report and "none of the format's sections" in stub.reason
    lookalike = classify_document("青山县2023年法治政府建设年度报告", NEW_FORMAT)
    assert not lookalike.is_report and lookalike.reason == "法治政府建设 report"
    assert not classify_document("县政府召开常务会议", "会议研究了一、总体情况").is_report


def test_news_about_compiling_reports():
    for title in ("我县部署2020年度政府信息公开工作年度报告编制工作", "市政务公开办开展政府信息公开工作年度报告审核工作",
                  "关于2023年度政府信息公开工作年度报告发布有关事项的通知"):
        assert classify_title(title).reason.startswith("notice about"), title
    short = "1月12日，县政务公开办公室召开专题会议，部署年度报告编制工作，如实统计行政复议数据。"
    assert not classify_document("伊川县2020年政府信息公开工作年度报告", short).is_report


def test_short_township_report_and_spreadsheet_of_tables():
    wps = ("盱眙县马坝镇人民政府2023年政府信息公开工作年度报告\n二、主动公开政府信息情况\n信息内容\t第二十条第（一）项\n"
           "四、政府信息公开行政复议、行政诉讼情况：本年度未发生行政复议、行政诉讼。")
    assert classify_document("盱眙县马坝镇人民政府2023年政府信息公开工作年度报告", wps).is_report
    xlsx = "Sheet1\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t1\t0\t11\n第二十条第（五）项"
    verdict = classify_document("某县2023年政府信息公开工作年度报告", xlsx)
    assert verdict.is_report and verdict.reason == "report title, the format's tables"
    assert not classify_document("某县2023年度部门决算公开", xlsx).is_report
    assert not classify_document("", xlsx).is_report  # no title: tables alone are not enough

"""Every standard county/city department × every report-title pattern × every look-alike type.

Look-alike rules (审计, 统计公报, 预算/决算, 法治政府建设, 组织, 编制 …) must never fire on a word inside an
agency's name: the classifier must accept exactly the reports.
"""

from __future__ import annotations

import pytest

from pipelines.classify import classify_document, classify_title
from tests.departments import CITIES, COUNTIES, agencies

YEAR = 2023
CN_YEAR = "二〇二三"
FULL_WIDTH = str.maketrans("0123456789()", "０１２３４５６７８９（）")

REPORT_PATTERNS = [
    lambda a, y: f"{a}{y}年政府信息公开工作年度报告",
    lambda a, y: f"{y}年{a}政府信息公开工作年度报告",
    lambda a, y: f"{a}政府信息公开工作年度报告({y}年度)",
    lambda a, y: f"{a}〔{y}〕年度政府信息公开工作报告",
    lambda a, y: f"{a}{CN_YEAR}年政府信息公开工作年度报告",
    lambda a, y: f"{a}关于{y}年度政府信息公开工作情况的报告",
    lambda a, y: f"关于{a}{y}年政府信息公开工作年度报告",
    lambda a, y: f"{a} {y}年 政府信息公开工作年度报告",
    lambda a, y: f"{a}政府信息公开工作年度报告（{y}年度）".translate(FULL_WIDTH),
    lambda a, y: f"{a}{y}年度政府信息公开年报",
    lambda a, y: f"{a}\n{y}年政府信息公开\n工作年度报告",
    lambda a, y: f"{a}{y}年政务信息公开年度报告",
]
LOOKALIKE_PATTERNS = [
    lambda a, y: f"{a}{y + 1}年部门预算公开",
    lambda a, y: f"{a}{y}年度部门决算公开说明",
    lambda a, y: f"{a}{y}年度部门整体支出绩效自评报告",
    lambda a, y: f"{a}{y}年法治政府建设年度报告",
    lambda a, y: f"{a}关于{y}年度法治政府建设情况的报告",
    lambda a, y: f"{a}关于做好{y}年度政府信息公开工作年度报告编制发布工作的通知",
    lambda a, y: f"{a}关于报送{y}年政府信息公开工作年度报告的通知",
    lambda a, y: f"{a}{y}年统计公报",
    lambda a, y: f"{a}{y}年度审计工作报告",
    lambda a, y: f"关于{a}{y}年政府信息公开工作年度报告的解读",
    lambda a, y: f"图解：{a}{y}年政府信息公开工作年度报告",
    lambda a, y: f"{a}{y}年度政府信息公开工作考核结果",
    lambda a, y: f"{a}{y + 1}年政务公开工作要点",
    lambda a, y: f"{a}政府信息公开指南",
    lambda a, y: f"{a}{y}年度工作总结",
]
REGION_LOOKALIKES = [
    lambda r, y: f"{y + 1}年{r}人民政府工作报告",
    lambda r, y: f"{r}{y}年国民经济和社会发展统计公报",
    lambda r, y: f"关于{r}{y}年度本级预算执行和其他财政收支的审计工作报告",
    lambda r, y: f"{r}{y}年度预算执行情况和{y + 1}年预算草案的报告",
    lambda r, y: f"{r}人民政府门户网站{y}年工作年度报表",
]
AGENCIES = agencies()
# the 2021 format's headings: a real report's body
BODY = ("一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
        "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n六、其他需要报告的事项\n")


def _titles(patterns, names):
    return [pattern(name, YEAR) for pattern in patterns for name in names]


def test_matrix_size():
    assert len(AGENCIES) > 250
    assert len(_titles(REPORT_PATTERNS, AGENCIES)) > 3000


@pytest.mark.parametrize("pattern", range(len(REPORT_PATTERNS)))
def test_every_department_report_is_accepted(pattern):
    wrong = []
    for title in _titles([REPORT_PATTERNS[pattern]], AGENCIES):
        verdict = classify_title(title)
        if not (verdict.is_report and verdict.year == YEAR):
            wrong.append((title, verdict.reason, verdict.year))
        elif not classify_document(title, BODY).is_report:
            wrong.append((title, classify_document(title, BODY).reason, "document"))
    assert not wrong, f"{len(wrong)} reports rejected, e.g. {wrong[:5]}"


@pytest.mark.parametrize("pattern", range(len(LOOKALIKE_PATTERNS)))
def test_every_department_lookalike_is_rejected(pattern):
    """Rejected by a look-alike rule (not by chance), so the report's headings in the body do not rescue it."""
    wrong = []
    for title in _titles([LOOKALIKE_PATTERNS[pattern]], AGENCIES):
        verdict = classify_title(title)
        if verdict.is_report or verdict.reason == "title does not name an annual report":
            wrong.append((title, verdict.reason))
        elif classify_document(title, BODY).is_report:
            wrong.append((title, "document accepted"))
    assert not wrong, f"{len(wrong)} look-alikes accepted, e.g. {wrong[:5]}"


def test_region_lookalikes_are_rejected():
    for title in _titles(REGION_LOOKALIKES, COUNTIES + CITIES):
        verdict = classify_title(title)
        assert not verdict.is_report and verdict.reason != "title does not name an annual report", (title, verdict)
        assert not classify_document(title, BODY).is_report, title


def test_a_lookalike_word_before_the_agency_still_counts():
    """The mask covers the agency name only: 解读/图解 before the region are visible."""
    for title in ("解读青山县审计局2023年政府信息公开工作年度报告", "一图读懂：青山县统计局2023年政府信息公开工作年度报告"):
        assert not classify_title(title).is_report, title


def test_an_agency_page_title_leaves_the_decision_to_the_headings():
    """A report page whose title is only the site name (青山县审计局) is decided by the format's sections."""
    for name in ("青山县审计局", "青山县统计局", "青山县财政局", "青山县司法局"):
        assert classify_document(name, BODY).is_report, name

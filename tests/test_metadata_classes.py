"""Classification, metadata and chrome over generated class matrices (bench/metadata_classes.py).

Every case of each matrix must be right; `python -m bench.metadata_classes` prints the same matrices'
per-field figures over the full department lists. Here every 7th standard department plus every extra
level (province, township, village, zone, 挂牌 double names, 人大/政协) keeps the quick tier quick.
"""

from __future__ import annotations

import pytest

from bench.metadata_classes import MATRICES, Result


@pytest.mark.parametrize("name", list(MATRICES))
def test_every_case_of_the_matrix_is_right(name):
    results: list[Result] = list(MATRICES[name](False))
    assert len(results) > 20
    wrong = [r for r in results if not r.right]
    assert not wrong, f"{len(wrong)}/{len(results)} wrong, e.g. " + "; ".join(
        f"[{r.field}] {r.case}: want {r.want!r}, got {r.got!r}" for r in wrong[:4])


@pytest.mark.parametrize("line", [
    "关闭网站2个。", "关闭、整合网站3个", "保存完好的档案共120卷。", "字体规范统一。", "分享工作经验3次。",
    "编辑出版政府公报4期。", "审核把关信息120条。", "纠错机制进一步完善。", "上一年度结转申请3件。",
    "下一步，我局将继续加强。", "大中小学校信息公开", "附件：1.政府信息公开情况统计表", "一、总体情况 > 二",
    "收藏资料28件。", "打印机采购情况公开3条。",
])
def test_chrome_rules_never_fire_on_report_lines(line):
    """The chrome rules (anywhere and edge-only) leave report sentences alone, even at a body's edges."""
    from pipelines.clean import _edge_chrome, is_chrome_line, strip_leading_chrome

    assert not is_chrome_line(line) and not _edge_chrome(line, set())
    assert strip_leading_chrome(f"{line}\n一、总体情况\n{line}") == f"{line}\n一、总体情况\n{line}"


def test_a_date_after_the_fetch_is_never_published_at():
    """Relative to the fetch day (reprocess of an old capture), not the clock."""
    from datetime import date

    from pipelines.metadata import extract_metadata

    page = "发布时间：2024-03-02\n青山县审计局2023年政府信息公开工作年度报告\n"
    body = "一、总体情况\n"
    assert extract_metadata("", body, page=page, today=date(2024, 3, 2)).published_at == "2024-03-02"
    meta = extract_metadata("", body, page=page, today=date(2024, 3, 1))
    assert meta.published_at is None and any("in the future" in f for f in meta.flags)


@pytest.mark.parametrize(("title", "canonical"), [
    ("青山县审计局二〇二三年政府信息公开工作年度报告", "青山县审计局2023年政府信息公开工作年度报告"),
    ("《青山县审计局 2 0 2 3 年政府信息公开工作年度报告》2024-01-20", "青山县审计局2023年政府信息公开工作年度报告"),
    ("青山县政府信息公开工作年度报告（2023.1.1-2023.12.31）", "青山县政府信息公开工作年度报告(2023年度)"),
    ("青山县2023年国民经济和社会发展统计公报", "青山县2023年国民经济和社会发展统计公报"),
    ("2023年一二三四五项工作", "2023年一二三四五项工作"),  # Chinese digits not followed by 年 are text
])
def test_canonical_title(title, canonical):
    from pipelines.classify import canonical_title

    assert canonical_title(title) == canonical


@pytest.mark.parametrize("printed", ["2022-2023年度", "2022—2023年", "2022年至2023年", "2022、2023年"])
def test_a_range_of_years_names_no_year(printed):
    """Which year a `2022-2023年度` report covers is not said: NULL (the preamble may say it), never a guess."""
    from pipelines.classify import classify_title
    from pipelines.metadata import extract_metadata

    title = f"青山县审计局{printed}政府信息公开工作年度报告"
    assert classify_title(title).is_report and classify_title(title).year is None
    assert extract_metadata(title, "一、总体情况\n").year is None
    assert extract_metadata(title, "现将本局2023年度政府信息公开工作情况报告如下。\n一、总体情况\n").year == 2023


@pytest.mark.parametrize(("field", "agency", "source"), [
    ("来源：东湖区人民政府", "东湖区人民政府", "page field"),
    ("发布机构：东湖区人民政府办公室", "东湖区人民政府", "page field"),  # the office stands for its government
    ("来源：东湖区审计局", "东湖区", "title"),  # another body of the place: not the place's government
    ("来源：平潭县人民政府", "东湖区", "title"),
    ("", "东湖区", "title"),
])
def test_a_title_naming_only_the_place_is_completed_by_its_government(field, agency, source):
    from pipelines.metadata import extract_metadata

    body = "一、总体情况\n"
    meta = extract_metadata("東湖區2021年政府信息公開工作年度報告", body, page=f"{field}\n{body}")
    assert (meta.agency, meta.agency_source) == (agency, source)

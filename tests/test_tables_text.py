"""Text-table details: values, labels, template detection, glued digits, extra rows, broken input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.spec import T1, T2, T3
from pipelines.tables import (
    detect_template,
    extract_tables,
    extract_tables_html,
    extract_tables_pdf,
    extract_tables_text,
)
from pipelines.tables.match import match_row
from pipelines.tables.tokens import parse_value

T2_HEAD = "三、收到和处理政府信息公开申请情况\n"
T3_HEAD = "四、政府信息公开行政复议、行政诉讼情况\n结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n"


@pytest.mark.parametrize(("raw", "value", "unit", "flag"), [
    ("14319.91万元", 14319.91, "万元", None), ("92.2343萬元", 92.2343, "万元", None), ("40个", 40, None, None),
    ("40個", 40, None, None), ("-8", -8, None, None), ("－3", -3, None, None), ("+2", 2, None, None),
    ("00", 0, None, "doubled_digits"), ("1,234", 1234, None, None), ("—", None, None, "null_marker"),
    ("/", None, None, "null_marker"), ("-", None, None, "null_marker"), ("", None, None, "null_marker"),
    ("１２", 12, None, None),
])
def test_parse_value(raw: str, value, unit, flag) -> None:
    p = parse_value(raw)
    assert p is not None and (p.value, p.unit, p.flag) == (value, unit, flag)
    assert type(p.value) is type(value)


@pytest.mark.parametrize("raw", ["规章", "1.属于国家秘密", "2019年", "0566-2816907"])
def test_labels_are_not_values(raw: str) -> None:
    assert parse_value(raw) is None


@pytest.mark.parametrize(("printed", "row"), [
    ("二、上年結收政府信息公開申請數量", "二、上年结转政府信息公开申请数量"),
    ("5.要求行政機關確認或重新出具已取信息", "三、本年度办理结果/(五)不予处理/5.要求行政机关确认或重新出具已获取信息"),
    ("2.其他法律法规禁止公开", "三、本年度办理结果/(三)不予公开/2.其他法律行政法规禁止公开"),
    ("4.无正当理由由大量反复申请", "三、本年度办理结果/(五)不予处理/4.无正当理由大量反复申请"),
    ("三、本年度辦理結(jié)果(三)不予公開1、屬于國家秘密", "三、本年度办理结果/(三)不予公开/1.属于国家秘密"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "三、本年度办理结果/(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
    ("3.危及\"三安全一稳定\"", "三、本年度办理结果/(三)不予公开/3.危及“三安全一稳定”"),
    ("规章(设区的市、自治州人民政府应提供相关数据)", "第二十条第(一)项/规章"),
])
def test_label_variants_map_to_canonical_rows(printed: str, row: str) -> None:
    from pipelines.normalize import label_key

    hit = match_row(label_key(printed), "2019", False) or match_row(label_key(printed), "2019", True)
    assert hit is not None and hit[2] == row


def test_unrelated_labels_do_not_match() -> None:
    assert match_row("本机关认真贯彻落实条例", "2019", True) is None
    assert match_row("申请数量", "2019", True) is None


def test_detect_template_from_labels_not_year() -> None:
    assert detect_template("2020年度 本年制发件数 本年废止件数 现行有效件数") == "2021"
    assert detect_template(["2022年", "本年新制作数量", "上一年项目数量", "本年增減"]) == "2019"
    assert detect_template("2021年政府信息公开工作年度报告") is None


def test_wrong_template_for_the_year_is_still_parsed() -> None:
    text = ("某局2020年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\n"
            "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n规章 | 1 | 0 | 3 |\n行政规范性文件 | 2 | 1 | 9 |\n")
    res = extract_tables_text(text)
    assert res.template == "2021"
    assert [(c.row_label, c.col_label, c.value) for c in res.cells][:2] == [
        ("第二十条第(一)项/规章", "本年制发件数", 1), ("第二十条第(一)项/规章", "本年废止件数", 0)]


def test_concatenated_digits_that_could_hide_a_blank_cell_are_not_cut() -> None:
    # 9 digits for 7 columns: 12|0|0|0|0|0|12 makes 总计 the sum of the applicants, but so could a
    # chance cut of six values and a blank cell (120|0|0|0|0|12 and 总计 blank): refused, flagged
    res = extract_tables_text(T2_HEAD + "一、本年新收政府信息公开申请数量120000012\n")
    assert not [c for c in res.cells if c.row_label.startswith("一、") and c.value is not None]
    assert [a.row_label for a in res.ambiguous if a.row_label.startswith("一、")]


def test_zero_runs_of_the_row_width_are_cut_one_cell_per_digit() -> None:
    res = extract_tables_text(T2_HEAD + "一、本年新收政府信息公开申请数量0000000\n")
    row = [c.value for c in res.cells if c.row_label.startswith("一、")]
    assert row == [0] * 7 and res.ambiguous == []


def test_concatenated_digits_that_stay_ambiguous_are_not_guessed() -> None:
    text = "二、主动公开政府信息情况\n信息内容本年新制作数量本年新公开数量对外公开总数量\n规章1011\n规范性文件000\n"
    res = extract_tables_text(text)
    assert {a.row_label for a in res.ambiguous} == {"第二十条第(一)项/规章"}
    assert [c.value for c in res.cells] == [0, 0, 0]


def test_table3_digit_run_and_group_sums() -> None:
    res = extract_tables_text(T3_HEAD.replace(" | ", "").replace(" |", "") + "000000000000000\n")
    assert len(res.cells) == 15 and {c.value for c in res.cells} == {0}


def test_too_few_separated_values_are_ambiguous() -> None:
    res = extract_tables_text(T2_HEAD + "一、本年新收政府信息公开申请数量 | 3 | 1 | 4 |\n")
    assert res.cells == [] and len(res.ambiguous) == 7


def test_duplicated_merged_cells_need_a_unique_reading() -> None:
    row = "一、本年新收政府信息公开申请数量\t\t1\t1\t0\t0\t0\t0\t0\t1\n"  # 8 values for 7: drop one duplicate
    res = extract_tables_text(T2_HEAD + row)
    assert [c.value for c in res.cells] == [1, 0, 0, 0, 0, 0, 1]
    assert any(f.startswith("merged_cells_collapsed") for f in res.flags)


def test_nulls_are_counted_and_flagged() -> None:
    text = ("二、主动公开政府信息情况\n第二十条第（六）项\n信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n"
            "行政处罚 | 3 | — | / |\n行政强制 | - | -2 | 0 |\n")
    res = extract_tables_text(text)
    assert res.nulls == 3
    assert [c.flag for c in res.cells if c.value is None] == ["null_marker"] * 3
    assert [c.value for c in res.cells if c.row_label.endswith("行政强制")] == [None, -2, 0]


def test_extra_rows_are_flagged_not_dropped_silently() -> None:
    text = ("二、主动公开政府信息情况\n第二十条第（一）项\n信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n"
            "规章 | 0 | 0 | 0 |\n其他主动公开文件 | 5 | 5 | 5 |\n规范性文件 | 1 | 1 | 1 |\n")
    res = extract_tables_text(text)
    assert "extra_row:其他主动公开文件" in res.flags
    assert [c.value for c in res.cells] == [0, 0, 0, 1, 1, 1]


def test_2021_report_with_a_single_2019_style_other_row() -> None:
    text = (T2_HEAD.replace("三、", "") + "本年制发件数\n(六)其他处理 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n"
            "(七)总计 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n")
    res = extract_tables_text(text)
    assert res.template == "2021"
    assert "三、本年度办理结果/(六)其他处理" in {c.row_label for c in res.cells}
    assert any(f.startswith("off_template_row") for f in res.flags)


def test_unit_from_2019_header_only_when_printed() -> None:
    base = "二、主动公开政府信息情况\n信息内容 | 采购项目数量 | {h} |\n政府集中采购 | 3 | 12.5 |\n"
    with_unit = extract_tables_text(base.format(h="采购总金额（单位：万元）"))
    without = extract_tables_text(base.format(h="采购总金额"))
    assert [c.unit for c in with_unit.cells] == [None, "万元"]
    assert [c.unit for c in without.cells] == [None, None]


@pytest.mark.parametrize("bad", ["", "|||\n\t\t", "二、主动公开政府信息情况\n规章 | 1 |", "<table><tr><td rowspan=x>",
                                 "<table><tr><td colspan=999999>1</td></tr></table>", "\x00\x01"])
def test_broken_input_never_raises(bad: str) -> None:
    for res in (extract_tables_text(bad), extract_tables_html(bad), extract_tables(html=bad, text=bad)):
        assert isinstance(res.errors, list) and res.errors


def test_broken_pdf_never_raises() -> None:
    res = extract_tables_pdf(b"%PDF-1.4 truncated")
    assert res.cells == [] and res.errors


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 |\t\n一二三、()（）.规章总计行政复议万元—/-<>tdr=")), max_size=300))
def test_random_text_never_raises(text: str) -> None:
    for res in (extract_tables_text(text), extract_tables_html(text)):
        assert {c.table_name for c in res.cells} <= {T1, T2, T3}


def test_prose_before_the_tables_cannot_take_their_place() -> None:
    text = ("一、总体情况\n（四）行政复议、行政诉讼情况\n联系电话83605210\n（一）予以公开 12\n"
            + T2_HEAD + "（一）予以公开 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n"
            + T3_HEAD + " | ".join(["0"] * 15) + " |\n")
    res = extract_tables_text(text)
    assert [c.value for c in res.cells if c.table_name == T2] == [1, 0, 0, 0, 0, 0, 1]
    assert len([c for c in res.cells if c.table_name == T3]) == 15
    assert res.ambiguous == []

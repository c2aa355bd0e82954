"""One example per class of the variation matrix, small enough to read: what is stored, and what is
refused. The matrix (tests/test_matrix.py) crosses each with every serialisation."""

from __future__ import annotations

from pipelines.spec import T1, T2, T3
from pipelines.tables import extract_tables_html, extract_tables_text

T2_HEAD = ("<tr><td colspan=3>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td>自然人</td>"
           "<td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td><td>总计</td></tr>")
NEW = "一、本年新收政府信息公开申请数量"


def _t2(rows: str, head: str = T2_HEAD) -> str:
    return f"<p>三、收到和处理政府信息公开申请情况</p><table>{head}{rows}</table><p>本年制发件数 逾期不补正</p>"


def _row(label: str, *vals: str) -> str:
    return f"<tr><td colspan=3>{label}</td>" + "".join(f"<td>{v}</td>" for v in vals) + "</tr>"


def _cells(res, row: str) -> list:
    return [c.value for c in res.cells if c.row_label == row]


def test_extra_cells_are_never_shifted_into_columns() -> None:
    """A row with two extra cells (99 and 7) where the truth was 0 and 0: NULL + flag, never 99/7."""
    res = extract_tables_html(_t2(_row(NEW, "3", "0", "0", "99", "0", "7", "0", "0", "3")))
    assert _cells(res, NEW) == []
    assert {a.row_label for a in res.ambiguous} == {NEW}
    assert not any(c.value in (99, 7) for c in res.cells)


def test_a_missing_cell_is_not_shifted_left() -> None:
    res = extract_tables_html(_t2(_row(NEW, "3", "0", "0", "0", "0", "3")))
    assert _cells(res, NEW) == [] and {a.row_label for a in res.ambiguous} == {NEW}


def test_column_order_from_the_header_grid() -> None:
    head = T2_HEAD.replace("<td>自然人</td>", "").replace("<td>总计</td>", "").replace(
        "</td><td>商业企业", "</td><td>总计</td><td>自然人</td><td>商业企业")
    res = extract_tables_html(_t2(_row(NEW, "5", "4", "1", "0", "0", "0", "0"), head))
    assert _cells(res, NEW) == [4, 1, 0, 0, 0, 0, 5]
    assert f"columns_from_header:{T2}" in res.flags


def test_blank_cells_keep_their_column_and_an_all_blank_row_is_kept() -> None:
    blank = "三、本年度办理结果/(一)予以公开"
    rows = _row(NEW, "", "1", "0", "0", "0", "0", "1") + _row("（一）予以公开", *[""] * 7)
    res = extract_tables_html(_t2(rows))
    assert _cells(res, NEW) == [None, 1, 0, 0, 0, 0, 1]
    assert _cells(res, blank) == [None] * 7
    assert res.nulls == 8


def test_yuan_is_stored_in_wan_with_the_printed_figure_kept() -> None:
    text = ("二、主动公开政府信息情况\n第二十条第（九）项\n信息内容 | 采购项目数量 | 采购总金额 |\n"
            "政府集中采购 | 3 | 251000元 |\n本年新制作数量\n")
    cell = next(c for c in extract_tables_text(text).cells if c.col_label == "采购总金额")
    assert (cell.value, cell.unit, cell.raw, cell.flag) == (25.1, "万元", "251000元", "yuan_to_wan")
    fee = ("二、主动公开政府信息情况\n第二十条第（八）项\n信息内容 | 本年收费金额（单位：元） |\n"
           "行政事业性收费 | 1234567 |\n本年制发件数\n")
    cell = next(c for c in extract_tables_text(fee).cells if c.table_name == T1)
    assert (cell.value, cell.unit, cell.raw) == (123.4567, "万元", "1234567")


def test_litigation_groups_printed_first_are_read_by_position_and_from_the_text_header() -> None:
    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    vals = [1, 0, 0, 0, 1, 2, 0, 0, 0, 2, 3, 1, 0, 0, 4]  # printed: 未经复议, 复议后, 行政复议
    html = ("<p>四、政府信息公开行政复议、行政诉讼情况</p><table>"
            "<tr><td colspan=10>行政诉讼</td><td colspan=5>行政复议</td></tr>"
            "<tr><td colspan=5>未经复议直接起诉</td><td colspan=5>复议后起诉</td>"
            + "".join(f"<td rowspan=2>{x}</td>" for x in leaves) + "</tr><tr>"
            + "".join(f"<td>{x}</td>" for x in leaves * 2) + "</tr><tr>"
            + "".join(f"<td>{v}</td>" for v in vals) + "</tr></table><p>本年制发件数</p>")
    got = {c.col_label: c.value for c in extract_tables_html(html).cells if c.table_name == T3}
    assert got["行政复议/结果维持"] == 3 and got["行政诉讼/未经复议直接起诉/总计"] == 1
    text = ("四、政府信息公开行政复议、行政诉讼情况\n行政诉讼 | 行政复议 |\n未经复议直接起诉 | 复议后起诉 | "
            + " | ".join(leaves) + " |\n" + " | ".join(leaves * 2) + " |\n" + " | ".join(map(str, vals)) + " |\n"
            "本年制发件数\n")
    res = extract_tables_text(text)  # the header's three lines rebuild the tree: groups first
    got = {c.col_label: c.value for c in res.cells if c.table_name == T3}
    assert got["行政复议/结果维持"] == 3 and got["行政诉讼/未经复议直接起诉/总计"] == 1 and not res.ambiguous
    assert f"columns_from_header:{T3}" in res.flags


T3_HEAD = ("<p>四、政府信息公开行政复议、行政诉讼情况</p><table>"
           "<tr><td colspan=5>行政复议</td><td colspan=10>行政诉讼</td></tr>"
           "<tr>" + "".join(f"<td rowspan=2>{x}</td>" for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))
           + "<td colspan=5>未经复议直接起诉</td><td colspan=5>复议后起诉</td></tr><tr>"
           + "".join(f"<td>{x}</td>" for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 2) + "</tr>")


def test_a_table3_value_row_printed_blank_is_stored_null_never_dropped() -> None:
    for value_row in ("<tr>" + "<td></td>" * 15 + "</tr>", ""):  # blank cells, or the row gone with its blanks
        res = extract_tables_html(_t2(_row(NEW, "1", "0", "0", "0", "0", "0", "1")) + T3_HEAD + value_row
                                  + "</table><p>五、存在的主要问题及改进情况</p>")
        t3 = [c for c in res.cells if c.table_name == T3]
        assert len(t3) == 15 and all(c.value is None and c.flag == "blank_row" for c in t3)
        assert f"blank_row:{T3}" in res.flags and res.nulls >= 15
        assert not [e for e in res.errors if T3 in e]
    text = ("四、政府信息公开行政复议、行政诉讼情况\n行政复议 | 行政诉讼 |\n结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | "
            "未经复议直接起诉 | 复议后起诉 |\n" + "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | " * 2 + "\n"
            + "| " * 15 + "\n五、存在的主要问题及改进情况\n")
    res = extract_tables_text("二、主动公开政府信息情况\n本年制发件数\n" + text)
    assert [c.value for c in res.cells if c.table_name == T3] == [None] * 15


def test_a_table3_heading_without_its_header_stores_nothing() -> None:
    """Prose under the heading (本年度未发生行政复议、行政诉讼，总计0件) is not a blank table."""
    res = extract_tables_text("二、主动公开政府信息情况\n本年制发件数\n四、政府信息公开行政复议、行政诉讼情况\n"
                              "本年度未发生政府信息公开行政复议、行政诉讼，总计\n五、存在的主要问题及改进情况\n")
    assert not [c for c in res.cells if c.table_name == T3]


def test_table1_rows_in_the_other_templates_shape_are_mapped_and_flagged() -> None:
    """2021 printing `规范性文件` and the 2019 第(九)项: the row under its 2021 key, 第(九)项 under its 2019
    key (off-template); 2019 printing `行政规范性文件` without 第(九)项: its 2019 key, 第(九)项 NULL."""
    from bench.matrix import Case, render
    from pipelines.tables import extract_tables

    buy = "第二十条第(九)项/政府集中采购"
    res = extract_tables(html=render(Case("2021", "html", "other_shape", 0)).data.decode("utf-8"))
    assert "other_name:主动公开政府信息情况/第二十条第(一)项/行政规范性文件 printed as 规范性文件" in res.flags
    assert f"off_template_row:{buy}" in res.flags
    assert [c.value is not None for c in res.cells if c.row_label == buy] == [True, True]
    res = extract_tables(html=render(Case("2019", "html", "other_shape", 0)).data.decode("utf-8"))
    assert any(f.startswith("other_name:") and f.endswith("printed as 行政规范性文件") for f in res.flags)
    assert [(c.value, c.flag) for c in res.cells if c.row_label == buy] == [(None, "other_shape")] * 2
    assert f"other_shape:{T1}/{buy} not printed (the 2021 form has no such row)" in res.flags


def test_a_left_out_row_without_any_other_shape_is_only_reported_missing() -> None:
    """No row or name of the other template printed: a missing 第(九)项 is not explained as another shape."""
    from bench.matrix import Case, render
    from pipelines.tables import extract_tables

    html = render(Case("2019", "html", "none", 0)).data.decode("utf-8")
    cut = html.index("第二十条第（九）项")
    html = html[:html.rindex("<tr>", 0, cut)] + html[html.index("</table>", cut):]
    res = extract_tables(html=html)
    assert not [c for c in res.cells if "(九)" in c.row_label]
    assert f"missing_row:{T1}/第二十条第(九)项/政府集中采购" in res.flags
    assert not [f for f in res.flags if f.startswith(("other_shape", "other_name"))]

"""Hand-made HTML fixtures (tests/fixtures/tables/): national layout with rowspan/colspan for both
templates, Word-exported HTML, tables split by headings, and a GBK-encoded Traditional variant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.checks import run_checks
from pipelines.tables import extract_tables, extract_tables_html

FIX = Path(__file__).parent / "fixtures" / "tables"
NAMES = ["plain_2019", "plain_2021", "word_2021", "split_2019", "traditional_gbk"]
FIELDS = ("table_name", "row_label", "col_label", "value", "raw", "unit")


def load(name: str) -> tuple[str, dict]:
    exp = json.loads((FIX / f"{name}.expected.json").read_text(encoding="utf-8"))
    return (FIX / f"{name}.html").read_bytes().decode(exp["encoding"]), exp


@pytest.mark.parametrize("name", NAMES)
def test_fixture_parses_to_expected_cells(name: str) -> None:
    html, exp = load(name)
    res = extract_tables_html(html)
    assert res.template == exp["template"]
    assert [{k: getattr(c, k) for k in FIELDS} for c in res.cells] == exp["cells"]
    assert res.ambiguous == [] and res.errors == []
    for flag in exp.get("flags", []):
        assert flag in res.flags
    assert all(c.ok for c in run_checks(res))


def test_word_html_has_the_markup_it_claims() -> None:
    html, _ = load("word_2021")
    assert "MsoNormal" in html and "<o:p>" in html and "&nbsp;" in html
    assert html.count("<table") > html.count("</td></tr></table></div>") >= 1  # data tables nested in a layout table


def test_traditional_variant_keeps_printed_script_in_raw() -> None:
    html, _ = load("traditional_gbk")
    assert "charset=gbk" in html and "合計" in html and "上年結收" in html and "本年增減" in html
    res = extract_tables_html(html)
    raws = {c.raw for c in res.cells}
    assert any("萬元" in r for r in raws) and any("個" in r for r in raws)
    purchase = next(c for c in res.cells if c.col_label == "采购总金额")
    assert purchase.unit == "万元" and isinstance(purchase.value, float)


def test_split_tables_flag_the_unknown_row_and_keep_notes_out_of_keys() -> None:
    html, _ = load("split_2019")
    assert html.count("<table") == 8
    res = extract_tables_html(html)
    assert "extra_row:其他主动公开文件" in res.flags
    assert not any("其他主动公开文件" in c.row_label for c in res.cells)
    assert {c.row_label for c in res.cells if c.row_label.endswith("规章")} == {"第二十条第(一)项/规章"}


def test_extract_tables_prefers_the_most_complete_source() -> None:
    html, exp = load("plain_2021")
    res = extract_tables(html=html, text="no tables in this text")
    assert len(res.cells) == len(exp["cells"])
    res = extract_tables(html="<p>nothing</p>", text=None)
    assert res.cells == [] and res.errors


def test_rowspan_value_cell_is_repeated_in_every_row_it_covers() -> None:
    html = """<p>二、主动公开政府信息情况</p><table>
    <tr><td colspan=4>第二十条第（六）项</td></tr>
    <tr><td>信息内容</td><td>上一年项目数量</td><td>本年增/减</td><td>处理决定数量</td></tr>
    <tr><td>行政处罚</td><td>3</td><td rowspan=2>0</td><td>5</td></tr>
    <tr><td>行政强制</td><td>1</td><td>2</td></tr></table>"""
    res = extract_tables_html(html)
    got = {(c.row_label.split("/")[-1], c.col_label): c.value for c in res.cells}
    assert got == {("行政处罚", "上一年项目数量"): 3, ("行政处罚", "本年增/减"): 0, ("行政处罚", "处理决定数量"): 5,
                   ("行政强制", "上一年项目数量"): 1, ("行政强制", "本年增/减"): 0, ("行政强制", "处理决定数量"): 2}
    assert res.template == "2019"

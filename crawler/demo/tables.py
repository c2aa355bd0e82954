"""The three statistical tables of a report as HTML, filled from a seed's hand-read cells.

Layouts follow spec/report-format.md §3 (2019 trial and 2021 formats, rowspan/colspan as portals print
them). Two styles: "plain" (CMS editor HTML) and "word" (pasted from Word: MsoNormal spans, &nbsp;, <o:p>).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from crawler.demo.seeds import Seed

T1, T2, T3 = "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "政府信息公开行政复议、行政诉讼情况"


@dataclass
class Cell:
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    key: tuple[str, str, str] | None = None  # (table, row, col) of a value cell
    head: bool = False


def _key(label: str) -> str:
    return "".join(unicodedata.normalize("NFKC", label).split())


# -- table 1 ------------------------------------------------------------------------------------
def _t1_2019() -> list[list[Cell]]:
    groups = [
        ("一", ["本年新制作数量", "本年新公开数量", "对外公开总数量"], ["规章", "规范性文件"]),
        ("五", ["上一年项目数量", "本年增/减", "处理决定数量"], ["行政许可", "其他对外管理服务事项"]),
        ("六", ["上一年项目数量", "本年增/减", "处理决定数量"], ["行政处罚", "行政强制"]),
        ("八", ["上一年项目数量", "本年增/减", ""], ["行政事业性收费"]),
        ("九", ["采购项目数量", "采购总金额"], ["政府集中采购"]),
    ]
    rows: list[list[Cell]] = []
    for n, cols, items in groups:
        sec = f"第二十条第（{n}）项"
        rows.append([Cell(sec, colspan=4, head=True)])
        spans = [1] * (len(cols) - 1) + [4 - len(cols)]
        rows.append([Cell("信息内容", head=True)] + [Cell(c, colspan=s, head=True) for c, s in zip(cols, spans, strict=True)])
        for item in items:
            row_key = _key(f"{sec}/{item}")
            rows.append([Cell(item)] + [
                Cell(colspan=s, key=(T1, row_key, c) if c else None) for c, s in zip(cols, spans, strict=True)
            ])
    return rows


def _t1_2021() -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    single = [("五", "本年处理决定数量", ["行政许可"]), ("六", "本年处理决定数量", ["行政处罚", "行政强制"]),
              ("八", "本年收费金额（单位：万元）", ["行政事业性收费"])]
    cols = ["本年制发件数", "本年废止件数", "现行有效件数"]
    rows.append([Cell("第二十条第（一）项", colspan=4, head=True)])
    rows.append([Cell("信息内容", head=True)] + [Cell(c, head=True) for c in cols])
    for item in ("规章", "行政规范性文件"):
        rows.append([Cell(item)] + [Cell(key=(T1, _key(f"第二十条第（一）项/{item}"), c)) for c in cols])
    for n, col, items in single:
        sec = f"第二十条第（{n}）项"
        rows.append([Cell(sec, colspan=4, head=True)])
        rows.append([Cell("信息内容", head=True), Cell(col, colspan=3, head=True)])
        for item in items:
            rows.append([Cell(item), Cell(colspan=3, key=(T1, _key(f"{sec}/{item}"), _key(col)))])
    return rows


# -- table 2 ------------------------------------------------------------------------------------
APPLICANTS = ["自然人", "法人或其他组织/商业企业", "法人或其他组织/科研机构", "法人或其他组织/社会公益组织",
              "法人或其他组织/法律服务机构", "法人或其他组织/其他", "总计"]
_RESULTS = [
    ("（一）予以公开", []),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", []),
    ("（三）不予公开", ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
                 "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]),
    ("（四）无法提供", ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]),
    ("（五）不予处理", ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
                 "5.要求行政机关确认或重新出具已获取信息"]),
]
_OTHER_2021 = ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
               "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"]


def _t2(template: str) -> list[list[Cell]]:
    def values(row_key: str) -> list[Cell]:
        return [Cell(key=(T2, row_key, c)) for c in APPLICANTS]

    results = [*_RESULTS, ("（六）其他处理", _OTHER_2021 if template == "2021" else []), ("（七）总计", [])]
    rows = [
        [Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", colspan=3, rowspan=3, head=True),
         Cell("申请人情况", colspan=7, head=True)],
        [Cell("自然人", rowspan=2, head=True), Cell("法人或其他组织", colspan=5, head=True), Cell("总计", rowspan=2, head=True)],
        [Cell(c.split("/")[1], head=True) for c in APPLICANTS[1:6]],
    ]
    for label in ("一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"):
        rows.append([Cell(label, colspan=3), *values(label)])
    top = "三、本年度办理结果"
    first = True
    for label, items in results:
        lead = [Cell(top, rowspan=sum(max(1, len(i)) for _, i in results))] if first else []
        first = False
        if not items:
            rows.append([*lead, Cell(label, colspan=2), *values(_key(f"{top}/{label}"))])
            continue
        for i, item in enumerate(items):
            group = [Cell(label, rowspan=len(items))] if i == 0 else []
            rows.append([*(lead if i == 0 else []), *group, Cell(item), *values(_key(f"{top}/{label}/{item}"))])
    label = "四、结转下年度继续办理"
    rows.append([Cell(label, colspan=3), *values(label)])
    return rows


# -- table 3 ------------------------------------------------------------------------------------
_RESULT_COLS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def _t3() -> list[list[Cell]]:
    keys = [f"行政复议/{c}" for c in _RESULT_COLS] + [
        f"行政诉讼/{g}/{c}" for g in ("未经复议直接起诉", "复议后起诉") for c in _RESULT_COLS]
    return [
        [Cell("行政复议", colspan=5, head=True), Cell("行政诉讼", colspan=10, head=True)],
        [*(Cell(c, rowspan=2, head=True) for c in _RESULT_COLS),
         Cell("未经复议直接起诉", colspan=5, head=True), Cell("复议后起诉", colspan=5, head=True)],
        [Cell(c, head=True) for c in _RESULT_COLS * 2],
        [Cell(key=(T3, "", k)) for k in keys],
    ]


# -- rendering ----------------------------------------------------------------------------------
def layout(template: str) -> list[list[list[Cell]]]:
    return [_t1_2021() if template == "2021" else _t1_2019(), _t2(template), _t3()]


def _td_plain(text: str, cell: Cell) -> str:
    attrs = "".join(f' {a}="{v}"' for a, v in (("colspan", cell.colspan), ("rowspan", cell.rowspan)) if v > 1)
    body = f"<strong>{escape(text)}</strong>" if cell.head and text else escape(text)
    return f'<td{attrs} style="text-align:center;">{body}</td>'


def _td_word(text: str, cell: Cell) -> str:
    width = 38 * cell.colspan
    attrs = "".join(f" {a}={v}" for a, v in (("colspan", cell.colspan), ("rowspan", cell.rowspan)) if v > 1)
    font = "font-size:9.0pt;font-family:宋体;mso-bidi-font-family:宋体;color:black;mso-font-kerning:0pt"
    inner = (f'<span style="{font}">{escape(text)}</span>' if text else "") + \
        f'<span lang=EN-US style="{font}">{"&nbsp;" if not text else ""}<o:p></o:p></span>'
    return (f'<td width={width}{attrs} style="width:{width * 0.75:.1f}pt;border:solid windowtext 1.0pt;'
            f'mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt">'
            f'<p class=MsoNormal align=center style="text-align:center;line-height:15.0pt;mso-line-height-rule:exactly">'
            f"{inner}</p></td>")


def render_table(rows: list[list[Cell]], seed: Seed, *, style: str, label: Callable[[str], str],
                 used: set[tuple[str, str, str]]) -> str:
    """One table; value cells take the seed's printed text, labels go through `label` (script, variants)."""
    td = _td_word if style == "word" else _td_plain
    out = []
    for i, row in enumerate(rows):
        cells = []
        for cell in row:
            if cell.key:
                used.add(cell.key)
                text = seed.raw(*cell.key) or ""
            else:
                text = label(cell.text) if cell.text else ""
            cells.append(td(text, cell))
        tr = f'<tr style="mso-yfti-irow:{i};height:20.25pt">' if style == "word" else "<tr>"
        out.append(tr + "".join(cells) + "</tr>")
    if style == "word":
        return ('<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 align=center '
                'style="border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;'
                'mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt">\n<tbody>\n'
                + "\n".join(out) + "\n</tbody>\n</table>")
    return ('<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;">\n'
            "<tbody>\n" + "\n".join(out) + "\n</tbody>\n</table>")

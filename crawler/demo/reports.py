"""Report detail pages: the seed's prose as <p>, its tables as HTML, a metadata block, a signature."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from html import escape

import opencc

from crawler.demo.seeds import SEEDS, Seed
from crawler.demo.tables import layout, render_table

_DATE_LINE = re.compile(r"^\s*\d{4}年\d{1,2}月\d{1,2}日\s*$")


@dataclass(frozen=True)
class ReportSpec:
    seed: str  # "000".."004"
    portal: str
    path: str
    title: str
    title_html: str  # the <h1> content (may carry <br>)
    agency: str
    published: str  # as printed, "YYYY-MM-DD HH:MM"
    meta_block: str  # "ul" | "table" | "line"
    tables: str  # "plain" | "word" | "text" (the seed's own scraped text)
    traditional: bool = False
    index_no: str = ""
    written: str = ""  # 成文日期 (table block)
    labels: dict[str, str] = field(default_factory=dict)  # printed label variants of this report
    duplicate_of: str | None = None

    @property
    def seed_obj(self) -> Seed:
        return SEEDS[self.seed]

    @property
    def iso(self) -> str:
        return self.published.replace(" ", "T")

    @property
    def date(self) -> str:
        return self.published[:10]


@cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def _p(text: str, style: str, *, bold: bool = False, right: bool = False) -> str:
    if style == "word":
        font = "黑体" if bold else "仿宋_GB2312"
        align = ' align=right style="text-align:right;line-height:28.0pt"' if right else \
            ' style="text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt"'
        if not text.strip():
            return '<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>'
        return (f'<p class=MsoNormal{align}><span style="font-size:16.0pt;font-family:{font};'
                f'mso-hansi-font-family:宋体">{escape(text)}</span></p>')
    attrs = ' style="text-align: right;"' if right else ' style="text-indent: 2em;"'
    body = f"<strong>{escape(text)}</strong>" if bold else escape(text)
    return f"<p{attrs}>{body}</p>"


def _is_heading(line: str) -> bool:
    return bool(re.match(r"^[一二三四五六]、", line.strip()))


def article_body(spec: ReportSpec) -> str:
    """The report as the CMS editor holds it (everything inside the content container)."""
    seed, style = spec.seed_obj, spec.tables
    sec = seed.sections(drop_title=spec.title)
    pstyle = "word" if style == "word" else "plain"
    out = [_p(ln, pstyle, bold=_is_heading(ln)) for ln in sec.before if ln.strip()]
    if style == "text":
        out += [_p(ln, pstyle) for ln in sec.tables_text if ln.strip()]
    else:
        def label(text: str) -> str:
            return spec.labels.get(text) or (_s2t().convert(text) if spec.traditional else text)

        used: set[tuple[str, str, str]] = set()
        tables = [render_table(rows, seed, style=style, label=label, used=used) for rows in layout(seed.template)]
        missing = {(c["table_name"], c["row_label"], c["col_label"]) for c in seed.expected["cells"]} - used
        assert not missing, f"{spec.seed}: cells not rendered: {sorted(missing)[:3]}"
        for heading, table in zip((sec.heading1, sec.heading2, sec.heading3), tables, strict=True):
            out += [_p(heading, pstyle, bold=True), table]
    after = [ln for ln in sec.after if ln.strip()]
    sign = 2 if len(after) >= 2 and _DATE_LINE.match(after[-1]) else 0
    for i, ln in enumerate(after):
        out.append(_p(ln, pstyle, bold=_is_heading(ln), right=i >= len(after) - sign))
    if style == "word":
        return '<div class="TRS_Editor"><div class=WordSection1 style="layout-grid:15.6pt">\n' + \
            "\n".join(out) + "\n</div></div>"
    return "\n".join(out)


def meta_block(spec: ReportSpec) -> str:
    """One of the three metadata blocks seen on portals."""
    if spec.meta_block == "ul":
        rows = [("信息来源", spec.agency), ("文　　号", ""), ("索 引 号", spec.index_no), ("发布时间", spec.published)]
        lis = "".join(f"<li><b>{k}：</b>{escape(v)}</li>" for k, v in rows)
        return f'<ul class="xxgk-info">{lis}</ul>'
    if spec.meta_block == "table":
        return (
            '<table class="xxgk_table" cellspacing="0" cellpadding="0">'
            f"<tr><td class=\"t\">索引号：</td><td>{escape(spec.index_no)}</td><td class=\"t\">主题分类：</td><td>综合政务/政务公开</td></tr>"
            f"<tr><td class=\"t\">发布机构：</td><td>{escape(spec.agency)}</td><td class=\"t\">发布日期：</td><td>{spec.date}</td></tr>"
            f"<tr><td class=\"t\">成文日期：</td><td>{spec.written}</td><td class=\"t\">文号：</td><td></td></tr>"
            f"<tr><td class=\"t\">名称：</td><td colspan=\"3\">{escape(spec.title)}</td></tr></table>"
        )
    return (f'<div class="info">来源：{escape(spec.agency)}　　发布时间：{spec.published}　　'
            '浏览次数：<span id="hits">--</span></div>')

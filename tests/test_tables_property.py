"""Property: a random consistent report of either template, rendered as it is found on portals
(HTML with spans, Word-exported HTML, pipe rows, tab rows with merged-cell padding, one cell per line),
parses back to exactly the cells it was rendered from."""

from __future__ import annotations

import html as htmllib
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.matrix import HEADINGS, C, Grid, expand, td, word_html
from pipelines.checks import run_checks
from pipelines.spec import T1, T2, T3, template
from pipelines.tables import extract_tables_html, extract_tables_text

PROSE = "一、总体情况\n本机关2020年共收到政府信息公开申请若干件，均已按期答复。\n"
EPILOGUE = "五、存在的主要问题及改进情况\n一是公开意识有待提升。\n六、其他需要报告的事项\n无。\n"


@dataclass
class Report:
    tpl: str
    t1: dict[str, list[str]]  # row → printed values
    t2: dict[str, list[str]]
    t3: list[str]
    amount_header: str  # the header printed for the 2019 采购总金额 column

    def expected(self) -> list[tuple]:
        from pipelines.tables.tokens import parse_value

        spec = template(self.tpl)
        out = []
        for r in spec.tables[T1].rows:
            for c, raw in zip(spec.tables[T1].row_cols[r], self.t1[r], strict=True):
                p = parse_value(raw)
                unit = p.unit
                if p.value is not None and (c == "本年收费金额(单位:万元)" or (c == "采购总金额" and "万元" in self.amount_header)):
                    unit = "万元"
                out.append((T1, r, c, p.value, raw, unit))
        for r in spec.tables[T2].rows:
            for c, raw in zip(spec.tables[T2].cols, self.t2[r], strict=True):
                out.append((T2, r, c, int(raw), raw, None))
        for c, raw in zip(spec.tables[T3].cols, self.t3, strict=True):
            out.append((T3, "", c, int(raw), raw, None))
        return out


# --- grids in the national layout -------------------------------------------------------------

def t1_grid(rep: Report) -> Grid:
    spec = template(rep.tpl).tables[T1]
    g: Grid = []
    groups: dict[str, list[str]] = {}
    for r in spec.rows:
        groups.setdefault(r.split("/")[0], []).append(r)
    for head, rows in groups.items():
        g.append([C(head.replace("(", "（").replace(")", "）"), cs=4)])
        cols = list(spec.row_cols[rows[0]])
        cols = [rep.amount_header if c == "采购总金额" else c for c in cols]
        if len(cols) == 1:
            g.append([C("信息内容"), C(cols[0].replace("(", "（").replace(":", "：").replace(")", "）"), cs=3)])
        else:
            g.append([C("信息内容"), *(C(c) for c in cols), *([C("")] if len(cols) == 2 else [])])
        for r in rows:
            vals = rep.t1[r]
            if len(vals) == 1:
                g.append([C(r.split("/")[1]), C(vals[0], cs=3)])
            else:
                g.append([C(r.split("/")[1]), *(C(v) for v in vals), *([C("")] if len(vals) == 2 else [])])
    return g


def t2_grid(rep: Report) -> Grid:
    spec = template(rep.tpl).tables[T2]
    g: Grid = [
        [C("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rs=3, cs=3), C("申请人情况", cs=7)],
        [C("自然人", rs=2), C("法人或其他组织", cs=5), C("总计", rs=2)],
        [C("商业企业"), C("科研机构"), C("社会公益组织"), C("法律服务机构"), C("其他")],
    ]
    three = [r for r in spec.rows if r.startswith("三、")]
    sub: dict[str, int] = {}
    for r in three:
        parts = r.split("/")
        if len(parts) == 3:
            sub[parts[1]] = sub.get(parts[1], 0) + 1
    seen: set[str] = set()
    for r in spec.rows:
        vals = [C(v) for v in rep.t2[r]]
        parts = r.split("/")
        label = parts[-1].replace("(", "（").replace(")", "）").replace(",", "，")
        if len(parts) == 1:
            g.append([C(label, cs=3), *vals])
            continue
        row: list[C] = []
        if r == three[0]:
            row.append(C("三、本年度办理结果", rs=len(three)))
        if len(parts) == 3:
            if parts[1] not in seen:
                seen.add(parts[1])
                row.append(C(parts[1], rs=sub[parts[1]]))
            row.append(C(label))
        else:
            row.append(C(label, cs=2))
        g.append(row + vals)
    return g


def t3_grid(rep: Report) -> Grid:
    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        [C("行政复议", cs=5), C("行政诉讼", cs=10)],
        [*(C(x, rs=2) for x in leaves), C("未经复议直接起诉", cs=5), C("复议后起诉", cs=5)],
        [C(x) for x in leaves * 2],
        [C(v) for v in rep.t3],
    ]


def grids(rep: Report) -> list[tuple[str, Grid]]:
    return [(HEADINGS[T1], t1_grid(rep)), (HEADINGS[T2], t2_grid(rep)), (HEADINGS[T3], t3_grid(rep))]


def render_html(rep: Report) -> str:
    parts = [f"<p>{line}</p>" for line in PROSE.splitlines()]
    for head, grid in grids(rep):
        parts.append(f"<h3>{head}</h3><table border=1>")
        for row in grid:
            parts.append("<tr>" + "".join(td(c, htmllib.escape(c.text)) for c in row) + "</tr>")
        parts.append("</table>")
    parts += [f"<p>{line}</p>" for line in EPILOGUE.splitlines()]
    return "<html><body>" + "\n".join(parts) + "</body></html>"


def render_word_html(rep: Report) -> str:
    body = [f"<p class=MsoNormal><span>{line}<o:p></o:p></span></p>" for line in PROSE.splitlines()]
    for head, grid in grids(rep):
        body.append(f"<p class=MsoNormal><b><span>{head}</span></b><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
        body.append("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0>")
        for row in grid:
            body.append("<tr style='height:20.0pt'>" + "".join(td(c, word_html(c.text)) for c in row) + "</tr>")
        body.append("</table><p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
    body += [f"<p class=MsoNormal><span>{line}</span></p>" for line in EPILOGUE.splitlines()]
    return ("<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><head><meta charset=utf-8>"
            "<style>p.MsoNormal{margin:0cm}</style><!--[if gte mso 9]><xml><o:OfficeDocumentSettings>"
            "</o:OfficeDocumentSettings></xml><![endif]--></head><body lang=ZH-CN><div class=WordSection1>"
            "<table width=\"100%\"><tr><td>" + "\n".join(body) + "</td></tr></table></div></body></html>")


def render_pipe(rep: Report) -> str:
    out = [PROSE]
    for head, grid in grids(rep):
        out.append(head)
        for row in grid:
            out.append(" | ".join(c.text for c in row) + " |" + "|" * (1 + sum(c.cs - 1 for c in row)))
    return "\n".join(out) + "\n" + EPILOGUE


def render_tab(rep: Report) -> str:
    out = [PROSE]
    for head, grid in grids(rep):
        out.append(head)
        out += ["\t".join(t or "" for t in row) for row in expand(grid)]
    return "\n".join(out) + "\n" + EPILOGUE


def render_cell_lines(rep: Report) -> str:
    out = [PROSE]
    for head, grid in grids(rep):
        out.append(head)
        for row in grid:
            out += [f"{c.text} |" for c in row]
            out.append("||")
    return "\n".join(out) + "\n" + EPILOGUE


FORMS = {"html": (render_html, extract_tables_html), "word": (render_word_html, extract_tables_html),
         "pipe": (render_pipe, extract_tables_text), "tab": (render_tab, extract_tables_text),
         "cell_lines": (render_cell_lines, extract_tables_text)}


# --- strategy ----------------------------------------------------------------------------------

counts = st.integers(0, 40)


@st.composite
def reports(draw: st.DrawFn) -> Report:
    tpl = draw(st.sampled_from(["2019", "2021"]))
    spec = template(tpl)
    money = st.integers(0, 10**7).map(lambda x: f"{x / 100:.2f}")
    t1: dict[str, list[str]] = {}
    for r in spec.tables[T1].rows:
        vals = []
        for c in spec.tables[T1].row_cols[r]:
            if c == "本年增/减":
                v = draw(st.integers(-30, 30).map(str))
            elif c == "采购总金额":
                v = draw(st.one_of(money, money.map(lambda s: s + "万元")))
            elif c == "本年收费金额(单位:万元)":
                v = draw(money)
            else:
                v = draw(st.one_of(counts.map(str), counts.map(lambda x: f"{x}个")))
            vals.append(draw(st.sampled_from([v, v, v, v, "—", "/"])))
        t1[r] = vals
    rows = spec.tables[T2].rows
    leaves = [r for r in rows if r.startswith("三、") and not r.endswith("(七)总计")]
    t2: dict[str, list[int]] = {r: draw(st.lists(counts, min_size=6, max_size=6)) for r in leaves}
    t2["三、本年度办理结果/(七)总计"] = [sum(t2[r][i] for r in leaves) for i in range(6)]
    t2["四、结转下年度继续办理"] = draw(st.lists(st.integers(0, 5), min_size=6, max_size=6))
    carried = [draw(st.integers(0, t + n)) for t, n in zip(t2["三、本年度办理结果/(七)总计"], t2["四、结转下年度继续办理"],
                                                           strict=True)]
    t2["二、上年结转政府信息公开申请数量"] = carried
    t2["一、本年新收政府信息公开申请数量"] = [t + n - c for t, n, c in zip(
        t2["三、本年度办理结果/(七)总计"], t2["四、结转下年度继续办理"], carried, strict=True)]
    t2s = {r: [str(x) for x in t2[r] + [sum(t2[r])]] for r in rows}
    t3: list[str] = []
    for _ in range(3):
        g = draw(st.lists(st.integers(0, 9), min_size=4, max_size=4))
        t3 += [str(x) for x in [*g, sum(g)]]
    header = draw(st.sampled_from(["采购总金额", "采购总金额（单位：万元，保留4位小数）"]))
    return Report(tpl, t1, t2s, t3, header)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_every_form_parses_back_to_the_same_cells(rep: Report) -> None:
    want = rep.expected()
    for form, (render, extract) in FORMS.items():
        res = extract(render(rep))
        got = [(c.table_name, c.row_label, c.col_label, c.value, c.raw, c.unit) for c in res.cells]
        assert res.template == rep.tpl, form
        assert got == want, form
        assert res.ambiguous == [] and res.errors == [], (form, res.ambiguous, res.errors)
        assert res.nulls == sum(1 for x in want if x[3] is None), form
        assert all(c.ok for c in run_checks(res)), form

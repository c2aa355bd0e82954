"""The variation matrix: generated annual reports crossing template × serialisation × quirk.

Each `Case` renders one report with random but known values (seeded) and returns the document bytes,
its kind, and the truth: every cell (value, or None where the report prints a blank) and the fields
(agency, year, published date, contact). Nothing here parses; `bench.accuracy` and the tests do.

    template       2019, 2021
    serialisation  html (one <table> per table), word (Word-export HTML), split (sub-tables as separate
                   tables, headings between), pipe (`a | b |` text), tab (tab-separated text), dump
                   (whitespace-separated text, as pdftotext prints; narrow header cells may wrap),
                   layout (fixed-width text, as `pdftotext -layout` prints), docx and pdf (the html
                   through LibreOffice: slow, e2e/bench only), chromium (the html printed to PDF by
                   headless Chromium `--print-to-pdf`: CJK text as Type 3 fonts, another text layer;
                   even seeds (or layout 0) as a browser prints the page as served: Letter, the default
                   header and footer (date, title, file URL, page numbers), separated cell borders (every
                   rule doubled); odd seeds (layout 1) with a portal's print style: A4, 16 pt 仿宋-size
                   text (labels wrap over several lines in narrow columns), collapsed single rules, no
                   header or footer. Slow, e2e/bench only)
    quirk          none; other_shape ((六)其他处理, the 规范性文件 row's name and 第(九)项 政府集中采购
                   printed in the other template's shape); blank (an all-blank row, blank cells for 0,
                   an unfilled 总计, table 3's value row all blank); yuan (money printed in 元);
                   column_order (columns permuted in the printed header); page_split (table 2 split
                   with a page number between, its header repeated or not); merged_header (flat,
                   vertical, grouped header arrangements); ragged (rows with an extra or a missing cell)

Cells the serialisation cannot carry unambiguously (blank cells in a whitespace dump, a ragged row)
are marked `may_null`: parsing them to NULL + flag is tolerated by the tests, any other number is
wrong. `ambiguous_cells` proves it per cell: another report with a different value there renders a
byte-identical document.
"""

from __future__ import annotations

import copy
import html as htmllib
import random
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations
from pathlib import Path

from pipelines.spec import T1, T2, T3, other, template

TEMPLATES = ("2019", "2021")
FAST = ("html", "word", "split", "pipe", "tab", "dump", "layout")
SLOW = ("docx", "pdf")  # through LibreOffice, which squares the grid (see squared_twins)
BROWSER = ("chromium",)  # printed by a browser: rows as the HTML has them
PDF_KINDS = ("pdf", "chromium")  # serialisations that are PDFs (the LibreOffice and the browser producer)
SERIALISATIONS = FAST + SLOW + BROWSER
QUIRKS = ("none", "other_shape", "blank", "yuan", "column_order", "page_split", "merged_header", "ragged")
SIX = "三、本年度办理结果/(六)其他处理"
FEE = "本年收费金额(单位:万元)"
HEADINGS = {T1: "二、主动公开政府信息情况", T2: "三、收到和处理政府信息公开申请情况",
            T3: "四、政府信息公开行政复议、行政诉讼情况"}
T3_LEAVES = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
T3_GROUPS = ("行政复议", "行政诉讼/未经复议直接起诉", "行政诉讼/复议后起诉")

COUNTIES = ("东台市", "沭阳县", "丰县", "金湖县", "涟水县", "盱眙县", "滨海县", "灌南县")
DEPTS = ("人民政府", "审计局", "统计局", "财政局", "司法局", "民政局", "教育局", "卫生健康委员会")


@dataclass
class Truth:
    value: int | float | None
    unit: str | None = None
    may_null: bool = False  # the serialisation cannot carry it unambiguously


@dataclass
class Doc:
    case: Case
    kind: str  # html | txt | docx | pdf
    data: bytes
    title: str
    cells: dict[tuple[str, str, str], Truth]
    fields: dict[str, object]
    html: str = ""  # the HTML the slow kinds were converted from


@dataclass(frozen=True)
class Case:
    tpl: str
    ser: str
    quirk: str
    seed: int = 0
    layout: int | None = None  # force a layout variant (merged_header: 0–3, page_split: 0–1); else seeded

    @property
    def name(self) -> str:
        base = f"{self.tpl}-{self.ser}-{self.quirk}-{self.seed}"
        return base if self.layout is None else f"{base}-L{self.layout}"


# --- the report: values and fields -------------------------------------------------------------

@dataclass
class Report:
    tpl: str
    t1: dict[str, list[str]]  # row → printed values (template column order)
    t1_truth: dict[str, list[Truth]]
    t2: dict[str, list[int | None]]  # row → 7 values (None = printed blank); printed rows only
    t2_truth: dict[str, list[Truth]]  # every expected row (printed, or NULL stand-ins)
    t3: list[int | None]
    fields: dict[str, object]
    title: str
    contact_text: str
    fee_header_unit: str = "万元"
    amount_header: str = "采购总金额"  # 2019: prints its unit when the cells do not
    ragged: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # row → (extra|missing, at, text)
    wrap: int = 0  # dump: header labels of tables 2 and 3 wrap every `wrap` characters (0: no wrap)
    t1_labels: dict[str, str] = field(default_factory=dict)  # row → label printed instead of the template's
    blank_rows: set[str] = field(default_factory=set)
    squared: bool = False  # rows that lost a cell get an empty one at the end (what a converter squaring the grid prints)


def _fields(rng: random.Random, year: int) -> tuple[dict[str, object], str, str]:
    county = rng.choice(COUNTIES)
    dept = rng.choice(DEPTS)
    agency = county + dept
    title = rng.choice((f"{agency}{year}年政府信息公开工作年度报告", f"{year}年{agency}政府信息公开工作年度报告",
                        f"{agency}政府信息公开工作年度报告（{year}年度）"))
    phone = f"0{rng.randint(510, 527)}-{rng.randint(8000000, 8999999)}"
    pc = f"2{rng.randint(10000, 29999)}"
    addr = f"{county}{rng.choice(('人民路', '建设路', '府前街', '淮海路'))}{rng.randint(1, 200)}号"
    email = f"gk{rng.randint(100, 999)}@{county_code(county)}.gov.cn"
    office = agency + "办公室"
    contact = rng.choice((
        f"如对本报告有疑问，请与{office}联系（地址：{addr}，邮编：{pc}，电话：{phone}，电子邮箱：{email}）。",
        f"如对本年度报告有疑问,请联系:{office};联系电话:{phone};地址:{addr};邮编:{pc};电子邮箱:{email}。",
        f"联系方式：{office}，电话/传真：{phone}，地址：{addr}，邮政编码：{pc}，电子邮箱：{email}。",
    ))
    date = f"{year + 1}-01-{rng.randint(10, 28):02d}"
    fields = {"agency": agency, "year": year, "published_at": date, "contact_phone": phone,
              "contact_address": addr, "contact_postcode": pc, "contact_email": email}
    return fields, title, contact


def county_code(county: str) -> str:
    return "x" + str(sum(map(ord, county)) % 9973)


def make_report(case: Case) -> Report:
    rng = random.Random(case.name)
    tpl, quirk = case.tpl, case.quirk
    spec = template(tpl)
    year = rng.randint(2019, 2020) if tpl == "2019" else rng.randint(2021, 2024)
    fields, title, contact = _fields(rng, year)
    rep = Report(tpl, {}, {}, {}, {}, [], fields, title, contact)
    # table 1
    for r in spec.tables[T1].rows:
        raws, truths = [], []
        for c in spec.tables[T1].row_cols[r]:
            if c == "本年增/减":
                v: int | float = rng.randint(-12, 12)
                raw = str(v)
            elif c in ("采购总金额", FEE):
                v = float(Decimal(rng.randint(0, 10**7)) / 100)
                raw = f"{v:.2f}"
                if quirk == "yuan":
                    yuan = Decimal(raw) * 10000
                    raw = f"{yuan:.0f}元" if c == "采购总金额" else f"{yuan:.0f}"
                    rep.fee_header_unit = "元"
                elif c == "采购总金额":
                    if rng.random() < 0.5:
                        raw += "万元"
                    else:
                        rep.amount_header = rng.choice(("采购总金额（单位：万元）", "采购总金额（万元）"))
            elif c == "采购项目数量":
                v = rng.randint(0, 80)
                raw = f"{v}个" if rng.random() < 0.5 else str(v)
            else:
                v = rng.randint(0, 400)
                raw = str(v)
            unit = "万元" if c in ("采购总金额", FEE) else None
            raws.append(raw)
            truths.append(Truth(v, unit))
        rep.t1[r], rep.t1_truth[r] = raws, truths
    if quirk == "other_shape":
        _other_shape_t1(rep, random.Random(case.name + "shape"))
    # table 2 (consistent: R1, R2, R3 hold)
    rows = list(spec.tables[T2].rows)
    leaves = [r for r in rows if r.startswith("三、") and not r.endswith("(七)总计")]
    t2: dict[str, list[int]] = {}
    for r in leaves:
        t2[r] = [rng.choice((0, 0, 0, 1, 2, rng.randint(0, 30))) for _ in range(6)]
    total = [sum(t2[r][j] for r in leaves) for j in range(6)]
    t2["三、本年度办理结果/(七)总计"] = total
    nxt = [rng.randint(0, 3) for _ in range(6)]
    carried = [rng.randint(0, t + n) for t, n in zip(total, nxt, strict=True)]
    t2["四、结转下年度继续办理"] = nxt
    t2["二、上年结转政府信息公开申请数量"] = carried
    t2["一、本年新收政府信息公开申请数量"] = [t + n - c for t, n, c in zip(total, nxt, carried, strict=True)]
    printed: dict[str, list[int | None]] = {r: [*t2[r], sum(t2[r])] for r in rows}
    truth: dict[str, list[Truth]] = {r: [Truth(v) for v in printed[r]] for r in rows}
    if quirk == "other_shape":
        printed, truth = _other_shape(tpl, printed, truth, rng)
    if quirk == "blank":
        _blank(rep, printed, truth, leaves, rng)
    if quirk == "ragged":
        for r, how in zip(rng.sample([r for r in leaves if r in printed], 2), ("extra", "missing"), strict=True):
            rep.ragged[r] = (how, 3, "99") if how == "extra" else (how, 2, "")
            for t in truth[r]:
                t.may_null = True
    rep.t2, rep.t2_truth = printed, truth
    for _ in range(3):
        g = [rng.choice((0, 0, 1, rng.randint(0, 20))) for _ in range(4)]
        rep.t3 += [*g, sum(g)]
    if quirk == "blank" and random.Random(case.name + "t3").random() < 0.5:
        rep.t3 = [None] * 15  # no 复议/诉讼 at all: the value row printed entirely blank
    elif quirk == "blank" and rep.t3[0] == 0:
        rep.t3[0] = None  # the 复议/诉讼 row's first cell printed blank for 0
    if case.ser == "dump":
        rep.wrap = random.Random(case.name + "wrap").choice((0, 2, 3, 4))
    return rep


def _other_shape(tpl: str, printed: dict, truth: dict, rng: random.Random) -> tuple[dict, dict]:
    """2021: (六) printed as one row (its sub-rows NULL); 2019: (六) split in three (the row NULL)."""
    out_p: dict[str, list[int | None]] = {}
    out_t: dict[str, list[Truth]] = {}
    subs = [r for r in template("2021").tables[T2].rows if r.startswith(SIX + "/")]
    for r, vals in printed.items():
        if tpl == "2021" and r.startswith(SIX + "/"):
            if r == subs[0]:
                out_p[SIX] = [sum(printed[s][j] for s in subs) for j in range(7)]
                out_t[SIX] = [Truth(v) for v in out_p[SIX]]
            out_t[r] = [Truth(None) for _ in range(7)]
            continue
        if tpl == "2019" and r == SIX:
            parts = [[0] * 6 for _ in subs]
            for j in range(6):
                for _ in range(vals[j]):
                    parts[rng.randrange(3)][j] += 1
            for s, p in zip(subs, parts, strict=True):
                out_p[s] = [*p, sum(p)]
                out_t[s] = [Truth(v) for v in out_p[s]]
            out_t[r] = [Truth(None) for _ in range(7)]
            continue
        out_p[r], out_t[r] = vals, truth[r]
    return out_p, out_t


NORMS = ("第二十条第(一)项/规范性文件", "第二十条第(一)项/行政规范性文件")  # 2019, 2021
PROCUREMENT = "第二十条第(九)项/政府集中采购"  # 2019 only (the 2021 form removed 第(九)项)


def _other_shape_t1(rep: Report, rng: random.Random) -> None:
    """Table 1 in the other template's shape: each prints the other's name of the 规范性文件 row; a 2021
    report keeps the 2019 第(九)项 (stored under its 2019 key), a 2019 report leaves it out (NULL)."""
    mine, theirs = (NORMS[1], NORMS[0]) if rep.tpl == "2021" else NORMS
    rep.t1_labels[mine] = theirs.split("/")[1]
    if rep.tpl == "2021":
        n, amount = rng.randint(0, 80), float(Decimal(rng.randint(0, 10**7)) / 100)
        rep.t1[PROCUREMENT] = [str(n), f"{amount:.2f}"]
        rep.t1_truth[PROCUREMENT] = [Truth(n), Truth(amount, "万元")]
        rep.amount_header = "采购总金额（单位：万元）"
    else:
        del rep.t1[PROCUREMENT]
        rep.t1_truth[PROCUREMENT] = [Truth(None), Truth(None)]


def t1_cols(rep: Report, row: str) -> tuple[str, ...]:
    """A table-1 row's columns, from whichever template has the row."""
    own = template(rep.tpl).tables[T1].row_cols
    return own[row] if row in own else template(other(rep.tpl)).tables[T1].row_cols[row]


def _blank(rep: Report, printed: dict, truth: dict, leaves: list[str], rng: random.Random) -> None:
    """An all-blank row (its values were 0), blank cells for 0, an unfilled 总计 cell; a blank table-1 cell."""
    zero = [r for r in leaves if r in printed and not any(printed[r][:6])]
    pick = rng.choice(zero) if zero else None
    if pick:
        printed[pick] = [None] * 7
        truth[pick] = [Truth(None) for _ in range(7)]
        rep.blank_rows.add(pick)
    some = [r for r in leaves if r in printed and r != pick and any(v == 0 for v in printed[r][:6]) and printed[r][6]]
    for r in rng.sample(some, min(2, len(some))):
        j = next(j for j in range(6) if printed[r][j] == 0)
        printed[r][j] = None
        truth[r][j] = Truth(None, may_null=False)
    r = rng.choice([r for r in leaves if r in printed and r != pick])
    printed[r][6] = None  # 总计 left unfilled: NULL is right; in a grid the row may be refused (a
    truth[r][6] = Truth(None)  # blank 总计 after filled cells is also what a row that lost a cell looks like)
    if None not in printed[r][:6]:
        for t in truth[r][:6]:
            t.may_null = True
    r1 = rng.choice(list(rep.t1))
    rep.t1[r1][0] = ""
    rep.t1_truth[r1][0] = Truth(None)


# --- grids ---------------------------------------------------------------------------------------

@dataclass
class C:  # one printed grid cell
    text: str
    rs: int = 1
    cs: int = 1


Grid = list[list[C]]


def _fw(s: str) -> str:
    return s.replace("(", "（").replace(")", "）").replace(":", "：").replace(",", "，")


def _t1_grids(rep: Report, case: Case) -> list[tuple[str | None, Grid]]:
    """One grid per 第二十条 sub-table (the split serialisation prints them apart)."""
    groups: dict[str, list[str]] = {}
    for r in rep.t1:
        groups.setdefault(r.split("/")[0], []).append(r)
    out: list[tuple[str | None, Grid]] = []
    for head, rows in groups.items():
        g: Grid = [[C(_fw(head), cs=4)]]
        cols = list(t1_cols(rep, rows[0]))
        order = list(range(len(cols)))
        if case.quirk == "column_order" and len(cols) == 3:
            order = [1, 0, 2]
        shown = []
        for c in cols:
            if c == FEE:
                shown.append(f"本年收费金额（单位：{rep.fee_header_unit}）")
            elif c == "采购总金额":
                shown.append(rep.amount_header)
            else:
                shown.append(_fw(c))
        if len(cols) == 1:
            g.append([C("信息内容"), C(shown[0], cs=3)])
        else:
            g.append([C("信息内容"), *(C(shown[i]) for i in order), *([C("")] if len(cols) == 2 else [])])
        for r in rows:
            vals = rep.t1[r]
            label = rep.t1_labels.get(r, r.split("/")[1])
            if len(vals) == 1:
                g.append([C(label), C(vals[0], cs=3)])
            else:
                g.append([C(label), *(C(vals[i]) for i in order), *([C("")] if len(vals) == 2 else [])])
        out.append((head, g))
    return out


def _orders(case: Case) -> tuple[list[str], list[int], list[int]]:
    """column_order: table 2's top-level columns and its five 法人或其他组织 leaves in a random order (not
    the official one), table 3's leaves in a random order shared by its three groups."""
    tops, leaves, t3 = ["自然人", "法人或其他组织", "总计"], list(range(5)), list(range(5))
    if case.quirk == "column_order":
        rng = random.Random(case.name + "order")
        while tops == ["自然人", "法人或其他组织", "总计"] and leaves == list(range(5)):
            rng.shuffle(tops), rng.shuffle(leaves)
        rng.shuffle(t3)
    return tops, leaves, t3


def _t2_cols(case: Case) -> list[int]:
    """Printed column order of table 2 (indexes into the template's 7 columns)."""
    tops, leaves, _ = _orders(case)
    return [i for t in tops for i in ([0] if t == "自然人" else [6] if t == "总计" else [1 + j for j in leaves])]


def _t2_header(case: Case, variant: int) -> Grid:
    leaves = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    order = _t2_cols(case)
    tops, perm, _ = _orders(case)
    if variant == 1:  # flat: one header row, no 法人或其他组织 parent
        names = ["自然人", *leaves, "总计"]
        return [[C(note, cs=3), *(C(names[i]) for i in order)]]
    top = [C(t, cs=5) if t == "法人或其他组织" else C(t, rs=2) for t in tops]
    low = [C(leaves[j]) for j in perm]
    if variant == 2:  # no 申请人情况 row
        return [[C(note, rs=2, cs=3), *top], low]
    return [[C(note, rs=3, cs=3), C("申请人情况", cs=7)], top, low]


def _t2_grids(rep: Report, case: Case, variant: int, repeat: bool = True) -> list[tuple[str | None, Grid]]:
    rows = list(rep.t2)
    three = [r for r in rows if r.startswith("三、")]
    parts_at = [rows]
    if case.quirk == "page_split":  # split inside 三、本年度办理结果, header repeated
        cut = rows.index(three[len(three) // 2])
        parts_at = [rows[:cut], rows[cut:]]
    order = _t2_cols(case)
    hv = 1 if variant == 1 else 2 if variant == 2 else 0
    three_label = "三\n、\n本\n年\n度\n办\n理\n结\n果" if variant == 3 else "三、本年度办理结果"
    grids: list[tuple[str | None, Grid]] = []
    for i, part in enumerate(parts_at):
        g: Grid = _t2_header(case, hv) if i == 0 or repeat else []
        mine = [r for r in part if r.startswith("三、")]
        seen: set[str] = set()
        for r in part:
            texts = ["" if v is None else str(v) for v in rep.t2[r]]
            texts = [texts[j] for j in order]
            how, at, extra = rep.ragged.get(r, ("", 0, ""))
            if how == "extra":
                texts.insert(at, extra)
            elif how == "missing":
                del texts[at]
                if rep.squared:
                    texts.append("")
            cells = [C(t) for t in texts]
            bits = r.split("/")
            label = _fw(bits[-1])
            if len(bits) == 1:
                g.append([C(label, cs=3), *cells])
                continue
            row: list[C] = []
            if r == mine[0]:
                row.append(C(three_label, rs=len(mine)))
            if len(bits) == 3:
                if bits[1] not in seen:
                    seen.add(bits[1])
                    n = sum(1 for x in mine if len(x.split("/")) == 3 and x.split("/")[1] == bits[1])
                    row.append(C(_fw(bits[1]), rs=n))
                row.append(C(label))
            else:
                row.append(C(label, cs=2))
            g.append(row + cells)
        grids.append((None, g))
    return grids


def _t3_grid(rep: Report, case: Case, variant: int) -> Grid:
    leaves = list(T3_LEAVES)
    if variant == 1:  # flat: group names folded into each leaf label
        names = [f"{g.split('/')[-1]}{x}" for g in T3_GROUPS for x in leaves]
        return [[C(n) for n in names], [C(_s(v)) for v in rep.t3]]
    if case.quirk == "column_order":  # 行政诉讼's two groups printed before 行政复议, leaves reordered
        _, _, perm = _orders(case)
        shown = [leaves[j] for j in perm]
        return [
            [C("行政诉讼", cs=10), C("行政复议", cs=5)],
            [C("未经复议直接起诉", cs=5), C("复议后起诉", cs=5), *(C(x, rs=2) for x in shown)],
            [C(x) for x in shown * 2],
            [C(_s(rep.t3[g * 5 + j])) for g in (1, 2, 0) for j in perm],
        ]
    return [
        [C("行政复议", cs=5), C("行政诉讼", cs=10)],
        [*(C(x, rs=2) for x in leaves), C("未经复议直接起诉", cs=5), C("复议后起诉", cs=5)],
        [C(x) for x in leaves * 2],
        [C(_s(v)) for v in rep.t3],
    ]


def _s(v: int | None) -> str:
    return "" if v is None else str(v)


def sections(rep: Report, case: Case) -> list[tuple[str, list[tuple[str | None, Grid]]]]:
    rng = random.Random(case.name + "layout")
    variant = (rng.randrange(4) if case.layout is None else case.layout) if case.quirk == "merged_header" else 0
    repeat = case.quirk != "page_split" or (rng.randrange(2) if case.layout is None else case.layout) == 0
    return [(HEADINGS[T1], _t1_grids(rep, case)), (HEADINGS[T2], _t2_grids(rep, case, variant, repeat)),
            (HEADINGS[T3], [(None, _t3_grid(rep, case, 1 if variant == 1 else 0))])]


# --- prose ---------------------------------------------------------------------------------------

def prose(rep: Report) -> tuple[list[str], list[str]]:
    y = rep.fields["year"]
    pre = [rep.title, f"本报告根据《中华人民共和国政府信息公开条例》要求编制。报告中所列数据统计期限自{y}年1月1日"
           f"起至{y}年12月31日止。{rep.contact_text}", "一、总体情况",
           f"{y}年，{rep.fields['agency']}认真贯彻落实政务公开工作要求，主动公开政府信息，依法办理政府信息公开申请。"]
    d = str(rep.fields["published_at"])
    post = ["五、存在的主要问题及改进情况", "一是公开内容的深度有待提升。二是解读形式还不够丰富。",
            "六、其他需要报告的事项", "本年度未收取信息处理费。", str(rep.fields["agency"]),
            f"{d[:4]}年{int(d[5:7])}月{int(d[8:10])}日"]
    return pre, post


# --- renderers -----------------------------------------------------------------------------------

def td(cell: C, inner: str) -> str:
    """A <td> with the cell's spans (tests/test_tables_property.py renders with it too)."""
    span = (f' rowspan="{cell.rs}"' if cell.rs > 1 else "") + (f' colspan="{cell.cs}"' if cell.cs > 1 else "")
    return f"<td{span}>{inner}</td>"


def _esc(text: str) -> str:
    return htmllib.escape(text).replace("\n", "<br>")


def render_html(rep: Report, case: Case, *, split: bool = False, word: bool = False) -> str:
    pre, post = prose(rep)
    head = (f"<html><head><meta charset=\"utf-8\"><title>{rep.title}</title></head><body>"
            f"<h1>{rep.title}</h1><p>发布时间：{rep.fields['published_at']}</p>")
    parts = [f"<p>{_esc(x)}</p>" for x in pre[1:]]
    for heading, grids in sections(rep, case):
        parts.append(f"<p><b>{heading}</b></p>")
        if not split:  # one table per section: sub-grids stacked
            grids = [(None, [row for _, g in grids for row in g])]
        for i, (_, g) in enumerate(grids):
            if i and case.quirk == "page_split" and heading == HEADINGS[T2]:
                parts.append("<p>- 3 -</p><p style=\"page-break-before: always\"></p>")
            parts.append("<table border=\"1\" cellspacing=\"0\">")
            for row in g:
                cells = "".join(td(c, word_html(c.text) if word else _esc(c.text)) for c in row)
                parts.append(f"<tr>{cells}</tr>")
            parts.append("</table>")
    parts += [f"<p>{_esc(x)}</p>" for x in post]
    body = "\n".join(parts)
    if word:
        body = f"<div class=WordSection1><table width=\"100%\"><tr><td>{body}</td></tr></table></div>"
    return head + body + "</body></html>"


def word_html(text: str) -> str:
    """Cell text as Word's HTML export prints it: MsoNormal paragraphs, the text split in two spans."""
    if not text:
        return "<p class=MsoNormal><span lang=EN-US>&nbsp;<o:p></o:p></span></p>"
    mid = max(1, len(text) // 2)
    return (f"<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US "
            f"style='font-size:10.5pt;font-family:仿宋_GB2312'>{_esc(text[:mid])}</span>"
            f"<span style='font-size:10.5pt'>{_esc(text[mid:])}<o:p></o:p></span></p>")


def expand(grid: Grid) -> list[list[str | None]]:
    """Full-width rows; positions covered by a span are None (the cell itself sits at its origin)."""
    taken: set[tuple[int, int]] = set()
    out: list[list[str | None]] = []
    for r, row in enumerate(grid):
        line: dict[int, str | None] = {}
        c = 0
        for cell in row:
            while (r, c) in taken:
                line[c] = None
                c += 1
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    taken.add((r + dr, c + dc))
            line[c] = cell.text
            for dc in range(1, cell.cs):
                line[c + dc] = None
            c += cell.cs
        while (r, c) in taken:
            line[c] = None
            c += 1
        out.append([line.get(i) for i in range(max(line) + 1)] if line else [])
    return out


def render_text(rep: Report, case: Case, style: str) -> str:
    pre, post = prose(rep)
    out = list(pre)
    for heading, grids in sections(rep, case):
        out.append(heading)
        for i, (_, g) in enumerate(grids):
            if i and case.quirk == "page_split" and heading == HEADINGS[T2]:
                out.append("- 3 -")
            if style == "pipe":
                out += [" | ".join(c.text.replace("\n", "") for c in row) + " |" for row in g]
            elif style == "tab":
                out += ["\t".join((t or "").replace("\n", "") for t in row) for row in expand(g)]
            elif style == "layout":  # fixed-width, as `pdftotext -layout` prints: blanks are spaces
                out += render_layout(g)
            else:  # dump: words separated by spaces; blank cells vanish; narrow header cells may wrap
                for row in g:
                    texts = [c.text.replace("\n", "") for c in row if c.text]
                    if rep.wrap and heading != HEADINGS[T1] and texts and all(t in HEADER_WORDS for t in texts):
                        out += wrap_row(texts, rep.wrap)
                    else:
                        out.append("  ".join(texts).strip())
    return "\n".join(out + post) + "\n"


def source(rep: Report, case: Case) -> str:
    """The document's text: HTML for the HTML kinds (docx/pdf are converted from it), else the text."""
    if case.ser in ("html", "word", "split", *SLOW, *BROWSER):
        return render_html(rep, case, split=case.ser == "split", word=case.ser == "word")
    return render_text(rep, case, case.ser)


WRAPS = frozenset({"自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
                   *T3_LEAVES, "行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"})
HEADER_WORDS = WRAPS | {"申请人情况", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"}


def wrap_row(texts: list[str], width: int) -> list[str]:
    """One header row as a whitespace dump prints it when its narrow cells wrap every `width`
    characters: line k holds the k-th piece of every label long enough, left to right (top-aligned)."""
    chunks = [[t[i:i + width] for i in range(0, len(t), width)] if t in WRAPS else [t] for t in texts]
    return ["  ".join(c[k] for c in chunks if len(c) > k) for k in range(max(map(len, chunks)))]


def _dw(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render_layout(g: Grid) -> list[str]:
    """A grid as fixed-width text: every grid column as wide as its widest cell plus a gap, every cell
    centred over the columns it spans, on the first of the rows it spans; blank cells are spaces."""
    placed: list[tuple[int, int, C]] = []  # (row, first column, cell)
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(g):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            taken |= {(r + dr, c + dc) for dr in range(cell.rs) for dc in range(cell.cs)}
            c += cell.cs
    ncols = max(c + cell.cs for _, c, cell in placed)
    width = [3] * ncols
    for _, c, cell in sorted(placed, key=lambda x: x[2].cs):
        need = _dw(cell.text.replace("\n", "")) + 3
        have = sum(width[c:c + cell.cs])
        if need > have:
            width[c + cell.cs - 1] += need - have
    lines = []
    for r in range(len(g)):
        out, pos = "", 0
        for _, c, cell in sorted(x for x in placed if x[0] == r):
            text = cell.text.replace("\n", "")
            if not text:
                continue
            x = sum(width[:c]) + (sum(width[c:c + cell.cs]) - _dw(text)) // 2
            if out:
                x = max(x, pos + 2)
            out += " " * (x - pos) + text
            pos = x + _dw(text)
        lines.append(out.rstrip())
    return lines


def render(case: Case) -> Doc:
    """The fast serialisations; docx/pdf come from `render_many` (one LibreOffice run for many)."""
    rep = make_report(case)
    src = source(rep, case)
    if case.ser in ("html", "word", "split", *SLOW, *BROWSER):
        return Doc(case, "html", src.encode("utf-8"), rep.title, truth_cells(rep, case), rep.fields, src)
    return Doc(case, "txt", src.encode("utf-8"), rep.title, truth_cells(rep, case), rep.fields)


# --- proof of ambiguity ----------------------------------------------------------------------------

def _moved_blanks(vals: list, blank: object) -> list[list]:
    """Every other placement of the row's blanks that keeps its printed values in order."""
    n, k = len(vals), sum(1 for v in vals if v == blank)
    if not k or k > 3 or k == n:
        return []
    filled = [v for v in vals if v != blank]
    out = []
    for at in combinations(range(n), k):
        it = iter(filled)
        alt = [blank if i in at else next(it) for i in range(n)]
        if alt != vals:
            out.append(alt)
    return out


def _alternatives(rep: Report, case: Case) -> Iterator[Report]:
    """Other reports (other truths) that could have printed this one's tables: a blank cell moved
    along its row (its printed values kept in order), a ragged row's extra or lost cell at another
    place. Each is only a candidate: `ambiguous_cells` keeps those whose document is byte-identical."""
    for r, raws in rep.t1.items():
        pairs = list(zip(raws, rep.t1_truth[r], strict=True))
        for alt in _moved_blanks(raws, ""):
            it = iter(p for p in pairs if p[0] != "")
            new = [("", Truth(None)) if a == "" else next(it) for a in alt]
            other_rep = copy.deepcopy(rep)
            other_rep.t1[r], other_rep.t1_truth[r] = [a for a, _ in new], [copy.copy(t) for _, t in new]
            yield other_rep
    for r, vals in rep.t2.items():
        if r in rep.ragged:
            how, at, extra = rep.ragged[r]
            texts = ["" if v is None else str(v) for v in vals]
            if how == "extra":
                texts.insert(at, extra)
                options = [(texts[:p] + texts[p + 1:], ("extra", p, texts[p])) for p in range(len(texts))]
            else:
                del texts[at]
                bump = [(v or 0) + 1000 for v in vals]  # any other value: it is not printed
                options = [([*texts[:p], str(bump[p]), *texts[p:]], ("missing", p, "")) for p in range(len(vals))]
            for row, spec in options:
                if spec == rep.ragged[r] and how == "extra":  # the same reading (a lost cell's value is not
                    continue  # printed: at its own place, any other value is another report)
                other_rep = copy.deepcopy(rep)
                new = [None if t == "" else int(t) for t in row]
                other_rep.t2[r], other_rep.t2_truth[r] = new, [Truth(v) for v in new]
                other_rep.ragged[r] = spec
                yield other_rep
            continue
        if r in rep.blank_rows:
            continue
        if vals[-1] is None:  # or a row that lost a cell, in a squared grid
            for p in range(len(vals)):
                new = [*vals[:p], (vals[p] or 0) + 1000, *vals[p:-1]]
                other_rep = copy.deepcopy(rep)
                other_rep.t2[r], other_rep.t2_truth[r] = new, [Truth(v) for v in new]
                other_rep.ragged[r] = ("missing", p, "")
                yield other_rep
        for alt in _moved_blanks(vals, None):
            other_rep = copy.deepcopy(rep)
            other_rep.t2[r], other_rep.t2_truth[r] = alt, [Truth(v) for v in alt]
            yield other_rep
    for alt in _moved_blanks(rep.t3, None):
        other_rep = copy.deepcopy(rep)
        other_rep.t3 = alt
        yield other_rep


def squared_twins(case: Case) -> list[str]:
    """docx/pdf/chromium: the sources of other reports that differ from this one's only where a converter
    squaring the grid makes them alike (a row that lost a cell, printed with an empty cell added at the
    end; a browser draws the lost cell's place with its neighbours' rules). Only candidates: `printed_form`
    of their real conversions must equal the case's own."""
    if case.ser not in (*SLOW, *BROWSER):
        return []
    rep = make_report(case)
    mine = source(rep, case)
    out: list[str] = []
    for alt in _alternatives(rep, case):
        src = source(alt, case)
        if src != mine and src not in out:
            alt.squared = True
            if source(alt, case) == mine:
                out.append(src)
    return out


def _ink(boxes: list[tuple[float, float, float, float]]) -> tuple:
    """Rules as the ink they put on paper: collinear pieces that touch or overlap joined into one (a rule
    drawn as 628–647 + 647–667 or as 628–646.5 + 646.5–667 prints the same line)."""
    for axis in (1, 0):  # join along y (same x0, x1), then along x (same top, bottom)
        fixed = (0, 2) if axis == 1 else (1, 3)
        lo, hi = (1, 3) if axis == 1 else (0, 2)
        groups: dict[tuple, list[tuple[float, float]]] = {}
        for b in boxes:
            groups.setdefault((b[fixed[0]], b[fixed[1]]), []).append((b[lo], b[hi]))
        out = []
        for key, spans in groups.items():
            spans.sort()
            merged = [list(spans[0])]
            for a, z in spans[1:]:
                if a <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], z)
                else:
                    merged.append([a, z])
            for a, z in merged:
                box = [0.0] * 4
                box[fixed[0]], box[fixed[1]], box[lo], box[hi] = key[0], key[1], a, z
                out.append(tuple(box))
        boxes = out
    return tuple(sorted(boxes))


def printed_form(data: bytes, kind: str) -> object:
    """What a converted document prints, for telling two apart: a PDF's glyphs (text, position) and rules
    per page; a DOCX's body XML, with the vertical alignment of text-less cells left out (it prints
    nothing: LibreOffice centres a cell of the source but not one it added to square the grid)."""
    import io
    import re
    import zipfile

    if kind in ("pdf", "chromium"):
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return [(tuple((c["text"], round(c["x0"], 2), round(c["top"], 2)) for c in p.chars),
                     _ink([(round(o["x0"], 2), round(o["top"], 2), round(o["x1"], 2), round(o["bottom"], 2))
                           for o in p.rects + p.lines + p.curves]))
                    for p in pdf.pages]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    return re.sub(r"<w:tc>(?:(?!</w:tc>|<w:t[ >]).)*</w:tc>",
                  lambda m: re.sub(r"<w:vAlign [^>]*/>", "", m.group()), xml, flags=re.S)


def ambiguous_cells(case: Case, twins: frozenset[str] = frozenset()) -> set[tuple[str, str, str]]:
    """Cells the serialisation provably cannot carry: another report with a different value in the
    cell prints a byte-identical document (for docx/pdf: the identical HTML they are converted from,
    or `twins`: sources whose conversion prints the same as this case's, see `squared_twins`)."""
    rep = make_report(case)
    mine, truth = source(rep, case), truth_cells(rep, case)
    out: set[tuple[str, str, str]] = set()
    for alt in _alternatives(rep, case):
        src = source(alt, case)
        if src != mine and src not in twins:
            continue
        for key, t in truth_cells(alt, case).items():
            if key in truth and t.value != truth[key].value:
                out.add(key)
    return out


CHROMIUM = "/usr/bin/chromium"


def chromium_path() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


PRINT_STYLE = ("<style>@page { size: A4; margin: 25mm 20mm; } body { font-family: serif; font-size: 16pt; "
               "line-height: 1.5; } table { border-collapse: collapse; width: 100%; } "
               "td { border: 1px solid #000; padding: 2px 4px; text-align: center; }</style>")


def chromium_variant(case: Case) -> int:
    """0: printed as served (header/footer, doubled rules); 1: a portal's print style (see the module doc)."""
    return case.seed % 2 if case.layout is None else case.layout


def chromium_pdf(html: str, workdir: Path, variant: int = 0, timeout: float = 120) -> bytes:
    """`html` printed to PDF by headless Chromium (a file:// page, no network); variant 0 with the default
    header and footer a browser prints, 1 with PRINT_STYLE and none; b"" when Chromium fails."""
    chromium = chromium_path()
    if not chromium:
        raise RuntimeError("Chromium (/usr/bin/chromium) is needed for the chromium serialisation")
    workdir.mkdir(parents=True, exist_ok=True)
    src, out = workdir / "report.html", workdir / "report.pdf"
    src.write_text(html.replace("</head>", PRINT_STYLE + "</head>", 1) if variant else html, encoding="utf-8")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    *(["--no-pdf-header-footer"] if variant else []),
                    f"--user-data-dir={workdir}/profile", f"--print-to-pdf={out}", src.as_uri()],
                   check=False, capture_output=True, timeout=timeout)
    return out.read_bytes() if out.exists() else b""


def render_many(cases: list[Case], workdir: Path | None = None, timeout: float = 600, jobs: int = 2) -> list[Doc]:
    """Render cases; docx/pdf ones go through one `soffice --convert-to` run per kind, chromium ones through
    one headless Chromium each (`jobs` at a time)."""
    docs = [render(c) for c in cases]
    browser = [d for d in docs if d.case.ser == "chromium"]
    if browser:
        from concurrent.futures import ThreadPoolExecutor

        with tempfile.TemporaryDirectory(dir=workdir) as tmp, ThreadPoolExecutor(jobs) as pool:
            pdfs = pool.map(lambda i: chromium_pdf(browser[i].html, Path(tmp) / str(i), chromium_variant(browser[i].case)),
                            range(len(browser)))
            for d, pdf in zip(browser, pdfs, strict=True):
                d.kind, d.data = "pdf", pdf
    slow = [d for d in docs if d.case.ser in SLOW]
    if not slow:
        return docs
    for kind in SLOW:
        batch = [d for d in slow if d.case.ser == kind]
        for d, data in zip(batch, convert([d.html for d in batch], kind, workdir, timeout), strict=True):
            d.kind, d.data = kind, data
    return docs


def convert(htmls: list[str], kind: str, workdir: Path | None = None, timeout: float = 600) -> list[bytes]:
    """HTML documents → docx or pdf bytes (b"" where LibreOffice failed), one `soffice` run for all."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise RuntimeError("LibreOffice (soffice) is needed for the docx/pdf serialisations")
    if not htmls:
        return []
    target = {"docx": "docx:MS Word 2007 XML", "pdf": "pdf:writer_web_pdf_Export"}[kind]
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        root = Path(tmp)
        src = root / kind
        src.mkdir()
        for i, h in enumerate(htmls):
            (src / f"{i}.html").write_text(h, encoding="utf-8")
        subprocess.run([soffice, f"-env:UserInstallation=file://{root}/profile", "--headless",
                        "--convert-to", target, "--outdir", str(root / f"{kind}-out"),
                        *sorted(str(p) for p in src.glob("*.html"))],
                       check=False, capture_output=True, timeout=timeout)
        outs = [root / f"{kind}-out" / f"{i}.{kind}" for i in range(len(htmls))]
        return [o.read_bytes() if o.exists() else b"" for o in outs]


# --- truth ---------------------------------------------------------------------------------------

def truth_cells(rep: Report, case: Case) -> dict[tuple[str, str, str], Truth]:
    spec = template(rep.tpl)
    out: dict[tuple[str, str, str], Truth] = {}
    for r, truths in rep.t1_truth.items():
        for c, t in zip(t1_cols(rep, r), truths, strict=True):
            out[(T1, r, c)] = t
    cols = spec.tables[T2].cols
    lossy_blanks = case.ser == "dump"  # blanks vanish
    for r, truths in rep.t2_truth.items():
        printed = rep.t2.get(r)
        row_has_blank = printed is not None and any(v is None for v in printed) and r not in rep.blank_rows
        for c, t in zip(cols, truths, strict=True):
            t = Truth(t.value, t.unit, t.may_null or (lossy_blanks and row_has_blank))
            out[(T2, r, c)] = t
    t3_lossy = rep.t3[0] is None and case.ser == "dump"  # a leading blank: no column
    for c, v in zip(spec.tables[T3].cols, rep.t3, strict=True):
        out[(T3, "", c)] = Truth(v, may_null=t3_lossy)
    # a blank table-1 cell cannot be placed in a dump; in fixed-width text only once a full row before
    # it has shown the alignment (the first rows of the first sub-table have none before them)
    if lossy_blanks or case.ser == "layout":
        for r, raws in rep.t1.items():
            if "" in raws:
                for c in t1_cols(rep, r):
                    out[(T1, r, c)].may_null = True
    return out


def cases(sers: tuple[str, ...] = SERIALISATIONS, seeds: int = 1) -> list[Case]:
    return [Case(t, s, q, n) for t in TEMPLATES for s in sers for q in QUIRKS for n in range(seeds)]


def sample(k: int, seed: int = 0, sers: tuple[str, ...] = FAST) -> list[Case]:
    """A representative sample: every quirk and every serialisation at least once."""
    rng = random.Random(seed)
    out = [Case(rng.choice(TEMPLATES), rng.choice(sers), q, seed) for q in QUIRKS]
    out += [Case(rng.choice(TEMPLATES), s, rng.choice(QUIRKS), seed) for s in sers]
    while len(out) < k:
        out.append(Case(rng.choice(TEMPLATES), rng.choice(sers), rng.choice(QUIRKS), rng.randrange(1000)))
    return out


__all__ = ["BROWSER", "PDF_KINDS", "QUIRKS", "SERIALISATIONS", "TEMPLATES", "Case", "Doc", "Truth", "ambiguous_cells",
           "cases", "chromium_path", "convert", "make_report", "other", "printed_form", "render", "render_many", "sample",
           "squared_twins"]

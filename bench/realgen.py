"""Realistic generated county portals for the data-path benchmark (bench/realistic.py).

Each portal lives on its own loopback address 127.0.1.k (so Scrapy sees N hosts) and has pages of
60–120 KB with ~300 links, most of them off-host: a mega-menu, 友情链接 to other portals and to
127.0.2.x addresses (out of every portal's scope: never followed), department links. About a quarter
of the pages are annual reports built from the bundled seeds (crawler/demo/seeds, crawler/demo/tables)
in clean, Word-export, split-table and plain-text styles, each with its own agency and numbers so
that dedup does not fold them; some link a PDF or DOCX attachment. The 年报 column is a TRS list
(createPageHTML), a Hanweb datastore or a plain list; every fourth portal is GBK.

Deterministic for a given seed. Nothing here names a host outside 127.0.0.0/8.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from crawler.demo.seeds import SEEDS, Seed
from crawler.demo.tables import layout, render_table

ROOT = Path(__file__).resolve().parents[1]
ATTACHMENTS = [ROOT / "tests" / "fixtures" / "real" / "szfgs2024.pdf", ROOT / "tests" / "fixtures" / "docs" / "report.docx"]
PORT = 8090
COUNTIES = ["安平", "博野", "长乐", "丹凤", "峨眉", "凤台", "固始", "海城", "建德", "开阳", "兰溪", "孟津", "宁陵", "平遥",
            "清河", "瑞昌", "石泉", "太和", "文水", "武功", "新安", "阳新", "永寿", "彰武", "宜君", "正阳", "柘城", "舒城"]
DEPTS = ["发展和改革局", "教育局", "科学技术局", "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局",
         "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化广电和旅游局",
         "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "城市管理局"]
COLUMNS = ["政务要闻", "部门动态", "乡镇动态", "通知公告", "政策文件", "政府信息公开年报"]
NEWS = ("为深入贯彻落实党中央、国务院决策部署，进一步优化营商环境，我县召开专题会议，研究部署下一阶段重点工作。"
        "会议强调，各乡镇、各部门要提高政治站位，压实工作责任，确保各项任务落到实处。")
STYLES = ("plain", "word", "split", "text")


def host(k: int) -> str:
    return f"127.0.1.{k}"


@dataclass
class Site:
    k: int
    name: str
    gbk: bool
    list_kind: str  # "trs" | "hanweb" | "plain"
    files: dict[str, bytes] = field(default_factory=dict)
    reports: int = 0
    pages: int = 0


class VariedSeed:
    """A seed with another agency and shifted numbers: one more distinct report of the same shape."""

    def __init__(self, seed: Seed, agency: str, shift: int) -> None:
        self.seed, self.agency, self.shift = seed, agency, shift
        self.template, self.expected = seed.template, seed.expected

    def raw(self, table: str, row: str, col: str) -> str | None:
        raw = self.seed.raw(table, row, col)
        if raw and re.fullmatch(r"\d+", raw):
            return str(int(raw) + self.shift)
        return raw

    def vary(self, line: str) -> str:
        return re.sub(r"(\d+)(件|条|次|人次|个)", lambda m: f"{int(m.group(1)) + self.shift}{m.group(2)}", line)


def _p(text: str, style: str, bold: bool = False) -> str:
    if style == "word":
        font = "黑体" if bold else "仿宋_GB2312"
        return (f'<p class=MsoNormal style="text-indent:32.0pt;line-height:28.0pt"><span style="font-size:16.0pt;'
                f'font-family:{font};mso-hansi-font-family:宋体">{escape(text)}</span></p>')
    return f'<p style="text-indent: 2em;">{f"<strong>{escape(text)}</strong>" if bold else escape(text)}</p>'


def _split(table: str) -> str:
    """A split-table export: the table cut into two <table> elements half-way through its rows."""
    rows = table.split("</tr>")
    if len(rows) < 6:
        return table
    half = len(rows) // 2
    head = "</tr>".join(rows[:half]) + "</tr>\n</tbody>\n</table>\n<p>&nbsp;</p>\n"
    opening = table[: table.index("<tbody>") + len("<tbody>")]
    return head + opening + "</tr>".join(rows[half:])


def report_body(seed: VariedSeed, title: str, style: str) -> str:
    sec = seed.seed.sections(drop_title=None)
    pstyle = "word" if style == "word" else "plain"
    out = [_p(seed.vary(ln), pstyle, bold=bool(re.match(r"^[一二三四五六]、", ln.strip())))
           for ln in sec.before if ln.strip()]
    out[0:0] = [_p(f"本报告由{seed.agency}根据《中华人民共和国政府信息公开条例》编制。", pstyle)]
    if style == "text":
        out += [_p(seed.vary(ln), pstyle) for ln in sec.tables_text if ln.strip()]
    else:
        used: set[tuple[str, str, str]] = set()
        tstyle = "word" if style == "word" else "plain"
        tables = [render_table(rows, seed, style=tstyle, label=lambda t: t, used=used)  # type: ignore[arg-type]
                  for rows in layout(seed.template)]
        for heading, table in zip((sec.heading1, sec.heading2, sec.heading3), tables, strict=True):
            out += [_p(heading, pstyle, bold=True), _split(table) if style == "split" else table]
    out += [_p(seed.vary(ln), pstyle) for ln in sec.after if ln.strip()]
    out.append(_p(seed.agency, pstyle))
    return "\n".join(out)


def _chrome(site: Site, rng: random.Random, n_portals: int, title: str, body: str, *, column: str = "") -> str:
    """A portal page: head with inline CSS/JS, a ~300-link mega-menu and footer, the body in the middle."""
    charset = "gb2312" if site.gbk else "utf-8"
    css = "".join(f".m{i}{{margin:{i % 7}px;padding:{i % 5}px;color:#{i * 9973 % 0xFFFFFF:06x}}}" for i in range(260))
    js = "var _hmt=_hmt||[];" + "".join(f"function f{i}(a){{return a*{i}+{i % 13};}}" for i in range(rng.randint(350, 1000)))
    nav = "".join(f'<li class="m{c}"><a href="/c{c}/index.html">{escape(n)}</a></li>' for c, n in enumerate(COLUMNS))
    depts = "".join(  # department sites: off-host, out of scope
        f'<li><a href="http://127.0.2.{1 + (site.k * 7 + i) % 250}:{PORT}/{i}/index.html" target="_blank" '
        f'title="{site.name}{escape(d)}">{escape(d)}</a></li>' for i, d in enumerate(DEPTS * 5))
    towns = "".join(f'<li><a href="http://127.0.2.{1 + (site.k + i) % 250}:{PORT}/town{i}/" target="_blank">第{i}镇</a></li>'
                    for i in range(40))
    friends = "".join(  # 友情链接: the other bench portals (off-host for this one) and outside addresses
        f'<li><a href="http://{host(1 + (site.k + i) % max(n_portals, 1))}:{PORT}/index.html" target="_blank">'
        f'{COUNTIES[(site.k + i) % len(COUNTIES)]}县人民政府</a></li>' for i in range(30))
    friends += "".join(f'<li><a href="http://127.0.2.{200 + i}:{PORT}/" target="_blank">国家部委网站{i}</a></li>'
                       for i in range(40))
    topics = "".join(f'<li><a href="http://127.0.2.{i + 1}:{PORT}/zt/{i}.html">专题{i}：优化营商环境专栏</a></li>'
                     for i in range(rng.randint(40, 70)))
    crumbs = f'<a href="/index.html">首页</a> &gt; <a href="#">{escape(column)}</a>' if column else ""
    return (
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>{escape(title)}_{escape(site.name)}</title><style>{css}</style><script>{js}</script></head><body>"
        f'<div class="top">无障碍浏览 长者专版 <a href="http://127.0.2.250:{PORT}/english/">English</a></div>'
        f'<div class="nav"><ul>{nav}</ul><ul class="dept">{depts}</ul><ul class="town">{towns}</ul></div>'
        f'<div class="crumb">当前位置：{crumbs}</div><div class="main">{body}</div>'
        f'<div class="zt"><ul>{topics}</ul></div><div class="links"><h3>友情链接</h3><ul>{friends}</ul></div>'
        f"<div class=\"footer\"><p>主办单位：{escape(site.name)}办公室 承办单位：县大数据中心</p>"
        "<p>豫ICP备05012345号-1 豫公网安备41032902000123号 网站标识码：4103290001</p></div></body></html>"
    )


def _meta(agency: str, date: str) -> str:
    return (f'<div class="info">来源：{escape(agency)}　　发布时间：{date} 09:30　　'
            '浏览次数：<span id="hits">--</span></div>')


def _list_html(site: Site, items: list[tuple[str, str, str]], page: int, pages: int, col: int) -> str:
    lis = [f'<li><a href="{h}" title="{escape(t)}" target="_blank">{escape(t[:28])}</a><span>{d}</span></li>'
           for t, h, d in items]
    if site.list_kind == "hanweb" and COLUMNS[col].endswith("年报"):
        records = "".join(f"<record><![CDATA[{li}]]></record>\n" for li in lis)
        return (f'<div id="{col}"><script type="text/xml"><datastore>\n<recordset>\n{records}</recordset>\n'
                "</datastore></script></div>")
    pager = ""
    if site.list_kind == "trs" and pages > 1:
        pager = f'<div class="page"><script>createPageHTML({pages}, {page}, "index", "html");</script></div>'
    elif page + 1 < pages:
        pager = f'<a href="index_{page + 1}.html">下一页</a>'
    return f'<ul class="list">{"".join(lis)}</ul>{pager}'


def build_site(k: int, n_portals: int, pages: int, rng: random.Random) -> Site:
    county = COUNTIES[(k - 1) % len(COUNTIES)] + ("" if k <= len(COUNTIES) else str(k))
    site = Site(k, f"{county}县人民政府", gbk=k % 4 == 0, list_kind=("trs", "hanweb", "plain")[k % 3])
    enc = "gbk" if site.gbk else "utf-8"
    seeds = sorted(SEEDS.values(), key=lambda s: s.stem)
    per_col = max(2, (pages - 1 - len(COLUMNS)) // len(COLUMNS))
    n_reports = max(1, round(pages * 0.25))
    lists: dict[int, list[tuple[str, str, str]]] = {c: [] for c in range(len(COLUMNS))}
    for i in range(n_reports):  # the 年报 column
        dept = DEPTS[(i + k) % len(DEPTS)]
        agency, year = f"{county}县{dept}", 2019 + i % 5
        title = f"{agency}{year}年政府信息公开工作年度报告"
        seed = VariedSeed(seeds[i % len(seeds)], agency, shift=k * 37 + i)
        style = STYLES[(i + k) % len(STYLES)]
        date = f"{year + 1}-01-{1 + i % 28:02d}"
        body = f"<h1>{escape(title)}</h1>{_meta(agency, date)}" + report_body(seed, title, style)
        if i % 5 == 2:  # an attachment copy of the report
            att = ATTACHMENTS[i % 2 == 0]
            name = f"/att/{year}/P{k:03d}{i:04d}{att.suffix}"
            site.files[name] = att.read_bytes()
            body += f'<p>附件：<a href="{name}">{escape(title)}{att.suffix}</a></p>'
        path = f"/c5/{year + 1}01/t{year + 1}01{i:02d}_{k}{i}.html"
        site.files[path] = _chrome(site, rng, n_portals, title, body, column=COLUMNS[5]).encode(enc, "xmlcharrefreplace")
        lists[5].append((title, path, date))
        site.reports += 1
    for c in range(len(COLUMNS) - 1):  # news columns
        for i in range(per_col - (n_reports // (len(COLUMNS) - 1))):
            title = f"{county}县{COLUMNS[c]}：关于做好第{i}项重点工作的通知"
            text = "".join(f"<p>{NEWS}</p>" for _ in range(rng.randint(2, 12)))
            path = f"/c{c}/2023{1 + i % 12:02d}/t2023_{c}_{i}.html"
            body = f"<h1>{escape(title)}</h1>{_meta(site.name + '办公室', f'2023-{1 + i % 12:02d}-01')}{text}"
            site.files[path] = _chrome(site, rng, n_portals, title, body, column=COLUMNS[c]).encode(enc, "xmlcharrefreplace")
            lists[c].append((title, path, "2023-01-01"))
    per_page = 20
    for c, items in lists.items():
        n = max(1, (len(items) + per_page - 1) // per_page)
        for p in range(n):
            body = f"<h2>{escape(COLUMNS[c])}</h2>" + _list_html(site, items[p * per_page:(p + 1) * per_page], p, n, c)
            name = f"/c{c}/index.html" if p == 0 else f"/c{c}/index_{p}.html"
            site.files[name] = _chrome(site, rng, n_portals, COLUMNS[c], body, column=COLUMNS[c]).encode(enc, "xmlcharrefreplace")
    home = "".join(f'<h3><a href="/c{c}/index.html">{escape(n)}</a></h3><ul>'
                   + "".join(f'<li><a href="{h}">{escape(t[:24])}</a></li>' for t, h, _ in lists[c][:8]) + "</ul>"
                   for c, n in enumerate(COLUMNS))
    site.files["/index.html"] = _chrome(site, rng, n_portals, "首页", home).encode(enc, "xmlcharrefreplace")
    site.files["/robots.txt"] = b"User-agent: *\nDisallow: /search/\n"
    site.pages = sum(1 for p in site.files if p.endswith(".html"))
    return site


def build(root: Path, portals: int, pages: int, seed: int = 1) -> list[Site]:
    """Write N portals under root/<k>/ and return them (files kept in memory too)."""
    rng = random.Random(seed)
    sites = [build_site(k, portals, pages, rng) for k in range(1, portals + 1)]
    for site in sites:
        for path, data in site.files.items():
            target = root / str(site.k) / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return sites

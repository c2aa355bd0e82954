"""Build the bundled offline demo: three portals of static files plus manifest.json.

    .venv/bin/python -m crawler.demo.build            # rewrites crawler/demo/site/ and manifest.json
    .venv/bin/python -m crawler.demo.build --out DIR  # elsewhere (the reproducibility test)

Deterministic: no clock, no randomness, sorted output. Reads only crawler/demo/seeds/.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import urljoin

from crawler.demo import chrome
from crawler.demo.chrome import Skin
from crawler.demo.reports import ReportSpec, article_body, meta_block
from crawler.demo.sites import REGION, SKINS
from crawler.demo.texts import BUDGET, BUDGET_TABLE, GOV_WORK_REPORT, GUIDE, NEWS, NOTICE, RULE_OF_LAW

HERE = Path(__file__).parent
SITE = HERE / "site"
MANIFEST = HERE / "manifest.json"

_ZHUJIE_004_LABELS = {"采购总金额": "采购总金额（单位：万元，保留4位小数）",
                      "2.其他法律行政法规禁止公开": "2.其他法律法规禁止公开",
                      "4.无正当理由大量反复申请": "4.无正当理由由大量反复申请"}

REPORTS = [
    ReportSpec("004", "county", "/zwgk/zfxxgk/xxgknb/202101/t20210129_2731.html",
               "伊川县城市管理局2020年政府信息公开工作年度报告", "伊川县城市管理局2020年政府信息公开工作年度报告",
               "伊川县城市管理局", "2021-01-29 16:12", "table", "word", index_no="11410329MB1C28417X/2021-00012",
               written="2021-01-27", labels=_ZHUJIE_004_LABELS),
    ReportSpec("000", "county", "/zwgk/zfxxgk/xxgknb/202101/t20210128_2726.html",
               "常熟市城市管理局2020年度政府信息公开工作报告", "常熟市城市管理局<br>2020年度政府信息公开工作报告",
               "常熟市城市管理局", "2021-01-28 09:30", "line", "plain", traditional=True,
               labels={"二、上年结转政府信息公开申请数量": "二、上年結收政府信息公開申請數量"}),
    ReportSpec("002", "city", "/art/2022/1/21/art_1006_35821.html",
               "双辽市政府办公室2021年度政府信息公开工作报告", "双辽市政府办公室2021年度政府信息公开工作报告",
               "双辽市政府办公室", "2022-01-21 10:05", "table", "plain", index_no="11220382013574862A/2022-00015",
               written="2022-01-20"),
    ReportSpec("003", "city", "/art/2021/1/25/art_1007_30517.html",
               "池州市贵池区自然资源和规划局2020年政府信息公开工作年度报告",
               "池州市贵池区自然资源和规划局<br>2020年政府信息公开工作年度报告",
               "池州市贵池区自然资源和规划局", "2021-01-25 10:18", "ul", "plain", traditional=True,
               index_no="11341702486344515H/202101-00013",
               labels={"本年增/减": "本年增減", "5.要求行政机关确认或重新出具已获取信息": "5.要求行政機關確認或重新出具已取信息"}),
    ReportSpec("001", "town", "/html/2021/nb_0216/112.html",
               "曲靖市麒麟区珠街街道2020年政府信息公开工作年度报告",
               "曲靖市麒麟区珠街街道2020年政府信息<br>公开工作年度报告",
               "曲靖市麒麟区珠街街道", "2021-02-16 14:57", "ul", "text"),
    # The county's 004 reposted by another portal (same editor HTML, other chrome): one report, two URLs.
    ReportSpec("004", "town", "/html/2021/nb_0201/105.html",
               "伊川县城市管理局2020年政府信息公开工作年度报告", "伊川县城市管理局2020年政府信息公开工作年度报告",
               "伊川县城市管理局", "2021-01-29 16:12", "line", "word", labels=_ZHUJIE_004_LABELS,
               duplicate_of="/zwgk/zfxxgk/xxgknb/202101/t20210129_2731.html"),
]


@dataclass
class Portal:
    """Files of one portal being built, plus what the manifest says about its pages."""

    skin: Skin
    files: dict[str, bytes] = field(default_factory=dict)
    non_reports: list[dict] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # href -> link text, for stub pages

    @property
    def encoding(self) -> str:
        return "gbk" if self.skin.charset.lower() in ("gb2312", "gbk", "gb18030") else "utf-8"

    def add(self, path: str, *, non_report: str | None = None, **kw) -> None:
        html = chrome.page(self.skin, **kw)
        self.files[path] = html.encode(self.encoding, errors="xmlcharrefreplace")
        if non_report:
            self.non_reports.append({"path": path, "title": kw["title"], "kind": non_report})

    def text(self, path: str, content: str) -> None:
        self.files[path] = content.encode("utf-8")


def _article(title: str, paragraphs: list[str], *, source: str, pub: str, extra: str = "") -> str:
    body = "\n".join(f'<p style="text-indent: 2em;">{escape(p)}</p>' for p in paragraphs)
    return (f'<div class="article"><h1>{escape(title)}</h1><div class="info">来源：{escape(source)}　　'
            f'发布时间：{pub}　　浏览次数：<span id="hits">--</span></div>\n<div id="zoom">{body}{extra}</div>\n'
            f"{chrome.share()}</div>")


def _list(items: list[tuple[str, str, str]], heading: str, *, pager: str = "", truncate: int = 0) -> str:
    return (f'<div class="column"><h2>{escape(heading)}</h2><ul class="list">\n'
            f"{chrome.list_items(items, truncate=truncate)}\n</ul>{pager}</div>")


def _report_page(portal: Portal, spec: ReportSpec, crumbs: list[tuple[str, str]], column: str,
                 related: list[tuple[str, str, str]]) -> None:
    meta = meta_block(spec)
    head = f"<h1>{spec.title_html}</h1>"
    top = f"{meta}\n{head}" if spec.meta_block == "table" else f"{head}\n{meta}"
    container = 'id="zoom" class="view TRS_UEDITOR"' if portal.skin.layout == "trs" else 'id="zoom"'
    body = article_body(spec)
    if portal.skin.layout == "hanweb":
        body = f"<!--<$[信息内容]>begin-->{body}<!--<$[信息内容]>end-->"
    rel = [r for r in related if r[1] != spec.path]
    page_html = (f'<div class="article">\n{top}\n<div {container}>\n{body}\n</div>\n'
                 f"{chrome.share()}\n{chrome.related(rel)}</div>")
    simple = portal.skin.layout == "simple"
    portal.add(spec.path, title=spec.title, crumbs=crumbs, body=page_html, column=column,
               pub=None if simple else spec.published, source=spec.agency, current="政务公开")


# -- county: TRS WCM, GBK -------------------------------------------------------------------------
def build_county(p: Portal) -> None:
    src = "伊川县人民政府办公室"
    nb = "/zwgk/zfxxgk/xxgknb/"
    crumbs = [("政务公开", "/zwgk/index.html"), ("政府信息公开", "/zwgk/zfxxgk/index.html"), ("政府信息公开年报", f"{nb}index.html")]
    notice = (f"{nb}202112/t20211217_3098.html", "关于做好2021年度政府信息公开工作年度报告编制发布工作的通知", "2021-12-17")
    rule = (f"{nb}202103/t20210325_2803.html", "伊川县人民政府2020年法治政府建设年度报告", "2021-03-25")
    guide = ("/zwgk/zfxxgk/xxgkzn/202101/t20210105_2688.html", "伊川县人民政府政府信息公开指南", "2021-01-05")
    news = [("/xwzx/ycyw/202102/t20210203_2740.html", "community", "2021-02-03"),
            ("/xwzx/ycyw/202101/t20210126_2712.html", "meeting", "2021-01-26"),
            ("/xwzx/ycyw/202101/t20210112_2695.html", "deploy", "2021-01-12")]
    reports = [r for r in REPORTS if r.portal == "county"]
    entries = sorted([(notice[1], notice[0], notice[2]), (rule[1], rule[0], rule[2]),
                      *((r.title, r.path, r.date) for r in reports),
                      (NEWS["deploy"][0], news[2][0], news[2][2])], key=lambda e: e[2], reverse=True)
    # The 年报 list: TRS static pages index.html, index_1.html, … two entries a page.
    pages = [entries[i:i + 2] for i in range(0, len(entries), 2)]
    for n, chunk in enumerate(pages):
        name = "index.html" if n == 0 else f"index_{n}.html"
        links = ['<a href="index.html">首页</a>']
        if n:
            links.append(f'<a href="{"index.html" if n == 1 else f"index_{n - 1}.html"}">上一页</a>')
        if n < len(pages) - 1:
            links.append(f'<a href="index_{n + 1}.html">下一页</a>')
        links.append(f'<a href="index_{len(pages) - 1}.html">尾页</a>')
        pager = (f'<div class="page"><script type="text/javascript">var countPage = {len(pages)};'
                 f'createPageHTML({len(pages)}, {n}, "index", "html");</script>\n'
                 + " ".join(links) + f" 共{len(entries)}条 第{n + 1}/{len(pages)}页</div>")
        rel = [(t, "./" + h.removeprefix(nb) if h.startswith(nb) else h, d) for t, h, d in chunk]
        script = ('<script type="text/javascript">function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt)'
                  '{ /* TRS WCM pager: written by the CMS into every list page */ }</script>')
        p.add(f"{nb}{name}", title="政府信息公开年报", crumbs=[*crumbs[:-1], ("政府信息公开年报", "")],
              body=script + _list(rel, "政府信息公开年报", pager=pager, truncate=24), column="政府信息公开年报",
              current="政务公开", non_report="list")
    related = [(r.title, r.path, r.date) for r in reports] + [(guide[1], guide[0], guide[2])]
    for spec in reports:
        _report_page(p, spec, crumbs, "政府信息公开年报", related)
    p.add(notice[0], title=notice[1], crumbs=crumbs, column="政府信息公开年报", current="政务公开", non_report="notice",
          body=_article(notice[1], NOTICE, source=src, pub=f"{notice[2]} 11:20"), pub=f"{notice[2]} 11:20", source=src)
    p.add(rule[0], title=rule[1], crumbs=crumbs, column="政府信息公开年报", current="政务公开", non_report="look-alike",
          body=_article(rule[1], RULE_OF_LAW, source="伊川县司法局", pub=f"{rule[2]} 15:40"),
          pub=f"{rule[2]} 15:40", source="伊川县司法局")
    p.add(guide[0], title=guide[1], crumbs=[*crumbs[:2], ("政府信息公开指南", "")], column="政府信息公开指南",
          body=_article(guide[1], GUIDE, source=src, pub=f"{guide[2]} 08:50"), pub=f"{guide[2]} 08:50", source=src,
          current="政务公开", non_report="guide")
    news_crumbs = [("新闻中心", "/xwzx/index.html"), ("伊川要闻", "/xwzx/ycyw/index.html")]
    for path, key, date in news:
        title, paras = NEWS[key]
        p.add(path, title=title, crumbs=news_crumbs, column="伊川要闻", current="新闻中心", non_report="news",
              body=_article(title, paras, source="伊川县融媒体中心", pub=f"{date} 17:05"), pub=f"{date} 17:05",
              source="伊川县融媒体中心")
    news_items = [(NEWS[k][0], path, d) for path, k, d in news]
    p.add("/xwzx/ycyw/index.html", title="伊川要闻", crumbs=[*news_crumbs[:1], ("伊川要闻", "")], column="伊川要闻",
          body=_list(news_items, "伊川要闻"), current="新闻中心", non_report="list")
    p.add("/xwzx/tzgg/index.html", title="通知公告", crumbs=[("新闻中心", "/xwzx/index.html"), ("通知公告", "")],
          column="通知公告", body=_list([(notice[1], notice[0], notice[2])], "通知公告"), current="新闻中心",
          non_report="list")
    gk = [("政府信息公开指南", guide[0], ""), ("政府信息公开制度", "/zwgk/zfxxgk/xxgkzd/index.html", ""),
          ("法定主动公开内容", "/zwgk/zfxxgk/fdzdgknr/index.html", ""), ("政府信息公开年报", f"{nb}index.html", "")]
    p.add("/zwgk/zfxxgk/index.html", title="政府信息公开", crumbs=[("政务公开", "/zwgk/index.html"), ("政府信息公开", "")],
          column="政府信息公开", body=_list(gk, "政府信息公开专栏"), current="政务公开", non_report="list")
    p.add("/zwgk/zfxxgk/fdzdgknr/index.html", title="法定主动公开内容", column="法定主动公开内容",
          crumbs=[*crumbs[:2], ("法定主动公开内容", "")], body=_list([(rule[1], rule[0], rule[2])], "法定主动公开内容"),
          current="政务公开", non_report="list")
    home = (_list(news_items, "伊川要闻") + _list([(notice[1], notice[0], notice[2])], "通知公告")
            + _list(gk, "政府信息公开"))
    p.add("/index.html", title="首页", crumbs=[], body=home, column="首页", current="首页", non_report="home")
    p.add("/search/index.html", title="站内检索", crumbs=[("站内检索", "")], column="站内检索",
          body=_list([(r.title, r.path, r.date) for r in reports], "检索结果"))
    p.text("/robots.txt", "User-agent: *\nDisallow: /search/\n")


# -- city: Hanweb JCMS, UTF-8 ---------------------------------------------------------------------
def _datastore(items: list[tuple[str, str, str]], col: int) -> str:
    """A Hanweb column list: records inside <script type="text/xml">, rendered by jpage.js in a browser."""
    records = "".join(f'<record><![CDATA[<li><a href="{h}" title="{escape(t)}" target="_blank">{escape(t)}</a>'
                      f"<span>{d}</span></li>]]></record>\n" for t, h, d in items)
    return (f'<div id="{col}"><script type="text/xml"><datastore>\n<nextgroup><![CDATA[<a href="/module/web/jpage/'
            f'dataproxy.jsp?page=1&webid=1&path=/&columnid={col}&unitid=5012&webname=双辽市人民政府&permissiontype=0">'
            f"</a>]]></nextgroup>\n<recordset>\n{records}</recordset>\n</datastore></script></div>\n"
            f'<script type="text/javascript">var totalRecord = {len(items)}; var perPage = 15; '
            f"$(function(){{ $('#{col}').jpage({{dataStore:dataStore,perPage:15,totalRecord:{len(items)}}}); }});</script>")


def build_city(p: Portal) -> None:
    src = "双辽市人民政府办公室"
    crumbs = [("政务公开", "/col/col1001/index.html"), ("政府信息公开", "/col/col1002/index.html"),
              ("政府信息公开年报", "/col/col1005/index.html")]
    r002, r003 = (r for r in REPORTS if r.portal == "city")
    gwr = ("/art/2022/1/10/art_1009_35502.html", "2022年政府工作报告", "2022-01-10")
    budget = ("/art/2021/2/5/art_1010_30890.html", "双辽市2021年财政预算公开", "2021-02-05")
    news = ("/art/2022/1/18/art_1012_35790.html", "city_meeting", "2022-01-18")
    related = [(r002.title, r002.path, r002.date), (r003.title, r003.path, r003.date), (gwr[1], gwr[0], gwr[2])]
    _report_page(p, r002, [*crumbs, ("市政府年报", "/col/col1006/index.html")], "市政府年报", related)
    _report_page(p, r003, [*crumbs, ("部门年报", "/col/col1007/index.html")], "部门年报", related)
    cols = {1006: ("市政府年报", [(r002.title, r002.path, r002.date)]),
            1007: ("部门年报", [(r003.title, r003.path, r003.date)]),
            1009: ("政府工作报告", [(gwr[1], gwr[0], gwr[2])]),
            1010: ("财政预决算", [(budget[1], budget[0], budget[2])]),
            1012: ("双辽要闻", [(NEWS[news[1]][0], news[0], news[2])])}
    for col, (name, items) in cols.items():
        p.add(f"/col/col{col}/index.html", title=name, crumbs=[("政务公开", "/col/col1001/index.html"), (name, "")],
              column=name, body=f'<div class="column"><h2>{name}</h2>{_datastore(items, col)}</div>',
              current="政务公开", non_report="list")
    sub = [("市政府年报", "/col/col1006/index.html", ""), ("部门年报", "/col/col1007/index.html", "")]
    p.add("/col/col1005/index.html", title="政府信息公开年报", crumbs=[*crumbs[:-1], ("政府信息公开年报", "")],
          column="政府信息公开年报", body=_list(sub, "政府信息公开年报"), current="政务公开", non_report="list")
    gk = [("政府信息公开年报", "/col/col1005/index.html", ""), ("政府工作报告", "/col/col1009/index.html", ""),
          ("财政预决算", "/col/col1010/index.html", "")]
    p.add("/col/col1002/index.html", title="政府信息公开", crumbs=[*crumbs[:1], ("政府信息公开", "")],
          column="政府信息公开", body=_list(gk, "政府信息公开"), current="政务公开", non_report="list")
    p.add(gwr[0], title=gwr[1], crumbs=[("政务公开", "/col/col1001/index.html"), ("政府工作报告", "/col/col1009/index.html")],
          column="政府工作报告", body=_article(gwr[1], GOV_WORK_REPORT, source=src, pub=f"{gwr[2]} 16:30"),
          pub=f"{gwr[2]} 16:30", source=src, current="政务公开", non_report="look-alike")
    rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in BUDGET_TABLE)
    table = f'<p style="text-align:right">单位：万元</p><table border="1" cellspacing="0" width="100%">{rows}</table>'
    p.add(budget[0], title=budget[1], crumbs=[("政务公开", "/col/col1001/index.html"), ("财政预决算", "/col/col1010/index.html")],
          column="财政预决算", body=_article(budget[1], BUDGET, source="双辽市财政局", pub=f"{budget[2]} 09:00", extra=table),
          pub=f"{budget[2]} 09:00", source="双辽市财政局", current="政务公开", non_report="look-alike")
    title, paras = NEWS[news[1]]
    p.add(news[0], title=title, crumbs=[("新闻动态", "/col/col1011/index.html"), ("双辽要闻", "/col/col1012/index.html")],
          column="双辽要闻", body=_article(title, paras, source="双辽市融媒体中心", pub=f"{news[2]} 18:12"),
          pub=f"{news[2]} 18:12", source="双辽市融媒体中心", current="新闻动态", non_report="news")
    latest = [(r002.title, r002.path, r002.date), (title, news[0], news[2]), (gwr[1], gwr[0], gwr[2]),
              (budget[1], budget[0], budget[2]), (r003.title, r003.path, r003.date)]
    home = _list(latest, "最新信息公开", truncate=30) + _list(gk, "政府信息公开")
    p.add("/index.html", title="首页", crumbs=[], body=home, column="首页", current="首页", non_report="home")
    p.add("/jrobot/search.do", title="站内检索", crumbs=[("站内检索", "")], column="站内检索", body=_list(latest, "检索结果"))
    p.text("/robots.txt", "User-agent: *\nDisallow: /jrobot/\nDisallow: /module/jslib/\n")


# -- town: a small 街道 site, UTF-8 ---------------------------------------------------------------
def build_town(p: Portal) -> None:
    crumbs = [("信息公开", "/xxgk/index.html"), ("政府信息公开年报", "/xxgk/nb/index.html")]
    reports = [r for r in REPORTS if r.portal == "town"]
    items = [(r.title, r.path, r.date) for r in reports]
    for spec in reports:
        _report_page(p, spec, crumbs, "政府信息公开年报", items)
    p.add("/xxgk/nb/index.html", title="政府信息公开年报", crumbs=[*crumbs[:1], ("政府信息公开年报", "")],
          column="政府信息公开年报", body=_list(items, "政府信息公开年报"), current="信息公开", non_report="list")
    news = [("/html/2021/gzdt_0201/101.html", "town_work", "2021-02-01"),
            ("/html/2021/gzdt_0205/108.html", "town_epidemic", "2021-02-05")]
    for path, key, date in news:
        title, paras = NEWS[key]
        p.add(path, title=title, crumbs=[("工作动态", "/gzdt/index.html")], column="工作动态", current="工作动态",
              body=_article(title, paras, source="珠街街道党政办", pub=f"{date} 10:00"), non_report="news")
    news_items = [(NEWS[k][0], path, d) for path, k, d in news]
    p.add("/gzdt/index.html", title="工作动态", crumbs=[("工作动态", "")], column="工作动态",
          body=_list(news_items, "工作动态"), current="工作动态", non_report="list")
    gk = [("政府信息公开年报", "/xxgk/nb/index.html", ""), ("财政信息", "/xxgk/czxx/index.html", "")]
    p.add("/xxgk/index.html", title="信息公开", crumbs=[("信息公开", "")], column="信息公开",
          body=_list(gk, "信息公开"), current="信息公开", non_report="list")
    p.add("/index.html", title="首页", crumbs=[], body=_list(news_items, "工作动态") + _list(gk, "信息公开"),
          column="首页", current="首页", non_report="home")
    p.add("/search/index.html", title="站内搜索", crumbs=[("站内搜索", "")], column="站内搜索", body=_list(items, "搜索结果"))
    p.text("/robots.txt", "User-agent: *\nDisallow: /search/\n")


# -- stubs, assets, manifest ------------------------------------------------------------------------
_HREF = re.compile(rb'<a href="([^"#:]+)"[^>]*>([^<]*)</a>')


def add_stubs(p: Portal) -> None:
    """An empty column page for every local link no other page answers (nav menus, footer links)."""
    names = {h: t for t, h, subs in p.skin.nav for t, h in [(t, h), *subs]}
    children = {h: [(t, sh, "") for t, sh in subs] for _, h, subs in p.skin.nav if subs}
    while True:
        missing: dict[str, str] = {}
        for path, data in list(p.files.items()):
            if not path.endswith((".html", ".do")):
                continue
            for href, text in _HREF.findall(data):
                target = urljoin(path, href.decode()).split("?")[0]
                if target not in p.files and target.endswith(".html"):
                    missing.setdefault(target, names.get(target) or text.decode(p.encoding, "replace").strip() or "栏目")
        if not missing:
            return
        for target, name in sorted(missing.items()):
            body = (_list(children[target], name) if target in children else
                    f'<div class="column"><h2>{escape(name)}</h2><ul class="list"><li>暂无信息</li></ul></div>')
            p.add(target, title=name, crumbs=[(name, "")], column=name, current="", non_report="column", body=body)


def build(out: Path = SITE, manifest_path: Path = MANIFEST) -> dict:
    """Write the three portals under `out` and the manifest to `manifest_path`; return the manifest."""
    if out.exists():
        shutil.rmtree(out)
    portals = {key: Portal(skin) for key, skin in SKINS.items()}
    build_county(portals["county"])
    build_city(portals["city"])
    build_town(portals["town"])
    manifest: dict = {"portals": [], "reports": [], "non_reports": [], "disallowed": []}
    for key, p in portals.items():
        add_stubs(p)
        p.text("/images/common.css", "/* site styles are inlined in every page */\n")
        # The county lies: its server says utf-8, the bytes are GBK (the page meta says gb2312).
        header_charset = "utf-8"
        p.text("/_headers.json", json.dumps({"charset": header_charset, "headers": {}}, indent=2) + "\n")
        for path, data in sorted(p.files.items()):
            dest = out / key / path.lstrip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        disallowed = [line.split(":", 1)[1].strip() for line in p.files["/robots.txt"].decode().splitlines()
                      if line.startswith("Disallow:")]
        manifest["portals"].append({
            "key": key, "name": p.skin.name, "region_code": REGION[key], "directory": key,
            "encoding": p.encoding, "declared_charset": p.skin.charset, "header_charset": header_charset,
            "home": "/index.html", "cms": {"county": "TRS WCM", "city": "Hanweb JCMS", "town": "simple"}[key],
            "pages": len([f for f in p.files if f.endswith((".html", ".do"))]),
            "disallowed": disallowed, "non_reports": p.non_reports,
        })
        manifest["non_reports"] += [n["path"] for n in p.non_reports]
        manifest["disallowed"] += [d for d in disallowed if "/search/" in d or "/jrobot/" in d]
    manifest["disallowed"] = sorted(set(manifest["disallowed"]))
    for spec in REPORTS:
        exp = spec.seed_obj.expected
        manifest["reports"].append({
            "portal": spec.portal, "path": spec.path, "title": spec.title, "agency": spec.agency,
            "year": exp["year"], "published_at": spec.iso, "contact_phone": exp["contact"]["phone"],
            "contact_address": exp["contact"]["address"], "template": exp["template"],
            "seed": spec.seed_obj.stem, "metadata_block": spec.meta_block, "tables": spec.tables,
            "script": "traditional" if spec.traditional else "simplified", "duplicate_of": spec.duplicate_of,
        })
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=SITE, help="site directory (default: crawler/demo/site)")
    ap.add_argument("--manifest", type=Path, default=None, help="manifest path (default: next to the site)")
    args = ap.parse_args(argv)
    manifest_path = args.manifest or (MANIFEST if args.out == SITE else args.out / "manifest.json")
    m = build(args.out, manifest_path)
    total = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"{len(m['reports'])} report pages, {sum(p['pages'] for p in m['portals'])} pages, "
          f"{total / 1e6:.2f} MB -> {args.out}")


if __name__ == "__main__":
    main()

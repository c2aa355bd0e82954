"""A generated slice of the real web, served on loopback under real-looking hostnames. Pure: no I/O.

Per city cluster: the city portal `www.<city>.gov.cn` and its counties `www.<county>.gov.cn` (portals
that link each other), department sub-sites (`sjj.<city>.gov.cn`, `jyj.<county>.gov.cn`, with their own
reports), the city's 信息公开 platform `xxgk.<city>.gov.cn` carrying each county's 年报 column (a shared
host: the counties list it in entry_urls), and one off-portal department host per county
(`www.<county>wjw.gov.cn`) linked from the county's 信息公开 column. Every page carries a mega-menu of
ministries, a 办事服务 block of 政务服务 links and a 友情链接 footer (national, provincial, other cities,
dead names). With `bad=True` a third of the linked hosts misbehave: dead names (no address), refusing,
blackholed (accept, never answer), slow, soft-404, redirecting to a parking domain, WAF 403. With
`bad=False` the same names are healthy, report-less sites, so both worlds hold the same reports.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from functools import cached_property
from html import escape

CITIES = [
    ("luoyang", "洛阳市", ["yichuan:伊川县", "songxian:嵩县", "ruyang:汝阳县", "yiyang:宜阳县", "luoning:洛宁县"]),
    ("kaifeng", "开封市", ["qixian:杞县", "tongxu:通许县", "weishi:尉氏县", "lankao:兰考县", "xiangfu:祥符区"]),
    ("anyang", "安阳市", ["linzhou:林州市", "tangyin:汤阴县", "huaxian:滑县", "neihuang:内黄县", "anyangxian:安阳县"]),
    ("xinxiang", "新乡市", ["huixian:辉县市", "weihui:卫辉市", "huojia:获嘉县", "yuanyang:原阳县", "yanjin:延津县"]),
    ("nanyang", "南阳市", ["dengzhou:邓州市", "nanzhao:南召县", "fangcheng:方城县", "xixia:西峡县", "zhenping:镇平县"]),
    ("zhoukou", "周口市", ["xiangcheng:项城市", "fugou:扶沟县", "xihua:西华县", "shangshui:商水县", "taikang:太康县"]),
    ("xinyang", "信阳市", ["gushi:固始县", "huangchuan:潢川县", "guangshan:光山县", "xixian:息县", "huaibin:淮滨县"]),
    ("shangqiu", "商丘市", ["yongcheng:永城市", "minquan:民权县", "suixian:睢县", "ningling:宁陵县", "yucheng:虞城县"]),
    ("zhumadian", "驻马店市", ["queshan:确山县", "biyang:泌阳县", "runan:汝南县", "pingyu:平舆县", "xincai:新蔡县"]),
    ("pingdingshan", "平顶山市", ["ruzhou:汝州市", "wugang:舞钢市", "baofeng:宝丰县", "yexian:叶县", "lushan:鲁山县"]),
]
MINISTRIES = ["mof", "moe", "mohrss", "mee", "mohurd", "mot", "mwr", "moa", "mofcom", "nhc", "mca", "most",
              "miit", "mps", "moj", "mnr", "mct", "stats", "samr", "audit"]
NATIONAL = ["www.gov.cn", *(f"www.{m}.gov.cn" for m in MINISTRIES)]
PROVINCE = ["www.henan.gov.cn", "www.hnzwfw.gov.cn", "fgw.henan.gov.cn", "czt.henan.gov.cn", "jyt.henan.gov.cn"]
PARKING = "www.domain-parking-sale.com"
BAD_KINDS = ["dead", "refused", "blackhole", "slow", "soft404", "redirect", "waf"]
# department sub-site prefixes of a county: healthy ones with reports, then the ones that may misbehave
GOOD_DEPTS = [("jyj", "教育局"), ("czj", "财政局")]
BAD_DEPTS = [("zjj", "住建局"), ("ajj", "应急管理局"), ("sfj", "司法局"), ("mzj", "民政局"), ("lyj", "林业局"),
             ("swj", "商务局"), ("scjgj", "市场监管局")]
YEARS = (2021, 2022, 2023)
SERVICE_LINKS = 84  # 政务服务 links per page, as counted on real portals
DEAD_FOOTER = 12  # dead names in each city cluster's footer


@dataclass
class Host:
    name: str
    kind: str  # portal | dept | platform | offdept | external | parking | crawldelay
    behaviour: str = "ok"  # ok | dead | refused | blackhole | slow | soft404 | redirect | waf
    title: str = ""
    portal: str = ""  # the portal whose scope holds it ("" = off every portal's scope)
    crawl_delay: float = 0.0


@dataclass
class Report:
    host: str
    path: str
    title: str
    portal: str  # expected attribution
    agency: str
    year: int

    @property
    def url_path(self) -> str:
        return self.path


@dataclass
class PortalRow:
    name: str
    host: str
    region_code: str
    entry_urls: list[str] = field(default_factory=list)  # paths on other hosts: (host, path)


@dataclass
class World:
    """Hosts, portals and reports; `page(host, path)` renders a page or None (404)."""

    cities: int = 2
    counties: int = 3
    bad: bool = True
    slow_seconds: float = 2.0
    crawl_delay: float = 1.0
    seed: int = 7
    hosts: dict[str, Host] = field(default_factory=dict)
    portals: list[PortalRow] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    dead_footer: list[str] = field(default_factory=list)
    # reports taken down after a first crawl: (host, path) -> "404" | "410" | "soft404"; lists drop them
    removed: dict[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        for name in NATIONAL + PROVINCE:
            self.hosts[name] = Host(name, "external", title=f"{name} 门户")
        self.hosts[PARKING] = Host(PARKING, "parking", title="域名停放")
        for ci, (city, cname, counties) in enumerate(CITIES[: self.cities]):
            code = f"41{ci + 3:02d}"
            chost = f"www.{city}.gov.cn"
            self.hosts[chost] = Host(chost, "portal", title=f"{cname}人民政府", portal=f"{cname}人民政府")
            self.portals.append(PortalRow(f"{cname}人民政府", chost, code + "00"))
            self._reports(chost, f"{cname}人民政府", f"{cname}人民政府", "/xxgk/nb")
            for dept, dname in (("sjj", "统计局"), ("czj", "财政局")):  # city departments on sub-sites
                h = f"{dept}.{city}.gov.cn"
                self.hosts[h] = Host(h, "dept", title=f"{cname}{dname}", portal=f"{cname}人民政府")
                self._reports(h, f"{cname}人民政府", f"{cname}{dname}", "/xxgk/nb")
            platform = f"xxgk.{city}.gov.cn"
            self.hosts[platform] = Host(platform, "platform", title=f"{cname}政府信息公开平台", portal=f"{cname}人民政府")
            self._reports(platform, f"{cname}人民政府", f"{cname}人民政府办公室", "/szf/nb")
            for ki, item in enumerate(counties[: self.counties]):
                county, kname = item.split(":")
                khost = f"www.{county}.gov.cn"
                pname = f"{cname}{kname}人民政府"
                self.hosts[khost] = Host(khost, "portal", title=f"{kname}人民政府", portal=pname)
                row = PortalRow(pname, khost, f"{code}{ki + 21:02d}", entry_urls=[f"http://{platform}/{county}/"])
                self.portals.append(row)
                self._reports(khost, pname, f"{kname}人民政府", "/xxgk/nb")
                self._reports(platform, pname, f"{kname}人民政府办公室", f"/{county}/nb")  # shared host
                for dept, dname in GOOD_DEPTS:
                    h = f"{dept}.{county}.gov.cn"
                    self.hosts[h] = Host(h, "dept", title=f"{kname}{dname}", portal=pname)
                    self._reports(h, pname, f"{kname}{dname}", "/xxgk/nb", years=YEARS[-1:])
                off = f"www.{county}wjw.gov.cn"  # off-portal host, linked from the 信息公开 column
                self.hosts[off] = Host(off, "offdept", title=f"{kname}卫生健康委员会", portal="")
                self._reports(off, pname, f"{kname}卫生健康委员会", "/xxgk/nb", years=YEARS[-1:])
                for bi in range(3):  # three possibly-bad department sub-sites per county
                    dept, dname = BAD_DEPTS[(ki * 3 + bi + ci) % len(BAD_DEPTS)]
                    h = f"{dept}.{county}.gov.cn"
                    kind = BAD_KINDS[(ci * 7 + ki * 3 + bi) % len(BAD_KINDS)] if self.bad else "ok"
                    self.hosts[h] = Host(h, "dept", kind, title=f"{kname}{dname}", portal=pname)
                if ki == 0:  # a department whose robots.txt asks for a Crawl-delay
                    h = f"tjj.{county}.gov.cn"
                    self.hosts[h] = Host(h, "crawldelay", title=f"{kname}统计局", portal=pname,
                                         crawl_delay=self.crawl_delay)
                    self._reports(h, pname, f"{kname}统计局", "/xxgk/nb", years=YEARS[-1:])
            for i in range(DEAD_FOOTER):
                h = f"www.{city}{rng.choice(['gt', 'jt', 'ly', 'sl', 'wh', 'ty', 'rs', 'zj'])}{i}.gov.cn"
                self.dead_footer.append(h)
                if not self.bad:
                    self.hosts[h] = Host(h, "external", title=f"{cname}网站{i}")
        # a third of the footer's other-city links also misbehave (bad) or are healthy sites (good)
        for i, (city, cname, _) in enumerate(CITIES[self.cities:self.cities + 6]):
            h = f"www.{city}.gov.cn"
            kind = BAD_KINDS[i % len(BAD_KINDS)] if self.bad and i % 3 == 0 else "ok"
            self.hosts[h] = Host(h, "external", kind, title=f"{cname}人民政府")

    def _reports(self, host: str, portal: str, agency: str, column: str, years: tuple[int, ...] = YEARS) -> None:
        for y in years:
            n = len(self.reports)
            self.reports.append(Report(host, f"{column}/{y}/t{y + 1}0120_{n}.html",
                                       f"{agency}{y}年政府信息公开工作年度报告", portal, agency, y))

    # -- what the tests need ---------------------------------------------------------------
    @cached_property
    def by_host(self) -> dict[str, list[Report]]:
        out: dict[str, list[Report]] = {}
        for r in self.reports:
            out.setdefault(r.host, []).append(r)
        return out

    def linked_hosts(self) -> set[str]:
        """Every host name some page links to (footer, menus, columns), reachable or not."""
        return set(self.hosts) | set(self.dead_footer)

    def bad_hosts(self) -> set[str]:
        return {h.name for h in self.hosts.values() if h.behaviour != "ok"} | (set(self.dead_footer) if self.bad
                                                                               else set())

    def resolvable(self) -> list[str]:
        """Names that get an address (dead names get none)."""
        return [h.name for h in self.hosts.values() if h.behaviour != "dead"]

    # -- pages ------------------------------------------------------------------------------
    def page(self, host: str, path: str, base: str) -> tuple[int, dict[str, str], bytes] | None:
        """(status, headers, body) for a path of a reachable host; `base` formats links ("http://{host}:PORT")."""
        h = self.hosts[host]
        path = path.split("?", 1)[0].split("#", 1)[0] or "/"
        if h.behaviour == "waf":
            return 403, {"Content-Type": "text/html; charset=utf-8"}, "<html><body><h1>403 Forbidden</h1><p>您的访问被安全防护系统拦截</p></body></html>".encode()
        if h.behaviour == "redirect":
            return 302, {"Location": base.format(host=PARKING) + f"/?d={host}"}, b""
        gone = self.removed.get((host, path))
        if gone in ("404", "410"):
            return int(gone), _HTML, b"<html><body><h1>Not Found</h1></body></html>"
        if gone == "soft404":
            return 200, _HTML, self._chrome(h, "页面不存在", '<div class="content"><h2>页面不存在</h2>'
                                              "<p>您访问的页面不存在或已被删除。</p></div>", base).encode()
        if path == "/robots.txt":
            delay = f"Crawl-delay: {h.crawl_delay:g}\n" if h.crawl_delay else ""
            return 200, {"Content-Type": "text/plain"}, f"User-agent: *\n{delay}Disallow: /search/\n".encode()
        html = self._html(h, path, base)
        if html is None:
            if h.behaviour == "soft404" or h.kind == "parking":
                return 200, _HTML, self._chrome(h, "页面不存在", '<div class="content"><h2>页面不存在</h2>'
                                                  "<p>您访问的页面不存在或已被删除。</p></div>", base).encode()
            return 404, _HTML, b"<html><body><h1>404 Not Found</h1></body></html>"
        return 200, _HTML, html.encode()

    def _html(self, h: Host, path: str, base: str) -> str | None:
        link = base.format
        if h.kind == "parking":
            return self._chrome(h, "该域名正在出售", "<div class='content'><p>This domain is for sale.</p></div>", base) \
                if path == "/" else None
        if h.kind == "external":
            if path == "/" or path.startswith("/art/"):
                n = int(path[5:-5]) if path.startswith("/art/") and path[5:-5].isdigit() else 0
                items = "".join(f'<li><a href="/art/{(n * 37 + k) % 5000}.html">{h.title}政务要闻第{(n * 37 + k) % 5000}期</a>'
                                f"<span>2024-0{k % 9 + 1}-1{k % 9}</span></li>" for k in range(40))
                return self._chrome(h, h.title, f'<div class="list"><ul>{items}</ul></div>', base)
            return None
        reports = self.by_host.get(h.name, [])
        if h.kind in ("portal", "dept", "offdept", "crawldelay") and h.behaviour in ("ok", "slow", "soft404"):
            if path in ("/", "/index.html"):
                body = (f'<div class="main"><div class="column"><h2><a href="/xxgk/">政府信息公开</a></h2>'
                        f'<ul class="list">{self._news(h, 12)}</ul></div>{self._siblings(h, link)}</div>')
                return self._chrome(h, h.title, body, base)
            if path == "/xxgk/":
                cols = ('<li><a href="/xxgk/nb/">政府信息公开年报</a></li><li><a href="/xxgk/zc/">政策文件</a></li>'
                        '<li><a href="/xxgk/jgzn/">机构职能</a></li>')
                return self._chrome(h, "政府信息公开", f'<div class="xxgk-main"><ul class="list">{cols}</ul>'
                                    f"{self._depts(h, link)}</div>", base)
            if path.startswith("/xxgk/nb/") and (listing := self._listing(h, path, "/xxgk/nb/", reports, base)):
                return listing
            if path == "/xxgk/jgzn/" and h.behaviour == "ok":  # soft-404 hosts lost this column
                return self._chrome(h, "机构职能", f'<div class="xxgk-main"><p>{escape(h.title)}机构职能。</p></div>', base)
            if path == "/xxgk/zc/":
                return self._chrome(h, "政策文件", '<div class="xxgk-main"><ul class="list">'
                                    f"{self._news(h, 6)}</ul></div>", base)
            if path.startswith("/xwzx/") and path.endswith(".html"):
                return self._chrome(h, "工作动态", '<div class="article"><h1>工作动态</h1>'
                                    f'<div id="zoom"><p>{h.title}召开工作会议。</p></div></div>', base)
        if h.kind == "platform":
            if path in ("/", "/index.html", "/xxgk/"):
                cols = "".join(f'<li><a href="/{c}/">{escape(t)}信息公开</a></li>' for c, t in self._platform_cols(h))
                return self._chrome(h, h.title, f'<div class="main"><ul class="list">{cols}'
                                    '<li><a href="/szf/nb/">市政府信息公开年报</a></li></ul></div>', base)
            for col, title in [*self._platform_cols(h), ("szf", "市政府")]:
                if path == f"/{col}/":
                    return self._chrome(h, f"{title}信息公开", f'<div class="main"><ul class="list"><li><a href="/{col}/nb/">'
                                        f"{escape(title)}政府信息公开年报</a></li></ul></div>", base)
                if path.startswith(f"/{col}/nb/") and (listing := self._listing(h, path, f"/{col}/nb/", [r for r in reports if r.path.startswith(f"/{col}/nb/")], base)):
                    return listing
        for r in reports:
            if r.path == path:
                return self._report(h, r, base)
        return None

    def _platform_cols(self, h: Host) -> list[tuple[str, str]]:
        return [(r.path.split("/")[1], r.agency.removesuffix("人民政府办公室")) for r in self.by_host.get(h.name, [])
                if not r.path.startswith("/szf/") and r.year == YEARS[0]]

    def _listing(self, h: Host, path: str, column: str, reports: list[Report], base: str) -> str | None:
        reports = [r for r in reports if (r.host, r.path) not in self.removed]
        per = 2
        pages = max(1, -(-len(reports) // per))
        if path in (column, column + "index.html"):
            n = 0
        elif path.startswith(column + "index_") and path.endswith(".html") and path[len(column) + 6:-5].isdigit():
            n = int(path[len(column) + 6:-5])
        else:
            return None
        if n >= pages:
            return None
        items = "".join(f'<li><a href="{r.path}" title="{escape(r.title)}">{escape(r.title)}</a>'
                        f"<span>{r.year + 1}-01-20</span></li>" for r in reports[n * per:(n + 1) * per])
        pager = f'<a href="{column}index_{n + 1}.html">下一页</a>' if n + 1 < pages else ""
        return self._chrome(h, "政府信息公开年报", f'<div class="xxgk_nb"><h2>政府信息公开年报</h2><ul class="list">'
                            f'{items}</ul><div class="page">{pager}</div></div>', base)

    def _report(self, h: Host, r: Report, base: str) -> str:
        from crawler.demo.seeds import SEEDS

        seed = SEEDS[["000", "001", "002", "003", "004"][r.year % 5]]
        lines = [ln.strip() for ln in seed.text.splitlines() if ln.strip()][2:]
        digest = hashlib.sha1(r.path.encode() + r.agency.encode()).hexdigest()
        intro = (f"本报告由{r.agency}根据《中华人民共和国政府信息公开条例》编制，报告编号{digest[:12]}，"
                 f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等。")
        paras = "".join(f"<p>{escape(ln)}</p>" for ln in [intro, *lines])
        body = (f'<div class="article"><h1>{escape(r.title)}</h1><div class="info">来源：{escape(r.agency)}　'
                f"发布时间：{r.year + 1}-01-20 09:00</div><div id=\"zoom\">{paras}</div></div>")
        return self._chrome(h, r.title, body, base)

    def _news(self, h: Host, n: int) -> str:
        return "".join(f'<li><a href="/xwzx/{k}.html">{escape(h.title)}工作动态{k}</a></li>' for k in range(n))

    def _siblings(self, h: Host, link) -> str:
        """A city's home links its counties; a county's its city and sister counties (portals that link each other)."""
        if h.kind != "portal":
            return ""
        city = h.name.split(".")[1] if h.name.count(".") == 3 else ""
        ring = [p.host for p in self.portals]
        i = ring.index(h.name)
        near = [ring[(i + d) % len(ring)] for d in (1, 2, -1)] + ([f"xxgk.{city}.gov.cn"] if city else [])
        items = "".join(f'<li><a href="{link(host=x)}/">{escape(self.hosts[x].title)}</a></li>' for x in near
                        if x in self.hosts)
        # deep links into a sibling's 年报 column: a sibling's page first reached from here
        items += "".join(f'<li><a href="{link(host=x)}/xxgk/nb/">{escape(self.hosts[x].title)}政府信息公开年报</a></li>'
                         for x in near[:1] if x in self.hosts)
        return f'<div class="column xqlj"><h2>县区链接</h2><ul class="list">{items}</ul></div>'

    def _depts(self, h: Host, link) -> str:
        """部门信息公开 in the 信息公开 column: the portal's department sub-sites and its off-portal department."""
        if h.kind != "portal":
            return ""
        stem = h.name.removeprefix("www.").removesuffix(".gov.cn")
        names = [x for x in self.hosts if x.endswith(f".{stem}.gov.cn") and x != h.name and
                 not x.startswith("xxgk.")]
        names += [f"www.{stem}wjw.gov.cn"] if f"www.{stem}wjw.gov.cn" in self.hosts else []
        items = "".join(f'<li><a href="{link(host=x)}/xxgk/">{escape(self.hosts[x].title)}信息公开</a></li>'
                        for x in names)
        return f'<div class="bmxxgk"><h3>部门信息公开</h3><ul class="list">{items}</ul></div>'

    # -- chrome: mega-menu, 办事服务, 友情链接 ---------------------------------------------------
    def _chrome(self, h: Host, title: str, body: str, base: str) -> str:
        link = base.format
        variant = int(hashlib.md5(h.name.encode()).hexdigest(), 16) % 3
        menu = "".join(f'<li><a href="{link(host=m)}/">{m.split(".")[1]}部委</a></li>' for m in NATIONAL)
        header = (f'<div class="header"><div class="logo">{escape(h.title)}</div><div class="nav mega-menu"><ul>'
                  f'<li><a href="/">首页</a></li><li><a href="/xxgk/">政务公开</a><div class="sub-menu"><ul>{menu}'
                  f"</ul></div></li></ul></div></div>")
        svc = "".join(f'<li><a href="{link(host=PROVINCE[1])}/item/{(k * 13) % 400}.html">'
                      f"办事事项{k}</a></li>" for k in range(SERVICE_LINKS))
        service = f'<div class="bsfw"><div class="tit">办事服务</div><ul>{svc}</ul></div>'
        friends = [*NATIONAL[:6], *PROVINCE, *self.dead_footer,
                   *(x for x in self.hosts if self.hosts[x].kind == "external" and x.count(".") == 3
                     and x not in NATIONAL and x not in PROVINCE),
                   *(x for x in self.hosts if self.hosts[x].kind == "offdept")]
        flinks = "".join(f'<li><a href="{link(host=f)}/" target="_blank">{f}</a></li>' for f in friends)
        padding = "".join(f"<p>{escape(h.title)}版权所有　网站标识码41000000{k:02d}　豫ICP备0500{k:04d}号　"
                          f"主办单位：{escape(h.title)}办公室　联系电话：0379-6{k:07d}</p>" for k in range(330))
        if variant == 0:
            footer = f'<div class="footer"><div class="yqlj"><h3>友情链接</h3><ul>{flinks}</ul></div>{padding}</div>'
        elif variant == 1:
            footer = f'<footer><div class="links"><span>相关链接</span><ul>{flinks}</ul></div>{padding}</footer>'
        else:  # no telling class names: only the heading says what the block is
            footer = f'<div class="wrap2"><div><strong>友情链接：</strong><ul>{flinks}</ul></div><div>{padding}</div></div>'
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}_{escape(h.title)}</title>'
                f"</head><body>{header}{service}<div class=\"container\">{body}</div>{footer}</body></html>")


_HTML = {"Content-Type": "text/html; charset=utf-8"}

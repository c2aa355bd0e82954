"""Write the discovery fixture portals (tests/sites/discovery/) and their manifest.

    .venv/bin/python -m tests.sites.make_discovery

One portal per list mechanic (plain + 下一页 in GBK behind a lying header, TRS createPageHTML,
Hanweb datastore + dataproxy POST + pageNum, a JSON list, Beijing-style shell pages with department
and township sub-columns, a JavaScript-built list that needs a browser), an xxgk.* host, a 繁體
spam mirror, look-alikes, robots.txt and attachments (real PDF, DOCX, scanned PDF).
`{{host:KEY}}` in a file is replaced by that server's URL when served (tests/sites/server.py);
`PATH@QUERY` files answer requests for PATH?QUERY (CMS list endpoints).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

ROOT = Path(__file__).with_name("discovery")
DOCS = Path(__file__).resolve().parents[1] / "fixtures" / "docs"
expected: list[dict[str, str]] = []  # reports: portal + path
lookalikes: list[dict[str, str]] = []


def write(portal: str, path: str, text: str | bytes, charset: str = "utf-8") -> None:
    target = ROOT / portal / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text if isinstance(text, bytes) else text.encode(charset))


def frame(title: str, body: str, site: str, charset: str = "utf-8", nav: str = "") -> str:
    """A portal page: head, a long nav menu (as on real portals), body, footer."""
    menu = nav or "".join(f'<li><a href="/lm/c{i}/index.html">栏目{i}</a></li>' for i in range(40))
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}_{site}</title><link rel="stylesheet" href="/css/style.css"></head>
<body><div class="top"><a href="/index.html">首页</a> | <a href="javascript:void(0)">无障碍</a></div>
<div class="nav"><ul>{menu}</ul></div>
{body}
<div class="footer">主办单位：{site}办公室　网站标识码：1234567890　<a href="/wzdt/index.html">网站地图</a></div>
</body></html>"""


def report_body(agency: str, year: int, n: int) -> str:
    """The six sections of the 2021 format with numbers and prose of this report only."""
    a, b, c = 10 + n * 7, 3 + n, 100 + n * 13
    return f"""<p>本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息公开办公室
有关要求，由{agency}编制。报告所列数据统计期限自{year}年1月1日起至{year}年12月31日止。</p>
<p><strong>一、总体情况</strong></p>
<p>{year}年，{agency}主动公开政府信息{c * 3}条，其中政策文件{a}件，第{n}批重点事项清单{b}项；
受理政府信息公开申请{a + b}件，办结{a + b}件。围绕“{agency}第{n}号工作方案”推进公开平台建设，更新专栏{b * 2}个。</p>
<p><strong>二、主动公开政府信息情况</strong></p>
<table border="1"><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr><tr><td>行政规范性文件</td><td>{b}</td><td>{n % 3}</td><td>{a}</td></tr></table>
<p><strong>三、收到和处理政府信息公开申请情况</strong></p>
<table border="1"><tr><td>本年新收政府信息公开申请数量</td><td>{a + b}</td></tr>
<tr><td>上年结转政府信息公开申请数量</td><td>{n % 4}</td></tr></table>
<p><strong>四、政府信息公开行政复议、行政诉讼情况</strong></p>
<p>{year}年{agency}因政府信息公开被申请行政复议{n % 2}件，提起行政诉讼{n % 3}件。</p>
<p><strong>五、存在的主要问题及改进情况</strong></p>
<p>{agency}在{year}年度的主要问题是第{n}类信息更新不及时，公开内容与群众关切的衔接还有{b}处不足。</p>
<p><strong>六、其他需要报告的事项</strong></p>
<p>{year}年{agency}未收取信息处理费。联系电话：0{n:03d}-{c * 97:07d}。</p>
<p style="text-align:right">{agency}</p><p style="text-align:right">{year + 1}年1月{10 + n % 20}日</p>"""


def report_page(portal: str, path: str, agency: str, year: int, n: int, site: str, *, charset: str = "utf-8",
                title_html: str | None = None, title: str | None = None, container: str = 'div class="TRS_Editor"',
                attachment: str | list[str] | None = None) -> None:
    title = title or f"{agency}{year}年政府信息公开工作年度报告"
    if attachment:
        files = [attachment] if isinstance(attachment, str) else attachment
        links = "".join(f'<p>附件{i}：<a href="{f}">{title}（{f.rsplit(".", 1)[1].upper()}版）</a></p>'
                        for i, f in enumerate(files, start=1))
        body = f"<p>{agency}{year}年政府信息公开工作年度报告全文详见附件。</p>{links}"
    else:
        body = report_body(agency, year, n)
    tag = container.split()[0]
    html = frame(title, f"""<div class="article"><h1>{title_html or title}</h1>
<div class="info">发布时间：{year + 1}-01-{10 + n % 20:02d}　信息来源：{agency}</div>
<{container}>{body}</{tag}></div>""", site, charset)
    write(portal, path, html, charset)
    expected.append({"portal": portal, "path": path})


def lookalike(portal: str, path: str, title: str, site: str, text: str, charset: str = "utf-8") -> None:
    write(portal, path, frame(title, f'<div class="article"><h1>{title}</h1><div id="zoom"><p>{text}</p></div></div>',
                              site, charset), charset)
    lookalikes.append({"portal": portal, "path": path, "title": title})


def ul(items: list[tuple[str, str]], cls: str = "list") -> str:
    lis = "".join(f'<li><a href="{h}" title="{t}" target="_blank">{t}</a><span>2024-01-20</span></li>' for h, t in items)
    return f'<ul class="{cls}">{lis}</ul>'


def copy_doc(portal: str, path: str, name: str) -> None:
    target = ROOT / portal / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DOCS / name, target)


# -- plain: GBK bytes, header says utf-8; 下一页 pages; robots; retry; redirect; traps; mirror --
def plain() -> None:
    p, site, cs = "plain", "青山县人民政府", "gbk"
    write(p, "_headers.json", json.dumps({"charset": "utf-8"}))
    write(p, "robots.txt", "User-agent: *\nDisallow: /private/\nDisallow: /search/\n")
    nav = ('<li><a href="/index.html">首页</a></li><li><a href="/xwzx/index.html">新闻中心</a></li>'
           '<li><a href="/zwgk/index.html">政务公开</a></li><li><a href="/search/index.html?q=年报">站内搜索</a></li>'
           + "".join(f'<li><a href="/lm/c{i}/index.html">栏目{i}</a></li>' for i in range(40)))
    home = f"""<div class="main"><div class="news_list"><h3>通知公告</h3>{ul([
        ("/xwzx/tzgg/202401/t20240105_11.html", "关于做好2023年政府信息公开工作年度报告编制发布工作的通知"),
        ("/xwzx/gzdt/202401/t20240108_12.html", "县政府召开2024年政务公开工作推进会"),
    ])}</div><div class="zt"><a href="{{{{host:xxgk}}}}/xxgknb/index.html">政府信息公开平台</a>
<a href="{{{{host:mirror}}}}/nb/2023.html">青山县2023年政府信息公开工作年度报告（转载）</a></div></div>"""
    write(p, "index.html", frame("首页", home, site, cs, nav), cs)
    write(p, "zwgk/index.html", frame("政务公开", '<div class="conlist">' + ul([
        ("/zwgk/zfxxgkzn/index.html", "政府信息公开指南"), ("/zwgk/xxgknb/index.html", "政府信息公开年报"),
        ("/zwgk/czyjs/index.html", "财政预决算"), ("/zwgk/zfgzbg/index.html", "政府工作报告"),
        ("/zwgk/old/index.html", "往年年报"),
    ]) + "</div>", site, cs, nav), cs)
    write(p, "zwgk/xxgknb/index.html", frame("政府信息公开年报", '<div class="list_box">' + ul([
        ("/zwgk/xxgknb/202401/t20240120_101.html", "青山县2023年政府信息公开工作年度报告"),
        ("/zwgk/xxgknb/202301/t20230118_102.html", "青山县2022年政府信息公开工作年度报告"),
        ("/zwgk/xxgknb/202201/t20220125_103.html", "青山县人民政府办公室2021年政府信息\n公开工作年度报告"),
        ("/zwgk/xxgknb/202312/t20231201_104.html", "关于印发政府信息公开工作年度报告格式的通知"),
        ("/zwgk/xxgknb/202403/t20240301_105.html", "青山县2023年法治政府建设年度报告"),
        ("/private/nb2020.html", "青山县2020年政府信息公开工作年度报告（内部）"),
        ("/zwgk/xxgknb/index.html?date=2024-01", "2024年1月"),
        ("/zwgk/xxgknb/index.html;jsessionid=8F3A2B", "政府信息公开年报"),
    ]) + '<div class="page"><a href="/zwgk/xxgknb/list_2.html">下一页</a></div></div>', site, cs, nav), cs)
    report_page(p, "zwgk/xxgknb/202401/t20240120_101.html", "青山县人民政府", 2023, 1, site, charset=cs)
    report_page(p, "zwgk/xxgknb/202301/t20230118_102.html", "青山县人民政府", 2022, 2, site, charset=cs,
                attachment="/zwgk/xxgknb/202301/P020230118_102.pdf")
    copy_doc(p, "zwgk/xxgknb/202301/P020230118_102.pdf", "szfgs2024.pdf")
    expected.append({"portal": p, "path": "zwgk/xxgknb/202301/P020230118_102.pdf"})
    report_page(p, "zwgk/xxgknb/202201/t20220125_103.html", "青山县人民政府办公室", 2021, 3, site, charset=cs,
                title_html="青山县人民政府办公室<br>2021年政府信息公开工作年度报告")
    lookalike(p, "zwgk/xxgknb/202312/t20231201_104.html", "关于印发政府信息公开工作年度报告格式的通知", site,
              "各乡镇、县直各单位：现将《政府信息公开工作年度报告格式》印发给你们，请遵照执行。", cs)
    lookalike(p, "zwgk/xxgknb/202403/t20240301_105.html", "青山县2023年法治政府建设年度报告", site,
              "2023年，县政府深入推进法治政府建设，一、总体情况……", cs)
    lookalike(p, "xwzx/tzgg/202401/t20240105_11.html", "关于做好2023年政府信息公开工作年度报告编制发布工作的通知",
              site, "各单位：请于1月31日前编制并公布本单位2023年政府信息公开工作年度报告。", cs)
    write(p, "xwzx/gzdt/202401/t20240108_12.html", frame("县政府召开2024年政务公开工作推进会",
                                                       "<div id='zoom'><p>会议部署年度报告编制。</p></div>", site, cs), cs)
    write(p, "private/nb2020.html", frame("内部", "<p>不应被抓取</p>", site, cs), cs)
    write(p, "search/index.html", frame("搜索", "<p>搜索</p>", site, cs), cs)
    lookalike(p, "zwgk/zfxxgkzn/index.html", "青山县人民政府信息公开指南", site, "一、公开的主体和范围……", cs)
    write(p, "zwgk/czyjs/index.html", frame("财政预决算", '<div class="list_box">' + ul([
        ("/zwgk/czyjs/202402/t20240201_201.html", "青山县2023年度部门决算公开"),
    ]) + "</div>", site, cs, nav), cs)
    lookalike(p, "zwgk/czyjs/202402/t20240201_201.html", "青山县2023年度部门决算公开", site, "决算报表", cs)
    write(p, "zwgk/zfgzbg/index.html", frame("政府工作报告", '<div class="list_box">' + ul([
        ("/zwgk/zfgzbg/202402/t20240210_301.html", "2024年青山县人民政府工作报告"),
    ]) + "</div>", site, cs, nav), cs)
    lookalike(p, "zwgk/zfgzbg/202402/t20240210_301.html", "2024年青山县政府工作报告", site, "各位代表：……", cs)
    # page 2 (answers 503 once: retried), the DOCX-only report and the scanned 图片版
    write(p, "zwgk/xxgknb/list_2.html", frame("政府信息公开年报", '<div class="list_box">' + ul([
        ("/zwgk/xxgknb/202101/t20210128_106.html", "青山县2020年政府信息公开工作年度报告"),
        ("/zwgk/xxgknb/202001/P020200120_107.pdf", "青山县2019年政府信息公开工作年度报告（图片版）"),
    ]) + "</div>", site, cs, nav), cs)
    report_page(p, "zwgk/xxgknb/202101/t20210128_106.html", "青山县人民政府", 2020, 6, site, charset=cs,
                attachment="/zwgk/xxgknb/202101/W020210128_106.docx")
    copy_doc(p, "zwgk/xxgknb/202101/W020210128_106.docx", "report.docx")
    expected.append({"portal": p, "path": "zwgk/xxgknb/202101/W020210128_106.docx"})
    copy_doc(p, "zwgk/xxgknb/202001/P020200120_107.pdf", "scan.pdf")
    expected.append({"portal": p, "path": "zwgk/xxgknb/202001/P020200120_107.pdf", "needs_ocr": "1"})
    # /zwgk/old/ 301-redirects here (overrides in the manifest): the old 政务信息公开 report name
    write(p, "zwgk/xxgknb/list_3.html", frame("往年年报", '<div class="list_box">' + ul([
        ("/zwgk/xxgknb/201002/t20100225_108.html", "青山县2009年政务信息公开年度报告"),
    ]) + "</div>", site, cs, nav), cs)
    report_page(p, "zwgk/xxgknb/201002/t20100225_108.html", "青山县人民政府", 2009, 8, site, charset=cs,
                title="青山县2009年政务信息公开年度报告")


def xxgk_and_mirror() -> None:
    write("xxgk", "robots.txt", "User-agent: *\nAllow: /\n")
    write("xxgk", "xxgknb/index.html", frame("年报", '<div class="list">' + ul([
        ("/xxgknb/bm/202401/t20240115_1.html", "青山县教育局2023年政府信息公开工作年度报告"),
    ]) + "</div>", "青山县政府信息公开平台"))
    report_page("xxgk", "xxgknb/bm/202401/t20240115_1.html", "青山县教育局", 2023, 11, "青山县政府信息公开平台")
    write("mirror", "nb/2023.html", frame("青山縣2023年政府信息公開工作年度報告",
                                         "<h1>青山縣2023年政府信息公開工作年度報告</h1><p>一、總體情況</p>", "好色資訊網"))


# -- TRS WCM: createPageHTML / var countPage, no plain links to the other pages --
def trs() -> None:
    p, site = "trs", "白河县人民政府"
    write(p, "index.html", frame("首页", '<div class="zwgk"><a href="/zfxxgk/index.html">政府信息公开</a></div>', site))
    write(p, "zfxxgk/index.html", frame("政府信息公开", '<div class="xxgk_nav">' + ul([
        ("./zfxxgknb/index.html", "政府信息公开年报"), ("./zfxxgknb/bm/index.html", "部门年报")]) + "</div>", site))
    pages = [[("./202401/t20240125_5001.html", "白河县2023年政府信息公开工作年度报告"),
              ("./202301/t20230130_5002.html", "白河县2022年政府信息公开工作年度报告")],
             [("./202201/t20220128_5003.html", "白河县2021年政府信息公开工作年度报告"),
              ("./202403/t20240310_5004.html", "白河县2023年法治政府建设年度报告")],
             [("./202101/t20210129_5005.html", "白河县〔2020〕年度政府信息公开工作报告"),
              ("./202001/t20200120_5006.html", "白河县2019年政府信息公开工作年度报告")]]
    for k, items in enumerate(pages):
        name = "index.html" if k == 0 else f"index_{k}.html"
        script = f'<div class="page"><script>createPageHTML({len(pages)}, {k}, "index", "html");</script></div>'
        write(p, f"zfxxgk/zfxxgknb/{name}", frame("政府信息公开年报", '<div class="xxgk_nblist">' + ul(items) + script
                                                  + "</div>", site))
    for n, (href, title) in enumerate([i for items in pages for i in items], start=1):
        path = "zfxxgk/zfxxgknb/" + href[2:]
        if "法治" in title:
            lookalike(p, path, title, site, "推进依法行政……")
            continue
        year = int(title[title.index("20"):title.index("20") + 4])
        if year == 2019:  # DOC, WPS and XLSX attachments (tables only in the spreadsheet)
            files = [f"./P02020012000{i}.{ext}" for i, ext in enumerate(("doc", "wps", "xlsx"))]
            report_page(p, path, "白河县人民政府", year, 20 + n, site, title=title, attachment=files)
            for f, name in zip(files, ("report.doc", "report.wps", "report.xlsx"), strict=True):
                copy_doc(p, "zfxxgk/zfxxgknb/202001/" + f[2:], name)
                expected.append({"portal": p, "path": "zfxxgk/zfxxgknb/202001/" + f[2:]})
            continue
        report_page(p, path, "白河县人民政府", year, 20 + n, site, title=title,
                    title_html=title.replace("政府信息公开", "<br>政府信息公开") if n == 1 else None)
    # department sub-column: `var countPage` without createPageHTML arguments
    for k in range(2):
        name = "index.html" if k == 0 else f"index_{k}.html"
        items = [(f"./202401/t2024011{k}_60{k}.html", f"白河县{'财政局' if k == 0 else '民政局'}2023年政府信息公开工作年度报告")]
        script = ('<script>var countPage = 2//共多少页\nvar currentPage = ' + str(k)
                  + ';var prefix = "index";var suffix = "html";</script>')
        write(p, f"zfxxgk/zfxxgknb/bm/{name}", frame("部门年报", '<div class="xxgk_nblist">' + ul(items) + "</div>"
                                                   + script, site))
        report_page(p, f"zfxxgk/zfxxgknb/bm/202401/t2024011{k}_60{k}.html", f"白河县{'财政局' if k == 0 else '民政局'}",
                    2023, 30 + k, site)


# -- Hanweb JCMS: datastore records, dataproxy.jsp POST groups, ?uid=&pageNum= unit lists --
def hanweb() -> None:
    p, site = "hanweb", "松阳县人民政府"
    write(p, "index.html", frame("首页", '<div class="xxgk"><a href="/col/col1229/index.html">政府信息公开年报</a>'
                                       '<a href="/col/col1300/index.html?uid=77&amp;pageNum=1">乡镇年报</a></div>', site))
    records = [(f"/art/2024/1/{20 + i}/art_1229_{100 + i}.html", t) for i, t in enumerate([
        "松阳县2023年政府信息公开工作年度报告", "松阳县发改局2023年政府信息公开工作年度报告",
        "松阳县2022年政府信息公开工作年度报告", "关于做好2023年度政府信息公开工作年度报告编制工作的通知",
        "松阳县卫健局2023年政府信息公开工作年度报告"])]

    def rec(items):
        return "".join(f'<record><![CDATA[<li><a href="{h}" title="{t}" target="_blank">{t}</a><b>2024-01-20</b></li>]]></record>'
                       for h, t in items)
    nextgroup = ('<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=1229&unitid=5826'
                 '&webname=%E6%9D%BE%E9%98%B3&permissiontype=0"></a>')
    col = f"""<div class="default_pgContainer" id="5826"><script type="text/xml"><datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>
<recordset>{rec(records[:2])}</recordset></datastore></script></div>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script>$(document).ready(function(){{ $('#5826').jpage({{ dataStore: dataStore, perPage: 2, totalRecord: 5, groupSize: 1,
proxyUrl: '/module/web/jpage/dataproxy.jsp', dataBefore: '<ul>', dataAfter: '</ul>' }}); }});</script>"""
    write(p, "col/col1229/index.html", frame("政府信息公开年报", col, site))
    for start, end in ((3, 4), (5, 5)):
        xml = f"<?xml version='1.0' encoding='UTF-8'?><datastore><recordset>{rec(records[start - 1:end])}</recordset></datastore>"
        write(p, f"module/web/jpage/dataproxy.jsp@startrecord={start}&endrecord={end}&perpage=2", xml)
    for i, (href, title) in enumerate(records):
        if "通知" in title:
            lookalike(p, href, title, site, "各乡镇、各部门：请做好年度报告编制。")
        else:
            agency = title.split("2")[0]
            report_page(p, href, agency if agency != "松阳县" else "松阳县人民政府", 2023 if "2023" in title else 2022,
                        40 + i, site, container='div id="zoom"')
    towns = ["大东坝镇", "玉岩镇", "枫坪乡"]
    for k, town in enumerate(towns, start=1):
        nav = (f'<div class="page"><a href="?uid=77&amp;pageNum={min(k + 1, 3)}">下一页</a> '
               '<a href="?uid=77&amp;pageNum=3">尾页</a></div>') if k == 1 else ""
        lst = frame("乡镇年报", '<div class="zfxxgk_zdgkc">' + ul([(f"/art/2024/1/1{k}/art_1300_{200 + k}.html",
                                                                 f"{town}2023年政府信息公开工作年度报告")]) + "</div>" + nav, site)
        write(p, "col/col1300/index.html" if k == 1 else f"col/col1300/index.html@uid=77&pageNum={k}", lst)
        report_page(p, f"art/2024/1/1{k}/art_1300_{200 + k}.html", f"松阳县{town}人民政府", 2023, 50 + k, site)


# -- JSON list: the column page fetches /api/nb/list.json?page=N and builds the list in JS --
def jsonlist() -> None:
    p, site = "jsonlist", "东湖区人民政府"
    write(p, "index.html", frame("首页", '<div class="xxgk"><a href="/xxgk/nb/index.html">政府信息公开年报</a></div>', site))
    write(p, "xxgk/nb/index.html", frame("政府信息公开年报", """<div class="list"><ul id="nblist"></ul></div>
<script>$.getJSON("/api/nb/list.json?page=1", function (res) { var h = "";
  $.each(res.data.list, function (i, d) { h += '<li><a href="' + d.url + '">' + d.title + '</a></li>'; });
  $("#nblist").html(h); });</script>""", site))
    items = [("/xxgk/nb/2024/c_301.html", "东湖区2023年政府信息公开工作年度报告"),
             ("/xxgk/nb/2023/c_302.html", "东湖区2022年政府信息公开工作年度报告"),
             ("/xxgk/nb/2024/c_303.html", "东湖区2023年度预算公开说明"),
             ("/xxgk/nb/2022/c_304.html", "東湖區2021年政府信息公開工作年度報告")]
    for k, chunk in enumerate((items[:2], items[2:]), start=1):
        data = {"code": 0, "data": {"pageNo": k, "totalPage": 2, "list": [{"title": t, "url": u, "pubDate": "2024-01-20"}
                                                                          for u, t in chunk]}}
        write(p, f"api/nb/list.json@page={k}", json.dumps(data, ensure_ascii=False))
    for n, (u, t) in enumerate(items):
        if "预算" in t:
            lookalike(p, u, t, site, "部门预算公开")
        else:
            year = int(t[t.index("20"):t.index("20") + 4])
            report_page(p, u, "东湖区人民政府", year, 60 + n, site, title=t)


# -- Beijing-style shells (location.replace, meta refresh) and 区政府/部门/街道乡镇 sub-columns --
def shell() -> None:
    p, site = "shell", "北湖区人民政府"
    write(p, "index.html", frame("首页", '<div class="zwgk"><a href="/zfxxgk/index.html">政府信息公开</a></div>', site))
    write(p, "zfxxgk/index.html", frame("政府信息公开", '<div class="xxgk_menu">' + ul([
        ("/zfxxgk/nb/index.html", "政府信息公开年报")]) + "</div>", site))
    write(p, "zfxxgk/nb/index.html", '<html><head><script type="text/javascript">'
                                    'window.location.replace("/zfxxgk/nb/2024n/index.html");</script></head><body></body></html>')
    write(p, "zfxxgk/nb/2024n/index.html", frame("2024年度", '<div class="nb_tabs">' + ul([
        ("./qzf/index.html", "区政府"), ("./bm/index.html", "区政府部门"), ("./xzjd/index.html", "街道乡镇"),
        ("../2023n/index.html", "2023年度")]) + "</div>", site))
    subs = {"qzf": ["北湖区人民政府"], "bm": ["北湖区发展和改革委员会", "北湖区教育委员会"],
            "xzjd": ["北湖区新城街道办事处", "北湖区石桥镇人民政府"]}
    n = 70
    for sub, agencies in subs.items():
        items = []
        for agency in agencies:
            n += 1
            path = f"zfxxgk/nb/2024n/{sub}/202501/t20250118_{n}.html"
            report_page(p, path, agency, 2024, n, site)
            items.append((f"/{path}", f"{agency}2024年政府信息公开工作年度报告"))
        write(p, f"zfxxgk/nb/2024n/{sub}/index.html", frame("年报", '<div class="list">' + ul(items) + "</div>", site))
    write(p, "zfxxgk/nb/2023n/index.html", '<html><head><meta http-equiv="refresh" content="0; url=./list.html">'
                                          "</head><body></body></html>")
    write(p, "zfxxgk/nb/2023n/list.html", frame("2023年度", '<div class="list">' + ul([
        ("/zfxxgk/nb/2023n/202401/t20240119_81.html", "北湖区2023年政府信息公开工作年度报告")]) + "</div>", site))
    report_page(p, "zfxxgk/nb/2023n/202401/t20240119_81.html", "北湖区人民政府", 2023, 81, site)


# -- a list built by JavaScript from data the page source does not reveal as an endpoint: render=true --
def render() -> None:
    p, site = "render", "西岭县人民政府"
    write(p, "index.html", frame("首页", '<div class="xxgk"><a href="/gk/nb/index.html">政府信息公开年报</a></div>', site))
    write(p, "gk/nb/index.html", frame("政府信息公开年报", """<div class="list"><ul id="nb"></ul></div>
<script>(function(){var k=["t20240122_901","t20230125_902"],y=[2023,2022],h="";
for(var i=0;i<k.length;i++){h+="<li><a href='./"+k[i].substr(1,6)+"/"+k[i]+".html'>西岭县"+y[i]+"年政府信息公开工作年度报告</a></li>";}
document.getElementById("nb").innerHTML=h;})();</script>""", site))
    report_page(p, "gk/nb/202401/t20240122_901.html", "西岭县人民政府", 2023, 91, site)
    report_page(p, "gk/nb/202301/t20230125_902.html", "西岭县人民政府", 2022, 92, site)


PORTALS = [
    {"key": "plain", "name": "青山县人民政府", "region_code": "990101", "host": "127.0.0.1", "home": "/index.html",
     "allowed": ["xxgk"], "render": False},
    {"key": "trs", "name": "白河县人民政府", "region_code": "990102", "host": "127.0.0.1", "home": "/index.html"},
    {"key": "hanweb", "name": "松阳县人民政府", "region_code": "990103", "host": "127.0.0.1", "home": "/index.html"},
    {"key": "jsonlist", "name": "东湖区人民政府", "region_code": "990104", "host": "127.0.0.1", "home": "/index.html"},
    {"key": "shell", "name": "北湖区人民政府", "region_code": "990105", "host": "127.0.0.1", "home": "/index.html"},
    {"key": "render", "name": "西岭县人民政府", "region_code": "990106", "host": "127.0.0.1", "home": "/index.html",
     "render": True},
]
HOSTS = [{"key": "xxgk", "host": "127.0.0.3"}, {"key": "mirror", "host": "127.0.0.2"}]
OVERRIDES = [{"portal": "plain", "path": "/zwgk/old/index.html", "status": 301,
              "headers": {"Location": "/zwgk/xxgknb/list_3.html"}},
             {"portal": "plain", "path": "/zwgk/xxgknb/list_2.html", "status": 503, "times": 1}]


def main() -> None:
    if ROOT.exists():
        shutil.rmtree(ROOT)
    for build in (plain, xxgk_and_mirror, trs, hanweb, jsonlist, shell, render):
        build()
    manifest = {"portals": PORTALS, "hosts": HOSTS, "overrides": OVERRIDES, "reports": expected,
                "lookalikes": lookalikes, "disallowed": [{"portal": "plain", "path": "/private/"},
                                                         {"portal": "plain", "path": "/search/"}],
                "traps": [{"portal": "plain", "path": "date=2024-01"}, {"portal": "plain", "path": "jsessionid"}]}
    (ROOT / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {ROOT}: {len(expected)} reports, {len(lookalikes)} look-alikes")


if __name__ == "__main__":
    main()

"""A small fixture portal family for re-crawl, dedup and resume tests (written into a folder).

    city/     a city portal: home → 年报 column (2 list pages) → 3 report pages, one with a DOCX attachment
    county/   a county portal reposting the city's 麒麟区 report under its own chrome and URL
    big5/     the city's 繁體 mirror of the 麒麟区 report (OpenCC s2t of the whole page)

`build(root)` writes the site; `revise(root)` publishes a corrected 贵池区 report (an added
paragraph and a changed figure) at the same URL, as a portal does when it fixes a report.
Report texts are the real seeds in tests/fixtures/seeds.
"""

from __future__ import annotations

import csv
import html
import json
from io import BytesIO
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
REPORTS = {  # path -> (seed, title, published)
    "city/xxgk/nb/t20210210_1.html": ("001_4a4f3564ba85f8ba", "曲靖市麒麟区珠街街道2020年政府信息公开工作年度报告", "2021-02-10"),
    "city/xxgk/nb/t20210220_2.html": ("003_5fcee4d99d0760d8", "池州市贵池区2020年政府信息公开工作年度报告", "2021-02-20"),
    "city/xxgk/nb/t20220415_3.html": ("002_b58532c6c9d423bb", "双辽市2021年政府信息公开工作年度报告", "2022-04-15"),
}
REPOST = "county/zwgk/ndbg/content_88.html"
MIRROR = "big5/city/xxgk/nb/t20210210_1.html"
ATTACHMENT = "city/xxgk/nb/P020210210_1.docx"
REPOST_ATTACHMENT = "county/zwgk/ndbg/P0_88.docx"
REVISED = "city/xxgk/nb/t20210220_2.html"


def _seed(stem: str) -> str:
    return (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")


def _paragraphs(text: str) -> str:
    return "\n".join(f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


def _page(title: str, body: str, *, site: str, nav: str, published: str | None = None, source: str = "") -> str:
    meta = f"<div class='info'>发布时间：{published} 信息来源：{source or site}</div>" if published else ""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}-{site}</title>
<meta name="ArticleTitle" content="{title if published else ''}"></head><body>
<div class="nav">{nav}</div><div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>
<div class="article"><h1>{title}</h1>{meta}<div class="content">{body}</div></div>
<div class="footer">主办单位：{site}办公室 ICP备案号：滇ICP备05000000号 网站标识码：5303000001</div>
</body></html>"""


CITY_NAV = "<a href='/city/index.html'>首页</a> <a href='/city/xxgk/nb/index.html'>政府信息公开年报</a> <a href='/city/news.html'>要闻动态</a>"
COUNTY_NAV = "<a href='/county/index.html'>县政府首页</a> | <a href='/county/zwgk/ndbg/index.html'>政务公开年度报告</a>"


def _list(title: str, items: list[tuple[str, str]], nav: str, site: str, next_href: str | None = None) -> str:
    lis = "".join(f"<li><a href='{href}' title='{t}'>{t}</a><span>2021-02-10</span></li>" for href, t in items)
    more = f"<a href='{next_href}'>下一页</a>" if next_href else ""
    return _page(title, f"<ul class='list'>{lis}</ul><div class='page'>{more}</div>", site=site, nav=nav)


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    buf = BytesIO()
    document.save(buf)
    return buf.getvalue()


def _write(root: Path, rel: str, data: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def _agency(stem: str) -> str:
    return json.loads((SEEDS / "expected" / f"{stem}.json").read_text(encoding="utf-8"))["agency"]


def report_page(rel: str, *, site: str = "曲靖市人民政府", nav: str = CITY_NAV, text: str | None = None,
                attachment: str = ATTACHMENT) -> str:
    stem, title, published = REPORTS[rel]
    body = _paragraphs(text if text is not None else _seed(stem))
    if rel.endswith("_1.html"):
        body += f"<p>附件：<a href='/{attachment}'>{title}.docx</a></p>"
    return _page(title, body, site=site, nav=nav, published=published, source=_agency(stem))


def build(root: Path) -> Path:
    """Write the three portals under `root`; returns the portal CSV for `-a portals=`."""
    city = "曲靖市人民政府"
    items = [("/" + rel, REPORTS[rel][1]) for rel in REPORTS]
    _write(root, "city/index.html", _page("曲靖市人民政府门户网站", "<p>欢迎访问</p>", site=city, nav=CITY_NAV))
    _write(root, "city/news.html", _page("要闻动态", "<p>今日无新闻。</p>", site=city, nav=CITY_NAV))
    _write(root, "city/xxgk/nb/index.html", _list("政府信息公开年报", items[:2], CITY_NAV, city,
                                                  "/city/xxgk/nb/index_1.html"))
    _write(root, "city/xxgk/nb/index_1.html", _list("政府信息公开年报", items[2:], CITY_NAV, city))
    for rel in REPORTS:
        _write(root, rel, report_page(rel))
    stem, title, _ = REPORTS["city/xxgk/nb/t20210210_1.html"]
    _write(root, ATTACHMENT, _docx(_seed(stem)))
    county = "曲靖市麒麟区人民政府"
    _write(root, "county/index.html", _page("麒麟区人民政府", "<p>欢迎</p>", site=county, nav=COUNTY_NAV))
    _write(root, "county/zwgk/ndbg/index.html", _list("政务公开年度报告", [("/" + REPOST, title)], COUNTY_NAV, county))
    # the county copies the page and its attachment: other chrome, other URLs, the same report
    _write(root, REPOST, report_page("city/xxgk/nb/t20210210_1.html", site=county, nav=COUNTY_NAV,
                                     attachment=REPOST_ATTACHMENT))
    _write(root, REPOST_ATTACHMENT, (root / ATTACHMENT).read_bytes())
    import opencc

    s2t = opencc.OpenCC("s2t").convert
    mirror_nav = "<a href='/big5/city/xxgk/nb/index.html'>政府信息公开年報</a>"
    _write(root, "big5/city/xxgk/nb/index.html", s2t(_list("政府信息公开年报", [("/" + MIRROR, title)], mirror_nav, city)))
    _write(root, MIRROR, s2t(report_page("city/xxgk/nb/t20210210_1.html", nav=mirror_nav)))
    portals = root / "portals.csv"
    with portals.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "start_url", "render", "region_code"])
        for name, path, code in (("曲靖市", "city/index.html", "530300"), ("麒麟区", "county/index.html", "530302"),
                                 ("曲靖市繁體", "big5/city/xxgk/nb/index.html", "530300")):
            writer.writerow([name, f"{{base}}/{path}", "false", code])
    return portals


def revise(root: Path) -> None:
    """The portal corrects its 贵池区 report: one more paragraph, a figure changed."""
    text = _seed(REPORTS[REVISED][0])
    assert "| 0 | 2 | 3 |" in text
    text = text.replace("| 0 | 2 | 3 |", "| 0 | 3 | 4 |", 1)  # 法人或其他组织 2 → 3, 总计 3 → 4
    text += "\n六、更正说明\n本报告第三部分的申请数量已于2021年3月更正。"
    _write(root, REVISED, report_page(REVISED, text=text))


def portal_csv(root: Path, base: str) -> Path:
    """The portal CSV with the server's base URL filled in."""
    out = root / "portals.local.csv"
    out.write_text((root / "portals.csv").read_text(encoding="utf-8").replace("{base}", base), encoding="utf-8")
    return out

"""body_text never starts with the portal's name, a header line or a breadcrumb.

Over the demo portals (crawler/demo), the fixture portals (tests/sites) and generated page chromes.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pipelines.clean import _BREADCRUMB, extract_body, is_chrome_line, site_names
from pipelines.process import process_document

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "crawler" / "demo"
MANIFEST = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
PORTALS = {p["key"]: p for p in MANIFEST["portals"]}
DEMO_PAGES = [r for r in MANIFEST["reports"] if r["path"].endswith((".html", ".htm", ".shtml"))]


def _starts_with_chrome(body: str, names: set[str]) -> str | None:
    first = body.strip().splitlines()[0].strip() if body.strip() else ""
    flat = "".join(first.split())
    if flat in names or any(flat.startswith(n) and len(flat) < len(n) + 6 for n in names):
        return f"site name: {first}"
    if _BREADCRUMB.match(first) or is_chrome_line(first):
        return f"header/breadcrumb: {first}"
    return None


@pytest.mark.parametrize("rep", DEMO_PAGES, ids=lambda r: r["path"])
def test_demo_report_body_starts_with_the_report(rep):
    portal = PORTALS[rep["portal"]]
    html = (DEMO / "site" / portal["directory"] / rep["path"].lstrip("/")).read_bytes().decode(portal["encoding"])
    names = site_names(lxml_html.fromstring(html)) | {portal["name"]}
    out = process_document(url=f"http://demo.test{rep['path']}", html=html, title=rep["title"])
    assert out.accepted, out.reason
    assert _starts_with_chrome(out.record["body_text"], names) is None
    assert out.record["agency"] == rep["agency"]


def _fixture_reports():
    for path in sorted((ROOT / "tests" / "sites").rglob("*.htm*")):
        html = path.read_bytes().decode("utf-8", errors="replace")
        body = extract_body(html)
        if "总体情况" in body and "主动公开" in body:
            yield pytest.param(path, html, id=str(path.relative_to(ROOT / "tests" / "sites")))


@pytest.mark.parametrize(("path", "html"), list(_fixture_reports()))
def test_fixture_portal_report_body_starts_with_the_report(path, html):
    names = site_names(lxml_html.fromstring(html))
    assert _starts_with_chrome(extract_body(html), names) is None


REPORT = ("<h1>青山县审计局2023年政府信息公开工作年度报告</h1>"
          "<p>本报告由青山县审计局根据《中华人民共和国政府信息公开条例》要求编制。</p>"
          + "".join(f"<p>{h}</p><p>{'本年度，我局认真落实政府信息公开各项要求，规范公开流程。' * 4}</p>"
                    for h in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                              "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况")))
SITE = "青山县人民政府"
HEADERS = {
    "logo div": f'<div class="header"><div class="logo">{SITE}</div></div>',
    "logo image alt text": f'<div id="top"><a href="/"><span>{SITE}</span></a></div>',
    "welcome": f"<div class='top'><span>欢迎访问{SITE}门户网站</span></div>",
    "site name + 网站": f"<div class='banner'><p>{SITE}网站</p></div>",
    "none": "",
}
CRUMBS = {
    "arrows": "<div class='crumb'>首页 &gt; 政务公开 &gt; 政府信息公开 &gt; 政府信息公开年报</div>",
    "当前位置": "<div class='position'>当前位置：首页 » 信息公开 » 年报</div>",
    "links": "<div class='location'><a href='/'>首页</a> &gt; <a href='/zwgk/'>政务公开</a> &gt; <a>年报</a></div>",
    "您的位置": "<div>您现在的位置：网站首页 &gt; 信息公开</div>",
    "none": "",
}
TITLES = {"tail": f"青山县审计局2023年政府信息公开工作年度报告_{SITE}", "dash": f"年报 - {SITE}", "bare": "年度报告"}
META = {"SiteName": f'<meta name="SiteName" content="{SITE}">', "none": ""}


@pytest.mark.parametrize(("header", "crumb"), list(itertools.product(HEADERS, CRUMBS)))
def test_generated_chrome_never_starts_the_body(header, crumb):
    for (title_kind, title), meta in itertools.product(TITLES.items(), META.values()):
        if not meta and title_kind == "bare" and header != "none":
            continue  # nothing on the page says the site's name: a bare name line cannot be told from text
        html = (f"<html><head><title>{title}</title>{meta}</head><body>{HEADERS[header]}{CRUMBS[crumb]}"
                f"<div class='content'>{REPORT}</div><div class='footer'>主办单位：{SITE}办公室</div></body></html>")
        body = extract_body(html)
        names = {SITE}
        assert _starts_with_chrome(body, names) is None, (header, crumb, title_kind, body[:60])
        assert "总体情况" in body

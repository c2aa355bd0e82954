"""End to end: a report page whose body is page images (图片版) is read by OCR through the crawl.

A loopback portal: a list page (~300 links, most off-host) linking two report pages whose content area
is one <img> per page and no text, among the portal's own logo and icons. One page's images are served;
the crawl fetches them in order and archives ONE report with the page's URL, the agency and year read
from the page, and OCR'd cells. The other page's second image is missing: the error goes to fetch_log
and the page is handled as a plain HTML page, as before.
"""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from pipelines.ocr.grid import find_grids
from tests.test_ocr import check_cells, printed  # noqa: F401  (printed: the fixture)

pytest.importorskip("rapidocr", reason="the ocr extra (bin/test installs it)")

ROOT = Path(__file__).resolve().parents[1]
CHROME = ('<div class="header"><img src="/images/logo.png" width="420" height="80"><ul class="nav">'
          + "".join(f'<li><a href="/col{i}/">栏目{i}</a></li>' for i in range(12)) + "</ul></div>")
FOOTER = ('<div class="footer"><img src="/images/ewm.jpg" width="90" height="90">'
          "<p>主办：某县人民政府办公室 地址：某县人民路1号 备案号：某ICP备00000000号</p></div>")


def detail_page(title: str, images: list[str]) -> str:
    body = "".join(f'<p style="text-align:center"><img src="{src}" border="0"></p>' for src in images)
    return (f"<html><head><meta charset='utf-8'><title>{title}_某县人民政府</title></head><body>{CHROME}"
            f'<div class="article"><h1 class="title">{title}</h1><div class="info">发布时间：2021-01-20 '
            f'信息来源：县政府办</div><div class="content" id="zoom">{body}</div></div>{FOOTER}</body></html>')


def list_page(links: list[tuple[str, str]]) -> str:
    rows = "".join(f'<li><a href="{u}" title="{t}">{t}</a><span>2021-01-20</span></li>' for u, t in links)
    news = "".join(f'<li><a href="http://www.news{i % 40}.com.cn/a/{i}.html">要闻{i}：县委召开专题会议研究部署'
                   f"重点工作推进落实情况</a></li>" for i in range(300))
    return (f"<html><head><meta charset='utf-8'><title>政府信息公开年度报告_某县人民政府</title></head><body>{CHROME}"
            f'<div class="news">{news}</div><div class="list"><ul>{rows}</ul></div>{FOOTER}</body></html>')


class Portal(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[str, bytes]]] = {}
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        hit = self.routes.get(self.path)
        if hit is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        ctype, body = hit
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def png(img) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def jpg(img) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.mark.e2e
def test_a_report_page_of_page_images_is_one_ocr_report(printed, tmp_path):  # noqa: F811
    spec, html, page, _ = printed
    cut = find_grids(np.asarray(page.convert("L")))[0].box[1] - 8  # two page images: the title, then the table
    first, second = page.crop((0, 0, page.width, cut)), page.crop((0, cut, page.width, page.height))
    from PIL import Image

    icon = png(Image.new("RGB", (420, 80), "red"))
    broken_title = spec.title.replace("2020", "2019")
    Portal.routes = {
        "/xxgk/nb/": ("text/html; charset=utf-8", list_page([("/xxgk/nb/t1.html", spec.title),
                                                             ("/xxgk/nb/t2.html", broken_title)]).encode()),
        "/xxgk/nb/t1.html": ("text/html; charset=utf-8",
                             detail_page(spec.title, ["/upload/t1/p1.png", "/upload/t1/p2.jpg"]).encode()),
        "/xxgk/nb/t2.html": ("text/html; charset=utf-8",
                             detail_page(broken_title, ["/upload/t2/p1.png", "/upload/t2/p2.jpg"]).encode()),
        "/upload/t1/p1.png": ("image/png", png(first)),
        "/upload/t1/p2.jpg": ("image/jpeg", jpg(second)),
        "/upload/t2/p1.png": ("image/png", png(first)),  # p2.jpg: 404
        "/images/logo.png": ("image/png", icon),
        "/images/ewm.jpg": ("image/jpeg", icon),
    }
    Portal.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        csv = tmp_path / "portals.csv"
        csv.write_text(f"name,start_url,render,region_code\n某县人民政府,{base}/xxgk/nb/,false,320500\n",
                       encoding="utf-8")
        db = tmp_path / "archive.db"
        scrapy = Path(sys.executable).with_name("scrapy")
        proc = subprocess.run(
            [str(scrapy), "crawl", "portals", "-a", f"portals={csv}", "-s", f"ARCHIVE_DB={db}",
             "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO",
             "-s", "NIANBAO_HOSTS_ONLY=True", "-s", "RETRY_TIMES=0"],
            cwd=ROOT, capture_output=True, text=True, timeout=600)
    finally:
        server.shutdown()
    assert proc.returncode == 0, proc.stderr[-3000:]
    # the page images in document order, after their page; the logo and QR code never
    assert Portal.seen.index("/upload/t1/p1.png") < Portal.seen.index("/upload/t1/p2.jpg")
    assert Portal.seen.index("/xxgk/nb/t1.html") < Portal.seen.index("/upload/t1/p1.png")
    assert not {"/images/logo.png", "/images/ewm.jpg"} & set(Portal.seen)

    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute("select r.*, u.url as u_url, u.kind as u_kind from reports r "
                        "join report_urls u on u.report_id = r.id where u.url = ?", [f"{base}/xxgk/nb/t1.html"]).fetchall()
    assert len(rows) == 1
    row = rows[0]
    assert (row["agency"], row["year"]) == (spec.agency, 2020)
    assert row["source_kind"] == "image" and row["needs_ocr"] == 0 and row["ocr_engine"] == "rapidocr 3.10.0"
    assert "主动公开政府信息情况" in row["body_text"]
    check_cells([dict(c) for c in conn.execute("select * from report_cells where report_id = ?", [row["id"]])], html)
    fetched = {r["url"]: r for r in conn.execute("select * from fetch_log")}
    assert fetched[f"{base}/upload/t1/p1.png"]["status"] == 200 and fetched[f"{base}/upload/t1/p2.jpg"]["status"] == 200
    # the failed image: recorded, and its page handled as an HTML page (as before), not lost
    assert fetched[f"{base}/upload/t2/p2.jpg"]["error"] == "HTTP 404"
    t2 = f"{base}/xxgk/nb/t2.html"
    kept = conn.execute("select count(*) from report_urls where url = ?", [t2]).fetchone()[0]
    rejected = conn.execute("select count(*) from rejected_pages where url = ?", [t2]).fetchone()[0]
    assert kept + rejected == 1
    assert conn.execute("select count(*) from reports where source_kind = 'image'").fetchone()[0] == 1


# -- which pages are image pages (quick) -------------------------------------------------------------

def scans(html: str, url: str) -> list[str]:
    """scan_images parsing the page itself, and reading a copy of the spider's parse: the same URLs, and
    the spider's tree is left as it was."""
    from lxml import html as lxml_html

    from crawler.discovery.scans import scan_images

    tree = lxml_html.fromstring(html)
    before = lxml_html.tostring(tree)
    own = scan_images(html, url)
    assert scan_images(html, url, tree) == own
    assert lxml_html.tostring(tree) == before
    return own


@pytest.mark.parametrize("container", ['class="content"', 'id="zoom"', 'class="TRS_Editor"', 'class="xxgk_nb"',
                                       'class="article-detail"', None])
@pytest.mark.parametrize("attrs", ["", ' width="794" height="1123"', ' style="width:100%"'])
def test_page_images_in_document_order_without_the_sites_icons(container, attrs):

    imgs = [f'<p><img src="p{i}.jpg"{attrs}></p>' for i in (1, 2, 10)]
    imgs.insert(1, '<img data-src="/up/p1b.png">')
    body = "".join(imgs)
    inner = f"<div {container}>{body}</div>" if container else body
    html = detail_page("某县2023年政府信息公开工作年度报告", []).replace('<div class="content" id="zoom"></div>', inner)
    if container is None:  # no recognisable container: the body minus header, footer and icons
        html = html.replace('<div class="article">', "<div>")
    assert scans(html, "http://x.gov.cn/nb/t.html") == [
        "http://x.gov.cn/nb/p1.jpg", "http://x.gov.cn/up/p1b.png", "http://x.gov.cn/nb/p2.jpg",
        "http://x.gov.cn/nb/p10.jpg"]


@pytest.mark.parametrize("chars", [200, 1500])
def test_a_page_with_text_is_not_an_image_page(chars):

    text = ("根据《中华人民共和国政府信息公开条例》要求，现公布本机关年度报告。" * 60)[:chars]
    html = detail_page("某县2023年政府信息公开工作年度报告", ["p1.jpg", "p2.jpg"]).replace(
        '<p style="text-align:center">', f"<p>{text}</p><p>", 1)
    assert scans(html, "http://x.gov.cn/nb/t.html") == []
    assert len(scans(html.replace(text, text[:150]), "http://x.gov.cn/nb/t.html")) == 2


def _scan_images_reference(html: str, url: str) -> list[str]:
    """scan_images before its no-page-image shortcut (copied as it was): the reference for the test below."""
    import copy
    import re
    from urllib.parse import urljoin

    from lxml import html as lxml_html

    from crawler.discovery.listings import _CONTAINER
    from crawler.discovery.scans import _CHROME, _TINY, MIN_TEXT, _size
    from pipelines.clean import clean_text

    try:
        tree = copy.deepcopy(lxml_html.fromstring(html))
    except (ValueError, lxml_html.etree.ParserError):
        return []
    for bad in tree.xpath("//script|//style|//header|//footer|//nav"):
        bad.drop_tree()
    found = [el for el in tree.xpath("//body//*[@id or @class]")
             if el.tag not in ("a", "span", "li", "p", "img") and el.find(".//img") is not None
             and _CONTAINER.search(f"{el.get('id', '')} {el.get('class', '')}")]
    inner = {d for el in found for d in el.iterdescendants()}
    areas = [el for el in found if el not in inner] or tree.xpath("//body")
    text = clean_text(" ".join(" ".join(el.itertext()) for el in areas))
    if len(re.sub(r"\s+", "", text)) >= MIN_TEXT:
        return []
    out: list[str] = []
    for el in areas:
        for img in el.iter("img"):
            src = (img.get("src") or img.get("data-src") or "").strip()
            if not src or src.startswith("data:") or _CHROME.search(f"{src} {img.get('class', '')} {img.get('id', '')}"):
                continue
            if any(s is not None and s < _TINY for s in (_size(img.get("width")), _size(img.get("height")))):
                continue
            full = urljoin(url, src)
            if full.startswith(("http://", "https://")) and full not in out:
                out.append(full)
    return out


def _image_pages() -> list[str]:
    """Report pages with every kind of <img> (page images, icons by name and size, inline data, empty,
    javascript: sources) in content areas, chrome, scripts, or none, around MIN_TEXT of text; generated
    portal pages (no images) and the fixture sites' pages."""
    import random
    from pathlib import Path

    from bench.realgen import build_site

    rng = random.Random(7)
    imgs = ['<img src="p{i}.jpg">', '<img data-src="/up/p{i}.png">', '<img src="logo{i}.png">', '<img src="">',
            '<img src="data:image/png;base64,AAAA">', '<img src="s{i}.gif" width="16" height="16">',
            '<img src="big{i}.jpg" width="794px">', '<img class="icon" src="x{i}.jpg">', '<img src="javascript:0">',
            '<img src="qrcode.jpg">', '<img>', '<img src="p{i}.jpg" height="12">']
    wraps = ['<div class="content">{}</div>', '<div id="zoom">{}</div>', "<header>{}</header>", "<nav>{}</nav>",
             "<p>{}</p>", '<div class="nav-bar">{}</div>', "<script>var s = '{}';</script>", "{}"]
    out = []
    for _ in range(300):
        body = "".join(rng.choice(wraps).format(rng.choice(imgs).format(i=i)) for i in range(rng.randint(0, 6)))
        text = "本机关年度报告。" * rng.choice([0, 5, 24, 26, 60])
        out.append(detail_page("某县2023年政府信息公开工作年度报告", []).replace(
            '<div class="content" id="zoom"></div>', f"<p>{text}</p>{body}"))
    for k in (1, 2, 3, 4):
        site = build_site(k, 4, 12, random.Random(k))
        out += [v.decode("gbk" if site.gbk else "utf-8") for p, v in site.files.items() if p.endswith(".html")]
    sites = Path(__file__).parent / "sites"
    out += [p.read_bytes().decode("utf-8", "replace") for p in sorted(sites.rglob("*.htm*"))]
    return out


def test_the_no_page_image_shortcut_gives_what_the_whole_check_gave():
    pages = _image_pages()
    found = [scans(html, "http://x.gov.cn/nb/t.html") for html in pages]
    assert found == [_scan_images_reference(html, "http://x.gov.cn/nb/t.html") for html in pages]
    assert sum(bool(f) for f in found) > 20 and sum(not f for f in found) > 100

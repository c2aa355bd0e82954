"""The bundled demo portals (crawler/demo/site) and the static server that serves them."""

from __future__ import annotations

import hashlib
import http.client
import json
import re
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html

from crawler.demo.build import build
from crawler.demo.seeds import SEEDS
from crawler.demo.server import Override, SiteServer, start_demo

DEMO = Path(__file__).resolve().parents[1] / "crawler" / "demo"
SITE = DEMO / "site"
MANIFEST = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
PORTALS = {p["key"]: p for p in MANIFEST["portals"]}


def _hashes(root: Path) -> dict[str, str]:
    return {str(f.relative_to(root)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(root.rglob("*")) if f.is_file()}


def _page(portal: str, path: str) -> str:
    return (SITE / portal / path.lstrip("/")).read_bytes().decode(PORTALS[portal]["encoding"])


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


# -- the build ---------------------------------------------------------------------------------------
def test_build_is_reproducible_and_matches_the_committed_site(tmp_path):
    fresh = tmp_path / "site"
    build(fresh, tmp_path / "manifest.json")
    assert _hashes(fresh) == _hashes(SITE), "crawler/demo/site is stale: run python -m crawler.demo.build"
    assert (tmp_path / "manifest.json").read_bytes() == (DEMO / "manifest.json").read_bytes()
    again = tmp_path / "again"
    build(again, tmp_path / "manifest2.json")
    assert _hashes(again) == _hashes(fresh)


def test_site_is_small():
    assert sum(f.stat().st_size for f in SITE.rglob("*") if f.is_file()) < 3_000_000


def test_county_pages_are_gbk_and_others_utf8():
    county = list((SITE / "county").rglob("*.html"))
    assert len(county) > 20
    for f in county:
        text = f.read_bytes().decode("gbk")  # strict: raises on any non-GBK byte sequence
        assert '<meta charset="gb2312">' in text
        assert text.count("-伊川县人民政府</title>") == 1
    with pytest.raises(UnicodeDecodeError):  # real GBK bytes, not ASCII-only pages
        (SITE / "county" / "index.html").read_bytes().decode("utf-8")
    for key in ("city", "town"):
        for f in (SITE / key).rglob("*.html"):
            assert '<meta charset="utf-8">' in f.read_bytes().decode("utf-8")


def test_every_manifest_path_exists():
    for rep in MANIFEST["reports"]:
        assert (SITE / rep["portal"] / rep["path"].lstrip("/")).is_file(), rep["path"]
    for portal in MANIFEST["portals"]:
        assert (SITE / portal["directory"] / portal["home"].lstrip("/")).is_file()
        for page in portal["non_reports"]:
            assert (SITE / portal["directory"] / page["path"].lstrip("/")).is_file(), page["path"]
    assert set(MANIFEST["non_reports"]) == {n["path"] for p in MANIFEST["portals"] for n in p["non_reports"]}
    report_paths = {r["path"] for r in MANIFEST["reports"]}
    assert not report_paths & set(MANIFEST["non_reports"])


def test_manifest_reports_follow_the_seeds():
    stems = {r["seed"] for r in MANIFEST["reports"]}
    assert stems == {s.stem for s in SEEDS.values()}  # every seed on at least one page
    for rep in MANIFEST["reports"]:
        exp = SEEDS[rep["seed"][:3]].expected
        assert (rep["agency"], rep["year"], rep["template"]) == (exp["agency"], exp["year"], exp["template"])
        assert (rep["contact_phone"], rep["contact_address"]) == (exp["contact"]["phone"], exp["contact"]["address"])
        assert re.fullmatch(rf"{exp['year'] + 1}-0[1-3]-\d\dT\d\d:\d\d", rep["published_at"]), rep["published_at"]
        if exp["published_at"]:
            assert rep["published_at"] == exp["published_at"]
    dups = [r for r in MANIFEST["reports"] if r["duplicate_of"]]
    assert len(dups) == 1
    original = next(r for r in MANIFEST["reports"] if r["path"] == dups[0]["duplicate_of"])
    assert original["portal"] != dups[0]["portal"]
    assert {k: v for k, v in original.items() if k not in ("portal", "path", "duplicate_of", "metadata_block")} == \
        {k: v for k, v in dups[0].items() if k not in ("portal", "path", "duplicate_of", "metadata_block")}


@pytest.mark.parametrize("rep", MANIFEST["reports"], ids=lambda r: f"{r['portal']}{r['path']}")
def test_report_page_content(rep):
    text = _page(rep["portal"], rep["path"])
    tree = lxml_html.fromstring(text)
    h1 = "".join(tree.xpath("//h1")[0].itertext())
    assert re.sub(r"\s+", "", h1) == rep["title"]
    assert rep["title"] in tree.xpath("string(//title)")
    assert rep["agency"] in text
    assert rep["published_at"].replace("T", " ") in text or rep["published_at"][:10] in text
    assert re.search("当前(?:的)?位置：", text) and "相关链接" in text and "ICP备" in text and "网站标识码" in text
    tables = [t for t in tree.xpath("//table") if "xxgk_table" not in (t.get("class") or "")]
    if rep["tables"] == "text":
        assert not tables and "规章000" in text  # the seed's own scraped form
        return
    assert len(tables) == 3
    rowspan = "22" if rep["template"] == "2021" else "20"
    assert tables[1].xpath(f".//td[@rowspan='{rowspan}']"), "三、本年度办理结果 spans the result rows"
    seed = SEEDS[rep["seed"][:3]]
    values = [c.text_content().strip() for t in tables for c in t.xpath(".//td")]
    raws = [c["raw"] for c in seed.expected["cells"]]
    assert [v for v in values if v in set(raws)][-15:] == raws[-15:]  # table 3, in template order
    for raw in {c["raw"] for c in seed.expected["cells"] if not c["raw"].isdigit()}:
        assert raw in values, raw  # 14319.91萬元, 40個, 00 …
    if rep["tables"] == "word":
        assert "class=MsoNormal" in text and "<o:p></o:p>" in text and "&nbsp;" in text
    if rep["script"] == "traditional":
        assert "總計" in text and "总计" not in "".join(t.text_content() for t in tables)


def test_robots_disallow_paths_that_pages_link_to():
    for portal in MANIFEST["portals"]:
        robots = (SITE / portal["directory"] / "robots.txt").read_text()
        assert portal["disallowed"], portal["key"]
        for path in portal["disallowed"]:
            assert f"Disallow: {path}" in robots
        home = _page(portal["key"], "/index.html")
        assert any(f'href="{d}' in home for d in portal["disallowed"])
    assert set(MANIFEST["disallowed"]) <= {d for p in MANIFEST["portals"] for d in p["disallowed"]}


def test_county_list_is_paginated_with_plain_next_links():
    first = _page("county", "/zwgk/zfxxgk/xxgknb/index.html")
    assert '<a href="index_1.html">下一页</a>' in first and "createPageHTML(" in first
    last = sorted((SITE / "county/zwgk/zfxxgk/xxgknb").glob("index_*.html"))[-1]
    assert "下一页" not in last.read_bytes().decode("gbk")


def test_no_local_link_is_broken():
    for portal in MANIFEST["portals"]:
        root = SITE / portal["directory"]
        for f in root.rglob("*.html"):
            tree = lxml_html.fromstring(f.read_bytes().decode(portal["encoding"]))
            base = "/" + str(f.relative_to(root))
            for href in tree.xpath("//a/@href"):  # real anchors (not the CDATA inside Hanweb list scripts)
                if href.startswith(("javascript:", "#")) or ":" in href.split("/")[0]:
                    continue
                target = urlsplit(href).path
                if not target.startswith("/"):
                    target = str(Path(base).parent / target)
                assert (root / target.lstrip("/")).exists(), (base, href)


# -- the server --------------------------------------------------------------------------------------
@pytest.fixture
def county():
    with SiteServer(SITE / "county") as srv:
        yield srv


def test_serves_files_with_declared_headers(county):
    status, headers, body = fetch(county.url + "/index.html")
    assert status == 200
    assert body == (SITE / "county" / "index.html").read_bytes()
    # The county's header lies (utf-8) about its GBK bytes, as the manifest declares.
    assert PORTALS["county"]["header_charset"] == "utf-8" and PORTALS["county"]["encoding"] == "gbk"
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert headers["ETag"].startswith('"') and headers["Last-Modified"].endswith("GMT")
    assert int(headers["Content-Length"]) == len(body)
    with SiteServer(SITE / "city") as city:
        assert fetch(city.url + "/index.html")[1]["Content-Type"] == "text/html; charset=utf-8"
        assert fetch(city.url + "/robots.txt")[1]["Content-Type"] == "text/plain; charset=utf-8"
        assert fetch(city.url + "/jrobot/search.do")[1]["Content-Type"].startswith("text/html")
    assert fetch(county.url + "/")[2] == body  # a directory answers with its index.html


def test_a_lying_charset_header(tmp_path):
    (tmp_path / "p.html").write_bytes('<meta charset="gb2312"><p>政府信息公开</p>'.encode("gbk"))
    (tmp_path / "_headers.json").write_text(json.dumps({"charset": "utf-8", "headers": {"X-CMS": "TRS"}}))
    with SiteServer(tmp_path) as srv:
        _status, headers, body = fetch(srv.url + "/p.html")
        assert headers["Content-Type"] == "text/html; charset=utf-8" and headers["X-CMS"] == "TRS"
        assert body.decode("gbk").endswith("政府信息公开</p>")
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert fetch(srv.url + "/_headers.json")[0] == 404
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "q.html").write_bytes(b"<p>q</p>")
    (tmp_path / "bare" / "_headers.json").write_text(json.dumps({"charset": None}))  # nearest file wins
    with SiteServer(tmp_path) as srv:
        assert fetch(srv.url + "/bare/q.html")[1]["Content-Type"] == "text/html"
        assert fetch(srv.url + "/p.html")[1]["Content-Type"] == "text/html; charset=utf-8"


def test_conditional_requests(county):
    _, headers, _ = fetch(county.url + "/index.html")
    status, h304, body = fetch(county.url + "/index.html", headers={"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"") and h304["ETag"] == headers["ETag"]
    assert fetch(county.url + "/index.html", headers={"If-None-Match": '"other"'})[0] == 200
    assert fetch(county.url + "/index.html", headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    old = formatdate((SITE / "county" / "index.html").stat().st_mtime - 3600, usegmt=True)
    assert fetch(county.url + "/index.html", headers={"If-Modified-Since": old})[0] == 200


def test_head_and_missing_files(county):
    status, headers, body = fetch(county.url + "/index.html", method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) == (SITE / "county" / "index.html").stat().st_size
    assert fetch(county.url + "/no/such/page.html")[0] == 404
    assert fetch(county.url + "/../county/index.html")[0] in (200, 404)  # never outside the root
    assert county.resolve("/../../etc/passwd") is None


def test_request_log(county):
    fetch(county.url + "/robots.txt")
    fetch(county.url + "/zwgk/zfxxgk/xxgknb/index.html?page=2", method="HEAD", headers={"User-Agent": "probe"})
    assert county.paths() == ["/robots.txt", "/zwgk/zfxxgk/xxgknb/index.html?page=2"]
    method, _path, headers = county.requests[1]
    assert (method, headers["User-Agent"]) == ("HEAD", "probe")


def test_overrides_and_hook(tmp_path):
    (tmp_path / "a.html").write_text("<p>a</p>")
    seen = []

    def hook(method, path, headers):
        seen.append(path)
        return None

    with SiteServer(tmp_path, hook=hook) as srv:
        srv.override("/a.html", 500, times=1)
        srv.override("/old.html", 301, headers={"Location": "/a.html"})
        assert fetch(srv.url + "/a.html")[0] == 500
        assert fetch(srv.url + "/a.html")[0] == 200  # a retry succeeds
        status, headers, _ = fetch(srv.url + "/old.html")
        assert (status, headers["Location"]) == (301, "/a.html")
        assert fetch(srv.url + "/old.html")[0] == 301  # times=None: every time
        srv.hook = lambda method, path, headers: Override(503, {"Retry-After": "1"}) if path == "/a.html" else None
        status, headers, _ = fetch(srv.url + "/a.html")
        assert (status, headers["Retry-After"]) == (503, "1")
        assert fetch(srv.url + "/old.html")[0] == 301  # overrides win over the hook
    assert seen == ["/a.html"]


def test_start_demo_rows_and_quiet_logging(tmp_path, capfd):
    log = tmp_path / "access.log"
    with start_demo(log_path=log) as demo:
        assert [r["name"] for r in demo.rows] == [p["name"] for p in MANIFEST["portals"]]
        assert len({urlsplit(r["start_url"]).port for r in demo.rows}) == len(demo.rows)
        for row, portal in zip(demo.rows, MANIFEST["portals"], strict=True):
            assert set(row) == {"name", "start_url", "render", "region_code"}
            assert row["region_code"] == portal["region_code"] and row["render"] == "false"
            status, _, body = fetch(row["start_url"])
            assert status == 200 and body == (SITE / portal["directory"] / "index.html").read_bytes()
            assert fetch(row["start_url"].replace("/index.html", "/missing.html"))[0] == 404
        urls = [r["start_url"] for r in demo.rows]
    assert capfd.readouterr().err == ""
    assert log.read_text().count("GET /index.html") == 3
    with pytest.raises(OSError):
        fetch(urls[0])  # stopped

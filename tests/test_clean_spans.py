"""clean._unwrap_spans and clean._main_extractor_text: the body text is what trafilatura's full mode gives.

Class test: Word-export and hand-written span shapes (attributes × content × where they sit: table cells,
paragraphs, link blocks, lists, <pre>, headings, <sup>) on generated pages, long (the fast path keeps its result)
and short (the full mode runs), give the same body text as the full mode without unwrapping; so do the
generated portal pages in every table style (bench/realgen.py) and the fixture and demo portal pages. Which
spans go and which stay is checked shape by shape.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from lxml import html as lxml_html

from bench.realgen import build_site
from pipelines import clean

ROOT = Path(__file__).resolve().parents[1]
WORD = "font-size:9.0pt;font-family:宋体;mso-bidi-font-family:宋体;color:black"

ATTRS = {
    "none": "", "style": f' style="{WORD}"', "lang+style": f' lang=EN-US style="{WORD}"', "lang": " lang=ZH-CN",
    "class": " class=GramE", "id": ' id="t1"', "display:none": ' style="display:none"',
    "display: none": ' style="color:red; display: none"', "hidden": ' style="visibility:hidden"',
    "aria-hidden": ' aria-hidden="true"', "role": ' role="navigation"', "data": ' data-x="1"',
}
CONTENT = {
    "text": "本年度新收申请{n}件", "nbsp o:p": "&nbsp;<o:p></o:p>", "o:p": "<o:p></o:p>", "empty": "",
    "space": " ", "img": '<img src="/i{n}.png">', "bold": "<b>第{n}项</b>", "nested": f'<span style="{WORD}">嵌套{{n}}</span>',
    "br": "上行<br>下行{n}", "comment": "<!-- c -->注释后{n}", "link": '详见<a href="/f{n}.html">附件{n}</a>',
    "sup": "<sup>{n}</sup>", "o:p text": "<o:p>数字{n}</o:p>",
}


def _span(attr: str, content: str, n: int) -> str:
    return f"<span{ATTRS[attr]}>{CONTENT[content].format(n=n)}</span>"


def _context(kind: str, spans: list[str], n: int) -> str:
    inner = "".join(spans)
    if kind == "word cell":
        cells = "".join(f'<td width=76 style="width:57pt;border:solid windowtext 1.0pt"><p class=MsoNormal align=center '
                        f'style="text-align:center">{s}</p></td>' for s in spans)
        return f'<table class=MsoNormalTable border=1><tr><td><p class=MsoNormal>第{n}行</p></td>{cells}</tr></table>'
    if kind == "cell":
        return f"<table><tr><td>项目{n}</td>" + "".join(f"<td>{s}</td>" for s in spans) + "</tr></table>"
    if kind == "paragraph":
        return f'<p class=MsoNormal style="text-indent:32.0pt">（{n}）{inner}本机关依法公开政府信息。</p>'
    if kind == "links":
        return f'<div>{inner}<a href="/x{n}.html">相关链接</a> <a href="/y{n}.html">更多</a></div>'
    if kind == "list":
        return "<ul>" + "".join(f"<li>{s}</li>" for s in spans) + "</ul>"
    if kind == "pre":
        return f"<pre>{inner}</pre>"
    if kind == "heading":
        return f"<h3>{inner}第{n}部分</h3>"
    if kind == "sup":
        return f"<p>注释{n}<sup>{inner}</sup>说明</p>"
    return f"<div>{inner}</div>"


CONTEXTS = ["word cell", "cell", "paragraph", "links", "list", "pre", "heading", "sup", "div"]
PROSE = "本机关认真贯彻落实《中华人民共和国政府信息公开条例》，全面推进政务公开工作，主动公开政府信息。"


def _page(rng: random.Random, long: bool) -> str:
    blocks = []
    for n in range(rng.randint(3, 8)):
        spans = [_span(rng.choice(list(ATTRS)), rng.choice(list(CONTENT)), n * 10 + j) for j in range(rng.randint(1, 5))]
        blocks.append(_context(rng.choice(CONTEXTS), spans, n))
        if long:
            blocks.append(f"<p>{PROSE * rng.randint(10, 16)}</p>")
    nav = "".join(f'<li><a href="/c{i}/">栏目{i}</a></li>' for i in range(12))
    return (f"<html><head><title>某县2023年政府信息公开工作年度报告_某县人民政府</title></head><body>"
            f"<div class='nav'><ul>{nav}</ul></div><div class='article-content'><h1>某县2023年政府信息公开工作年度报告</h1>"
            + "".join(blocks) + "</div><div class='footer'><p>主办单位：某县人民政府办公室</p></div></body></html>")


def _full_mode(monkeypatch, pages: list[tuple[str | None, str]]) -> list[str]:
    with monkeypatch.context() as m:
        m.setattr(clean, "_main_extractor_text", lambda tree, url: None)  # main's path: trafilatura.extract as is
        return [clean.extract_body(html, url) for url, html in pages]


def _counting(monkeypatch) -> dict[str, int]:
    seen = {"kept": 0, "full": 0, "unwrapped": 0}
    fast, unwrap = clean._main_extractor_text, clean._unwrap_spans

    def main_extractor_text(tree, url):
        text = fast(tree, url)
        seen["kept" if text is not None else "full"] += 1
        return text

    def unwrap_spans(tree):
        n = unwrap(tree)
        seen["unwrapped"] += n
        return n

    monkeypatch.setattr(clean, "_main_extractor_text", main_extractor_text)
    monkeypatch.setattr(clean, "_unwrap_spans", unwrap_spans)
    return seen


@pytest.mark.parametrize("seed", range(6))
def test_span_shapes_give_the_full_mode_text(monkeypatch, seed):
    rng = random.Random(seed)
    pages = [(None, _page(rng, long=i % 3 != 0)) for i in range(12)]
    seen = _counting(monkeypatch)
    fast = [clean.extract_body(html, url) for url, html in pages]
    assert 4 <= seen["kept"] < len(pages) and seen["unwrapped"] >= 20  # short pages go the full way
    assert fast == _full_mode(monkeypatch, pages)


def _portal_pages() -> list[tuple[str | None, str]]:
    out: list[tuple[str | None, str]] = []
    rng = random.Random(7)
    for k in range(1, 5):  # every table style (word, plain, split, text) and a GBK portal
        site = build_site(k, 4, 20, rng)
        enc = "gbk" if site.gbk else "utf-8"
        out += [(f"http://127.0.1.{k}{p}", d.decode(enc)) for p, d in site.files.items() if p.startswith("/c5/") and "index" not in p]
    for base in ("tests/sites", "crawler/demo/site", "tests/fixtures/tables"):
        for path in sorted((ROOT / base).rglob("*.htm*")):
            raw = path.read_bytes()
            try:
                out.append((None, raw.decode("utf-8")))
            except UnicodeDecodeError:
                out.append((None, raw.decode("gbk", errors="replace")))
    return out


def _tried(html: str) -> bool:
    """The fast way is tried on the page (enough <body> text): on the others extract_body runs as it did."""
    tree = lxml_html.fromstring(html)
    clean._drop_metadata_blocks(tree)
    clean._drop_link_lists(tree)
    return clean._BODY_TEXT_LENGTH(tree) > 2000


def test_portal_and_fixture_pages_give_the_full_mode_text(monkeypatch):
    every = _portal_pages()
    pages = [(url, html) for url, html in every if _tried(html)]
    assert len(every) >= 210 and len(pages) >= 24
    seen = _counting(monkeypatch)
    fast = [clean.extract_body(html, url) for url, html in pages]
    assert seen["kept"] >= 20 and seen["unwrapped"] >= 20 * 60  # the report pages go the fast way, Word spans and all
    assert fast == _full_mode(monkeypatch, pages)


def _unwrapped(fragment: str) -> bool:
    tree = lxml_html.fromstring(f"<html><body><div><p>前文{fragment}后文</p></div></body></html>")
    clean._unwrap_spans(tree)
    return not tree.xpath("//span")


@pytest.mark.parametrize("fragment", [
    f'<span style="{WORD}">文字</span>', '<span lang=EN-US style="x">&nbsp;<o:p></o:p></span>', "<span><o:p></o:p></span>",
    "<span> </span>", "<span><br>换行</span>", "<span><img src=a.png> 图后</span>",
])
def test_plain_spans_go(fragment):
    assert _unwrapped(fragment)


@pytest.mark.parametrize("fragment", [
    "<span></span>", "<span><img src=a.png></span>", "<span><b>粗体</b></span>", "<span class=GramE>文字</span>",
    "<span id=a>文字</span>", '<span style="display:none">文字</span>', '<span style="display: none">文字</span>',
    '<span style="visibility:hidden">文字</span>', '<span aria-hidden="true">文字</span>', '<span data-x="1">文字</span>',
    '<span>见<a href="/a.html">附件</a></span>', '<span>文字</span><a href="/a.html">附件</a>',
])
def test_spans_trafilatura_can_tell_apart_stay(fragment):
    assert not _unwrapped(fragment)


def test_a_pre_of_one_span_stays_code():
    tree = lxml_html.fromstring("<html><body><pre><span>x = 1</span></pre><math><span>y</span></math></body></html>")
    assert clean._unwrap_spans(tree) == 0


@pytest.mark.parametrize("chrome", [
    f"<aside><p>{PROSE * 60}</p></aside>",  # long text trafilatura drops: a short body, compared
    f"<footer><p><span style='{WORD}'>{PROSE * 60}</span></p></footer>",
])
def test_pages_the_fast_way_gives_up_on_go_the_full_way(monkeypatch, chrome):
    html = (f"<html><head><title>年度报告</title></head><body><div class='article-content'><h1>年度报告</h1>"
            f"<p>{PROSE}</p><p><span style='{WORD}'>详见附件。</span></p></div>{chrome}</body></html>")
    seen = _counting(monkeypatch)
    fast = clean.extract_body(html)
    assert seen["full"] == 1 and seen["unwrapped"] >= 1  # tried, given up, the page parsed again
    assert [fast] == _full_mode(monkeypatch, [(None, html)])

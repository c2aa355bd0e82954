"""The table parser's text outside leaf tables read by one XSLT pass (`pipelines.tables.html._flat_text`)
gives exactly the segments of the walk in Python (`_walk_segments`), on generated pages of every shape:
block, inline, skipped and unknown elements, comments and PIs anywhere (in skipped elements, before and
after tables), leaf and nested tables (also inside skipped elements), rowspan/colspan, odd line breaks
(\\r, \\r\\n, form feed, U+2028, U+0085), page numbers, the mark character itself; parsed with and
without comments, and that the fast path is the one taken for ordinary pages."""

from __future__ import annotations

import random
from collections.abc import Callable

import lxml.html
import pytest
from lxml import etree

from pipelines.tables.html import _flat_text, _walk_segments, html_segments

BLOCKS = ["p", "div", "li", "ul", "td", "tr", "h2", "section", "br", "center", "form", "pre", "dd", "caption"]
SKIPS = ["script", "style", "noscript", "template", "object", "select", "option", "iframe"]
INLINE = ["span", "a", "b", "font", "o:p", "em", "label", "x-unknown"]
WORDS = ["一、总体情况", "主动公开政府信息情况", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "规章", "5",
         "12", "0", "—", "- 3 -", "第 2 页", "自然人", "商业企业", "法人或其他组织", "总计", "收到和处理政府信息公开申请情况",
         "(一)予以公开", "行政复议", "结果维持", "14319.91万元", "2 3 4", "无", "  ", "\u3000", "\xa0"]
BREAKS = ["", " ", "\n", "\r", "\r\n", "\x0c", "\x0b", "\u2028", "\u0085", "\t", "\u200b"]


def _text(rng: random.Random) -> str:
    parts = [rng.choice(WORDS) + rng.choice(BREAKS) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.003:
        parts.append("\ue000")  # the XSLT's table mark printed by the page itself
    return "".join(parts).replace("&", "&amp;").replace("<", "&lt;")


def _table(rng: random.Random, depth: int) -> str:
    rows = []
    for _ in range(rng.randint(0, 4)):
        cells = []
        for _ in range(rng.randint(0, 5)):
            tag = rng.choice(["td", "th", "TD"])
            attrs = "".join(f' {a}="{rng.choice(["2", "3", " 2 ", "x", "", "0", "99"])}"'
                            for a in ("rowspan", "colspan") if rng.random() < 0.2)
            inner = _node(rng, depth + 1) if rng.random() < 0.4 else _text(rng)
            cells.append(f"<{tag}{attrs}>{inner}</{tag}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    body = "".join(rows)
    if rng.random() < 0.2 and depth < 4:
        body += "<tr><td>" + _table(rng, depth + 1) + "</td></tr>"  # nested: the outer one is no leaf
    return f"<table>{body}</table>"


def _node(rng: random.Random, depth: int) -> str:
    out = [_text(rng)]
    for _ in range(rng.randint(0, 4 if depth < 5 else 0)):
        r = rng.random()
        if r < 0.12:
            out.append(_table(rng, depth))
        elif r < 0.2:
            out.append(f"<!--{rng.choice(['', ' c ', '<td>5</td>'])}-->")
        elif r < 0.23:
            out.append("<?php echo 1; ?>")
        else:
            pool = rng.choice([BLOCKS, SKIPS, INLINE])
            tag = rng.choice(pool)
            if rng.random() < 0.1:
                tag = tag.upper()
            out.append(f"<{tag}>{_node(rng, depth + 1)}</{tag}>")
        out.append(_text(rng))
    return "".join(out)


def _page(rng: random.Random) -> str:
    head = rng.choice(["", "<head><title>年报</title><style>p{}</style></head>", "<!-- top -->"])
    return f"<!DOCTYPE html><html>{head}<body>{_node(rng, 0)}</body></html>"


def _outcome(read: Callable[..., object], *args: object) -> object:
    """The segments, or the error (a cell with a comment and a control character cannot be copied: both
    ways fail alike, and extract_tables_html records it)."""
    try:
        return read(*args)
    except ValueError as exc:
        return f"ValueError: {exc}"


@pytest.mark.parametrize("seed", range(20))
def test_flat_text_reads_as_the_walk(seed: int) -> None:
    rng = random.Random(seed)
    fast = 0
    for _ in range(25):
        page = _page(rng)
        with_comments = lxml.html.fromstring(page)
        without = lxml.html.fromstring(page.encode(), parser=lxml.html.HTMLParser(encoding="utf-8",
                                                                                   remove_comments=True))
        for tree in (with_comments, without):
            fast += _flat_text(tree) is not None
            assert _outcome(html_segments, page, tree) == _outcome(_walk_segments, tree), page
        assert _outcome(html_segments, page) == _outcome(_walk_segments, without), page
    assert fast >= 25  # most generated pages go the XSLT way (the others hold the mark character)


def test_fast_path_taken_and_refused() -> None:
    page = "<html><body><p>主动公开政府信息情况</p><table><tr><td>规章</td><td>5</td></tr></table>尾</body></html>"
    tree = lxml.html.fromstring(page)
    flat = _flat_text(tree)
    assert flat is not None and len(flat[1]) == 1 and flat[0][-1] == "尾\n"
    assert _flat_text(lxml.html.fromstring(page.replace("尾", "尾\ue000"))) is None  # the page prints the mark
    assert _flat_text(tree.find(".//body")) is None  # not a whole document
    assert _flat_text(etree.fromstring("<HTML><P>x</P></HTML>")) is None  # an XML parse: tag case unknown
    assert html_segments(page, tree) == _walk_segments(tree)

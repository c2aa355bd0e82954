"""The bad-input suite: each hostile document or response with its expected recorded outcome.

Quick tier: the parsing layer on generated hostile files (pipelines.process / documents / bounds),
plus hypothesis fuzzing of every pure parser. The e2e tier (`-m e2e`) serves the hostile responses on
127.0.0.1 (tests/hostile/server.py) to a real `scrapy crawl portals` and reads what the archive
recorded; tests/test_kill_loop.py kills crawls at random points. The table of cases is
docs/hostile-input.md.
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.bounds import DEFAULT, Limits, bound_html, flatten, nesting_depth, strip_dtd
from pipelines.documents import decode_html, html_text, load_document, looks_binary
from pipelines.process import process_document
from tests.hostile import files

URL = "http://hostile.gov.cn/art/2022/1/21/art_1.html"


def run(html: str | None = None, body: bytes = b"", content_type: str | None = None, url: str = URL,
        limits: Limits = DEFAULT):
    return process_document(url=url, html=html, body=body, content_type=content_type, title=files.REPORT_TITLE,
                            limits=limits)


@pytest.fixture(scope="module")
def clean():
    out = run(files.report_html())
    assert out.accepted and out.record["cells_count"] == 200 and not out.record["bounds_hit"]
    return out.record


def _same_numbers(record, clean) -> None:
    """Nothing read from a hostile variant contradicts the clean page: a value is right or NULL."""
    truth = {(c["table_name"], c["row_label"], c["col_label"]): c["value"] for c in clean["cells"]}
    for c in record["cells"]:
        key = (c["table_name"], c["row_label"], c["col_label"])
        assert c["value"] is None or truth.get(key) == c["value"], (key, c["value"], truth.get(key))


# --- pages over a bound: the report is kept, the bound is named ----------------------------------------

def test_page_over_page_max_chars_is_still_a_report(clean):
    html = files.big_page(12 * 2**20)  # the 50 MB page is served in the e2e crawl; same path, smaller
    out = run(html)
    assert out.accepted, out.reason
    assert "PAGE_MAX_CHARS" in out.record["bounds_hit"]
    assert out.record["cells_count"] == 200
    _same_numbers(out.record, clean)


def test_report_after_megabytes_of_navigation_is_found(clean):
    out = run(files.junk_first_page(8 * 2**20))
    assert out.accepted, out.reason
    assert re.search(r"page characters [\d,]+ > PAGE_MAX_CHARS [\d,]+: characters [\d,]+–", out.record["bounds_hit"])
    assert out.record["cells_count"] == 200


def test_100000_deep_nesting_is_flattened_and_still_a_report(clean):
    out = run(files.deep_page(100_000))
    assert out.accepted, out.reason
    assert "nesting depth 100,0" in out.record["bounds_hit"] and "HTML_MAX_DEPTH" in out.record["bounds_hit"]
    assert out.record["cells_count"] == 200
    _same_numbers(out.record, clean)


def test_10000_tables_only_the_first_are_parsed(clean):
    out = run(files.many_tables_page(10_000))
    assert out.accepted, out.reason
    assert re.search(r"tables 10,0\d\d > TABLES_MAX_PER_PAGE 300: the first 300 parsed", out.record["bounds_hit"])
    assert out.record["cells_count"] == 200
    _same_numbers(out.record, clean)


# --- archives and XML -----------------------------------------------------------------------------

def test_docx_zip_bomb_member_is_left_out_and_the_report_kept():
    bomb = files.zip_bomb_docx(2048)  # 2 MB file, a member declaring 2 GiB
    assert len(bomb) < 4 * 2**20
    out = run(body=bomb, url="http://hostile.gov.cn/nb.docx")
    assert out.accepted, out.reason
    assert "ZIP_MAX_INFLATED_BYTES" in out.record["bounds_hit"] and "word/media/bomb.bin" in out.record["bounds_hit"]
    assert out.record["source_kind"] == "docx"


def test_docx_whose_main_part_is_a_bomb_is_rejected_naming_the_bound():
    out = run(body=files.zip_bomb_docx(2048, in_main_part=True), url="http://hostile.gov.cn/nb.docx")
    assert not out.accepted
    assert "ZIP_MAX_INFLATED_BYTES" in out.reason and "zip bomb" in out.reason


def test_docx_entity_bomb_keeps_the_report():
    out = run(body=files.entity_bomb_docx(), url="http://hostile.gov.cn/nb.docx")
    assert out.accepted, out.reason
    assert "entities not expanded" in out.record["bounds_hit"]
    assert "lollol" not in out.record["body_text"]


UNDERSTATED = {"zero": (lambda c, u: (0, 0), False), "zero, bit 3 set": (lambda c, u: (0, 0), True),
               "half": (lambda c, u: (c // 2, u // 2), False), "one less": (lambda c, u: (c - 1, u - 1), False),
               "size only": (lambda c, u: (c, u // 3), True)}


@pytest.mark.parametrize("how", list(UNDERSTATED))
@pytest.mark.parametrize("doctype", [False, True], ids=["direct", "rewritten"])
def test_docx_whose_local_headers_understate_sizes_is_read(how, doctype):
    """Streaming writers leave wrong sizes in the local headers; the central directory is right and is
    what is read, on the direct path and when the DOCX is rewritten first (an entity bomb inside)."""
    good = files.entity_bomb_docx() if doctype else files.report_docx()
    sizes, descriptor_flag = UNDERSTATED[how]
    bad = files.understate_local_headers(good, sizes, descriptor_flag=descriptor_flag)
    assert bad != good
    want, got = (load_document(d, url="http://hostile.gov.cn/nb.docx") for d in (good, bad))
    assert got.error is None and want.error is None
    assert (got.html, got.text, got.bounds) == (want.html, want.text, want.bounds)
    assert "一、本年新收政府信息公开申请数量" in got.html


def test_docx_whose_local_headers_say_zero_is_archived_as_a_report():
    out = run(body=files.understate_local_headers(files.report_docx()), url="http://hostile.gov.cn/nb.docx")
    assert out.accepted and out.record["cells_count"] == 200 and not out.record["bounds_hit"], out.reason


@pytest.mark.parametrize("in_main_part", [False, True])
def test_bomb_with_understated_local_headers_is_still_bounded(in_main_part):
    bomb = files.understate_local_headers(files.zip_bomb_docx(2048, in_main_part=in_main_part))
    out = run(body=bomb, url="http://hostile.gov.cn/nb.docx")
    if in_main_part:
        assert not out.accepted and "ZIP_MAX_INFLATED_BYTES" in out.reason and "zip bomb" in out.reason
    else:
        assert out.accepted, out.reason
        assert "ZIP_MAX_INFLATED_BYTES" in out.record["bounds_hit"] and "word/media/bomb.bin" in out.record["bounds_hit"]


@pytest.mark.parametrize("in_main_part, doctype", [(False, True), (True, False), (True, True)],
                         ids=["member, rewritten", "main part, direct", "main part, rewritten"])
def test_bomb_declaring_a_small_size_inflates_no_more_than_it_declares(in_main_part, doctype):
    """A member whose stream runs on past its declared size (256 MiB of zeros declaring 10 kB) is read a
    chunk at a time and stops at the declared size: Python's memory stays far below what it would inflate
    to. A lying media member is left out (the report kept); a lying document.xml makes the DOCX unreadable."""
    import tracemalloc

    bomb = files.lying_bomb_docx(256, 10_000, in_main_part=in_main_part, doctype=doctype)
    tracemalloc.start()
    try:
        doc = load_document(bomb, url="http://hostile.gov.cn/nb.docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, f"{peak / 2**20:.0f} MiB allocated while reading"
    if in_main_part:
        assert doc.error and "Bad CRC-32" in doc.error
    else:
        assert doc.error is None and "word/media/bomb.bin" in "; ".join(doc.bounds)
        assert files.REPORT_TITLE in doc.text


def test_strip_dtd_never_expands_and_keeps_the_rest():
    xml = (b"<?xml version='1.0'?>" + files.BILLION_LAUGHS.encode() +
           b"<a>&lol9;<b>text &amp; &#20013;</b>&lol1;tail</a>")
    out = strip_dtd(xml)
    assert out == b"<?xml version='1.0'?><a><b>text &amp; &#20013;</b>tail</a>"


def test_hanweb_datastore_entity_bomb_is_not_expanded():
    from crawler.discovery.listings import Page
    from crawler.discovery.strategies.hanweb import HanwebDatastore

    report = "http://hostile.gov.cn/art/2024/1/1/art_4441_1.html"
    page = Page(files.hanweb_bomb_list(report), "http://hostile.gov.cn/col/col4441/index.html")
    started = time.process_time()
    links = HanwebDatastore().links(page)
    assert time.process_time() - started < 5  # a billion laughs expanded would take minutes and gigabytes
    assert [link.url for link in links] == [report]
    assert "lollol" not in page.html


# --- PDFs -------------------------------------------------------------------------------------------

def test_5000_page_pdf_reads_up_to_pdf_max_pages():
    doc = load_document(files.many_pages_pdf(5000), limits=Limits(pdf_max_pages=40))
    assert doc.error is None and doc.pages == 5000
    assert doc.bounds == ["PDF pages 5,000 > PDF_MAX_PAGES 40: the first 40 read"]
    assert doc.text.count("Annual report page") == 40


@pytest.mark.parametrize(("make", "reason"), [
    (files.truncated_pdf, "unreadable pdf: truncated PDF"),
    (files.garbled_pdf, "unreadable pdf: unreadable PDF"),
    (lambda: files.ENCRYPTED_PDF.read_bytes(), "unreadable pdf: encrypted PDF"),
])
def test_broken_pdfs_are_rejected_with_their_reason(make, reason):
    out = run(body=make(), url="http://hostile.gov.cn/nb.pdf")
    assert not out.accepted and out.reason.startswith(reason), out.reason


def test_binary_served_as_html_is_read_as_what_it_is():
    pdf = files.REPORT_PDF.read_bytes()
    assert looks_binary(pdf) and not looks_binary(files.report_html().encode("utf-8"))
    out = run(body=pdf, content_type="text/html; charset=utf-8", url="http://hostile.gov.cn/nb.html")
    assert out.accepted, out.reason
    assert out.record["source_kind"] == "pdf"


# --- charsets ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/html", "text/html; charset=iso-8859-1",
                                          "text/html; charset=big5", None])
def test_gbk_report_under_a_wrong_or_missing_charset(clean, content_type):
    html = files.report_html().replace('charset="utf-8"', "").replace("charset=utf-8", "")
    out = run(body=html.encode("gbk", "replace"), content_type=content_type)
    assert out.accepted, out.reason
    assert out.record["cells_count"] == 200
    assert "双辽市政府办公室" in out.record["body_text"]
    _same_numbers(out.record, clean)


# --- wrong values are worse than none (tables and metadata of issue 15) ------------------------------

def _rows(html: str) -> list[re.Match]:
    return [m for m in re.finditer(r"<tr[^>]*>(.*?)</tr>", html, re.S) if re.search(r">\d+<", m.group(1))]


@pytest.mark.parametrize("change", ["extra", "missing"])
def test_ragged_rows_never_store_a_shifted_number(clean, change):
    html = files.report_html()
    row = _rows(html)[3]
    cells = re.findall(r"<td[^>]*>\d+</td>", row.group(1))
    if change == "extra":
        new = row.group(0).replace(cells[0], cells[0] + '<td style="text-align:center;">99</td>', 1)
    else:
        new = row.group(0).replace(cells[0], "", 1)
    out = run(html.replace(row.group(0), new, 1))
    assert out.accepted
    _same_numbers(out.record, clean)


def test_two_different_publication_dates_are_flagged_with_both():
    html = files.report_html().replace("</body>", "<div class='info'>发布时间：2022-03-05</div></body>")
    out = run(html)
    flags = out.record.get("metadata_flags") or ""
    assert "2022-03-05" in flags and "2022-01-21" in flags, flags


# --- bounds helpers -----------------------------------------------------------------------------------

def test_nesting_depth_counts_tag_soup():
    assert nesting_depth("<div><p>a<p>b<div><span>c</span></div></div>") == 3
    assert nesting_depth("<br><img src=x><td>1<td>2") == 0
    html, depth = flatten("<div>" * 500 + "<table><tr><td>1</td></tr></table>" + "</div>" * 500, 50)
    assert depth == 501 and nesting_depth(html) <= 50 and "<td>1</td>" in html


def test_pages_within_bounds_are_untouched():
    html = files.report_html()
    assert bound_html(html) == (html, [])


def test_limits_from_settings():
    limits = Limits.from_settings({"PAGE_MAX_CHARS": "1000", "DOCUMENT_SOFT_TIMEOUT_S": "2.5"}.get)
    assert (limits.page_max_chars, limits.timeout, limits.tables_max) == (1000, 2.5, DEFAULT.tables_max)


# --- fuzzing: no exception escapes a pure parser ------------------------------------------------------

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    """The fixture with a slice cut, replaced by random bytes, or duplicated."""
    n = len(seed)
    return st.tuples(st.integers(0, n), st.integers(0, 4096), st.binary(max_size=256), st.sampled_from(["cut", "dup", "rep"])
                     ).map(lambda t: {"cut": seed[:t[0]] + seed[t[0] + t[1]:], "dup": seed[:t[0]] + seed[t[0]:t[0] + t[1]] * 3
                                      + seed[t[0]:], "rep": seed[:t[0]] + t[2] + seed[t[0] + len(t[2]):]}[t[3]])


_HTML = files.report_html().encode("utf-8")


@FUZZ
@given(_mutations(_HTML))
def test_fuzz_html_documents(data):
    doc = load_document(data, content_type="text/html", url=URL)
    assert isinstance(doc.text, str)
    text, enc = decode_html(data)
    assert isinstance(text, str) and enc
    out = run(body=data, content_type="text/html")
    assert isinstance(out.reason, str)


@pytest.fixture(scope="module")
def docx_seed() -> bytes:
    return files.report_docx()


@FUZZ
@given(data=st.data())
def test_fuzz_docx_and_zip(docx_seed, data):
    mutated = data.draw(_mutations(docx_seed))
    doc = load_document(mutated, url="http://hostile.gov.cn/nb.docx")
    assert doc.error is None or isinstance(doc.error, str)


@FUZZ
@given(_mutations(files.REPORT_PDF.read_bytes()[:60_000] + files.REPORT_PDF.read_bytes()[-2_000:]))
def test_fuzz_pdf(data):
    doc = load_document(data, url="http://hostile.gov.cn/nb.pdf", limits=Limits(pdf_max_pages=3, timeout=5))
    assert doc.error is None or isinstance(doc.error, str)


@FUZZ
@given(st.text(max_size=3000), st.text(max_size=80))
def test_fuzz_text_parsers(text, title):
    from pipelines.clean import clean_text, extract_body
    from pipelines.metadata import extract_metadata
    from pipelines.tables import extract_tables

    extract_tables(text=text)
    extract_metadata(title, text)
    clean_text(text)
    extract_body(f"<html><body><p>{text}</p></body></html>")
    html_text(text)
    bound_html(text, Limits(page_max_chars=500, html_max_depth=5))


_LINES = files.report_paragraphs()


@FUZZ
@given(st.lists(st.sampled_from(_LINES), max_size=60), st.lists(st.sampled_from(["\t", " ", "|", "", "　"]), min_size=1))
def test_fuzz_tables_and_metadata_on_report_lines(lines, seps):
    from pipelines.metadata import extract_metadata
    from pipelines.tables import extract_tables

    text = "\n".join(line.replace("\t", seps[i % len(seps)]) for i, line in enumerate(lines))
    result = extract_tables(text=text)
    assert all(c.value is None or isinstance(c.value, int | float) for c in result.cells)
    extract_metadata(files.REPORT_TITLE, text)


@FUZZ
@given(st.lists(st.sampled_from(["<div>", "</div>", "<table>", "<tr>", "<td>", "</td>", "</tr>", "</table>", "<span>",
                                 "x", "1", "<p>", "<!--", "-->", "<script>", "</script>", "<br>", "&amp;", "<"]),
                max_size=400))
def test_fuzz_tag_soup_tables(parts):
    from pipelines.tables import extract_tables

    html = "".join(parts)
    extract_tables(html=html)
    bound_html(html, Limits(html_max_depth=8))
    html_text(html)

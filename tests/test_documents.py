"""pipelines.documents: real bytes in (GBK pages, a real report PDF, LibreOffice/python-docx/Pillow
fixtures from tests/fixtures/docs/make_fixtures.py), text/HTML out, never an exception."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from pipelines.documents import Document, decode_html, html_text, load_document, sniff_kind
from pipelines.documents import office as documents_office

DOCS = Path(__file__).parent / "fixtures" / "docs"
GB18030_ONLY = "䶮𠮷"  # not in GBK/GB2312: a name character and an Extension B character


def fixture(name: str) -> bytes:
    return (DOCS / name).read_bytes()


def gov_page(charset: str = "gb2312", extra: str = "") -> str:
    """A county portal detail page as TRS-style CMSs render them (chrome, 索引号 block, report tables)."""
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<title>盱眙县人民政府2023年政府信息公开工作年度报告_盱眙县人民政府</title>
<meta name="ArticleTitle" content="盱眙县人民政府2023年政府信息公开工作年度报告">
<script type="text/javascript">var countPage = 1; document.write("<!-- 统计 -->");</script>
<style>.TRS_Editor p {{ line-height: 2; }}</style></head>
<body><div class="top"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/xxgknb/">政府信息公开年报</a></div>
<table class="xxgk"><tr><td>索引号：</td><td>014271347/2024-00012</td><td>发布机构：</td><td>盱眙县人民政府办公室</td></tr>
<tr><td>发布日期：</td><td>2024-01-19</td><td>文号：</td><td></td></tr></table>
<div class="TRS_Editor"><p style="text-align:center"><strong>盱眙县人民政府2023年政府信息公开工作年度报告</strong></p>
<p>　　本报告由盱眙县人民政府办公室根据《中华人民共和国政府信息公开条例》（以下简称《条例》）编制。
报告所列数据统计期限自2023年1月1日起至2023年12月31日止。{extra}</p>
<p>　　二、主动公开政府信息情况</p>
<table border="1" cellspacing="0"><tbody>
<tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td>行政规范性文件</td><td>12</td><td>3</td><td>57</td></tr>
</tbody></table>
<p>　　联系电话：0517-88223456　　电子邮箱：xyzwgk@163.com</p></div>
<div class="foot">主办单位：盱眙县人民政府办公室　苏ICP备05008776号　苏公网安备 32083002000001号</div>
</body></html>"""


# --- sniff_kind ------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content_type", "url", "kind"), [
    ("szfgs2024.pdf", "application/octet-stream", "http://www.huaian.gov.cn/download.jsp?id=1", "pdf"),
    ("szfgs2024.pdf", "text/html; charset=utf-8", "http://x.gov.cn/a.html", "pdf"),  # magic beats both
    ("report.docx", "application/msword", "http://x.gov.cn/att/report.doc", "docx"),
    ("report.doc", "application/octet-stream", "http://x.gov.cn/att/P020240119.doc", "doc"),
    ("report.wps", None, "http://x.gov.cn/att/%E5%B9%B4%E6%8A%A5.wps", "wps"),
    ("report.wps", "application/octet-stream", "http://x.gov.cn/att/download?id=7", "doc"),  # no ext: Word OLE
    ("report.xls", "application/octet-stream", "http://x.gov.cn/att/统计表.et", "xls"),
    ("report.xlsx", None, "http://x.gov.cn/att/file", "xlsx"),
])
def test_sniff_kind_by_magic(name, content_type, url, kind):
    assert sniff_kind(fixture(name), content_type, url) == kind


def test_sniff_kind_html_text_and_unknown():
    assert sniff_kind(gov_page().encode("gbk"), "application/octet-stream", "http://x.gov.cn/a.doc") == "html"
    assert sniff_kind(b"\xef\xbb\xbf<!-- TRS -->\n<html><body>x</body></html>") == "html"
    text = "盱眙县人民政府2023年政府信息公开工作年度报告\r\n一、总体情况".encode("gbk")
    assert sniff_kind(text, "text/plain; charset=GBK", None) == "txt"
    assert sniff_kind(text, None, "file:///reports/报告.txt") == "txt"
    assert sniff_kind(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", "http://x.gov.cn/a.png") == "image"
    assert sniff_kind(b"\x00\x00\x00\x18ftypmp42\x00\x00", "video/mp4", "http://x.gov.cn/a.mp4") == "unknown"
    assert sniff_kind(b"PK\x03\x04garbage", None, "http://x.gov.cn/a.zip") == "unknown"


# --- decode_html -----------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["utf-8", "UTF-8", "iso-8859-1", "ISO-8859-1", "windows-1252", None])
def test_gbk_page_decodes_whatever_the_header_says(header):
    page = gov_page("gb2312")
    text, enc = decode_html(page.encode("gbk"), header)
    assert (text, enc) == (page, "gb18030")


def test_gbk_page_without_any_declaration():
    page = gov_page("gb2312").replace('<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />', "")
    assert "charset" not in page
    assert decode_html(page.encode("gbk"), None) == (page, "gb18030")


def test_gb18030_only_characters_under_a_gb2312_meta():
    page = gov_page("gb2312", extra=f"（经办人：刘{GB18030_ONLY}）")
    data = page.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")  # what a naive "gb2312 means gbk" decoder would hit
    for header in (None, "gb2312", "utf-8"):
        assert decode_html(data, header) == (page, "gb18030")


def test_utf8_page_with_a_lying_gbk_header_or_meta():
    page = gov_page("gb2312")
    assert decode_html(page.encode("utf-8"), "gbk") == (page, "utf-8")
    assert decode_html(page.encode("utf-8"), None) == (page, "utf-8")


def test_bom_big5_and_damaged_bytes():
    page = gov_page("utf-8")
    assert decode_html(b"\xef\xbb\xbf" + page.encode("utf-8"), "gbk") == (page, "utf-8")
    trad = gov_page("big5").replace("盱眙县人民政府", "臺北市政府").replace("政府信息公开工作年度报告", "政府資訊公開年報")
    trad = "".join(c for c in trad if _encodable(c, "big5"))
    assert decode_html(trad.encode("big5"), None)[0] == trad
    # A GBK page cut in the middle of a character still decodes as GBK with one replacement.
    data = gov_page().encode("gbk")[:-1] + "报".encode("gbk")[:1]
    for header in (None, "iso-8859-1", "utf-8"):
        text, enc = decode_html(data, header)
        assert enc == "gb18030" and text.count("\ufffd") <= 1 and "主动公开政府信息情况" in text
    # A real Western page behind its latin-1 header stays latin-1 (cp1252, as browsers read it).
    western = "<html><body><p>Café – Zürich résumé naïve</p></body></html>"
    assert decode_html(western.encode("cp1252"), "iso-8859-1") == (western, "cp1252")


def _encodable(c: str, enc: str) -> bool:
    try:
        c.encode(enc)
    except UnicodeEncodeError:
        return False
    return True


def test_html_text_keeps_cells_apart_and_drops_scripts():
    text = html_text(gov_page())
    assert "行政规范性文件\t12\t3\t57" in text
    assert "countPage" not in text and "line-height" not in text
    assert "索引号：\t014271347/2024-00012" in text


# --- load_document: HTML / TXT -----------------------------------------------------------------

def test_load_gbk_html_with_lying_header():
    data = gov_page().encode("gbk")
    doc = load_document(data, content_type="text/html; charset=utf-8", url="http://www.xuyi.gov.cn/a/1.html")
    assert doc.kind == "html" and doc.encoding == "gb18030" and doc.error is None
    assert "<table" in doc.html and "盱眙县人民政府2023年政府信息公开工作年度报告" in doc.text
    assert "规章\t0\t0\t0" in doc.text


def test_load_gbk_txt():
    body = "盱眙县人民政府2023年政府信息公开工作年度报告\r\n一、总体情况\r\n2023年，全县主动公开政府信息1234条。\r\n"
    doc = load_document(body.encode("gbk"), content_type="text/plain", url="file:///tmp/年报.txt")
    assert doc.kind == "txt" and doc.encoding == "gb18030" and doc.html is None
    assert doc.text == body.replace("\r\n", "\n")


# --- load_document: PDF ----------------------------------------------------------------------

def test_real_report_pdf():
    t0 = time.perf_counter()
    doc = load_document(fixture("szfgs2024.pdf"), content_type="application/pdf", url="https://x.gov.cn/szfgs2024.pdf")
    elapsed = time.perf_counter() - t0
    assert doc.error is None and doc.kind == "pdf" and doc.pages == 6 and not doc.needs_ocr
    assert doc.text.startswith("淮安市人民政府\n2024 年政府信息公开工作年度报告")
    assert "0517-83605210" in doc.text and "hazwgkc@163.com" in doc.text
    assert "规章 1 0 11" in doc.text and "行政规范性文件 8 26 66" in doc.text  # numbers stay apart
    assert "行政许可 447228" in doc.text
    assert elapsed < 10, f"load_document took {elapsed:.2f} s on a 6-page PDF"


def test_image_only_pdf_needs_ocr():
    doc = load_document(fixture("scan.pdf"), url="http://x.gov.cn/scan.pdf")
    assert doc.kind == "pdf" and doc.pages == 1 and doc.needs_ocr and doc.error is None
    assert doc.text.strip() == ""


@pytest.mark.parametrize("cut", [2000, 0.5, -100])
def test_truncated_pdf_is_an_error_not_an_exception(cut):
    data = fixture("szfgs2024.pdf")
    data = data[: int(len(data) * cut) if isinstance(cut, float) else cut]
    doc = load_document(data, url="http://x.gov.cn/a.pdf")
    assert doc.kind == "pdf" and doc.error and "PDF" in doc.error


def test_broken_and_encrypted_pdfs():
    assert "unreadable PDF" in load_document(b"%PDF-1.4\nnot really a pdf").error
    doc = load_document(fixture("encrypted.pdf"))
    assert doc.error.startswith("encrypted PDF") and doc.text == ""
    doc = load_document(fixture("restricted.pdf"))  # owner password only: readable, as in any viewer
    assert doc.error is None and "行政规范性文件 3 1 12" in doc.text


def test_pdf_time_limit_and_size_limit():
    data = fixture("szfgs2024.pdf")
    doc = load_document(data, timeout=0)
    assert doc.error == "timed out after 0 of 6 pages"
    doc = load_document(data, max_bytes=100_000)
    assert doc.kind == "pdf" and doc.error == f"document too large: {len(data)} bytes > 100000"
    assert load_document(b"", url="http://x.gov.cn/a.pdf").error == "empty document"


# --- DOCX / XLS(X) ---------------------------------------------------------------------------

def test_docx_via_mammoth():
    doc = load_document(fixture("report.docx"), url="http://x.gov.cn/a.docx")
    assert doc.kind == "docx" and doc.error is None
    assert doc.html.count("<table") == 1 and 'colspan="4"' in doc.html and 'colspan="3"' in doc.html
    assert "规章\t1\t0\t11" in doc.text and "行政许可\t447228" in doc.text
    assert doc.text.splitlines()[0] == "淮安市人民政府2024年政府信息公开工作年度报告"


def test_broken_docx():
    data = fixture("report.docx")
    doc = load_document(data[: len(data) // 2], url="http://x.gov.cn/a.docx")
    assert doc.error and doc.kind in ("docx", "unknown")


@pytest.mark.parametrize("name", ["report.xls", "report.xlsx"])
def test_spreadsheets_as_tables(name):
    doc = load_document(fixture(name), url=f"http://x.gov.cn/{name}")
    assert doc.kind == name.split(".")[1] and doc.error is None and doc.pages == 1
    assert doc.html.count("<table") == 1 and '<td colspan="4">第二十条第（一）项</td>' in doc.html
    assert "<td>1</td><td>0</td><td>11</td>" in doc.html  # 1.0 from XLSX printed as 1
    assert "行政规范性文件\t8\t26\t66" in doc.text


def test_spreadsheet_garbage():
    doc = load_document(fixture("report.xls")[:3000], url="http://x.gov.cn/a.xls")
    assert doc.kind == "xls" and doc.error


# --- DOC / WPS (external converters: CI must install them) -------------------------------------

@pytest.fixture
def converters():
    missing = [pkg for exe, pkg in ((documents_office.soffice_path(), documents_office.SOFFICE_PACKAGE),
                                    (documents_office.antiword_path(), documents_office.ANTIWORD_PACKAGE)) if not exe]
    if missing:
        pytest.fail(f"DOC/WPS converters missing: apt-get install -y {' '.join(missing)}")


def test_doc_via_libreoffice(converters):
    doc = load_document(fixture("report.doc"), content_type="application/msword", url="http://x.gov.cn/a.doc")
    assert doc.kind == "doc" and doc.error is None
    assert doc.html.count("<table") == 2 and 'rowspan="2"' in doc.html and 'colspan="4"' in doc.html
    assert "行政规范性文件\t8\t26\t66" in doc.text
    assert "一、本年新收政府信息公开申请数量\t152\t7\t0\t159" in doc.text


def test_wps_via_libreoffice(converters):
    doc = load_document(fixture("report.wps"), content_type="application/octet-stream",
                        url="http://www.xuyi.gov.cn/att/马坝镇2023年报.wps")
    assert doc.kind == "wps" and doc.error is None
    assert doc.text.splitlines()[0] == "盱眙县马坝镇人民政府2023年政府信息公开工作年度报告"
    assert "行政规范性文件\t3\t1\t12" in doc.text and "0517-88888888" in doc.text


def test_antiword_rescues_a_table_libreoffice_flattens(converters):
    html, error = documents_office.libreoffice_html_from_bytes(fixture("lo_drops_table.doc"), 60)
    assert error is None and "<table" not in html  # the LibreOffice 7.4 behaviour this guards against
    doc = load_document(fixture("lo_drops_table.doc"), url="http://x.gov.cn/a.doc")
    assert doc.error is None and doc.html.count("<table") == 1
    assert "信息内容\t本年制发件数\t本年废止件数\t现行有效件数" in doc.text and "规章\t1\t0\t11" in doc.text


def test_antiword_fallback_without_libreoffice(converters, monkeypatch):
    monkeypatch.setattr(documents_office, "soffice_path", lambda: None)
    doc = load_document(fixture("report.wps"), url="http://x.gov.cn/a.wps")
    assert doc.error is None and doc.html.count("<table") == 1
    assert "行政规范性文件\t3\t1\t12" in doc.text


def test_no_converter_is_an_error(monkeypatch):
    monkeypatch.setattr(documents_office, "soffice_path", lambda: None)
    monkeypatch.setattr(documents_office, "antiword_path", lambda: None)
    doc = load_document(fixture("report.doc"), url="http://x.gov.cn/a.doc")
    assert doc.html is None and "libreoffice-writer-nogui" in doc.error and "antiword" in doc.error


def test_libreoffice_timeout_kills_the_converter(converters, tmp_path, monkeypatch):
    # the converter's temporary folder goes under tmp_path, so only this test's processes are looked at
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    html, error = documents_office.libreoffice_html_from_bytes(fixture("report.doc"), 0.3)
    assert html is None and "timed out" in error
    time.sleep(0.2)
    leftovers = [p for p in os.listdir("/proc") if p.isdigit() and str(tmp_path) in _cmdline(p)]
    assert not leftovers, [_cmdline(p) for p in leftovers]


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def test_garbage_ole_file_is_an_error(converters):
    data = fixture("report.doc")[:4096] + b"\x00" * 4096
    doc = load_document(data, url="http://x.gov.cn/a.doc")
    assert isinstance(doc, Document) and doc.kind == "doc" and doc.error


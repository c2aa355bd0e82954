"""Hostile documents, generated in the test (nothing large is committed).

Each builder returns bytes. Reports are built from the demo portal's real report page, so a file
that survives hostility must still be recognised as a report.
"""

from __future__ import annotations

import gzip
import io
import re
import struct
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT_PAGE = ROOT / "crawler/demo/site/city/art/2022/1/21/art_1006_35821.html"
REPORT_TITLE = "苏州市2021年政府信息公开工作年度报告"
REPORT_PDF = ROOT / "tests/fixtures/real/szfgs2024.pdf"
ENCRYPTED_PDF = ROOT / "tests/fixtures/docs/encrypted.pdf"


@lru_cache(maxsize=1)
def report_html() -> str:
    return REPORT_PAGE.read_text(encoding="utf-8")


def _body_bounds(html: str) -> tuple[int, int]:
    i = html.index("<body")
    return html.index(">", i) + 1, html.rindex("</body>")


def big_page(chars: int = 50 * 2**20) -> str:
    """A report page followed by `chars` characters of portal chrome (related links, a huge footer)."""
    html = report_html()
    line = "<p>相关链接：政府信息公开指南 政府信息公开制度 依申请公开 政府信息公开目录 网站地图 联系我们</p>\n"
    pad = line * (chars // len(line) + 1)
    return html.replace("</body>", f"<div class='footer'>{pad}</div></body>")


def junk_first_page(chars: int = 8 * 2**20) -> str:
    """A report page whose article comes after megabytes of inline navigation."""
    html = report_html()
    start, _ = _body_bounds(html)
    menu = "<ul class='nav'>" + "<li><a href='/col/x.html'>栏目导航链接</a></li>" * (chars // 44) + "</ul>"
    return html[:start] + menu + html[start:]


def deep_page(depth: int = 100_000) -> str:
    """The report wrapped in `depth` nested <div>s (and a <span> chain), a page builder gone wrong."""
    html = report_html()
    start, end = _body_bounds(html)
    return html[:start] + "<div>" * depth + html[start:end] + "</div>" * depth + html[end:]


def many_tables_page(tables: int = 10_000) -> str:
    """The report followed by `tables` small layout tables."""
    pad = "".join(f"<table><tr><td>附件{i}</td><td>{i}</td></tr></table>" for i in range(tables))
    return report_html().replace("</body>", pad + "</body>")


def report_paragraphs() -> list[str]:
    from pipelines.documents import html_text

    start, end = _body_bounds(report_html())
    return [line for line in html_text(report_html()[start:end]).splitlines() if line.strip()]


def report_docx(extra: dict[str, bytes] | None = None, place: str = "双辽市") -> bytes:
    """A DOCX of the report's text (python-docx), with extra zip members added as given."""
    import docx

    d = docx.Document()
    d.add_heading(REPORT_TITLE, 0)
    for line in report_paragraphs():
        d.add_paragraph(line.replace("\t", "  ").replace("双辽市", place))
    out = io.BytesIO()
    d.save(out)
    if not extra:
        return out.getvalue()
    src = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    dst_buf = io.BytesIO()
    with zipfile.ZipFile(dst_buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, extra.pop(info.filename, None) or src.read(info))
        for name, data in extra.items():
            dst.writestr(name, data)
    return dst_buf.getvalue()


class _Zeros(io.RawIOBase):
    def __init__(self, n: int) -> None:
        self.left = n

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        n = min(len(b), self.left)
        b[:n] = bytes(n)
        self.left -= n
        return n


def _zeros_deflated(megabytes: int) -> tuple[bytes, int]:
    """Raw deflate of `megabytes` MiB of zeros, built from one full-flushed block repeated (fast), and its CRC."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = c.compress(bytes(2**20)) + c.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    mb = bytes(2**20)
    for _ in range(megabytes):
        crc = zlib.crc32(mb, crc)
    return piece * megabytes + zlib.compressobj(9, zlib.DEFLATED, -15).flush(), crc


def _zip_with(members: list[tuple[str, bytes]], raw: tuple[str, bytes, int, int]) -> bytes:
    """A zip of `members` (normal) plus one member given pre-deflated: (name, deflated, crc, size)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in members:
            dst.writestr(name, data)
    head = buf.getvalue()
    cd_at = head.rindex(b"PK\x05\x06")
    (_, _, _, _, count, cd_size, cd_offset, _) = struct.unpack("<IHHHHIIH", head[cd_at:cd_at + 22])
    local, central = head[:cd_offset], head[cd_offset:cd_offset + cd_size]
    name, data, crc, size = raw
    fname = name.encode()
    offset = len(local)
    local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(fname), 0) + fname + data
    central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size, len(fname),
                           0, 0, 0, 0, 0, offset) + fname
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count + 1, count + 1, len(central), len(local), 0)
    return local + central + end


@lru_cache(maxsize=2)
def zip_bomb_docx(megabytes: int = 2048, *, in_main_part: bool = False) -> bytes:
    """A DOCX whose extra member (or whose document.xml) inflates to `megabytes` MiB of zeros (~1000:1)."""
    src = zipfile.ZipFile(io.BytesIO(report_docx()))
    members = [(i.filename, src.read(i)) for i in src.infolist()
               if not (in_main_part and i.filename == "word/document.xml")]
    data, crc = _zeros_deflated(megabytes)
    name = "word/document.xml" if in_main_part else "word/media/bomb.bin"
    return _zip_with(members, (name, data, crc, megabytes * 2**20))


def understate_local_headers(data: bytes, sizes=lambda compressed, size: (0, 0), *, descriptor_flag: bool = False) -> bytes:
    """The zip with every local file header's sizes replaced by `sizes(compressed, size)` (a real-world
    writer bug: streaming writers that never go back); the central directory keeps the true sizes.
    `descriptor_flag` also sets general-purpose bit 3 (sizes in a data descriptor), as such writers may."""
    buf = bytearray(data)
    for info in zipfile.ZipFile(io.BytesIO(data)).infolist():
        at = info.header_offset
        assert buf[at:at + 4] == b"PK\x03\x04"
        compressed, size = struct.unpack_from("<II", buf, at + 18)
        struct.pack_into("<II", buf, at + 18, *sizes(compressed, size))
        if descriptor_flag:
            struct.pack_into("<H", buf, at + 6, struct.unpack_from("<H", buf, at + 6)[0] | 0x08)
    return bytes(buf)


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with member `name` declaring `size` inflated bytes in its central and local headers (a
    bomb that lies about its size: its deflate stream runs on past it)."""
    buf = bytearray(data)
    end = buf.rindex(b"PK\x05\x06")
    count, _, at = struct.unpack_from("<HII", buf, end + 10)
    for _ in range(count):
        n, m, k = struct.unpack_from("<HHH", buf, at + 28)
        if bytes(buf[at + 46:at + 46 + n]).decode() == name:
            struct.pack_into("<I", buf, at + 24, size)
            struct.pack_into("<I", buf, struct.unpack_from("<I", buf, at + 42)[0] + 22, size)
        at += 46 + n + m + k
    return bytes(buf)


def lying_bomb_docx(megabytes: int, declared: int = 10_000, *, in_main_part: bool = False,
                    doctype: bool = False) -> bytes:
    """A DOCX whose bomb member (or document.xml) declares `declared` bytes and inflates to `megabytes`
    MiB; `doctype`: an XML member carries an entity bomb too (the DOCX is then rewritten before reading)."""
    src = zipfile.ZipFile(io.BytesIO(report_docx()))
    name = "word/document.xml" if in_main_part else "word/media/bomb.bin"
    members = [(i.filename, src.read(i)) for i in src.infolist() if i.filename != name]
    if doctype:
        members.append(("customXml/hostile.xml", f"<?xml version='1.0'?>{BILLION_LAUGHS}<a>&lol9;</a>".encode()))
    stream, crc = _zeros_deflated(megabytes)
    return declare_size(_zip_with(members, (name, stream, crc, megabytes * 2**20)), name, declared)


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10)) + "]>")


def entity_bomb_docx(place: str = "双辽市") -> bytes:
    """The report DOCX with a billion-laughs DTD in word/document.xml and a reference in one paragraph."""
    good = report_docx(place=place)
    xml = zipfile.ZipFile(io.BytesIO(good)).read("word/document.xml").decode("utf-8")
    xml = re.sub(r"^(<\?xml[^>]*\?>)", lambda m: m.group(1) + BILLION_LAUGHS, xml, count=1)
    xml = xml.replace("<w:t>", "<w:t>&lol9;", 1)
    return report_docx({"word/document.xml": xml.encode("utf-8")}, place=place)


def hanweb_bomb_list(report_url: str) -> str:
    """A Hanweb column page whose <datastore> carries an entity bomb and one record linking the report."""
    return (f"<html><head><title>政府信息公开年报</title></head><body><div id='4441'><script type='text/xml'>"
            f"<?xml version='1.0'?>{BILLION_LAUGHS}<datastore><nextgroup><![CDATA[]]></nextgroup><recordset>"
            f"<record><![CDATA[<li><a href='{report_url}' title='{REPORT_TITLE}'>{REPORT_TITLE}</a></li>]]></record>"
            f"<record><![CDATA[<li>&lol9;</li>]]></record>"
            "</recordset></datastore></script></div></body></html>")


def gzip_bomb(inflated: int = 256 * 2**20) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as fh:
        zeros = _Zeros(inflated)
        while chunk := zeros.read(2**20):
            fh.write(chunk)
    return buf.getvalue()


def many_pages_pdf(pages: int = 5000) -> bytes:
    """A valid PDF with `pages` pages of one line of text each (one shared content stream)."""
    content = b"BT /F1 12 Tf 72 720 Td (Annual report page) Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    first_page = len(objects) + 1
    kids = " ".join(f"{first_page + i} 0 R" for i in range(pages)).encode()
    objects[1] = b"<< /Type /Pages /Count %d /Kids [" % pages + kids + b"] >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 3 0 R >> >> >>"
    objects += [page] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def truncated_pdf() -> bytes:
    data = REPORT_PDF.read_bytes()
    return data[: len(data) // 2]


def garbled_pdf(seed: int = 7) -> bytes:
    import random

    rnd = random.Random(seed)
    return b"%PDF-1.7\n" + bytes(rnd.randrange(256) for _ in range(200_000)) + b"\n%%EOF\n"

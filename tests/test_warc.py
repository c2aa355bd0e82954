"""WARC extension: records warcio accepts, bytes read back from offsets, revisits, rotation, repair."""

from __future__ import annotations

import random
import subprocess
import sys
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.extensions.warc import LeveledWARCWriter, WarcExtension, payload_digest, record_at, repair

WARCIO = str(Path(sys.executable).with_name("warcio"))
PAGE = "<html><head><meta charset='gbk'><title>2021年政府信息公开工作年度报告</title></head><body>一、总体情况</body></html>"


def extension(tmp_path: Path, **settings) -> WarcExtension:
    crawler = get_crawler(settings_dict={"ARCHIVE_DB": str(tmp_path / "a.db"), **settings})
    ext = WarcExtension.from_crawler(crawler)
    ext.opened()
    return ext


def fetch(ext: WarcExtension, url: str, body: bytes, status: int = 200, **headers: str) -> dict:
    request = Request(url, meta={"kind": "report"}, headers={"User-Agent": "nianbao-test"})
    cls = HtmlResponse if body.startswith(b"<html") else Response
    response = cls(url, status=status, body=body, headers={"Content-Type": "text/html; charset=gbk", **headers},
                   request=request)
    ext.response_downloaded(response, request)
    return ext.crawler.warc_rows[-1]


def warc_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.warc.gz"))


def read_at(path: Path, offset: int):
    with record_at(path, offset) as record:
        return record.rec_type, record.rec_headers, record.content_stream().read()


def test_records_pass_warcio_check_and_bytes_read_back(tmp_path):
    ext = extension(tmp_path)
    body = PAGE.encode("gbk")
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 40
    page_row = fetch(ext, "http://www.x.gov.cn/nb/t1.html", body, ETag='"v1"')
    pdf_row = fetch(ext, "http://www.x.gov.cn/nb/t1.pdf", pdf)
    ext.closed()
    (path,) = warc_files(tmp_path / "warc")  # default WARC_DIR: beside the archive
    assert not list((tmp_path / "warc").glob("*.open"))
    check = subprocess.run([WARCIO, "check", "-v", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([WARCIO, "index", "-f", "warc-type,warc-target-uri", str(path)], capture_output=True,
                           text=True, check=True).stdout
    types = [line.split('"warc-type": "')[1].split('"')[0] for line in index.splitlines()]
    assert types == ["warcinfo", "response", "request", "response", "request"]
    for row, expected in ((page_row, body), (pdf_row, pdf)):
        rtype, headers, payload = read_at(path, row["offset"])
        assert rtype == "response" and payload == expected
        assert headers.get_header("WARC-Target-URI") == row["url"]
        assert headers.get_header("WARC-Payload-Digest") == row["digest"] == payload_digest(expected)
        assert headers.get_header("WARC-Record-ID") == row["record_id"]
    with record_at(path, 0) as first:
        assert first.rec_type == "warcinfo" and first.rec_headers.protocol == "WARC/1.1"


def test_same_bytes_and_304_are_revisits(tmp_path):
    ext = extension(tmp_path)
    url = "http://www.x.gov.cn/nb/t1.html"
    body = PAGE.encode("gbk")
    first = fetch(ext, url, body)
    again = fetch(ext, url, body)
    not_modified = fetch(ext, url, b"", status=304)
    ext.closed()
    (path,) = warc_files(tmp_path / "warc")
    assert subprocess.run([WARCIO, "check", str(path)]).returncode == 0
    assert [r["record_type"] for r in (first, again, not_modified)] == ["response", "revisit", "revisit"]
    _, headers, _ = read_at(path, not_modified["offset"])
    assert headers.get_header("WARC-Profile").endswith("/revisit/server-not-modified")
    assert headers.get_header("WARC-Refers-To-Target-URI") == url
    assert headers.get_header("WARC-Payload-Digest") == first["digest"]
    _, headers, _ = read_at(path, again["offset"])
    assert headers.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")


def test_files_rotate_at_the_size_limit_each_with_warcinfo(tmp_path):
    ext = extension(tmp_path, WARC_MAX_SIZE=3000, WARC_DIR=str(tmp_path / "raw"))
    for i in range(6):
        fetch(ext, f"http://www.x.gov.cn/nb/t{i}.pdf", random.Random(i).randbytes(2000))  # incompressible
    ext.closed()
    files = warc_files(tmp_path / "raw")
    assert len(files) >= 3
    for path in files:
        with record_at(path, 0) as first:
            assert first.rec_type == "warcinfo"
    assert subprocess.run([WARCIO, "check", *map(str, files)]).returncode == 0
    assert {r["warc_file"] for r in ext.crawler.warc_rows} == {p.name for p in files}


@pytest.mark.parametrize("cut", [1, 37, 200])
def test_a_file_left_by_a_killed_crawl_is_cut_to_whole_records(tmp_path, cut):
    ext = extension(tmp_path)
    rows = [fetch(ext, f"http://www.x.gov.cn/nb/t{i}.pdf", bytes(range(256)) * 30 + bytes([i])) for i in range(3)]
    ext.fh.flush()
    open_file = tmp_path / "warc" / f"{ext.name}.open"
    size = open_file.stat().st_size
    ext.fh.close()  # as after kill -9: never renamed; the last record is half-written
    with open_file.open("r+b") as fh:
        fh.truncate(size - cut)
    extension(tmp_path)  # the next crawl starts: repairs leftovers
    assert not list((tmp_path / "warc").glob("*.open"))
    (path,) = warc_files(tmp_path / "warc")
    assert subprocess.run([WARCIO, "check", str(path)]).returncode == 0
    for row in rows[:2]:  # complete records keep their offsets
        assert read_at(path, row["offset"])[2] == bytes(range(256)) * 30 + bytes([rows.index(row)])


def test_repair_of_an_empty_open_file_removes_it(tmp_path):
    left = tmp_path / "x.warc.gz.open"
    left.write_bytes(b"\x1f\x8b\x08")
    repair(left)
    assert not left.exists() and not (tmp_path / "x.warc.gz").exists()


def test_a_file_another_live_crawl_is_writing_is_left_alone(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / "warc" / f"nianbao-20260101000000-{other.pid}-00001.warc.gz.open"
        live.parent.mkdir()
        live.write_bytes(b"\x1f\x8b\x08 half a record")
        extension(tmp_path)
        assert live.read_bytes() == b"\x1f\x8b\x08 half a record"
    finally:
        other.kill()
        other.wait()
    extension(tmp_path)  # once that crawl is gone, its file is repaired (here: nothing complete, removed)
    assert not live.exists()


def _record(writer, url: str, body: bytes):
    """A response record with fixed id and date, so two writers can be handed the same record."""

    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body), http_headers=http,
                                     warc_headers_dict={"WARC-Date": "2026-01-01T00:00:00.000000Z",
                                                        "WARC-Record-ID": f"<urn:uuid:{len(body):08d}-0000-0000-0000-000000000000>"})


def _bodies() -> list[bytes]:
    """Generated portal pages (UTF-8 and GBK), attachments and random bytes: what a crawl writes."""
    from bench.realgen import build_site

    site = build_site(4, 4, 12, random.Random(4))  # k = 4: a GBK portal
    pages = [data for path, data in sorted(site.files.items())][:12]
    return [*pages, b"", PAGE.encode("gbk"), random.Random(1).randbytes(70_000)]


def test_gzip_level_9_is_warcios_own_writer_byte_for_byte():
    """LeveledWARCWriter only parameterises the zlib level: at 9 it writes what warcio's WARCWriter does."""
    for body in _bodies():
        ours, theirs = BytesIO(), BytesIO()
        mine = LeveledWARCWriter(ours, 9, warc_version="1.1")
        mine.write_record(_record(mine, "http://www.x.gov.cn/a.html", body))
        ref = WARCWriter(theirs, gzip=True, warc_version="1.1")
        ref.write_record(_record(ref, "http://www.x.gov.cn/a.html", body))
        assert ours.getvalue() == theirs.getvalue()


@pytest.mark.parametrize("level", [1, 6, 9])
def test_every_gzip_level_holds_the_same_records(tmp_path, level):
    """Other levels change the compressed bytes only: the same records, one gzip member each, readable at
    their offsets, `warcio check` clean."""
    bodies = _bodies()
    for body in bodies:
        ours, plain = BytesIO(), BytesIO()
        mine = LeveledWARCWriter(ours, level, warc_version="1.1")
        mine.write_record(_record(mine, "http://www.x.gov.cn/a.html", body))
        ref = WARCWriter(plain, gzip=False, warc_version="1.1")
        ref.write_record(_record(ref, "http://www.x.gov.cn/a.html", body))
        d = zlib.decompressobj(31)
        assert d.decompress(ours.getvalue()) == plain.getvalue() and d.eof and not d.unused_data
    ext = extension(tmp_path, WARC_GZIP_LEVEL=level)
    rows = [fetch(ext, f"http://www.x.gov.cn/nb/t{i}.html", body) for i, body in enumerate(bodies)]
    ext.closed()
    (path,) = warc_files(tmp_path / "warc")
    assert subprocess.run([WARCIO, "check", str(path)], capture_output=True).returncode == 0
    for row, body in zip(rows, bodies, strict=True):
        rtype, _, payload = read_at(path, row["offset"])
        assert rtype == "response" and payload == body


def test_a_gzip_level_out_of_range_is_refused(tmp_path):
    with pytest.raises(ValueError, match="WARC_GZIP_LEVEL"):
        extension(tmp_path, WARC_GZIP_LEVEL=12)

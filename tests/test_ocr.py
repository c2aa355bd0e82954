"""OCR of scans: RapidOCR with its bundled models and the network off, ruled grids, confidence, bounds.

Pages are generated (the demo reports with random figures, printed by Chromium, rasterised by
pdftoppm); the expected cells are those of the printed HTML through the same table grammar. Every
value read must be right or NULL flagged `ocr_unreadable`, never wrong. Accuracy and speed figures
are `python -m bench.ocr`, not asserted here.
"""

from __future__ import annotations

import io
import ipaddress
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipelines import store
from pipelines.ingest import import_paths
from pipelines.ocr import OcrLimits, missing, read_document, versions
from pipelines.ocr.grid import find_grids
from pipelines.ocr.pages import image_pages, text_is_good
from pipelines.ocr.read import read_page
from pipelines.tables import extract_tables_html
from pipelines.tables.tokens import OCR_UNREADABLE, parse_value

pytest.importorskip("rapidocr", reason="the ocr extra (bin/test installs it)")

ROOT = Path(__file__).resolve().parent.parent
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


@pytest.fixture(autouse=True)
def network_off(monkeypatch):
    """Any connection outside 127.0.0.0/8 fails the test: the engine must never fetch a model."""
    real = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and not (host == "localhost" or ipaddress.ip_address(host).is_loopback):
            raise AssertionError(f"network access during OCR: {address}")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: (_ for _ in ()).throw(
        AssertionError(f"name lookup during OCR: {host}")) if host not in ("localhost", "127.0.0.1") else [])


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, size)


def drawn_table(values: list[list[str]], header: str, cell=(260, 70)) -> Image.Image:
    """A small ruled table: a merged header row over columns, then label + value rows."""
    cols, rows = len(values[0]), len(values) + 1
    w, h = cell
    img = Image.new("L", (w * cols + 80, h * rows + 80), 255)
    d = ImageDraw.Draw(img)
    x0, y0 = 40, 40
    d.rectangle((x0, y0, x0 + w * cols, y0 + h * rows), outline=0, width=2)
    for r in range(1, rows):
        d.line((x0, y0 + r * h, x0 + w * cols, y0 + r * h), fill=0, width=2)
    for c in range(1, cols):
        d.line((x0 + c * w, y0 + h, x0 + c * w, y0 + h * rows), fill=0, width=2)  # not through the header
    f = font(30)
    d.text((x0 + w * cols / 2, y0 + h / 2), header, font=f, fill=0, anchor="mm")
    for r, row in enumerate(values, start=1):
        for c, text in enumerate(row):
            d.text((x0 + c * w + w / 2, y0 + r * h + h / 2), text, font=f, fill=0, anchor="mm")
    return img


VALUES = [["行政许可", "0", "5873", ""], ["行政处罚", "12", "", "306"], ["行政强制", "7", "41", "0"]]


def test_the_wheel_ships_its_models_and_reads_offline():
    assert missing() is None
    engine, model = versions()
    assert engine == "rapidocr 3.10.0" and model == "PP-OCRv6_det_small+PP-OCRv6_rec_small"
    import rapidocr

    assert (Path(rapidocr.__file__).parent / "models" / "PP-OCRv6_rec_small.onnx").stat().st_size > 10_000_000


def test_ruled_grid_numbers_in_their_cells_blank_stays_blank():
    img = drawn_table(VALUES, "第二十条第（五）项")
    grids = find_grids(np.asarray(img))
    assert len(grids) == 1 and grids[0].shape == (4, 4)
    assert grids[0].cells[0].c1 - grids[0].cells[0].c0 == 4  # the merged header spans the columns
    page = read_page(img)
    rows = [r for r in page.html.split("<tr>")[1:]]
    assert 'colspan="4"' in rows[0] and "第二十条第（五）项" in rows[0]
    for row, expected in zip(rows[1:], VALUES, strict=True):
        cells = [c.split(">", 1)[1] for c in row.split("</td>")[:-1]]
        assert cells == expected  # each number in its cell, the empty cells empty
    assert page.unreadable == 0 and min(page.confidences) >= 0.85
    assert len(page.confidences) == 7  # the seven numbers (labels and blanks are not numbers)


def test_a_number_under_the_confidence_bound_is_null_and_flagged_never_a_guess():
    page = read_page(drawn_table(VALUES, "第二十条第（五）项"), min_confidence=1.01)
    assert page.unreadable == 7 and page.html.count(OCR_UNREADABLE) == 7
    assert "5873" not in page.html and "行政许可" in page.html
    p = parse_value(OCR_UNREADABLE)
    assert p is not None and p.value is None and p.flag == "ocr_unreadable"


def tiff(pages: int, size=(400, 560)) -> bytes:
    buf = io.BytesIO()
    imgs = [Image.new("L", size, 255) for _ in range(pages)]
    imgs[0].save(buf, "TIFF", save_all=True, append_images=imgs[1:])
    return buf.getvalue()


def test_page_and_time_limits_are_flags_not_stalls():
    r = read_document(tiff(5), "image", OcrLimits(max_pages=2))
    assert (r.pages, r.pages_read, r.error) == (5, 2, None) and "ocr_page_limit:2/5" in r.flags
    r = read_document(tiff(5), "image", OcrLimits(timeout=0))
    assert r.pages_read == 0 and "ocr_timeout:0/5" in r.flags


def test_a_huge_image_is_refused_without_decoding_it():
    buf = io.BytesIO()
    Image.new("1", (9000, 9000), 1).save(buf, "PNG")
    r = read_document(buf.getvalue(), "image", OcrLimits(max_pixels=1_000_000))
    assert r.pages_read == 0 and r.error and "too large" in r.error


@pytest.mark.parametrize(("size", "dpi"), [((827, 1169), 200), ((4960, 7016), 200), ((1654, 2339), 200),
                                           ((1240, 1754), 300)])
def test_dpi_normalised_to_an_a4_page(size, dpi):
    buf = io.BytesIO()
    Image.new("L", size, 255).save(buf, "PNG")
    (page,) = image_pages(buf.getvalue(), dpi=dpi, max_pages=1, max_pixels=40_000_000)
    assert abs(max(page.image.size) - 11.69 * dpi) <= 0.25 * 11.69 * dpi


def test_junk_text_layers_are_not_text():
    assert text_is_good("根据《中华人民共和国政府信息公开条例》规定，本报告由本机关编制。" * 2)
    assert not text_is_good("(cid:12)(cid:40)(cid:77)" * 20)
    assert not text_is_good("\ue001\ue002\ue003" * 20)
    assert not text_is_good("- 1 -")


def test_without_the_extra_a_scan_is_kept_with_a_clear_reason(tmp_path):
    buf = io.BytesIO()
    drawn_table(VALUES, "x").save(buf, "PNG")
    (tmp_path / "p.png").write_bytes(buf.getvalue())
    code = f"""
import sys
sys.modules.update(rapidocr=None, onnxruntime=None, cv2=None)  # the ocr extra not installed
from pathlib import Path
from pipelines.process import process_document
out = process_document(url="http://x.gov.cn/a.png", body=Path({str(tmp_path / 'p.png')!r}).read_bytes(),
                       kind="attachment", title="某县2023年政府信息公开工作年度报告")
print(out.accepted, out.record["needs_ocr"], out.record["ocr_engine"], out.record["table_errors"])
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("True 1 None OCR not installed") and "pip install '.[ocr]'" in out.stdout


# -- a whole report page, printed and scanned ------------------------------------------------------

@pytest.fixture(scope="module")
def printed():
    scans = pytest.importorskip("bench.scans")
    if not Path(scans.CHROMIUM).exists():
        pytest.skip("needs Debian's chromium (bin/test installs it)")
    spec = next(s for s in scans.specs() if s.seed == "004")  # 2019 format: 22 numbers in table 1
    html = scans.randomise(scans.report_html(spec, compact=1), seed=11)
    (page,) = scans.rasterise(scans.to_pdf(html), 200)
    return spec, html, page, scans


def check_cells(got: list[dict], html: str) -> None:
    truth = {(c.table_name, c.row_label, c.col_label): c.value for c in extract_tables_html(html).cells}
    read = {(c["table_name"], c["row_label"], c["col_label"]): c for c in got}
    assert len(truth) == 22 and set(read) == set(truth)
    wrong = {k: (read[k]["value"], v) for k, v in truth.items()
             if read[k]["value"] != v and not (read[k]["value"] is None and read[k]["flag"] == "ocr_unreadable")}
    assert wrong == {}
    right = sum(read[k]["value"] == v for k, v in truth.items())
    assert right >= 20, f"only {right} of 22 read"  # the bench measures the rate; this guards a collapse
    assert all(c["flag"].startswith("ocr") for c in got)


@pytest.mark.e2e
def test_scan_folder_is_one_report_with_its_cells(printed, tmp_path):
    spec, html, page, _ = printed
    grid = find_grids(np.asarray(page.convert("L")))[0]
    cut = grid.box[1] - 8  # two page images: the title, then the table
    folder = tmp_path / "scan"
    folder.mkdir()
    page.crop((0, 0, page.width, cut)).save(folder / "page1.png")
    page.crop((0, cut, page.width, page.height)).convert("RGB").save(folder / "page2.jpg", quality=90)
    result = import_paths(tmp_path / "a.db", [tmp_path])
    assert [(f.path.name, f.status) for f in result.files] == [("scan", "new")], result.files[0].reason
    db = store.open_archive(tmp_path / "a.db")
    row = next(db.query("select * from reports"))
    assert (row["agency"], row["year"]) == (spec.agency, 2020)
    assert row["title"] == spec.title and row["source_kind"] == "image" and row["needs_ocr"] == 0
    assert row["ocr_engine"] == "rapidocr 3.10.0" and row["ocr_model"].startswith("PP-OCRv6")
    assert 0.85 <= row["ocr_confidence"] <= 1
    assert "主动公开政府信息情况" in row["body_text"]
    check_cells(list(db.query("select * from report_cells")), html)
    hits = list(db.query("select rowid from reports_fts where reports_fts.body_text like ?", ['%城市管理局%']))
    assert len(hits) == 1  # the OCR'd text is searchable
    db.close()


@pytest.mark.e2e
def test_partial_text_layer_uses_text_where_good_and_ocr_where_not(printed):
    import pypdfium2

    _, html, page, scans = printed
    text_pdf = scans.to_pdf("<html><body><p>" + "本机关认真贯彻落实《中华人民共和国政府信息公开条例》，" * 30
                            + "</p></body></html>")
    merged = pypdfium2.PdfDocument.new()
    merged.import_pages(pypdfium2.PdfDocument(text_pdf))
    merged.import_pages(pypdfium2.PdfDocument(scans.image_pdf([page], 200)))
    buf = io.BytesIO()
    merged.save(buf)
    r = read_document(buf.getvalue(), "pdf")
    assert (r.pages, r.pages_read, r.error) == (2, 1, None)
    assert "认真贯彻落实" in r.text and "主动公开政府信息情况" in r.text
    got = extract_tables_html(r.html)
    check_cells([{**c.__dict__, "flag": "ocr" if c.flag != "ocr_unreadable" else c.flag} for c in got.cells], html)


def test_crawl_settings_reach_the_parse_workers(monkeypatch):
    from scrapy.settings import Settings

    from crawler.item_pipelines import _configure_ocr
    from pipelines.ocr import ENV

    monkeypatch.delenv(ENV, raising=False)
    assert OcrLimits.from_env() == OcrLimits()
    _configure_ocr(Settings({"OCR_MAX_PAGES": 3, "OCR_TIMEOUT_S": 500, "DOCUMENT_TIMEOUT_S": 50, "OCR_DPI": 300}))
    limits = OcrLimits.from_env()  # what a spawned worker sees: it inherits the environment
    assert (limits.max_pages, limits.timeout, limits.dpi, limits.enabled) == (3, 30.0, 300, True)
    _configure_ocr(Settings({"OCR_ENABLED": False}))
    assert not OcrLimits.from_env().enabled
    monkeypatch.delenv(ENV)

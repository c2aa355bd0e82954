"""Scans without text: each is its own report (identity from the bytes), images are documents.

This is the state of every scan when OCR is off or not installed: no text, no cells. Twelve different
image-only PDFs once collapsed into one report through the hash of an empty string.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from pipelines import store
from pipelines.dedup import content_hash
from pipelines.documents import load_document, sniff_kind
from pipelines.process import process_document

TITLE = "2023年政府信息公开工作年度报告"  # what a link to a scan says: no agency


def scan_page(i: int, size: tuple[int, int] = (620, 877)) -> Image.Image:
    """A distinct page image: ruled boxes and ink blobs placed by a seeded generator."""
    rng = np.random.default_rng(i)
    img = Image.new("L", size, 255)
    d = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(8, 30))):
        x, y = int(rng.integers(0, size[0] - 60)), int(rng.integers(0, size[1] - 20))
        d.rectangle((x, y, x + int(rng.integers(10, 60)), y + int(rng.integers(4, 20))), fill=int(rng.integers(0, 120)))
    return img


def image_only_pdf(i: int, pages: int = 1) -> bytes:
    buf = io.BytesIO()
    imgs = [scan_page(i * 100 + p) for p in range(pages)]
    imgs[0].save(buf, "PDF", resolution=75.0, save_all=True, append_images=imgs[1:])
    return buf.getvalue()


def encoded(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def test_empty_text_never_identifies_a_report():
    a, b = image_only_pdf(1), image_only_pdf(2)
    assert content_hash("", [], a) != content_hash("", [], b)
    assert content_hash("", [], a) == content_hash("", [], a)
    assert content_hash(" - 1 - ", [], a) != content_hash(" - 1 - ", [], b)  # a page number is not identity
    text = "根据《中华人民共和国政府信息公开条例》" * 20
    assert content_hash(text, [], a) == content_hash(text, [], b)  # real text still decides


@pytest.mark.parametrize("pages", [1, 3])
def test_many_different_scans_are_many_reports(db, pages):
    scans = [image_only_pdf(i, pages) for i in range(14)]
    assert len(set(scans)) == 14
    ids = []
    for i, data in enumerate(scans):
        out = process_document(url=f"http://x.gov.cn/nb/scan{i}.pdf", body=data, kind="attachment", title=TITLE,
                               portal="p", ocr=False)
        assert out.accepted, out.reason
        assert out.record["needs_ocr"] == 1 and out.record["cells_count"] == 0 and out.record["ocr_engine"] is None
        outcome, rid = store.save_report(db, out.record, None)
        assert outcome == "new"
        ids.append(rid)
    assert len(set(ids)) == 14
    assert db.execute("select count(*) from reports").fetchone()[0] == 14
    # the same bytes again (another URL) are the same report
    again = process_document(url="http://mirror.gov.cn/a.pdf", body=scans[3], kind="attachment", title=TITLE,
                             portal="p", ocr=False)
    assert store.save_report(db, again.record, None) == ("unchanged", ids[3])


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "BMP", "WEBP", "GIF"])
def test_image_files_are_scans_not_unsupported(db, fmt):
    data = encoded(scan_page(7), fmt)
    assert sniff_kind(data, None, "http://x.gov.cn/a") == "image"
    doc = load_document(data, content_type="application/octet-stream", url="http://x.gov.cn/a.bin")
    assert (doc.kind, doc.needs_ocr, doc.error) == ("image", True, None)
    out = process_document(url=f"http://x.gov.cn/nb/p1.{fmt.lower()}", body=data, kind="attachment", title=TITLE,
                           ocr=False)
    assert out.accepted and out.record["source_kind"] == "image" and out.record["needs_ocr"] == 1


def test_many_image_attachments_are_many_reports(db):
    for i in range(12):
        out = process_document(url=f"http://x.gov.cn/nb/{i}.jpg", body=encoded(scan_page(50 + i), "JPEG"),
                               kind="attachment", title=TITLE, ocr=False)
        store.save_report(db, out.record, None)
    assert db.execute("select count(*) from reports").fetchone()[0] == 12


def test_text_that_only_looks_like_an_image_is_not_one():
    assert sniff_kind(b"BM is a name\n" * 10, "text/plain", None) == "txt"
    assert sniff_kind(b"GIF89a", None, None) == "image"

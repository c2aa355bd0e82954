"""Document bytes → page images (PIL), bounded: page count, pixels per page, DPI normalised.

PDF pages are rendered with pypdfium2 (a pdfplumber dependency) at the target DPI; a page whose text
layer is good is not rendered, its text is used. Images (JPEG/PNG/TIFF, multi-page TIFF) are scaled
so an A4 page comes out at the target DPI whatever the scanner or phone used.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image

A4_LONG_IN = 11.69  # inches: the long side of an A4 page, the reports' paper


@dataclass
class Page:
    index: int
    image: Image.Image | None  # None when the page's own text layer is used
    text: str = ""             # the text layer (good pages) — empty for scans
    scaled: float = 1.0        # factor applied to the source pixels (DPI normalisation, pixel bound)


_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")


def text_is_good(text: str) -> bool:
    """A real text layer: enough characters, and mostly Chinese/digits/letters rather than junk
    (private-use glyphs, replacement characters, (cid:NN) from fonts without a Unicode map)."""
    chars = re.sub(r"\s", "", text)
    if len(chars) < 30:
        return False
    junk = len(re.findall(r"[\ue000-\uf8ff\ufffd]|\(cid:\d+\)", text))
    return junk < 0.05 * len(chars) and len(_CJK_OR_WORD.findall(chars)) >= 0.5 * len(chars)


def _normalise(img: Image.Image, dpi: int, max_pixels: int) -> tuple[Image.Image, float]:
    w, h = img.size
    target = A4_LONG_IN * dpi
    scale = target / max(w, h)
    if 0.8 <= scale <= 1.25:  # close enough: resampling would only blur
        scale = 1.0
    scale = min(scale, (max_pixels / (w * h)) ** 0.5)
    if img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    if scale != 1.0:
        img = img.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.LANCZOS)
    return img, scale


def image_pages(data: bytes, *, dpi: int, max_pages: int, max_pixels: int) -> Iterator[Page]:
    """Frames of an image file (a TIFF may hold many pages). Decompression bombs are refused."""
    img = Image.open(io.BytesIO(data))  # lazy: only the header is read; PIL refuses decompression bombs
    frames = getattr(img, "n_frames", 1)
    for i in range(min(frames, max_pages)):
        img.seek(i)
        w, h = img.size
        if w * h > max_pixels * 4:
            raise ValueError(f"page {i + 1} too large: {w}x{h} pixels")
        if img.format == "JPEG" and w * h > max_pixels:
            img.draft("RGB", (w // 2, h // 2))  # decode at reduced size instead of the full bitmap
        frame, scale = _normalise(img.copy(), dpi, max_pixels)
        yield Page(i, frame, scaled=scale)


def page_count(data: bytes, kind: str) -> int:
    if kind == "pdf":
        import pypdfium2

        return len(pypdfium2.PdfDocument(data))
    return getattr(Image.open(io.BytesIO(data)), "n_frames", 1)


def pdf_pages(data: bytes, *, dpi: int, max_pages: int, max_pixels: int) -> Iterator[Page]:
    """Each page: its text layer if good, else rendered at `dpi` (lower if over `max_pixels`)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        for i in range(min(len(pdf), max_pages)):
            page = pdf[i]
            text = page.get_textpage().get_text_range()
            if text_is_good(text):
                yield Page(i, None, text=text)
                continue
            w, h = page.get_size()
            scale = dpi / 72
            scale = min(scale, (max_pixels / max(w * h, 1.0)) ** 0.5)
            img = page.render(scale=scale, grayscale=True).to_pil()
            yield Page(i, img, scaled=scale * 72 / dpi)
            page.close()
    finally:
        pdf.close()

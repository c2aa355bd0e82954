"""Generated scans of report pages: the demo reports (crawler/demo) printed by Chromium to PDF,
rasterised by pdftoppm at a given DPI, optionally degraded like a phone picture of a paper page.

Used by `bench.ocr` and the OCR tests. Ground truth is the printed HTML itself: its cells through
the table grammar (extract_tables_html), its agency and year from the ReportSpec.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from crawler.demo.build import REPORTS
from crawler.demo.reports import ReportSpec, article_body

CHROMIUM = "/usr/bin/chromium"
CSS = """<style>
@page { size: A4; margin: 20mm 18mm; }
body { font-family: "WenQuanYi Zen Hei", sans-serif; font-size: 11pt; line-height: 1.5; color: #000; }
h1 { font-size: 16pt; text-align: center; font-weight: normal; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0; page-break-inside: auto; }
td, th { border: 1px solid #000; padding: 2pt 3pt; font-size: 9.5pt; text-align: center; }
tr { page-break-inside: avoid; }
p { margin: 3pt 0; }
</style>"""


def report_html(spec: ReportSpec, *, compact: int | None = None) -> str:
    """The report as one printable HTML document: title, its body (tables ruled), signature.

    `compact=N`: the title and the first N tables with their headings only (one-page test scans).
    """
    body = article_body(spec)
    if compact is not None:
        parts = re.findall(r"(<p[^>]*>(?:(?!<p[^>]*>).)*?</p>)\s*(<table.*?</table>)", body, re.S)
        body = "\n".join(h + t for h, t in parts[:compact])
    return (f"<!doctype html><html><head><meta charset='utf-8'>{CSS}</head><body>"
            f"<h1>{spec.title_html}</h1>\n{body}</body></html>")


def to_pdf(html: str) -> bytes:
    """Print HTML to PDF with headless Chromium (no network: the document is a local file)."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "r.html", Path(tmp) / "r.pdf"
        src.write_text(html, encoding="utf-8")
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        "--disable-background-networking", "--disable-component-update", "--no-first-run",
                        f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", src.as_uri()],
                       check=True, capture_output=True, timeout=120)
        return out.read_bytes()


def rasterise(pdf: bytes, dpi: int) -> list[Image.Image]:
    """pdftoppm (poppler-utils) at `dpi`, grayscale, one image per page."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "r.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "r.pdf", "p"], cwd=tmp, check=True,
                       capture_output=True, timeout=300)
        return [Image.open(p).copy() for p in sorted(Path(tmp).glob("p-*.png"))]


def phone(img: Image.Image, seed: int = 0) -> Image.Image:
    """A phone picture of the printed page: slight rotation, uneven light, blur, sensor noise, JPEG."""
    rng = np.random.default_rng(seed)
    angle = float(rng.uniform(-1.5, 1.5))
    out = img.convert("L").rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=235)
    a = np.asarray(out, dtype=np.float32)
    h, w = a.shape
    yy, xx = np.mgrid[0:h, 0:w]
    light = 0.72 + 0.28 * (0.6 * xx / w + 0.4 * (1 - yy / h))  # a lamp from the upper right
    a = a * light + rng.normal(0, 6, a.shape)
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=55)
    return Image.open(io.BytesIO(buf.getvalue()))


def image_pdf(pages: list[Image.Image], dpi: int) -> bytes:
    """An image-only PDF of the pages (what a scanner writes)."""
    buf = io.BytesIO()
    rgb = [p.convert("L") for p in pages]
    rgb[0].save(buf, "PDF", resolution=float(dpi), save_all=True, append_images=rgb[1:])
    return buf.getvalue()


def specs() -> list[ReportSpec]:
    """One demo report per seed (both templates, five agencies and years), tables printed ruled."""
    seen: dict[str, ReportSpec] = {}
    for spec in REPORTS:
        if spec.duplicate_of is None and spec.seed not in seen:
            seen[spec.seed] = replace(spec, tables="plain") if spec.tables == "text" else spec
    return [seen[k] for k in sorted(seen)]


def randomise(html: str, seed: int) -> str:
    """Every number printed in a table cell replaced by a random one (zeros, 1-5 digits, decimals where
    the report prints decimals): the report's layout with figures the OCR cannot have memorised."""
    rng = np.random.default_rng(seed)

    def one(m: re.Match[str]) -> str:
        old = m.group(2)
        r = rng.random()
        if "." in old:
            value = f"{rng.uniform(0, 20000):.{len(old.split('.')[1])}f}"
        elif r < 0.3:
            value = "0"
        else:
            value = str(int(rng.integers(1, 10 ** int(rng.integers(1, 6)))))
        return f"{m.group(1)}{value}{m.group(3)}"

    return re.sub(r"(<td[^>]*>\s*(?:<[^>]+>\s*)*)(\d+(?:\.\d+)?)(\s*(?:<[^>]+>\s*)*</td>)", one, html)

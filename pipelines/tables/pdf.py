"""PDF → token segments with pdfplumber: ruled tables first, page text as the fallback."""

from __future__ import annotations

import io

import pdfplumber

from pipelines.tables.tokens import Tok, cells_segment


def pdf_table_segments(data: bytes) -> list[list[Tok]]:
    """One segment per table row, pages in order (a table split over pages just continues)."""
    segs: list[list[Tok]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                for row in table:
                    seg = cells_segment(list(row), grid=True)
                    if seg:
                        segs.append(seg)
            page.flush_cache()
    return segs


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text(x_tolerance=1) or "" for page in pdf.pages)

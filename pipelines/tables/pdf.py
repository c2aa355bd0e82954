"""PDF → token segments with pdfplumber: ruled tables first, page text as the fallback."""

from __future__ import annotations

import io

import pdfplumber

from pipelines.tables.tokens import Tok, cells_segment


def page_table_segments(page: pdfplumber.page.Page) -> list[list[Tok]]:
    """One page's table rows as segments (pipelines/documents reads them in its own pass over the pages)."""
    segs: list[list[Tok]] = []
    for table in page.extract_tables():
        for row in table:
            seg = cells_segment(list(row), grid=True)
            if seg:
                segs.append(seg)
    return segs


def pdf_table_segments(data: bytes) -> list[list[Tok]]:
    """One segment per table row, pages in order (a table split over pages just continues)."""
    segs: list[list[Tok]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            segs.extend(page_table_segments(page))
            page.flush_cache()
    return segs


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text(x_tolerance=1) or "" for page in pdf.pages)

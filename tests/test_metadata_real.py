"""Metadata of the real PDFs (tests/fixtures/real: 洪泽区 2023/2024, 淮安市 2024) through the whole
`process` path, against the hand-read values in their *.expected.json (tables are tested elsewhere)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.process import process_document
from pipelines.regions import canonical_agency

REAL = Path(__file__).parent / "fixtures" / "real"
STEMS = sorted(p.name.removesuffix(".expected.json") for p in REAL.glob("*.expected.json")
               if (REAL / p.name.replace(".expected.json", ".pdf")).exists())


@pytest.fixture(scope="module")
def records():
    out = {}
    for stem in STEMS:
        result = process_document(url=f"http://real.test/{stem}.pdf", body=(REAL / f"{stem}.pdf").read_bytes(),
                                  content_type="application/pdf", kind="attachment")
        assert result.accepted, (stem, result.reason)
        out[stem] = result.record
    return out


def test_the_real_pdfs_are_here():
    assert {"hongze_2023", "hongze_2024", "szfgs2024"} <= set(STEMS)


@pytest.mark.parametrize("stem", STEMS)
def test_real_pdf_metadata(records, stem):
    want = json.loads((REAL / f"{stem}.expected.json").read_text(encoding="utf-8"))
    got = records[stem]
    assert (got["year"], got["published_at"], got["signature_date"]) == (
        want["year"], want["published_at"], want["signature_date"])
    contact = {k: got[f"contact_{k}"] for k in ("phone", "address", "postcode", "email")}
    assert contact == want["contact"]
    # the printed title names the reporting government, never the compiling office (…人民政府办公室)
    assert got["agency_source"] == "document title"
    assert not got["agency"].endswith("办公室")
    # reports.agency is the name as printed (`agency_printed` when it differs: hongze_2024's title prints
    # 淮安市洪泽区人民政府); the hand-read `agency` is the canonical form (report_regions.agency_canonical)
    assert got["agency"] == want.get("agency_printed", want["agency"])
    assert canonical_agency(got["agency"]) == want["agency"]

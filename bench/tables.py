"""Table extraction speed per report: `.venv/bin/python -m bench.tables [--repeat N]`.

Inputs: the five text seeds, the hand-made HTML fixtures (tests/fixtures/tables) and the real PDF
(pdfplumber tables, and its text fallback). Prints milliseconds per report (median of N runs, cold caches
for the first run shown separately).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from pipelines.tables import extract_tables_html, extract_tables_pdf, extract_tables_text
from pipelines.tables.pdf import pdf_text

FIX = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def _html(path: Path) -> str:
    data = path.read_bytes()
    return data.decode("gbk") if "gbk" in path.name else data.decode("utf-8")


def cases() -> list[tuple[str, str, Callable[[], object]]]:
    out: list[tuple[str, str, Callable[[], object]]] = []
    for p in sorted((FIX / "seeds").glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        out.append(("text", p.stem[:3], lambda t=text: extract_tables_text(t)))
    for p in sorted((FIX / "tables").glob("*.html")):
        html = _html(p)
        out.append(("html", p.stem, lambda h=html: extract_tables_html(h)))
    pdf = (FIX / "real" / "szfgs2024.pdf").read_bytes()
    out.append(("pdf", "szfgs2024 (tables)", lambda: extract_tables_pdf(pdf)))
    text = pdf_text(pdf)
    out.append(("text", "szfgs2024 (pdf text)", lambda: extract_tables_text(text)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    per_kind: dict[str, list[float]] = {}
    print(f"{'kind':5} {'report':24} {'first ms':>9} {'median ms':>10} {'cells':>6}")
    for kind, name, fn in cases():
        t0 = time.perf_counter()
        res = fn()
        first = (time.perf_counter() - t0) * 1000
        runs = []
        for _ in range(args.repeat if kind != "pdf" else max(1, args.repeat // 5)):
            t0 = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - t0) * 1000)
        med = statistics.median(runs)
        per_kind.setdefault(kind, []).append(med)
        print(f"{kind:5} {name:24} {first:9.1f} {med:10.1f} {len(res.cells):6d}")  # type: ignore[attr-defined]
    print()
    for kind, ms in per_kind.items():
        print(f"{kind:5} mean {statistics.mean(ms):7.1f} ms/report, max {max(ms):7.1f} ms ({len(ms)} reports)")


if __name__ == "__main__":
    main()

"""Per-cell and per-field accuracy over the variation matrix and the real PDFs.

    .venv/bin/python -m bench.accuracy            # fast serialisations × all quirks × both templates
    .venv/bin/python -m bench.accuracy --full     # + docx and pdf through LibreOffice, PDF through Chromium (minutes)
    .venv/bin/python -m bench.accuracy --only chromium --seeds 2   # one or more serialisations only
    .venv/bin/python -m bench.accuracy --seeds 3 --show 5

Every expected cell is graded: right (the value, or NULL where the report printed a blank), NULL
(NULL + flag where a number was printed: lost but not wrong), wrong (another number, or a number
where a blank was printed), missing (neither a cell nor an ambiguity). A NULL is `null-amb`
(ambiguous by format) when it is proven: another report with a different value in that cell prints
a byte-identical document (`bench.matrix.ambiguous_cells`; for docx/pdf the identical source HTML, or
one whose conversion prints the same: `twins`);
otherwise it is `null-def`, recoverable from the document but missed: a parser defect. Cells the parser invents are
counted as extra. Fields go through the whole pipeline (`pipelines.process`): agency, year,
published date and contact, right or not. Figures, not a timed test.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.matrix import (
    BROWSER,
    FAST,
    QUIRKS,
    SERIALISATIONS,
    SLOW,
    Doc,
    Truth,
    ambiguous_cells,
    cases,
    chromium_pdf,
    chromium_variant,
    convert,
    printed_form,
    render_many,
    squared_twins,
)
from pipelines.documents import load_document
from pipelines.tables import EXPLICIT_CELL_KINDS, TableResult, extract_tables

REAL = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "real"
GRADES = ("right", "null_def", "null_amb", "wrong", "missing")
HEADS = ("right", "null-def", "null-amb", "wrong", "missing")
FIELDS = ("agency", "year", "published_at", "contact_phone", "contact_address", "contact_postcode", "contact_email")


@dataclass
class Graded:
    counts: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # wrong, missing, extra, unexpected NULL

    def add(self, other: Graded) -> None:
        self.counts.update(other.counts)
        self.problems += other.problems

    @property
    def exact(self) -> bool:
        return not self.problems


def parse_tables(doc: Doc) -> TableResult:
    """The tables as the pipeline reads them: the document's HTML, its text, and the PDF itself."""
    explicit = doc.kind in EXPLICIT_CELL_KINDS  # as pipelines.process decides it
    if doc.kind == "txt":
        return extract_tables(text=doc.data.decode("utf-8"), explicit_cells=explicit)
    loaded = load_document(doc.data, url=f"http://127.0.0.1/report.{doc.kind}")
    if loaded.error:
        return TableResult(None, [], [], 0, [], [f"unreadable: {loaded.error}"])
    return extract_tables(html=loaded.html, text=loaded.text, pdf=doc.data if doc.kind == "pdf" else None,
                          explicit_cells=explicit)


def grade_cells(truth: dict[tuple[str, str, str], Truth], res: TableResult, name: str = "",
                proven: set[tuple[str, str, str]] | frozenset = frozenset()) -> Graded:
    """`proven`: cells whose NULL is ambiguous by format (see the module doc)."""
    g = Graded()
    got = {(c.table_name, c.row_label, c.col_label): c for c in res.cells}
    amb = {(a.table_name, a.row_label, a.col_label) for a in res.ambiguous}
    for key, t in truth.items():
        c = got.get(key)
        if c is None:
            grade = ("right" if t.value is None else "null") if key in amb else "missing"
        elif c.value is None:
            grade = "right" if t.value is None else "null"
        elif t.value is not None and abs(c.value - t.value) < 1e-9 and (t.unit is None or c.unit == t.unit):
            grade = "right"
        else:
            grade = "wrong"
        if grade == "null":
            grade = "null_amb" if key in proven else "null_def"
        g.counts[grade] += 1
        if grade in ("wrong", "missing") or (grade == "null_def" and not t.may_null):
            shown = "—" if c is None else f"{c.value!r} ({c.raw!r}, {c.flag})"
            g.problems.append(f"{name}: {grade} {key[0][:4]}|{key[1]}|{key[2]}: want {t.value!r}, got {shown}")
    for key in got.keys() - truth.keys():
        g.counts["extra"] += 1
        g.problems.append(f"{name}: extra cell {key}")
    return g


def grade_doc(doc: Doc, twins: frozenset[str] = frozenset()) -> Graded:
    """twins: see `printed_twins`."""
    return grade_cells(doc.cells, parse_tables(doc), doc.case.name, ambiguous_cells(doc.case, twins))


def printed_twins(docs: list[Doc]) -> dict[str, frozenset[str]]:
    """Per docx/pdf/chromium case: the sources of other reports whose conversion prints the same document
    (`bench.matrix.squared_twins`, each converted by LibreOffice or printed by Chromium, and compared by
    `printed_form`)."""
    out: dict[str, frozenset[str]] = {}
    for kind in SLOW:
        batch = [(d, t) for d in docs if d.case.ser == kind and d.data for t in squared_twins(d.case)]
        for (d, src), data in zip(batch, convert([t for _, t in batch], kind), strict=True):
            if data and printed_form(data, kind) == printed_form(d.data, kind):
                out[d.case.name] = out.get(d.case.name, frozenset()) | {src}
    for d in docs:  # Chromium prints its date and the file's URL: the report and its twin printed alike
        if d.case.ser not in BROWSER or not d.data:
            continue
        for src in squared_twins(d.case):
            with tempfile.TemporaryDirectory() as tmp:
                mine = chromium_pdf(d.html, Path(tmp) / "p", chromium_variant(d.case))
                twin = chromium_pdf(src, Path(tmp) / "p", chromium_variant(d.case))
            if mine and twin and printed_form(mine, "pdf") == printed_form(twin, "pdf"):
                out[d.case.name] = out.get(d.case.name, frozenset()) | {src}
    return out


def grade_fields(doc: Doc) -> Counter:
    """Field accuracy through the whole pipeline (classify, metadata)."""
    from pipelines.process import process_document

    html = doc.data.decode("utf-8") if doc.kind == "html" else None
    body = b"" if html is not None else doc.data
    kind = {"txt": "text/plain; charset=utf-8", "docx": None, "pdf": "application/pdf", "html": None}[doc.kind]
    out = process_document(url=f"http://127.0.0.1/{doc.case.name}.{doc.kind}", body=body, html=html,
                           content_type=kind, title=doc.title)
    c: Counter = Counter()
    for f in FIELDS:
        ok = out.accepted and out.record.get(f) == doc.fields[f]
        c[(f, "right" if ok else "wrong")] += 1
    c[("accepted", "right" if out.accepted else "wrong")] += 1
    return c


def real_pdfs(text_only: bool = False) -> list[tuple[str, dict, TableResult]]:
    """text_only: the tables from the PDF's text layer alone (the fallback when no ruled table reads)."""
    from pipelines.tables import extract_tables_pdf, extract_tables_text
    from pipelines.tables.pdf import pdf_text

    out = []
    for exp_path in sorted(REAL.glob("*.expected.json")):
        exp = json.loads(exp_path.read_text(encoding="utf-8"))
        data = (REAL / exp["source"]).read_bytes()
        res = extract_tables_text(pdf_text(data)) if text_only else extract_tables_pdf(data)
        out.append((exp["source"], exp, res))
    return out


def real_truth(exp: dict) -> dict[tuple[str, str, str], Truth]:
    return {(c["table_name"], c["row_label"], c["col_label"]): Truth(c["value"], c["unit"]) for c in exp["cells"]}


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:6.2f}%" if total else "     —"


def _line(label: str, c: Counter) -> str:
    total = sum(c[g] for g in GRADES)
    return (f"{label:28} {total:7d} " + " ".join(" " + _pct(c[g], total) for g in GRADES)
            + f" {c['extra']:6d}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="include docx, pdf (LibreOffice) and chromium (slow)")
    ap.add_argument("--only", action="append", choices=SERIALISATIONS, help="these serialisations only")
    ap.add_argument("--seeds", type=int, default=1, help="reports per template × serialisation × quirk")
    ap.add_argument("--show", type=int, default=10, help="problems to print")
    ap.add_argument("--no-fields", action="store_true", help="skip the whole-pipeline field accuracy")
    args = ap.parse_args()
    sers = tuple(args.only) if args.only else SERIALISATIONS if args.full else FAST
    docs = render_many(cases(sers, args.seeds))
    by_ser: dict[str, Counter] = {}
    by_quirk: dict[str, Counter] = {}
    total = Graded()
    exact_docs = 0
    fields: Counter = Counter()
    twins = printed_twins(docs)
    for doc in docs:
        g = grade_doc(doc, twins.get(doc.case.name, frozenset()))
        total.add(g)
        exact_docs += g.exact
        by_ser.setdefault(doc.case.ser, Counter()).update(g.counts)
        by_quirk.setdefault(doc.case.quirk, Counter()).update(g.counts)
        if not args.no_fields:
            fields.update(grade_fields(doc))
    head = f"{'cells':28} {'n':>7} " + " ".join(f"{g:>8}" for g in HEADS) + f" {'extra':>6}"
    print(f"variation matrix: {len(docs)} reports ({', '.join(sers)} × {len(QUIRKS)} quirks × 2 templates"
          f" × {args.seeds} seed(s)); exact: {exact_docs}/{len(docs)}")
    print(head)
    for s, c in by_ser.items():
        print(_line(f"  serialisation {s}", c))
    for q, c in by_quirk.items():
        print(_line(f"  quirk {q}", c))
    print(_line("  all", total.counts))
    real = Graded()
    for name, exp, res in real_pdfs():
        g = grade_cells(real_truth(exp), res, name)
        real.add(g)
        print(_line(f"  real {name}", g.counts))
    for name, exp, res in real_pdfs(text_only=True):  # the fallback for PDFs without ruled tables
        print(_line(f"  real {name} text", grade_cells(real_truth(exp), res, name).counts))
    if not args.no_fields:
        print(f"\n{'fields (whole pipeline)':28} {'right':>7} {'of':>5}")
        for f in ("accepted", *FIELDS):
            r, w = fields[(f, "right")], fields[(f, "wrong")]
            print(f"  {f:26} {_pct(r, r + w)} {r + w:5d}")
    problems = total.problems + real.problems
    if problems:
        print(f"\n{len(problems)} problems (wrong, missing, extra, unexpected NULL); first {args.show}:")
        for p in problems[:args.show]:
            print("  " + p)


if __name__ == "__main__":
    main()

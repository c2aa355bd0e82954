"""OCR figures on generated scans: `.venv/bin/python -m bench.ocr [--reports N] [--dpi 150 200 300] [--phone]`.

The five demo reports (crawler/demo, both formats) with random figures in every table cell are printed
by Chromium, rasterised by pdftoppm, and read back through the whole pipeline (`process_document`):
as image-only PDFs at each DPI ("clean"), and as phone pictures (JPEG pages: slight rotation, uneven
light, blur, noise, JPEG artefacts) at 200 dpi. Expected cells: the printed HTML through the same table
grammar. Prints per variant: cells right / NULL-with-flag / wrong / missing, fields (title, agency,
year) right, CPU seconds per page. No network: everything is generated here.
"""

from __future__ import annotations

import argparse
import io
import time
from dataclasses import dataclass, field

from bench.scans import image_pdf, phone, randomise, rasterise, report_html, specs, to_pdf
from pipelines.ocr import OcrLimits
from pipelines.process import process_document
from pipelines.tables import extract_tables_html

LIMITS = OcrLimits(timeout=3600, max_pages=100)  # the default limits, but no time limit: figures, not a crawl


@dataclass
class Tally:
    cells: int = 0
    right: int = 0
    null_flagged: int = 0
    wrong: int = 0
    missing: int = 0
    fields: int = 0
    fields_right: int = 0
    pages: int = 0
    cpu: float = 0.0
    wall: float = 0.0
    examples: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for k, v in vars(other).items():
            if isinstance(v, int | float):
                setattr(self, k, getattr(self, k) + v)
        self.examples += other.examples


def score(html: str, record: dict, spec, pages: int, cpu: float, wall: float) -> Tally:
    truth = {(c.table_name, c.row_label, c.col_label): c.value for c in extract_tables_html(html).cells}
    got = {(c["table_name"], c["row_label"], c["col_label"]): c for c in record.get("cells", [])}
    t = Tally(cells=len(truth), pages=pages, cpu=cpu, wall=wall)
    for key, value in truth.items():
        cell = got.get(key)
        if cell is None:
            t.missing += 1
        elif cell["value"] == value or (value is not None and cell["value"] is not None
                                        and abs(float(cell["value"]) - float(value)) < 1e-9):
            t.right += 1
        elif cell["value"] is None and cell["flag"] == "ocr_unreadable":
            t.null_flagged += 1
        else:
            t.wrong += 1
            t.examples.append(f"{spec.seed} {key[1]}|{key[2]}: read {cell['raw']!r}, printed {value}")
    year = int(spec.title.split("年")[0][-4:])
    for want, have in ((spec.title, record.get("title")), (spec.agency, record.get("agency")),
                       (year, record.get("year"))):
        t.fields += 1
        t.fields_right += int(want == have)
    return t


def run_one(spec, html: str, body: bytes = b"", pages: list[bytes] | None = None, n_pages: int = 1) -> Tally:
    c0, w0 = time.process_time(), time.monotonic()
    out = process_document(url="http://scan.test/attachment", body=body, pages=pages, kind="attachment",
                           title="扫描件", ocr=LIMITS)  # a busy machine must not turn into missing pages
    cpu, wall = time.process_time() - c0, time.monotonic() - w0
    t = score(html, out.record if out.accepted else {}, spec, n_pages, cpu, wall)
    if t.missing and out.accepted:
        t.examples.append(f"{spec.seed}: {t.missing} cells missing; flags {out.record.get('table_flags')}; "
                          f"errors {out.record.get('table_errors')}")
    return t


def jpeg(img) -> bytes:
    buf = io.BytesIO()
    img.convert("L").save(buf, "JPEG", quality=85)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=5, help="how many demo reports (1-5)")
    ap.add_argument("--dpi", type=int, nargs="*", default=[150, 200, 300], help="clean scan resolutions")
    ap.add_argument("--no-phone", action="store_true", help="skip the phone-picture variant")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    totals: dict[str, Tally] = {}
    for i, spec in enumerate(specs()[: args.reports]):
        html = report_html(spec)
        html = randomise(html, args.seed + i)
        pdf = to_pdf(html)
        for dpi in args.dpi:
            imgs = rasterise(pdf, dpi)
            t = run_one(spec, html, body=image_pdf(imgs, dpi), n_pages=len(imgs))
            totals.setdefault(f"clean {dpi} dpi", Tally()).add(t)
            print(f"  {spec.seed} clean {dpi}: {t.right}/{t.cells} right, {t.null_flagged} null, {t.wrong} wrong, "
                  f"{t.missing} missing; fields {t.fields_right}/{t.fields}; {t.cpu / t.pages:.1f} s CPU/page", flush=True)
        if not args.no_phone:
            imgs = [phone(p, seed=args.seed * 100 + i * 10 + k) for k, p in enumerate(rasterise(pdf, 200))]
            t = run_one(spec, html, pages=[jpeg(p) for p in imgs], n_pages=len(imgs))
            totals.setdefault("phone 200 dpi", Tally()).add(t)
            print(f"  {spec.seed} phone: {t.right}/{t.cells} right, {t.null_flagged} null, {t.wrong} wrong, "
                  f"{t.missing} missing; fields {t.fields_right}/{t.fields}; {t.cpu / t.pages:.1f} s CPU/page", flush=True)
    print(f"\n{'variant':<15} {'cells':>6} {'right':>7} {'null+flag':>9} {'wrong':>6} {'missing':>7} {'fields':>7} "
          f"{'CPU s/page':>10} {'wall s/page':>11}")
    for name, t in totals.items():
        n = max(t.cells, 1)
        print(f"{name:<15} {t.cells:>6} {t.right / n:>7.3f} {t.null_flagged / n:>9.3f} {t.wrong / n:>6.3f} "
              f"{t.missing / n:>7.3f} {t.fields_right / max(t.fields, 1):>7.3f} {t.cpu / max(t.pages, 1):>10.1f} "
              f"{t.wall / max(t.pages, 1):>11.1f}")
    wrong = [e for t in totals.values() for e in t.examples]
    if wrong:
        print("\nwrong or missing values:\n  " + "\n  ".join(wrong[:30]))


if __name__ == "__main__":
    main()

"""What hostile documents cost through `pipelines.process` with the bounds (default Limits) and without them.

    .venv/bin/python -m bench.hostile              # bounded (the defaults)
    .venv/bin/python -m bench.hostile --unbounded  # every bound lifted, for comparison (slow: minutes, GBs)

Each case runs in a fresh process; prints accepted/reason, CPU seconds, peak RSS and bounds_hit.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

CASES = ["page_50mb", "junk_first_8mb", "deep_100000", "tables_10000", "docx_zip_bomb_2gib", "docx_entity_bomb",
         "docx_lying_bomb_512mib", "docx_local_headers_0", "pdf_5000_pages"]


def one(case: str, unbounded: bool) -> dict:
    from pipelines.bounds import Limits
    from pipelines.process import process_document
    from tests.hostile import files

    big = 10**12
    limits = Limits(zip_max_inflated=big, zip_max_members=big, page_max_chars=big, html_max_depth=big, tables_max=big,
                    pdf_max_pages=big, timeout=3600) if unbounded else Limits()
    make = {
        "page_50mb": lambda: {"html": files.big_page(18 * 2**20)},
        "junk_first_8mb": lambda: {"html": files.junk_first_page(8 * 2**20)},
        "deep_100000": lambda: {"html": files.deep_page(100_000)},
        "tables_10000": lambda: {"html": files.many_tables_page(10_000)},
        "docx_zip_bomb_2gib": lambda: {"body": files.zip_bomb_docx(2048), "url": "http://x.gov.cn/nb.docx"},
        "docx_entity_bomb": lambda: {"body": files.entity_bomb_docx(), "url": "http://x.gov.cn/nb.docx"},
        # a media member inflating to 512 MiB that declares 10 kB, beside an entity bomb (the DOCX is rewritten)
        "docx_lying_bomb_512mib": lambda: {"body": files.lying_bomb_docx(512, 10_000, doctype=True),
                                           "url": "http://x.gov.cn/nb.docx"},
        "docx_local_headers_0": lambda: {"body": files.understate_local_headers(files.report_docx()),
                                         "url": "http://x.gov.cn/nb.docx"},
        "pdf_5000_pages": lambda: {"body": files.many_pages_pdf(5000), "url": "http://x.gov.cn/nb.pdf"},
    }[case]()
    kwargs = {"url": "http://x.gov.cn/a.html", "title": files.REPORT_TITLE, **make}
    started = time.process_time()
    wall = time.monotonic()
    out = process_document(**kwargs, limits=limits)
    return {"case": case, "accepted": out.accepted, "reason": out.reason[:70],
            "cpu_s": round(time.process_time() - started, 1), "wall_s": round(time.monotonic() - wall, 1),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "bounds_hit": (out.record.get("bounds_hit") or "")[:90]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--unbounded", action="store_true")
    p.add_argument("--case", help="run one case in this process (used internally)")
    p.add_argument("--timeout", type=float, default=900, help="seconds per case before it counts as a hang")
    args = p.parse_args()
    if args.case:
        print(json.dumps(one(args.case, args.unbounded), ensure_ascii=False))
        return 0
    print(f"{'case':20} {'accepted':8} {'cpu s':>6} {'wall s':>6} {'RSS MB':>7}  bounds_hit / reason")
    for case in CASES:
        cmd = [sys.executable, "-m", "bench.hostile", "--case", case] + (["--unbounded"] if args.unbounded else [])
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            r = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else None
        except subprocess.TimeoutExpired:
            print(f"{case:20} over {args.timeout:.0f} s (killed)")
            continue
        if r is None:
            print(f"{case:20} failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")
            continue
        print(f"{case:20} {r['accepted']!s:8} {r['cpu_s']:6} {r['wall_s']:6} {r['peak_rss_mb']:7}  "
              f"{r['bounds_hit'] or r['reason']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

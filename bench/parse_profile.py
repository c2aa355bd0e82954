"""CPU of the spider's per-page work and of the parse stages on generated portal pages, with a cProfile.

    .venv/bin/python -m bench.parse_profile [--pages 40] [--top 15]
    .venv/bin/python -m bench.parse_profile --stages [--portals 4] [--rounds 3] [--top 30]

Default: times one lxml parse, the titles and the links of each page (crawler.discovery.listings),
with the off-portal links dropped before any URL work (`extract_links(page, keep_host=…)`, what the
spider does) and without (every link cleaned and classified, then filtered), then prints the top
functions of a cProfile of the first.

--stages: what the parse workers do. The documents the crawl hands to `pipelines.process.process`
(the report pages of N generated portals, 60–240 KB with ~300 links, and their PDF/DOCX attachments)
are parsed `--rounds` times in this process; prints CPU ms per document by stage (the least of the
rounds), CPU ms per report, a digest of every output (equal before and after a speed change means
the same records) and the top functions of a cProfile of one round.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import random
import time

from bench.realgen import PORT, build_site, host
from crawler.discovery.listings import Page, extract_links, page_titles
from crawler.registry import Portal
from pipelines.classify import classify_title
from pipelines.records import Fetched, Rejected, Report


def stage_documents(portals: int, pages: int) -> list[Fetched]:
    """What the spider hands the parse pool for N generated portals: report pages and attachments."""
    rng = random.Random(1)
    out: list[Fetched] = []
    for k in range(1, portals + 1):
        site = build_site(k, 12, pages, rng)
        enc = "gbk" if site.gbk else "utf-8"
        base = f"http://{host(k)}:{PORT}"
        for path, data in site.files.items():
            if path.endswith(".html"):
                html = data.decode(enc)
                title = next((t for t in page_titles(Page(html, base + path)) if classify_title(t).is_report), None)
                if title:
                    out.append(Fetched(url=base + path, html=html, title=title, portal=site.name))
            elif path.startswith("/att/"):
                out.append(Fetched(url=base + path, kind="attachment", body=data, title=f"年度报告{path[-5:]}",
                                   portal=site.name))
    return out


def stages(args: argparse.Namespace) -> None:
    from pipelines.process import process

    docs = stage_documents(args.portals, args.pages)
    process(docs[0])  # imports and caches warm, as in a running worker
    best: dict[str, dict[str, float]] = {}
    outputs: list[Report | Rejected] = []
    for _ in range(args.rounds):
        totals: dict[str, dict[str, float]] = {"page": {}, "attachment": {}}
        outputs = []
        for doc in docs:
            result = process(doc)
            outputs.append(result)
            for stage, s in result.timings.items():
                totals[doc.kind][stage] = totals[doc.kind].get(stage, 0.0) + s
        for kind, per in totals.items():
            mine = best.setdefault(kind, {})
            for stage, s in per.items():
                mine[stage] = min(s, mine.get(stage, s))
    reports = sum(1 for r in outputs if isinstance(r, Report))
    print(f"{len(docs)} documents ({sum(d.kind == 'page' for d in docs)} report pages, "
          f"{sum(d.kind == 'attachment' for d in docs)} PDF/DOCX attachments), {reports} reports; "
          f"CPU ms, least of {args.rounds} rounds")
    for kind, per in best.items():
        n = max(sum(d.kind == kind for d in docs), 1)
        print(f"  per {kind:10s}: " + ", ".join(f"{s} {v * 1000 / n:.1f}" for s, v in per.items())
              + f"; total {sum(per.values()) * 1000 / n:.1f}")
    merged: dict[str, float] = {}
    for per in best.values():
        for stage, s in per.items():
            merged[stage] = merged.get(stage, 0.0) + s
    print("  per report    : " + ", ".join(f"{s} {v * 1000 / max(reports, 1):.1f}" for s, v in merged.items())
          + f"; total {sum(merged.values()) * 1000 / max(reports, 1):.1f}")
    digest = hashlib.sha256()
    for r in outputs:
        digest.update(repr({k: v for k, v in r.to_dict().items() if k != "timings"}).encode())
    print(f"output digest {digest.hexdigest()[:16]}")
    if args.top:
        prof = cProfile.Profile()
        prof.runcall(lambda: [process(d) for d in docs])
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--stages", action="store_true", help="profile the parse stages (process()) instead")
    parser.add_argument("--portals", type=int, default=4, help="--stages: generated portals")
    parser.add_argument("--rounds", type=int, default=3, help="--stages: rounds (the least CPU is printed)")
    args = parser.parse_args()
    if args.stages:
        stages(args)
        return
    site = build_site(3, 20, args.pages, random.Random(1))
    enc = "gbk" if site.gbk else "utf-8"
    base = f"http://{host(site.k)}:{PORT}"
    pages = [(base + p, v.decode(enc)) for p, v in site.files.items() if p.endswith(".html")]
    hosts = Portal("bench", base + "/index.html").hosts()

    def early() -> int:
        n = 0
        for u, h in pages:
            page = Page(h, u)  # one parse for titles and links
            page_titles(page)
            n += len(extract_links(page, keep_host=hosts.__contains__))
        return n

    def late() -> int:
        n = 0
        for u, h in pages:
            page = Page(h, u)
            page_titles(page)
            n += sum(1 for lk in extract_links(page) if lk.url.split("/", 3)[2] in hosts)
        return n

    sizes = [len(h.encode(enc)) for _, h in pages]
    print(f"{len(pages)} pages, {min(sizes) // 1024}-{max(sizes) // 1024} KB")
    for name, fn in (("off-portal links dropped first", early), ("every link processed, then filtered", late)):
        start = time.process_time()
        for _ in range(3):
            fn()
        print(f"{name:38s} {(time.process_time() - start) * 1000 / (3 * len(pages)):6.1f} ms CPU per page")
    prof = cProfile.Profile()
    prof.runcall(early)
    pstats.Stats(prof).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()

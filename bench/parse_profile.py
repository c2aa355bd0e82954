"""CPU of the spider's per-page work on generated 60–240 KB portal pages (~300 links), with a cProfile.

    .venv/bin/python -m bench.parse_profile [--pages 40] [--top 15]

Times one lxml parse, the titles and the links of each page (crawler.discovery.listings), with the
off-portal links dropped before any URL work (`extract_links(page, keep_host=…)`, what the spider
does) and without (every link cleaned and classified, then filtered), then prints the top functions
of a cProfile of the first.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import time

from bench.realgen import PORT, build_site, host
from crawler.discovery.listings import Page, extract_links, page_titles
from crawler.registry import Portal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
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

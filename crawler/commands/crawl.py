"""`scrapy crawl` for this project: bad `-a` arguments or portal lists of the `portals` spider are one
line on stderr and exit code 2, before anything starts (no traceback, no start-up log). Everything else
is Scrapy's own crawl command (COMMANDS_MODULE commands override the built-in one of the same name)."""

from __future__ import annotations

import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: Any) -> None:
        super().process_options(args, opts)  # parses -a into opts.spargs (bad syntax: Scrapy's UsageError)
        if args and args[0] == "portals":
            from crawler.spiders.portals import SpiderArgError, check_args

            try:
                check_args(dict(opts.spargs))
                check_settings(getattr(opts, "set", []) or [])
            except (SpiderArgError, ValueError) as exc:
                print(f"scrapy crawl portals: {exc}", file=sys.stderr)
                raise SystemExit(2) from None


# Numeric settings of this project (and the Scrapy ones it documents): a bad value is one line, exit 2.
NUMBERS = ("PORTAL_MAX_PAGES", "OFFSCOPE_MAX_HOSTS", "OFFSCOPE_MAX_PAGES", "HOST_BREAKER_FAILURES",
           "HOST_FIRST_TIMEOUT", "DNS_TIMEOUT", "DOWNLOAD_TIMEOUT", "DOWNLOAD_DELAY", "CRAWL_DELAY_MAX",
           "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DEPTH_LIMIT", "RETRY_TIMES",
           "PROGRESS_INTERVAL", "DOWNLOAD_MAXSIZE")


def check_settings(pairs: list[str]) -> None:
    from crawler.commands.import_settings import HONOURED  # the document bounds, one list
    from pipelines.bounds import setting_number

    kinds = {name: kind for name, kind in HONOURED.items() if kind is not bool}
    kinds |= {"PARSE_WORKERS": int, "PARSE_WORKER_MAX_TASKS": int, "SCRAPER_SLOT_MAX_ACTIVE_SIZE": int}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name in kinds:  # the document bounds (docs/hostile-input.md), OCR_* and the parse pool's settings
            try:
                setting_number(name, value, kinds[name])
            except ValueError:
                what = "a whole number" if kinds[name] is int else "a number"
                raise ValueError(f"-s {name}={value}: give {what} ≥ 0, e.g. -s {name}=100") from None
        if name in NUMBERS:
            try:
                if float(value) < 0:
                    raise ValueError
            except ValueError:
                raise ValueError(f"-s {name}={value}: give a number ≥ 0, e.g. -s {name}=10") from None
        if name == "PARSE_WORKER_START" and value not in ("forkserver", "spawn"):
            raise ValueError(f"-s {name}={value}: give forkserver or spawn, e.g. -s {name}=forkserver")
        if name == "NIANBAO_HOSTS" and value:
            from crawler.resolver import load_hosts

            load_hosts(value)

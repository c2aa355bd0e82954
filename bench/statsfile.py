"""A tiny extension for benchmarks: dump the crawl's stats as JSON to STATS_FILE at close."""

from __future__ import annotations

import json
import resource
from pathlib import Path

from scrapy import signals


class StatsFile:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("STATS_FILE")
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def closed(self, spider, reason) -> None:
        if self.path:
            usage = resource.getrusage(resource.RUSAGE_SELF)  # the crawl process alone (not its parse workers)
            self.crawler.stats.set_value("bench/cpu_self_s", usage.ru_utime + usage.ru_stime)
            self.crawler.stats.set_value("bench/maxrss_self_mb", peak_rss_mb(usage))
            with open(self.path, "w", encoding="utf-8") as fh:
                json.dump(self.crawler.stats.get_stats(), fh, default=str)


def peak_rss_mb(usage: resource.struct_rusage) -> float:
    """This process's peak RSS since it started. Linux's ru_maxrss (and so Scrapy's memusage stats) keeps the
    peak of the process that forked it from before the exec (a bench holding 4 GB of generated site reported a
    4 GB crawl); VmHWM is the peak of this process's own memory."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return usage.ru_maxrss / 1024

"""A tiny extension for benchmarks: dump the crawl's stats as JSON to STATS_FILE at close."""

from __future__ import annotations

import json
import resource

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
            self.crawler.stats.set_value("bench/maxrss_self_mb", usage.ru_maxrss / 1024)
            with open(self.path, "w", encoding="utf-8") as fh:
                json.dump(self.crawler.stats.get_stats(), fh, default=str)

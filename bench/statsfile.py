"""A tiny extension for benchmarks: dump the crawl's stats as JSON to STATS_FILE at close."""

from __future__ import annotations

import json

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
            with open(self.path, "w", encoding="utf-8") as fh:
                json.dump(self.crawler.stats.get_stats(), fh, default=str)

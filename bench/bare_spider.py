"""The reference: a bare Scrapy spider that fetches every in-host page and does nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import scrapy
from scrapy.linkextractors import LinkExtractor


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start_url: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.start_url = start_url
        self.host = urlsplit(start_url).netloc
        self.links = LinkExtractor()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.start_url)

    def parse(self, response):
        if not isinstance(response, scrapy.http.TextResponse):
            return
        for link in self.links.extract_links(response):
            if urlsplit(link.url).netloc == self.host:
                yield response.follow(link.url)

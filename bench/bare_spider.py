"""The reference: a bare Scrapy spider that fetches every in-host page and does nothing else.

    scrapy runspider bench/bare_spider.py -a start_url=URL            # one site
    scrapy runspider bench/bare_spider.py -a start_urls=URL1,URL2,…   # several (bench/realistic.py)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import scrapy
from scrapy.linkextractors import LinkExtractor


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start_url: str = "", start_urls: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.urls = [u for u in [start_url, *start_urls.split(",")] if u]
        self.links = LinkExtractor()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url)

    def parse(self, response):
        if not isinstance(response, scrapy.http.TextResponse):
            return
        host = urlsplit(response.url).netloc
        for link in self.links.extract_links(response):
            if urlsplit(link.url).netloc == host:
                yield response.follow(link.url)

"""Crawl-delay counted from the previous answer, not from the previous dequeue (docs/portals.md "Politeness").

Scrapy's downloader spaces a slot's requests from dequeue to dequeue (`Slot.lastseen`). A request
dequeued on time can leave late (the event loop busy parsing a big page), so the next one, leaving on
time, reaches the server less than the delay after it: 0.37 s gaps were seen for a 0.5 s delay. Here,
for slots given a pace (robots.txt Crawl-delay / Request-rate, crawler.middlewares.hosts), the download
handler is called only `pace` seconds after the previous request of the slot was answered (its response
headers, or its end when it failed). The server received that previous request before it answered, and
receives the next one after the call, so every gap it sees is at least the pace, whatever the load.
The wait happens inside the slot (the request counts as transferring, the slot's concurrency is 1), so
no other request of the host overtakes it and other hosts are not held up.
"""

from __future__ import annotations

import asyncio
from time import monotonic
from typing import Any

from scrapy import Request, signals
from scrapy.core.downloader import Downloader
from scrapy.http import Response


class _PacedHandlers:
    """Wraps the downloader's DownloadHandlers: waits out a paced slot's delay before each download."""

    def __init__(self, inner: Any, downloader: PacedDownloader) -> None:
        self._inner = inner
        self._downloader = downloader

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def download_request_async(self, request: Request) -> Response:
        d = self._downloader
        key = request.meta.get(Downloader.DOWNLOAD_SLOT) or d.get_slot_key(request)
        pace = d.paces.get(key)
        if pace:
            wait = d.answered.get(key, 0.0) + pace - monotonic()
            if wait > 0:
                d.crawler.stats.inc_value("nianbao/crawl_delay/waits")
                await asyncio.sleep(wait)
        try:
            return await self._inner.download_request_async(request)
        finally:
            d.answered[key] = d.headers_at.pop(request, None) or monotonic()
            if len(d.answered) > 50_000:  # bounded: forget hosts not answered within the longest pace
                horizon = monotonic() - max(d.paces.values(), default=0.0)
                d.answered = {k: t for k, t in d.answered.items() if t >= horizon}


class PacedDownloader(Downloader):
    """Scrapy's downloader (DOWNLOADER setting) plus `pace(slot_key, seconds)`."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.paces: dict[str, float] = {}
        self.answered: dict[str, float] = {}  # slot key -> when its last request was answered (monotonic)
        self.headers_at: dict[Request, float] = {}  # in-flight requests whose response headers arrived
        self.handlers = _PacedHandlers(self.handlers, self)  # type: ignore[assignment]
        crawler.signals.connect(self._headers_received, signal=signals.headers_received)

    def pace(self, key: str, seconds: float) -> None:
        self.paces[key] = max(seconds, self.paces.get(key, 0.0))

    def _headers_received(self, headers: Any, body_length: Any, request: Request, spider: Any = None) -> None:
        if request.meta.get(self.DOWNLOAD_SLOT) in self.paces:
            self.headers_at.setdefault(request, monotonic())

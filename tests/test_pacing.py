"""crawler/pacing.py: a paced slot's next download starts at least `pace` seconds after the previous request was
answered (its response headers, or its end when it failed), not after it was dequeued."""

from __future__ import annotations

import asyncio
import contextlib
from time import monotonic

import pytest
from scrapy import Request, signals
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.pacing import PacedDownloader


class FakeHandlers:
    """Stands for Scrapy's DownloadHandlers: headers after `latency`, the body `transfer` seconds later."""

    def __init__(self, crawler, latency: float = 0.02, transfer: float = 0.1, fail: bool = False) -> None:
        self.crawler, self.latency, self.transfer, self.fail = crawler, latency, transfer, fail
        self.calls: list[float] = []
        self.headers: list[float] = []

    async def download_request_async(self, request: Request) -> Response:
        self.calls.append(monotonic())
        await asyncio.sleep(self.latency)
        if self.fail:
            raise ConnectionRefusedError("refused")
        self.headers.append(monotonic())
        self.crawler.signals.send_catch_log(signals.headers_received, headers={}, body_length=0, request=request,
                                            spider=None)
        await asyncio.sleep(self.transfer)
        return Response(request.url)


def _downloader(**fake):
    crawler = get_crawler(settings_dict={"DOWNLOADER": "crawler.pacing.PacedDownloader"})
    downloader = PacedDownloader(crawler)
    inner = FakeHandlers(crawler, **fake)
    downloader.handlers._inner = inner
    return downloader, inner


async def _fetch(downloader, n: int, key: str = "h.example") -> list[float]:
    ends = []
    for i in range(n):
        request = Request(f"http://{key}/{i}", meta={"download_slot": key})
        with contextlib.suppress(ConnectionRefusedError):
            await downloader.handlers.download_request_async(request)
        ends.append(monotonic())
    return ends


def test_next_request_waits_the_pace_after_the_previous_answer():
    downloader, inner = _downloader()
    downloader.pace("h.example", 0.25)
    asyncio.run(_fetch(downloader, 4))
    for headers, call in zip(inner.headers, inner.calls[1:], strict=False):
        assert call - headers >= 0.25  # from the answer (headers), whatever happened before
    assert not downloader.headers_at  # nothing kept of finished requests


def test_a_failed_request_counts_from_its_end():
    downloader, inner = _downloader(fail=True)
    downloader.pace("h.example", 0.2)
    ends = asyncio.run(_fetch(downloader, 3))
    for end, call in zip(ends, inner.calls[1:], strict=False):
        assert call - end >= 0.2 - 0.01  # `ends` is stamped just after the handler's own end stamp


@pytest.mark.parametrize("paced", [False, True])
def test_unpaced_slots_do_not_wait(paced):
    downloader, _inner = _downloader(latency=0.0, transfer=0.0)
    if paced:
        downloader.pace("other.example", 5.0)  # another host's pace does not hold this one up
    start = monotonic()
    asyncio.run(_fetch(downloader, 3))
    assert monotonic() - start < 2.0
    assert downloader.answered["h.example"] >= start

"""Per-host politeness that holds across workers: one token per host in Redis.

Last of the downloader middlewares (after robots.txt, retries, redirects), the worker takes the host's token with
`SET <prefix>:host:<host> <worker> NX PX <interval>`; if another worker holds it, it waits for the
token's remaining time (plus jitter) and tries again. So the whole cluster starts at most one
request per host per `DISTRIBUTED_HOST_INTERVAL` seconds (default: DOWNLOAD_DELAY), however many
workers there are; each worker's own AutoThrottle and per-domain concurrency still apply on top.
Off (NotConfigured) when the interval is 0, e.g. loopback test sites.
"""

from __future__ import annotations

import asyncio
import random
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed.frontier import worker_id


class HostToken:
    """Downloader middleware (settings/distributed.py)."""

    def __init__(self, server, prefix: str, interval: float, worker: str, max_wait: float) -> None:
        self.server = server
        self.prefix = prefix
        self.interval_ms = max(1, int(interval * 1000))
        self.worker = worker
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        interval = settings.getfloat("DISTRIBUTED_HOST_INTERVAL", -1.0)
        if interval < 0:
            interval = settings.getfloat("DOWNLOAD_DELAY")
        if interval <= 0:
            raise NotConfigured("DISTRIBUTED_HOST_INTERVAL and DOWNLOAD_DELAY are 0")
        worker = worker_id(crawler)
        return cls(get_redis_from_settings(settings), settings.get("NIANBAO_REDIS_PREFIX") or "nianbao",
                   interval, worker, settings.getfloat("DISTRIBUTED_HOST_MAX_WAIT", 600.0))

    def key(self, url: str) -> str:
        return f"{self.prefix}:host:{urlsplit(url).netloc.lower()}"

    def try_take(self, url: str) -> float:
        """Take the host's token: 0.0 when taken, else the seconds to wait before trying again."""
        key = self.key(url)
        if self.server.set(key, self.worker, nx=True, px=self.interval_ms):
            return 0.0
        ttl = self.server.pttl(key)
        return max(ttl, 1) / 1000.0

    async def process_request(self, request: Request) -> None:
        waited = 0.0
        while (wait := self.try_take(request.url)) > 0:
            if waited >= self.max_wait:  # bounded: go anyway and say so, rather than hang a worker
                request.meta["host_token_timeout"] = True
                return None
            wait += random.uniform(0, self.interval_ms / 4000.0)  # no thundering herd of workers
            await asyncio.sleep(wait)
            waited += wait
        return None

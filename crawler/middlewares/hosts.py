"""Dead, slow and impolite hosts: one downloader middleware per concern (docs/portals.md "Dead hosts").

HostBreakerMiddleware   a host that has never answered gets HOST_FIRST_TIMEOUT (name lookup, connect and
                        first answer) instead of DOWNLOAD_TIMEOUT; its circuit opens after its first
                        connection failure (dns, refused, timeout, tls), a host that answered before after
                        HOST_BREAKER_FAILURES in a row. Then its queued requests are dropped (HostDown:
                        one failure record per host) and not retried. robots.txt fetches count.
Soft404Middleware       once per host, a nonsense path is fetched; a 200 page that looks like that answer
                        is a soft 404 (Soft404), as inspectors-general's soft_404.py does.
CrawlDelayMiddleware    robots.txt Crawl-delay and Request-rate set the host's download delay (and
                        concurrency 1), above AutoThrottle's adjustments; also when portals share a host.
                        With crawler.pacing.PacedDownloader (settings.base) the delay runs from the
                        previous request's answer, so no gap the server sees is shorter.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse

logger = logging.getLogger(__name__)


class HostDown(IgnoreRequest):
    """The host's circuit is open; `first` is True for the one request that records it."""

    def __init__(self, host: str, cls: str, failures: int, first: bool) -> None:
        super().__init__(f"host down: {host} ({cls} after {failures} failure(s)); its other requests dropped")
        self.host, self.cls, self.failures, self.first = host, cls, failures, first


class Soft404(IgnoreRequest):
    """A 200 answer that is the host's page-not-found page."""


class OffsiteRedirect(IgnoreRequest):
    """A redirect out of the portal's scope (e.g. to a domain-parking page)."""


def _netloc(request: Request) -> str:
    return urlsplit(request.url).netloc.lower()


class HostBreakerMiddleware:
    def __init__(self, crawler: Any) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.threshold = max(1, s.getint("HOST_BREAKER_FAILURES", 3))
        self.first_timeout = s.getfloat("HOST_FIRST_TIMEOUT", 10.0)
        self.answered: set[str] = set()
        self.failures: dict[str, int] = defaultdict(int)
        self.down: dict[str, tuple[str, int]] = {}
        self.recorded: set[tuple[str, str]] = set()  # (host, portal) whose drop was recorded

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostBreakerMiddleware:
        if not crawler.settings.getbool("HOST_BREAKER_ENABLED", True):
            raise NotConfigured
        mw = cls(crawler)
        crawler.host_breaker = mw
        return mw

    def process_request(self, request: Request, spider: Any = None) -> None:
        host = _netloc(request)
        if host in self.down:
            cls, n = self.down[host]
            key = (host, request.meta.get("portal", ""))
            first = key not in self.recorded
            self.recorded.add(key)
            self.crawler.stats.inc_value("nianbao/host_down/dropped")
            raise HostDown(host, cls, n, first)
        if host not in self.answered and self.first_timeout:
            current = request.meta.get("download_timeout") or self.first_timeout
            request.meta["download_timeout"] = min(float(current), self.first_timeout)
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        host = _netloc(request)
        self.answered.add(host)
        self.failures.pop(host, None)
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        from crawler.health import CONNECTION, failure_class

        cls, _ = failure_class(exception)
        if cls not in CONNECTION:
            return None
        host = _netloc(request)
        self.failures[host] += 1
        if host not in self.answered or self.failures[host] >= self.threshold:
            if host not in self.down:
                logger.info("host down: %s (%s after %d failure(s))", host, cls, self.failures[host])
                self.crawler.stats.inc_value("nianbao/host_down/hosts")
            self.down[host] = (cls, self.failures[host])
            self.recorded.add((host, request.meta.get("portal", "")))  # this failure is its record
            request.meta["dont_retry"] = True  # RetryMiddleware (550) sees the exception after us
        return None


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>|\s+")
_NOT_FOUND = re.compile(r"页面不存在|页面未找到|找不到(?:该|此)?页面|不存在或已|已被删除|^404|not found|无法访问", re.I)


def _signature(response: Response) -> tuple[str, int, str]:
    """(title, text length, hash of the text without digits) of an HTML answer."""
    m = _TITLE.search(response.body[:20000])
    title = m.group(1).decode(getattr(response, "encoding", None) or "utf-8", "replace").strip() if m else ""
    text = _TAGS.sub("", response.text if isinstance(response, TextResponse) else "")
    return title, len(text), hashlib.sha1(re.sub(r"\d+", "", text).encode()).hexdigest()


class Soft404Middleware:
    PROBE_PATH = "/nianbao-probe-{token}-does-not-exist.html"

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.probes: dict[str, asyncio.Future] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> Soft404Middleware:
        if not crawler.settings.getbool("SOFT404_PROBE", True):
            raise NotConfigured
        return cls(crawler)

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if (response.status != 200 or request.meta.get("soft404_probe") or request.meta.get("dont_obey_robotstxt")
                or not isinstance(response, TextResponse) or request.url.endswith("/robots.txt")):
            return response
        probe = await self._probe(request)
        if probe is None:
            # the host answers real 404s, but a URL the archive knows now shows a page titled 页面不存在
            if request.meta.get("conditional") and _NOT_FOUND.search(_signature(response)[0] or ""):
                self.crawler.stats.inc_value("nianbao/soft404")
                raise Soft404(f"soft 404: {request.url} (a known URL) answers 200 with a page-not-found page")
            return response
        title, length, digest = _signature(response)
        same = digest == probe[2] or (title == probe[0] and abs(length - probe[1]) <= max(200, 0.1 * probe[1]))
        if same or (title == probe[0] and _NOT_FOUND.search(title or "")):
            self.crawler.stats.inc_value("nianbao/soft404")
            raise Soft404(f"soft 404: {request.url} answers 200 with the host's page-not-found page")
        return response

    async def _probe(self, request: Request) -> tuple[str, int, str] | None:
        parts = urlsplit(request.url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self.probes:
            fut: asyncio.Future = asyncio.get_running_loop().create_future()
            self.probes[key] = fut
            token = hashlib.sha1(key.encode()).hexdigest()[:10]
            probe = Request(key + self.PROBE_PATH.format(token=token), dont_filter=True, priority=100,
                            meta={"soft404_probe": True, "dont_retry": True, "handle_httpstatus_all": True,
                                  "portal": request.meta.get("portal"), "kind": "probe", "dont_redirect": True})
            result = None
            try:
                answer = await self.crawler.engine.download_async(probe)
                if answer.status == 200 and isinstance(answer, TextResponse):
                    result = _signature(answer)
                    self.crawler.stats.inc_value("nianbao/soft404_hosts")
            except Exception:
                result = None
            fut.set_result(result)
        return await asyncio.shield(self.probes[key])


class CrawlDelayMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.delays: dict[str, float] = {}
        self.max_delay = crawler.settings.getfloat("CRAWL_DELAY_MAX", 60.0)
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlDelayMiddleware:
        if not crawler.settings.getbool("ROBOTSTXT_CRAWL_DELAY", True) or not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        return cls(crawler)

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        ua = self.crawler.settings.get("ROBOTSTXT_USER_AGENT") or self.crawler.settings.get("USER_AGENT") or "*"
        delay = 0.0
        try:
            delay = float(robotparser.crawl_delay(ua) or 0)
        except (AttributeError, TypeError, ValueError):
            delay = 0.0
        rp = getattr(robotparser, "rp", None)
        rate = rp.request_rate(ua) if rp is not None and hasattr(rp, "request_rate") else None
        if rate is not None and rate.requests:
            delay = max(delay, rate.seconds / rate.requests)
        if delay > 0:
            self.delays[_netloc(request)] = min(delay, self.max_delay)
            self.crawler.stats.inc_value("nianbao/crawl_delay_hosts")

    def process_request(self, request: Request, spider: Any = None) -> None:
        delay = self.delays.get(_netloc(request))
        if not delay:
            return None
        request.meta["autothrottle_dont_adjust_delay"] = True
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        downloader.per_slot_settings.setdefault(key, {}).update(delay=delay, concurrency=1, jitter=0)
        if hasattr(downloader, "pace"):  # crawler.pacing.PacedDownloader: the delay from the previous answer
            downloader.pace(key, delay)
        slot = downloader.slots.get(key)
        if slot is not None:  # no random jitter: it would go below the asked delay half the time
            slot.delay = max(slot.delay, delay)
            slot.concurrency = 1
            slot.jitter = 0
        return None


class OffsiteRedirectMiddleware:
    """A 3xx whose Location leaves the portal's scope (another site, not a portal of this crawl; e.g. a
    domain-parking page) is not followed: OffsiteRedirect is recorded instead (runs before RedirectMiddleware)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> OffsiteRedirectMiddleware:
        if not crawler.settings.getbool("OFFSITE_REDIRECTS_BLOCKED", True):
            raise NotConfigured
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        from urllib.parse import urljoin

        from crawler.scope import hostname, site_domain

        if response.status not in (301, 302, 303, 307, 308) or request.meta.get("dont_redirect"):
            return response
        location = response.headers.get(b"Location")
        if not location:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        here, there = hostname(request.url), hostname(target)
        if not there or site_domain(there) == site_domain(here):
            return response
        scopes = getattr(self.crawler.spider, "scopes", None)
        if scopes is not None and scopes.owner(target) is not None:
            return response  # into another portal of this crawl (or this one's other hosts)
        self.crawler.stats.inc_value("nianbao/offsite_redirect")
        raise OffsiteRedirect(f"off-site redirect to {target}")

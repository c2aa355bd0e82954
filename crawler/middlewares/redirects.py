"""Downloader middleware: a redirect loop is a recorded failure, not a silent drop.

Scrapy's RedirectMiddleware (600) schedules the redirect target as a new request; in a loop
A → B → A the target was already seen, so the duplicate filter drops it without a word and the
URL never reaches an errback or `fetch_log`. This middleware (650: it sees responses before
RedirectMiddleware) raises `IgnoreRequest("redirect loop: A → B → A")` when a 3xx points back into
its own chain; Scrapy passes that to the request's errback, which records it in `fetch_log`.
Chains that end (A → B → C) are left to RedirectMiddleware (REDIRECT_MAX_TIMES bounds them).
"""

from __future__ import annotations

from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from w3lib.url import safe_url_string

_REDIRECTS = (301, 302, 303, 307, 308)


class RedirectLoopMiddleware:
    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("REDIRECT_ENABLED", True):
            raise NotConfigured("redirects are off")
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in _REDIRECTS or request.meta.get("dont_redirect"):
            return response
        location = response.headers.get(b"Location")
        if not location:
            return response
        target = safe_url_string(urljoin(request.url, location.decode("latin-1")))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if _strip(target) in {_strip(u) for u in chain}:
            if self.stats is not None:
                self.stats.inc_value("nianbao/redirect_loops")
            raise IgnoreRequest(f"redirect loop: {' → '.join([*chain, target])}"[:1000])
        return response


def _strip(url: str) -> str:
    return url.split("#", 1)[0]

"""robots.txt for every request that waits for it (settings.base replaces Scrapy's RobotsTxtMiddleware).

Scrapy 2.13+ (scrapy/scrapy#6802) awaits a host's robots.txt, while it is still downloading, with
`maybe_deferred_to_future(deferred)`. Twisted's `Deferred.asFuture` consumes the result it relays: the
first request waiting gets the parsed robots.txt, every other request that arrived for the same host
before robots.txt was in gets None, which Scrapy reads as "no robots.txt: allowed". So on a new host
all but one of the requests queued together skipped robots.txt (a distributed worker fetched a
`Disallow`ed page). Here each waiting request gets its own Deferred, fired with the same parser, as
Scrapy ≤ 2.12 did. Everything else is Scrapy's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.robotstxt import RobotParser


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        if not isinstance(getattr(self, "_parsers", None), dict):  # Scrapy's internals moved: check this class
            raise RuntimeError("crawler.middlewares.robots: Scrapy's RobotsTxtMiddleware has no _parsers dict")

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):  # first request for the host, or robots.txt already in
            return await super().robot_parser(request)
        mine: Deferred[RobotParser | None] = Deferred()

        def relay(result: Any) -> Any:  # hand the parser on, leave it in `pending` for the next waiter
            mine.callback(None if isinstance(result, Failure) else result)
            return result

        pending.addBoth(relay)
        return await maybe_deferred_to_future(mine)

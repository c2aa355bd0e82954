"""Dead-host and politeness middlewares (crawler/middlewares/hosts.py) and failure classes (crawler/health.py),
driven with real Scrapy objects (no network: exceptions and responses are built here)."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy import exceptions as sx
from scrapy.http import HtmlResponse, Response
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler

from crawler.health import PortalRun, failure_class, verdict
from crawler.middlewares.hosts import CrawlDelayMiddleware, HostBreakerMiddleware, HostDown, Soft404


def breaker(**settings) -> HostBreakerMiddleware:
    return HostBreakerMiddleware.from_crawler(get_crawler(settings_dict={"HOST_FIRST_TIMEOUT": 5, **settings}))


def test_unproven_host_gets_the_short_timeout_and_is_dropped_after_one_failure():
    mw = breaker()
    first = Request("http://dead.example.gov.cn/robots.txt", meta={"download_timeout": 60})
    mw.process_request(first)
    assert first.meta["download_timeout"] == 5
    mw.process_exception(first, sx.CannotResolveHostError("no such name"))
    assert first.meta["dont_retry"] is True  # RetryMiddleware sees it after us: no retry of a dead name
    drops = []
    for i in range(5):  # the queued requests of that host: dropped, only the first records it
        with pytest.raises(HostDown) as exc:
            mw.process_request(Request(f"http://dead.example.gov.cn/p{i}.html", meta={"portal": "甲"}))
        drops.append(exc.value.first)
    assert drops == [True, False, False, False, False]
    with pytest.raises(HostDown) as exc:  # another portal linking the same host records it once too
        mw.process_request(Request("http://dead.example.gov.cn/x.html", meta={"portal": "乙"}))
    assert exc.value.first and exc.value.cls == "dns"


def test_a_host_that_answered_needs_n_failures_in_a_row():
    mw = breaker(HOST_BREAKER_FAILURES=3)
    req = Request("http://slow.example.gov.cn/a.html")
    mw.process_response(req, Response(req.url, request=req))
    fresh = Request("http://slow.example.gov.cn/b.html", meta={"download_timeout": 60})
    mw.process_request(fresh)
    assert fresh.meta["download_timeout"] == 60  # it answered once: the normal timeout
    for n in range(1, 3):
        mw.process_exception(req, sx.DownloadTimeoutError("slow"))
        mw.process_request(Request("http://slow.example.gov.cn/c.html"))  # still open after n failures
        if n == 1:
            mw.process_response(req, Response(req.url, request=req))  # a success resets the count
    mw.process_exception(req, sx.DownloadTimeoutError("slow"))
    mw.process_exception(req, sx.DownloadTimeoutError("slow"))
    with pytest.raises(HostDown):
        mw.process_request(Request("http://slow.example.gov.cn/d.html"))


def test_http_errors_do_not_open_the_circuit():
    mw = breaker()
    req = Request("http://a.gov.cn/x")
    resp = HtmlResponse(req.url, status=404, request=req)
    mw.process_exception(req, HttpError(resp, "404"))
    assert mw.process_request(Request("http://a.gov.cn/y")) is None


@pytest.mark.parametrize(("exc", "cls"), [
    (sx.CannotResolveHostError("x"), "dns"),
    (sx.DownloadConnectionRefusedError("x"), "refused"),
    (sx.DownloadTimeoutError("x"), "timeout"),
    (HttpError(HtmlResponse("http://a/", status=403), "x"), "waf"),
    (HttpError(HtmlResponse("http://a/", status=404), "x"), "http4xx"),
    (HttpError(HtmlResponse("http://a/", status=503), "x"), "http5xx"),
    (sx.IgnoreRequest("Forbidden by robots.txt"), "robots"),
    (Soft404("soft 404"), "soft404"),
    (HostDown("a.gov.cn", "refused", 1, True), "refused"),
])
def test_failure_classes(exc, cls):
    assert failure_class(exc)[0] == cls


@pytest.mark.parametrize(("robots", "delay"), [
    ("User-agent: *\nCrawl-delay: 5\n", 5.0),
    ("User-agent: *\nRequest-rate: 1/10s\n", 10.0),
    ("User-agent: *\nCrawl-delay: 2\nRequest-rate: 1/4s\n", 4.0),
    ("User-agent: *\nCrawl-delay: 600\n", 60.0),  # capped at CRAWL_DELAY_MAX
    ("User-agent: otherbot\nCrawl-delay: 9\n", None),
    ("User-agent: *\nDisallow: /x/\n", None),
])
def test_crawl_delay_and_request_rate(robots, delay):
    crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True, "USER_AGENT": "nianbao-archiver/0.1"})
    mw = CrawlDelayMiddleware.from_crawler(crawler)
    parser = ProtegoRobotParser.from_crawler(crawler, robots.encode())
    mw.robots_parsed(parser, Request("http://www.a.gov.cn/"))
    assert mw.delays.get("www.a.gov.cn") == delay


@pytest.mark.parametrize(("run", "status"), [
    (PortalRun(pages=10, reports_new=2, start_ok=True), ("ok", "")),
    (PortalRun(pages=10, reports_seen=2, start_ok=True, failures={"robots": 3}), ("ok", "")),
    (PortalRun(pages=10, reports_new=1, start_ok=True, failures={"dns": 2, "http4xx": 1}), ("degraded", "dns")),
    (PortalRun(pages=10, start_ok=True), ("no-report", "no-report")),
    (PortalRun(start_failure="timeout", failures={"timeout": 1}), ("unreachable", "timeout")),
    (PortalRun(pages=5, reports_seen=1, start_ok=True, gone_lists=2), ("site-changed", "site-changed")),
])
def test_portal_verdicts(run, status):
    from collections import Counter

    run.failures = Counter(run.failures)
    assert verdict(run) == status

"""Portal health: failure classes and the per-portal verdict of one run. Pure (docs/portals.md "Health").

Failure classes of a request: dns, refused, timeout, tls, http4xx, http5xx, waf (HTTP 403), robots
(a robots.txt refusal: polite, not an error), soft404, offsite-redirect, host-down (the host's circuit
opened; its other requests dropped), too-large, other. A portal's run status is `ok` (reports found
or seen, no failed request), `degraded` (reports, but some requests failed: the main class is given),
`no-report` (pages fetched, no report found or seen), `site-changed` (list pages known from earlier
runs now gone), `unreachable` (its start page never answered: the class says why).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

# Classes that are polite skips, not errors (one wording everywhere: "refused by robots.txt").
NOT_ERRORS = frozenset({"robots"})
CONNECTION = frozenset({"dns", "refused", "timeout", "tls"})


def failure_class(exc: BaseException) -> tuple[str, str]:
    """(class, detail) of a failed request's exception."""
    from scrapy import exceptions as sx
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as terr
    from twisted.web._newclient import ResponseNeverReceived

    from crawler.middlewares.hosts import HostDown, OffsiteRedirect, Soft404

    name = type(exc).__name__
    if isinstance(exc, HostDown):  # the class of the failure that opened the host's circuit
        return exc.cls, str(exc)
    if isinstance(exc, Soft404):
        return "soft404", str(exc)
    if isinstance(exc, OffsiteRedirect):
        return "offsite-redirect", str(exc)
    if isinstance(exc, HttpError):
        status = exc.response.status
        if status == 403:
            return "waf", f"HTTP {status}"
        return ("http5xx" if status >= 500 else "http4xx"), f"HTTP {status}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "robots", text
        if "maxsize" in text.lower() or "size" in text.lower():
            return "too-large", text
        return "other", text or name
    # Scrapy ≥ 2.17 wraps the download errors in its own exceptions (the cause is chained)
    if isinstance(exc, sx.CannotResolveHostError):
        return "dns", str(exc)
    if isinstance(exc, sx.DownloadConnectionRefusedError):
        return "refused", str(exc)
    if isinstance(exc, sx.DownloadTimeoutError):
        return "timeout", str(exc)
    if isinstance(exc, sx.DownloadFailedError | sx.ResponseDataLossError) and exc.__cause__ is not None:
        cls, detail = failure_class(exc.__cause__)
        if cls != "other":
            return cls, detail
    if isinstance(exc, terr.DNSLookupError):
        return "dns", str(exc)
    if isinstance(exc, terr.ConnectionRefusedError):
        return "refused", str(exc)
    if isinstance(exc, terr.TimeoutError | terr.TCPTimedOutError | TimeoutError):
        return "timeout", str(exc) or name
    if isinstance(exc, ResponseNeverReceived):
        reasons = " ".join(str(r.value) for r in getattr(exc, "reasons", []))
        if "SSL" in reasons or "TLS" in reasons or "certificate" in reasons:
            return "tls", reasons
        return "timeout" if "timeout" in reasons.lower() else "other", reasons or name
    if "SSL" in name or "TLS" in name or (name == "Error" and "OpenSSL" in type(exc).__module__):
        return "tls", str(exc)
    if isinstance(exc, terr.ConnectError | terr.ConnectionLost | terr.ConnectionDone):
        return "refused" if isinstance(exc, terr.ConnectError) else "other", str(exc) or name
    return "other", f"{name}: {exc}"


@dataclass
class PortalRun:
    """What one run saw of one portal."""

    pages: int = 0
    reports_new: int = 0
    reports_seen: int = 0  # archived before: unchanged (304 / same content) or updated
    start_ok: bool = False
    start_failure: str = ""
    failures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # class -> one URL and detail
    gone_lists: int = 0  # list pages known from earlier runs that now answer 404/410/soft-404
    lists: set[str] = field(default_factory=set)  # pages that answered 200 as 年报 lists in this run
    gone_reports: int = 0  # known report URLs that now answer 404/410/soft-404
    hosts_down: set[str] = field(default_factory=set)


class PortalHealth:
    """Collects per-portal facts during a crawl (fed by the spider and the health extension)."""

    def __init__(self) -> None:
        self.runs: dict[str, PortalRun] = defaultdict(PortalRun)
        self.gone: list[tuple[str, str]] = []  # (url, "404" | "410" | "soft404") of known report URLs
        self.gone_lists: list[tuple[str, str, str]] = []  # (portal, url, status) of known list URLs

    def failure(self, portal: str, url: str, cls: str, detail: str, *, start: bool = False) -> None:
        run = self.runs[portal]
        run.failures[cls] += 1
        run.examples.setdefault(cls, f"{url} ({detail})"[:300])
        if start and not run.start_failure:
            run.start_failure = cls

    def known_gone(self, portal: str, url: str, status: str, *, report: bool) -> None:
        """A URL archived or listed in an earlier run now answers 404/410 or a soft 404."""
        run = self.runs[portal]
        if report:
            run.gone_reports += 1
            self.gone.append((url, status))
        else:
            run.gone_lists += 1
            self.gone_lists.append((portal, url, status))

    def list_seen(self, portal: str, url: str) -> None:
        """A page of the portal answered as a 年报 list (recorded in portal_lists: known to later runs)."""
        self.runs[portal].lists.add(url)

    def verdict(self, portal: str) -> tuple[str, str]:
        """(status, failure class) of a portal's run; status ok | unreachable | no-report | site-changed."""
        return verdict(self.runs[portal])


def verdict(run: PortalRun) -> tuple[str, str]:
    errors = Counter({k: v for k, v in run.failures.items() if k not in NOT_ERRORS})
    main = errors.most_common(1)[0][0] if errors else ""
    if not run.start_ok and not run.pages:
        return "unreachable", run.start_failure or main or "other"
    if run.gone_lists:
        return "site-changed", "site-changed"
    if not (run.reports_new or run.reports_seen):
        return "no-report", main or "no-report"
    if main:
        return "degraded", main  # reports found, but some requests failed (dead linked hosts, 404s…)
    return "ok", ""


def summarize(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Counts of portals per status."""
    return dict(Counter(r["status"] for r in rows))

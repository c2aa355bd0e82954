"""Portal health: failure classes and the per-portal verdict of one run. Pure (docs/portals.md "Health").

Failure classes of a request: dns, refused, timeout, tls, http4xx, http5xx, waf (HTTP 403), robots
(a robots.txt refusal: polite, not an error), soft404, offsite-redirect, host-down (the host's circuit
opened; its other requests dropped), too-large, other. A portal's run status is `ok` (reports found
or seen, no failed request), `degraded` (reports, but some requests failed: the main class is given),
`no-report` (pages fetched, no report found or seen), `site-changed` (list pages known from earlier
runs now gone), `unreachable` (its start page never answered: the class says why).
`apply_health` writes a run's rows through the archive handle it is given (no Scrapy: `nianbao writer` uses it).
"""

from __future__ import annotations

import json
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


    def to_dict(self) -> dict[str, Any]:
        return {"pages": self.pages, "reports_new": self.reports_new, "reports_seen": self.reports_seen,
                "start_ok": self.start_ok, "start_failure": self.start_failure, "failures": dict(self.failures),
                "examples": dict(self.examples), "gone_lists": self.gone_lists, "gone_reports": self.gone_reports,
                "lists": sorted(self.lists), "hosts_down": sorted(self.hosts_down)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PortalRun:
        return cls(pages=data.get("pages", 0), reports_new=data.get("reports_new", 0),
                   reports_seen=data.get("reports_seen", 0), start_ok=bool(data.get("start_ok")),
                   start_failure=data.get("start_failure") or "", failures=Counter(data.get("failures") or {}),
                   examples=dict(data.get("examples") or {}), gone_lists=data.get("gone_lists", 0),
                   gone_reports=data.get("gone_reports", 0), lists=set(data.get("lists") or []),
                   hosts_down=set(data.get("hosts_down") or []))

    def merge(self, other: PortalRun) -> None:
        """Add another process's view of the same portal in the same pass (distributed workers)."""
        self.pages += other.pages
        self.reports_new += other.reports_new
        self.reports_seen += other.reports_seen
        self.start_ok = self.start_ok or other.start_ok
        self.start_failure = self.start_failure or other.start_failure
        self.failures.update(other.failures)
        for cls, example in other.examples.items():
            self.examples.setdefault(cls, example)
        self.gone_lists += other.gone_lists
        self.gone_reports += other.gone_reports
        self.lists |= other.lists
        self.hosts_down |= other.hosts_down


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what `nianbao writer` needs to write a distributed worker's health (crawler/distributed)."""
        return {"runs": {name: run.to_dict() for name, run in self.runs.items()},
                "gone": [list(g) for g in self.gone], "gone_lists": [list(g) for g in self.gone_lists]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PortalHealth:
        health = cls()
        for name, run in (data.get("runs") or {}).items():
            health.runs[name] = PortalRun.from_dict(run)
        health.gone = [(u, s) for u, s in data.get("gone") or []]
        health.gone_lists = [(p, u, s) for p, u, s in data.get("gone_lists") or []]
        return health

    def merge(self, other: PortalHealth) -> None:
        for name, run in other.runs.items():
            self.runs[name].merge(run)
        self.gone += [g for g in other.gone if g not in self.gone]
        self.gone_lists += [g for g in other.gone_lists if g not in self.gone_lists]

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


def apply_health(db: Any, run_id: int, portals: list[str], health: PortalHealth) -> list[dict[str, Any]]:
    """The run's portal_health rows, gone marks and known lists, written in the caller's transaction (the one
    place that builds them: the single-process crawl and `nianbao writer` for distributed workers)."""
    from pipelines import store

    rows = []
    now = store.now_iso()
    for url, status in health.gone:
        db.execute("update report_urls set gone_at = ?, gone_run_id = ?, gone_status = ? "
                   "where (url = ? or canonical_url = ?) and gone_at is null", [now, run_id, status, url, url])
    for name in portals:
        run = health.runs[name]
        for url in sorted(run.lists):
            db.execute("insert into portal_lists (portal, url, first_run_id, last_run_id, last_seen_at) "
                       "values (?, ?, ?, ?, ?) on conflict (portal, url) do update set last_run_id = excluded.last_run_id, "
                       "last_seen_at = excluded.last_seen_at, gone_at = null, gone_run_id = null, gone_status = null",
                       [name, url, run_id, run_id, now])
    for name, url, status in health.gone_lists:
        db.execute("update portal_lists set gone_at = ?, gone_run_id = ?, gone_status = ? "
                   "where portal = ? and url = ? and gone_at is null", [now, run_id, status, name, url])
    for name in portals:
        run = health.runs[name]
        status, failure = verdict(run)
        prev = db.execute("select consecutive_empty, last_good_run from portal_health where portal = ? "
                          "and run_id < ? order by run_id desc limit 1", [name, run_id]).fetchone()
        empty = 0 if (run.reports_new or run.reports_seen) else (prev[0] if prev else 0) + 1
        last_good = run_id if status == "ok" else (prev[1] if prev else None)
        row = {"run_id": run_id, "portal": name, "status": status, "failure": failure, "pages": run.pages,
               "reports_new": run.reports_new, "reports_seen": run.reports_seen,
               "failures": json.dumps(dict(run.failures), ensure_ascii=False),
               "examples": json.dumps(run.examples, ensure_ascii=False),
               "hosts_down": json.dumps(sorted(run.hosts_down)), "gone": run.gone_reports,
               "consecutive_empty": empty, "last_good_run": last_good, "checked_at": now}
        db.table("portal_health").upsert(row, pk=("run_id", "portal"))
        rows.append(row)
    return rows

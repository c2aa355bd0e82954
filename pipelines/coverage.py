"""Coverage and timeliness of the archive, per region and agency.

For each agency (within its division): which report years are missing between its first archived
year and the last year asked for, which reports were published after the legal deadline (条例第四十九条:
部门 by 1月31日, 县级以上 governments by 3月31日 of the following year), and which fail consistency checks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import sqlite_utils

from pipelines.regions import refresh_regions


@dataclass
class AgencyCoverage:
    agency: str
    code: str | None
    province: str | None
    city: str | None
    county: str | None
    level: str | None
    kind: str | None
    years: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    late: list[dict[str, Any]] = field(default_factory=list)      # year, published_at, deadline, days_late
    undated: list[int] = field(default_factory=list)              # years whose publication date is unknown
    failing: list[dict[str, Any]] = field(default_factory=list)   # year, report_id, rules

    def as_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["years"] = " ".join(map(str, self.years))
        row["missing"] = " ".join(map(str, self.missing))
        row["late"] = " ".join(f"{x['year']}(+{x['days_late']}d)" for x in self.late)
        row["undated"] = " ".join(map(str, self.undated))
        row["failing"] = " ".join(f"{x['year']}:{x['rules']}" for x in self.failing)
        return row


def coverage(db: sqlite_utils.Database, *, since: int | None = None, until: int | None = None,
             region: str | None = None, refresh: bool = False) -> list[AgencyCoverage]:
    """One entry per (agency, division), sorted by province, city, county, agency.

    Region rows are written with each report; `refresh=True` recomputes them first (after a rules change).
    """
    if refresh:
        refresh_regions(db)
    last = until or (db.execute("select max(year) from reports").fetchone()[0])
    rows = db.query(
        """select r.id, r.agency, r.year, r.published_at, r.checks_failed, g.code, g.province, g.city, g.county,
                  g.level, g.kind, g.deadline, g.days_late,
                  (select group_concat(distinct rule) from report_checks k where k.report_id = r.id and not k.ok)
                    as rules
           from reports r left join report_regions g on g.report_id = r.id
           where r.year is not null and (:region is null or g.code like :region || '%' or r.region_code like :region || '%')
           order by r.year""", {"region": region})
    by_agency: dict[tuple[str, str | None], AgencyCoverage] = {}
    for r in rows:
        key = (r["agency"] or "(unknown agency)", r["code"])
        entry = by_agency.get(key)
        if entry is None:
            entry = by_agency[key] = AgencyCoverage(key[0], r["code"], r["province"], r["city"], r["county"],
                                                    r["level"], r["kind"])
        if r["year"] not in entry.years:
            entry.years.append(r["year"])
        if r["days_late"] is not None and r["days_late"] > 0:
            entry.late.append({"year": r["year"], "report_id": r["id"], "published_at": r["published_at"],
                               "deadline": r["deadline"], "days_late": r["days_late"]})
        elif r["days_late"] is None:
            entry.undated.append(r["year"])
        if r["checks_failed"]:
            entry.failing.append({"year": r["year"], "report_id": r["id"], "rules": r["rules"] or ""})
    for entry in by_agency.values():
        first = max(since or 0, min(entry.years))
        entry.missing = [y for y in range(first, (last or first) + 1) if y not in entry.years]
    return sorted(by_agency.values(), key=lambda e: tuple(x or "" for x in (e.province, e.city, e.county, e.agency)))


def summary(entries: list[AgencyCoverage]) -> dict[str, int]:
    return {
        "agencies": len(entries),
        "reports": sum(len(e.years) for e in entries),
        "agencies_with_missing_years": sum(1 for e in entries if e.missing),
        "missing_report_years": sum(len(e.missing) for e in entries),
        "late_reports": sum(len(e.late) for e in entries),
        "undated_reports": sum(len(e.undated) for e in entries),
        "failing_reports": sum(len(e.failing) for e in entries),
    }


def by_region(entries: list[AgencyCoverage]) -> list[dict[str, Any]]:
    """Roll-up per division: agencies, reports, years covered, missing report years, late and failing reports."""
    regions: dict[tuple, dict[str, Any]] = {}
    for e in entries:
        key = (e.province, e.city, e.county)
        r = regions.setdefault(key, {"province": e.province, "city": e.city, "county": e.county, "agencies": 0,
                                     "reports": 0, "years": set(), "missing": 0, "late": 0, "failing": 0})
        r["agencies"] += 1
        r["reports"] += len(e.years)
        r["years"].update(e.years)
        r["missing"] += len(e.missing)
        r["late"] += len(e.late)
        r["failing"] += len(e.failing)
    out = []
    for r in regions.values():
        years = sorted(r.pop("years"))
        span = "" if not years else str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"
        out.append({**r, "years": span})
    return sorted(out, key=lambda r: tuple(x or "" for x in (r["province"], r["city"], r["county"])))


def format_text(entries: list[AgencyCoverage]) -> str:
    """A plain table for the terminal, one line per agency, then the totals."""
    head = ["province", "city", "county", "level", "kind", "agency", "years", "missing", "late", "failing"]
    rows = [[str(v or "") for v in (r["province"], r["city"], r["county"], r["level"], r["kind"], r["agency"],
                                     r["years"], r["missing"], r["late"], r["failing"])]
            for r in (e.as_row() for e in entries)]
    widths = [max(_width(x) for x in col) for col in zip(head, *rows, strict=False)]
    lines = ["  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [head, *rows]]
    head2 = ["province", "city", "county", "agencies", "reports", "years", "missing", "late", "failing"]
    rows2 = [[str(r[k] if r[k] is not None else "") for k in head2] for r in by_region(entries)]
    widths2 = [max(_width(x) for x in col) for col in zip(head2, *rows2, strict=False)]
    lines2 = ["  ".join(_pad(c, w) for c, w in zip(row, widths2, strict=True)).rstrip() for row in [head2, *rows2]]
    totals = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary(entries).items())
    return "\n".join([*lines, "", "per region:", *lines2, "", totals])


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))


def run_table(db: sqlite_utils.Database, run_id: int, limit: int = 20) -> str:
    """Per-portal pages / reports / errors / robots.txt refusals of one crawl run, as a small text table (closing summary)."""
    rows = list(db.query(
        """select p.name as portal,
                  (select count(*) from fetch_log f where f.run_id = :run and f.portal = p.name
                     and f.error is null and f.status < 400 and coalesce(f.kind, '') != 'robots') as pages,
                  (select count(*) from reports r where r.last_run_id = :run and r.portal = p.name) as reports,
                  (select count(*) from fetch_log f where f.run_id = :run and f.portal = p.name
                     and f.error is not null and f.error not like '%robots.txt%') as errors,
                  (select count(*) from fetch_log f where f.run_id = :run and f.portal = p.name
                     and f.error like '%robots.txt%') as refused
           from portals p where p.last_run_id = :run
           order by errors desc, reports = 0 desc, p.name""", {"run": run_id}))
    if not rows:
        return ""
    shown = rows[:limit]
    keys = ("pages", "reports", "errors", "refused")
    table = [["portal", *keys[:3], "robots.txt refused"]]
    table += [[r["portal"], *(str(r[k]) for k in keys)] for r in shown]
    table.append(["total", *(str(sum(r[k] for r in rows)) for k in keys)])
    widths = [max(_width(x[i]) for x in table) for i in range(5)]
    lines = ["  ".join(_pad(c, w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in table]
    if len(rows) > limit:
        lines.insert(-1, f"… {len(rows) - limit} more portals (fetch_log has them all)")
    return "\n".join(lines)

"""`nianbao health [DB]`: each portal's latest crawl (status, failure class, pages, reports, consecutive
empty runs, last good run), plus `--removed` (report URLs gone from their portals) and `--changed`
(reports whose content changed after publication). Opens the archive read-only.

Exit code, as `nianbao crawl`'s: 0 every portal ok, 1 some portal not ok, 2 no portal reachable or no
health recorded yet.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from pathlib import Path
from typing import Any

LATEST = """
select h.* from portal_health h
join (select portal, max(run_id) as run_id from portal_health group by portal) m
  on m.portal = h.portal and m.run_id = h.run_id
order by case h.status when 'ok' then 1 else 0 end, h.portal
"""
REMOVED = """
select u.report_id, r.agency, r.year, r.title, u.url, u.portal, u.gone_status, u.gone_at, u.gone_run_id
from report_urls u join reports r on r.id = u.report_id
where u.gone_at is not null order by u.gone_at desc, r.agency
"""
CHANGED = """
select r.id as report_id, r.agency, r.year, r.title, count(v.id) as earlier_versions,
       min(v.first_seen) as first_seen, max(v.replaced_at) as last_changed, r.url
from reports r join report_versions v on v.report_id = r.id
group by r.id order by last_changed desc
"""


def open_readonly(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    return conn


def _has(conn: sqlite3.Connection, table: str, column: str | None = None) -> bool:
    cols = [r[1] for r in conn.execute(f"pragma table_info({table})")]
    return bool(cols) and (column is None or column in cols)


def health_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    if not _has(conn, "portal_health"):
        return []
    rows = [dict(r) for r in conn.execute(LATEST)]
    for r in rows:
        for key in ("failures", "examples", "hosts_down"):
            r[key] = json.loads(r[key] or "null")
    return rows


def removed_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(REMOVED)] if _has(conn, "report_urls", "gone_at") else []


def changed_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(CHANGED)] if _has(conn, "report_versions") else []


def exit_code(rows: list[dict[str, Any]]) -> int:
    if not rows or all(r["status"] == "unreachable" for r in rows):
        return 2
    return 0 if all(r["status"] == "ok" for r in rows) else 1


def _failures(counts: dict[str, int] | None) -> str:
    if not counts:
        return ""
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def format_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no portal health recorded yet (crawl first: nianbao crawl -a portals=…)"
    width = max(_width(r["portal"]) for r in rows)
    lines = [f"{_pad('portal', width)}  status        failure           pages  new  seen  empty  last good  failures"]
    for r in rows:
        lines.append(f"{_pad(r['portal'], width)}  {r['status']:<12}  {r['failure'] or '-':<16}  {r['pages']:>5}  "
                     f"{r['reports_new']:>3}  {r['reports_seen']:>4}  {r['consecutive_empty']:>5}  "
                     f"{r['last_good_run'] if r['last_good_run'] is not None else '-':>9}  {_failures(r['failures'])}")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    lines.append(f"{len(rows)} portals: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) +
                 " (refused by robots.txt: polite skips, not errors)")
    return "\n".join(lines)

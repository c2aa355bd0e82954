"""Which administrative division published a report, at which level, as 政府 or 部门.

`classify_agency(agency, region_code)` is pure. The bundled GB/T 2260 table
`pipelines/data/divisions_2024.csv` (province / prefecture / county; cpca is stale) is the source of
truth. The portal's `region_code` anchors the search; a division named inside the agency (常熟市城市管理局
on the 苏州市 portal) refines it, and an agency that names a division outside the portal's region (a
report reposted from elsewhere) is placed there; an ancestor named in the agency (苏州市常熟生态环境局 on
the 常熟市 portal) does not move it up. Townships are not in the table: 乡/镇/街道 in the agency name makes the
level 乡 under the county found.

In the archive: `divisions` (the table) and `report_regions` (one row per report, written with the
report by the store; `refresh_regions` recomputes them all after a change of these rules), joined in the view `report_index` that datasette facets on.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import sqlite_utils

DIVISIONS_CSV = Path(__file__).parent / "data" / "divisions_2024.csv"
LEVELS = {"province": "省", "prefecture": "市", "county": "县"}
MUNICIPALITIES = {"11", "12", "31", "50"}  # 直辖市: their districts have no prefecture

# 乡镇/街道 governments; not 乡村振兴局, 城镇…, 住房和城乡建设局.
_TOWNSHIP = re.compile(r"(?<!城)(?:乡|镇|苏木|街道)(?:人民政府|政府|办事处)?$|(?<!城)(?:乡|镇)人民政府|街道办事处")
_GOVERNMENT = re.compile(r"(人民政府|政府|政府办公室|政府办公厅|人民政府办公室|人民政府办公厅|街道办事处|街道|镇|乡|苏木)$")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str
    parent_code: str
    full_name: str


@dataclass(frozen=True)
class Region:
    code: str | None       # 6-digit division code (the county for a township)
    province: str | None
    city: str | None       # prefecture-level city; the municipality itself for 直辖市 districts
    county: str | None
    level: str | None      # 省 / 市 / 县 / 乡
    kind: str | None       # 政府 (a government's own report) or 部门 (a department's)
    township: str | None = None


@cache
def divisions() -> dict[str, Division]:
    with DIVISIONS_CSV.open(encoding="utf-8", newline="") as fh:
        return {r["code"]: Division(**r) for r in csv.DictReader(fh)}


@cache
def _by_name() -> dict[str, list[Division]]:
    index: dict[str, list[Division]] = {}
    for d in divisions().values():
        index.setdefault(d.name, []).append(d)
    return index


@cache
def _ancestors(d: Division) -> tuple[Division, ...]:
    out, table = [], divisions()
    while d.parent_code and d.parent_code in table:
        d = table[d.parent_code]
        out.append(d)
    return tuple(out)


def normalize_code(code: str | None) -> str | None:
    """'3205' → '320500'; a 9/12-digit statistical code keeps its county part."""
    digits = re.sub(r"\D", "", code or "")
    if len(digits) < 2:
        return None
    code6 = digits[:6].ljust(6, "0")
    table = divisions()
    for candidate in (code6, code6[:4] + "00", code6[:2] + "0000"):
        if candidate in table:
            return candidate
    return None


def _named(agency: str, anchor: Division | None) -> Division | None:
    """The deepest division named in the agency, under the anchor when there is one."""
    best: tuple[int, int, int] | None = None
    found: Division | None = None
    index = _by_name()
    longest = max(map(len, index))
    names = {agency[i:j] for i in range(len(agency)) for j in range(i + 2, min(len(agency), i + longest) + 1)}
    for name in names & index.keys():
        divs = index[name]
        for d in divs:
            ancestors = _ancestors(d)
            if anchor is not None and anchor not in ancestors and d != anchor:
                continue
            named_ancestors = sum(1 for a in ancestors if a.name in agency)
            if anchor is None and len(divs) > 1 and not named_ancestors:
                continue  # 朝阳区, 城关区 … alone are ambiguous
            score = (len(ancestors), named_ancestors, len(name))
            if best is None or score > best:
                best, found = score, d
    return found


def _region(d: Division | None, kind: str | None, township: str | None) -> Region:
    if d is None:
        return Region(None, None, None, None, "乡" if township else None, kind, township)
    chain = [d, *_ancestors(d)]
    by_level = {x.level: x for x in chain}
    province = by_level.get("province")
    city = by_level.get("prefecture")
    if city is None and d.level == "county" and d.code[:2] in MUNICIPALITIES:
        city = province
    county = by_level.get("county")
    level = "乡" if township else LEVELS.get(d.level)
    return Region(d.code, province and province.name, city and city.name, county and county.name, level, kind,
                  township)


def classify_agency(agency: str | None, region_code: str | None) -> Region:
    """Division, level and kind of a report from its agency name and its portal's region code."""
    name = re.sub(r"\s+", "", agency or "")
    anchor_code = normalize_code(region_code)
    anchor = divisions().get(anchor_code) if anchor_code else None
    d = _named(name, anchor) if name and anchor else None
    if d is None and name:  # a report of another region reposted on this portal names its own division
        elsewhere = _named(name, None)
        if elsewhere is not None and (anchor is None or elsewhere not in _ancestors(anchor)):
            d = elsewhere
    d = d or anchor
    township = None
    m = _TOWNSHIP.search(name)
    if m:
        head = name[: m.end()]
        if d is not None:  # the part after the county's name: 东山镇, 城南街道办事处
            head = head.split(d.name)[-1]
        township = re.sub(r"(人民政府|政府|办事处|党委)$", "", head) or None
    kind = None
    if name:
        kind = "政府" if _GOVERNMENT.search(name) else "部门"
    return _region(d, kind, township)


# --- deadlines (条例第四十九条) -------------------------------------------------------------------

def deadline(year: int | None, kind: str | None) -> date | None:
    """Legal publication deadline of the report on `year`: 部门 by 1月31日, governments by 3月31日.

    第四十九条 names 县级以上 departments and governments; a township government's report is held to
    the governments' 3月31日 (the lenient reading; counties often set earlier internal dates).
    """
    if not year or kind not in ("政府", "部门"):
        return None
    return date(year + 1, 1, 31) if kind == "部门" else date(year + 1, 3, 31)


def days_late(published_at: str | None, due: date | None) -> int | None:
    if not published_at or due is None:
        return None
    try:
        published = date.fromisoformat(published_at[:10])
    except ValueError:
        return None
    return (published - due).days


# --- in the archive ---------------------------------------------------------------------------

REPORT_INDEX_VIEW = """
create view if not exists report_index as
select r.id, r.agency, r.year, r.title, r.published_at, g.deadline, g.days_late,
       case when g.days_late > 0 then 1 when g.days_late is not null then 0 end as late,
       r.template, r.checks_failed, r.cells_count, r.nulls_count, r.source_kind,
       g.province, g.city, g.county, g.township, g.level, g.kind, g.code as division_code,
       r.region_code, r.portal, r.url
from reports r left join report_regions g on g.report_id = r.id
"""


def load_divisions(db: sqlite_utils.Database) -> None:
    """Fill `divisions` once, and create the `report_index` view; idempotent."""
    table = db.table("divisions")
    if table.exists() and not table.count:
        table.insert_all((asdict(d) for d in divisions().values()), pk="code")
    if db.table("report_regions").exists():
        db.execute(REPORT_INDEX_VIEW)


def canonical_agency(agency: str | None, region_code: str | None = None) -> str | None:
    """The agency named from its own division down: leading names of the divisions above it are dropped
    (淮安市洪泽区人民政府, 江苏省淮安市洪泽区人民政府 → 洪泽区人民政府; 江苏省淮安市财政局 → 淮安市财政局;
    淮安市洪泽区岔河镇人民政府 → 洪泽区岔河镇人民政府). A name that starts with its own division
    (洪泽区审计局, 淮安市人民政府) or names none (审计局) is unchanged. `reports.agency` keeps the name as
    printed; this form (`report_regions.agency_canonical`, unique together with `code`) groups one body's
    reports across years whichever way a year's title spelled it."""
    name = re.sub(r"\s+", "", agency or "")
    if not name:
        return None
    code = classify_agency(name, region_code).code
    d = divisions().get(code) if code else None
    if d is None:
        return name
    rest = name
    for above in reversed(_ancestors(d)):  # 江苏省 then 淮安市: printed top down
        if rest.startswith(above.name):
            rest = rest[len(above.name):]
    return rest if rest != name and rest.startswith(d.name) and len(rest) > len(d.name) else name


def region_row(report: dict[str, Any]) -> dict[str, Any]:
    region = classify_agency(report.get("agency"), report.get("region_code"))
    due = deadline(report.get("year"), region.kind)
    return {"report_id": report["id"], **asdict(region), "deadline": due and due.isoformat(),
            "days_late": days_late(report.get("published_at"), due),
            "agency_canonical": canonical_agency(report.get("agency"), report.get("region_code"))}


def fill_missing_regions(db: sqlite_utils.Database) -> int:
    """Region rows for reports that have none (an archive written before rows were kept on write)."""
    n_reports = db.execute("select count(*) from reports").fetchone()[0]
    stale = db.execute("""select 1 from report_regions g join reports r on r.id = g.report_id
                          where g.agency_canonical is null and r.agency is not null limit 1""").fetchone()
    if stale:  # rows written before agency_canonical existed: fill it in place
        for r in db.query("""select r.id, r.agency, r.region_code from reports r join report_regions g
                             on g.report_id = r.id where g.agency_canonical is null and r.agency is not null"""):
            db.execute("update report_regions set agency_canonical = ? where report_id = ?",
                       [canonical_agency(r["agency"], r["region_code"]), r["id"]])
    if n_reports == db.execute("select count(*) from report_regions").fetchone()[0]:
        return 0
    rows = [region_row(r) for r in db.query("""select id, agency, region_code, year, published_at from reports
                                               where id not in (select report_id from report_regions)""")]
    if rows:
        db.table("report_regions").insert_all(rows, pk="report_id", replace=True)
    return len(rows)


def refresh_regions(db: sqlite_utils.Database) -> int:
    """Recompute `report_regions` for every report (cheap: pure string work). Returns the row count."""
    rows = [region_row(r) for r in db.query("select id, agency, region_code, year, published_at from reports")]
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("delete from report_regions")
        if rows:
            db.table("report_regions").insert_all(rows, pk="report_id")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return len(rows)

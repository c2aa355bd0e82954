"""Reports per agency, division and year, kept current on write, so coverage listings do not group every report.

The coverage queries (datasette's `coverage` and `coverage_by_region`, `nianbao coverage`) group every
report of `report_index` by agency and division, or by province/city/county, and sort the groups: linear
in the archive and seconds at a million reports before the first row. `agency_years` holds those
groups' counts, one row per (agency, division, report year), with an index in the order the listings
print (province, city, county, agency), so a listing streams its first page from the index:

    agency_years  agency ('' = none), division_code ('' = none), year (0 = unknown),
                  province, city, county, level, kind (of the division, as in report_regions),
                  reports, late (days_late > 0), undated (days_late unknown or no region row),
                  checked (checks_failed known), failing (checks_failed > 0)

Triggers on `reports` (insert, delete, update of agency/year/checks_failed) and `report_regions`
(insert, replace, update, delete) keep it equal to the grouping of `reports` left-joined to
`report_regions` on every write path (save_report, reprocess, region refreshes, other tools' SQL).
`ensure_agency_years` creates it and fills it when an archive has none (a migration in place);
`rebuild_agency_years` recomputes it.
"""

from __future__ import annotations

import sqlite_utils

CREATE = """
create table if not exists agency_years (
    agency text not null,
    division_code text not null,
    year integer not null,
    province text,
    city text,
    county text,
    level text,
    kind text,
    reports integer not null,
    late integer not null,
    undated integer not null,
    checked integer not null,
    failing integer not null,
    primary key (agency, division_code, year)
) without rowid;
create index if not exists agency_years_region on agency_years (province, city, county, agency, division_code, year);
"""

_ATTRS = ("province", "city", "county", "level", "kind")


def _share(sign: str, r: str, g: str | None) -> str:
    """SQL adding (+) or taking (-) one report's share: `r` is the reports row (new/old, or a subquery
    prefix), `g` the report_regions row (None: the report has no region row)."""
    def gv(col: str) -> str:
        return "null" if g is None else g.format(col=col)

    agency, year, failed = (r.format(col=c) for c in ("agency", "year", "checks_failed"))
    key_a, key_c, key_y = f"ifnull({agency}, '')", f"ifnull({gv('code')}, '')", f"ifnull({year}, 0)"
    where = f"agency = {key_a} and division_code = {key_c} and year = {key_y}"
    dl = gv("days_late")
    counts = (f"reports = reports {sign} 1, late = late {sign} ifnull({dl} > 0, 0), "
              f"undated = undated {sign} ({dl} is null), checked = checked {sign} ({failed} is not null), "
              f"failing = failing {sign} ifnull({failed} > 0, 0)")
    if sign == "+":
        attrs = ", ".join(f"{a} = {gv(a)}" for a in _ATTRS)
        return (f"insert into agency_years (agency, division_code, year, reports, late, undated, checked, failing) "
                f"select {key_a}, {key_c}, {key_y}, 0, 0, 0, 0, 0 where not exists "
                f"(select 1 from agency_years where {where});\n"
                f"    update agency_years set {counts}, {attrs} where {where};")
    return (f"update agency_years set {counts} where {where};\n"
            f"    delete from agency_years where {where} and reports <= 0;")


def _region_of(rid: str) -> str:
    return f"(select {{col}} from report_regions where report_id = {rid})"


def _report_of(rid: str) -> str:
    return f"(select {{col}} from reports where id = {rid})"


_REPORT_EXISTS = "exists (select 1 from reports where id = {rid})"

TRIGGERS = f"""
create trigger if not exists agency_years_reports_ai after insert on reports
begin
    {_share("+", "new.{col}", _region_of("new.id"))}
end;
create trigger if not exists agency_years_reports_ad after delete on reports
begin
    {_share("-", "old.{col}", _region_of("old.id"))}
end;
create trigger if not exists agency_years_reports_au after update of agency, year, checks_failed on reports
when old.agency is not new.agency or old.year is not new.year or old.checks_failed is not new.checks_failed
begin
    {_share("-", "old.{col}", _region_of("old.id"))}
    {_share("+", "new.{col}", _region_of("new.id"))}
end;
create trigger if not exists agency_years_regions_bi before insert on report_regions
when exists (select 1 from report_regions where report_id = new.report_id)
begin
    -- a replaced region row: deleted here, its share moved by the delete trigger (REPLACE fires delete
    -- triggers only under PRAGMA recursive_triggers, which not every writer sets)
    delete from report_regions where report_id = new.report_id;
end;
create trigger if not exists agency_years_regions_ai after insert on report_regions
when {_REPORT_EXISTS.format(rid="new.report_id")}
begin
    {_share("-", _report_of("new.report_id"), None)}
    {_share("+", _report_of("new.report_id"), "new.{col}")}
end;
create trigger if not exists agency_years_regions_ad after delete on report_regions
when {_REPORT_EXISTS.format(rid="old.report_id")}
begin
    {_share("-", _report_of("old.report_id"), "old.{col}")}
    {_share("+", _report_of("old.report_id"), None)}
end;
create trigger if not exists agency_years_regions_au after update on report_regions
when {_REPORT_EXISTS.format(rid="new.report_id")} and old.report_id = new.report_id
begin
    {_share("-", _report_of("old.report_id"), "old.{col}")}
    {_share("+", _report_of("new.report_id"), "new.{col}")}
end;
"""

FILL = """
insert into agency_years (agency, division_code, year, province, city, county, level, kind, reports, late, undated,
                          checked, failing)
select ifnull(r.agency, ''), ifnull(g.code, ''), ifnull(r.year, 0), max(g.province), max(g.city), max(g.county),
       max(g.level), max(g.kind), count(*), total(ifnull(g.days_late > 0, 0)), total(g.days_late is null),
       total(r.checks_failed is not null), total(ifnull(r.checks_failed > 0, 0))
from reports r left join report_regions g on g.report_id = r.id
group by 1, 2, 3
"""


def rebuild_agency_years(db: sqlite_utils.Database) -> None:
    """Recompute `agency_years` from every report (inside the caller's transaction, if any)."""
    db.execute("delete from agency_years")
    db.execute(FILL)


def ensure_agency_years(db: sqlite_utils.Database) -> None:
    """Create `agency_years` and its triggers; fill it when the archive had none (a migration in place)."""
    if not db.table("reports").exists() or not db.table("report_regions").exists():
        return
    new = not db.table("agency_years").exists()
    db.conn.executescript(CREATE)
    if new and db.execute("select exists (select 1 from reports)").fetchone()[0]:
        db.execute("BEGIN IMMEDIATE")
        try:
            rebuild_agency_years(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    db.conn.executescript(TRIGGERS)

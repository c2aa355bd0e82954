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

Groupings by region (`coverage_by_region`, late reports by province) read two smaller summaries of
`agency_years`, kept by triggers on it (SQLite fires a trigger's writes' triggers on other tables
whether or not PRAGMA recursive_triggers is set, so every write path above reaches them):

    region_years     province, city, county, level, kind, year → reports, late, undated, checked, failing
                     (sums of the agency_years rows with those values)
    region_agencies  province, city, county, agency → rows (agency_years rows: distinct agencies per region)
"""

from __future__ import annotations

import sqlite3

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


_SUMS = ("reports", "late", "undated", "checked", "failing")
# (table, key columns, {column: the share of one agency_years row `{r}`})
_GROUPS = (
    ("region_years", ("province", "city", "county", "level", "kind", "year"), {c: f"{{r}}.{c}" for c in _SUMS}),
    ("region_agencies", ("province", "city", "county", "agency"), {"rows": "1"}),
)

REGION_CREATE = """
create table if not exists region_years (
    province text, city text, county text, level text, kind text, year integer not null,
    reports integer not null, late integer not null, undated integer not null, checked integer not null,
    failing integer not null
);
create index if not exists region_years_key on region_years (province, city, county, level, kind, year);
create table if not exists region_agencies (
    province text, city text, county text, agency text not null, rows integer not null
);
create index if not exists region_agencies_key on region_agencies (province, city, county, agency);
"""


def _group_share(sign: str, table: str, keys: tuple[str, ...], sums: dict[str, str], r: str) -> str:
    """SQL adding (+) or taking (-) one agency_years row `r` (new/old) to/from its group of `table`
    (keys compared with IS: a region may be NULL)."""
    where = " and ".join(f"{k} is {r}.{k}" for k in keys)
    counts = ", ".join(f"{c} = {c} {sign} {e.format(r=r)}" for c, e in sums.items())
    first = next(iter(sums))
    if sign == "+":
        cols = ", ".join((*keys, *sums))
        vals = ", ".join((*(f"{r}.{k}" for k in keys), *("0" for _ in sums)))
        return (f"insert into {table} ({cols}) select {vals} where not exists (select 1 from {table} where {where});\n"
                f"    update {table} set {counts} where {where};")
    return f"update {table} set {counts} where {where};\n    delete from {table} where {where} and {first} <= 0;"


REGION_TRIGGERS = "\n".join(
    f"""create trigger if not exists {table}_ai after insert on agency_years
begin
    {_group_share("+", table, keys, sums, "new")}
end;
create trigger if not exists {table}_ad after delete on agency_years
begin
    {_group_share("-", table, keys, sums, "old")}
end;
create trigger if not exists {table}_au after update on agency_years
begin
    {_group_share("-", table, keys, sums, "old")}
    {_group_share("+", table, keys, sums, "new")}
end;"""
    for table, keys, sums in _GROUPS)


def region_fill(table: str, into: str | None = None) -> str:
    """SQL filling `table` (or `into`, a table of the same columns) from agency_years."""
    keys, sums = next((k, s) for t, k, s in _GROUPS if t == table)
    agg = ", ".join(f"sum({e.format(r='a')})" if e != "1" else "count(*)" for e in sums.values())
    return (f"insert into {into or table} ({', '.join((*keys, *sums))}) select {', '.join(keys)}, {agg} "
            f"from agency_years a group by {', '.join(keys)}")


def rebuild_agency_years(db: sqlite_utils.Database | sqlite3.Connection) -> None:
    """Recompute `agency_years` and the region summaries from every report (inside the caller's transaction,
    if any)."""
    db.execute("delete from agency_years")
    db.execute(FILL)
    for table, _, _ in _GROUPS:
        if db.execute("select 1 from sqlite_master where type = 'table' and name = ?", [table]).fetchone():
            db.execute(f"delete from {table}")
            db.execute(region_fill(table))


def ensure_agency_years(db: sqlite_utils.Database) -> None:
    """Create `agency_years` and its triggers; fill it when the archive had none (a migration in place)."""
    if not db.table("reports").exists() or not db.table("report_regions").exists():
        return
    new = not db.table("agency_years").exists()
    new_regions = not all(db.table(t).exists() for t, _, _ in _GROUPS)
    db.conn.executescript(CREATE + REGION_CREATE)
    if (new or new_regions) and db.execute("select exists (select 1 from reports)").fetchone()[0]:
        db.execute("BEGIN IMMEDIATE")
        try:
            if new:
                rebuild_agency_years(db)  # the region summaries too (no triggers on agency_years yet)
            else:
                for table, _, _ in _GROUPS:
                    db.execute(f"delete from {table}")
                    db.execute(region_fill(table))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    db.conn.executescript(TRIGGERS + REGION_TRIGGERS)

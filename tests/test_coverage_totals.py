"""agency_years (the coverage listings' summary) equals the grouping of every report after every kind of
write, an archive without it gets it on open, and the canned coverage queries give what they gave when
they grouped report_index."""

from __future__ import annotations

import random
import sqlite3

import pytest
import yaml

from pipelines import store
from pipelines.dedup import content_hash
from pipelines.records import Report
from pipelines.schema_docs import CANNED_YML
from pipelines.store.coverage_totals import FILL, rebuild_agency_years, region_fill
from pipelines.store.reports import reparse_report
from tests.test_totals import report

# real divisions (a county, a city, a province) and agencies of their governments and departments
PLACES = [("320813", "淮安市洪泽区"), ("320800", "江苏省淮安市"), ("320000", "江苏省"), ("110105", "北京市朝阳区")]
DEPTS = ["人民政府", "人民政府办公室", "财政局", "教育局"]

# the canned queries as they were before agency_years (grouping report_index): the reference
OLD_COVERAGE = """
with recursive
  bounds as (select max(year) as last from reports),
  agencies as (
    select agency, division_code, province, city, county, level, kind, min(year) as first_year,
           count(*) as reports, sum(late) as late, sum(checks_failed > 0) as failing
    from report_index where agency is not null and year is not null
    group by agency, division_code),
  years(agency, division_code, y) as (
    select agency, division_code, first_year from agencies
    union all
    select years.agency, years.division_code, y + 1 from years, bounds where y < bounds.last)
select a.agency, a.province, a.city, a.county, a.level, a.kind, a.first_year, a.reports, a.late, a.failing,
       (select group_concat(y, ', ') from years
         where years.agency = a.agency and years.division_code is a.division_code
           and not exists (select 1 from report_index x where x.agency = a.agency
                           and x.division_code is a.division_code and x.year = years.y)) as missing_years
from agencies a
order by a.province, a.city, a.county, a.agency"""
OLD_BY_REGION = """
select province, city, county, count(distinct agency) as agencies, count(*) as reports,
       min(year) as first_year, max(year) as last_year, sum(late) as late, sum(late is null) as undated,
       sum(checks_failed > 0) as failing
from report_index
group by province, city, county
order by province, city, county"""


def summary_matches(db) -> int:
    db.execute("drop table if exists temp.expected")
    db.execute("create temp table expected as select * from agency_years where 0")
    db.execute(FILL.replace("insert into agency_years", "insert into temp.expected"))
    expected = db.execute("select * from temp.expected order by 1, 2, 3").fetchall()
    got = db.execute("select * from agency_years order by 1, 2, 3").fetchall()
    assert got == expected
    for table in ("region_years", "region_agencies"):  # the region summaries: the grouping of agency_years
        cols = [r[1] for r in db.execute(f"pragma table_info({table})")]
        order = ", ".join(str(i + 1) for i in range(len(cols)))
        db.execute("drop table if exists temp.expected_region")
        db.execute(f"create temp table expected_region as select * from {table} where 0")
        db.execute(region_fill(table, "temp.expected_region"))
        want = db.execute(f"select * from temp.expected_region order by {order}").fetchall()
        assert db.execute(f"select * from {table} order by {order}").fetchall() == want, table
        assert all(isinstance(v, int) for row in want for v in row[-5:] if cols[-1] == "failing")
    late = "select province, sum(reports), sum(late) from {} group by province order by 2 desc, 1"
    assert db.execute(late.format("region_years")).fetchall() == db.execute(late.format("agency_years")).fetchall()
    return len(got)


def canned(name: str) -> str:
    return yaml.safe_load(CANNED_YML.read_text(encoding="utf-8"))["queries"][name]["sql"]


def canned_match(db) -> None:
    for new, old in (("coverage", OLD_COVERAGE), ("coverage_by_region", OLD_BY_REGION)):
        got = db.execute(canned(new)).fetchall()
        want = db.execute(old).fetchall()
        assert [tuple(r) for r in got] == [tuple(r) for r in want], new


def _rec(rng, i: int, year: int | None, published: str | None):
    code, place = PLACES[i % len(PLACES)]
    rec = report(rng, f"http://a.example/r{i}.html", place + DEPTS[i % len(DEPTS)], year, "00" + str(i % 5), i)
    rec.update(region_code=code, published_at=published)
    rec["checks"] = [{"rule": "R1", "scope": "总计", "expected": 1, "actual": 1 + (i % 3 == 0), "ok": i % 3 != 0}]
    rec["checks_failed"] = int(i % 3 == 0) if i % 7 else None
    return rec


def test_summary_follows_saves_revisions_reprocess_and_direct_writes(db):
    rng = random.Random(4)
    ids = []
    for i in range(24):  # agencies × years 2019–2024 with gaps, some late, some undated, one without a year
        year = None if i == 23 else 2019 + (i * 5) % 6
        published = None if i % 5 == 0 else f"{(year or 2020) + 1}-{1 + i % 5:02d}-15"
        outcome, rid = store.save_report(db, _rec(rng, i, year, published), None)
        assert outcome == "new"
        ids.append(rid)
    assert summary_matches(db) > 10
    canned_match(db)
    assert db.execute("select sum(late), sum(undated), sum(failing) from agency_years").fetchone() > (0, 0, 0)
    # a revision at the same URL: same id, other publication date
    rec = _rec(rng, 3, 2022, "2023-06-30")
    rec["body_text"] += " 修订"
    assert store.save_report(db, rec, None)[0] == "updated"
    summary_matches(db)
    # reprocess reads another year and agency for report 5
    new = _rec(rng, 6, 2025, "2026-01-10")
    changes = reparse_report(db, ids[5], Report.from_dict(new))
    assert changes["changed"]
    summary_matches(db)
    canned_match(db)
    # direct SQL: a year, an agency, checks changed; a region row replaced, updated, deleted; a report deleted
    db.execute("update reports set year = 2020 where id = ?", [ids[0]])
    db.execute("update reports set agency = '江苏省审计厅', checks_failed = 2 where id = ?", [ids[1]])
    db.execute("update report_regions set days_late = 40 where report_id = ?", [ids[2]])
    summary_matches(db)
    db.execute("delete from report_regions where report_id = ?", [ids[4]])
    summary_matches(db)  # the report counts under no division until its region row comes back
    other = sqlite3.connect(db.conn.execute("pragma database_list").fetchone()[2], isolation_level=None)
    assert other.execute("pragma recursive_triggers").fetchone()[0] == 0  # another tool: REPLACE is one row still
    other.execute("insert or replace into report_regions (report_id, code, province, days_late) "
                  "values (?, '320813', '江苏省', 3)", [ids[7]])
    other.execute("insert or replace into report_regions (report_id, code, province, days_late) "
                  "values (?, '320813', '江苏省', null)", [ids[7]])
    other.close()
    summary_matches(db)
    db.execute("delete from reports where id = ?", [ids[8]])
    summary_matches(db)
    db.execute("delete from report_regions where report_id = ?", [ids[8]])  # a region row without its report
    summary_matches(db)
    canned_match(db)
    # a region change: the division's province and county rewritten for every report of it
    db.execute("update report_regions set province = '江苏', county = null where code = '320813'")
    summary_matches(db)
    canned_match(db)
    snapshot = db.execute("select * from agency_years order by 1, 2, 3").fetchall()
    rebuild_agency_years(db)
    assert db.execute("select * from agency_years order by 1, 2, 3").fetchall() == snapshot


@pytest.mark.parametrize("dropped", ["agency_years%", "region_%"])
def test_an_archive_without_the_summary_gets_it_on_open(tmp_path, dropped):
    """An archive from before agency_years, or from before the region summaries (agency_years kept)."""
    path = tmp_path / "old.db"
    db = store.open_archive(path)
    rng = random.Random(6)
    for i in range(9):
        store.save_report(db, _rec(rng, i, 2019 + i % 4, f"202{i % 4}-03-01"), None)
    db.close()
    conn = sqlite3.connect(path)  # as an archive from before: no table, index or triggers
    for kind, name in conn.execute("select type, name from sqlite_master where (name like ? or name like "
                                   "'region_%') and type in ('table', 'trigger') and name != 'report_regions' "
                                   "order by type = 'table'", [dropped]).fetchall():
        conn.execute(f"drop {kind} {name}")
    conn.commit()
    conn.close()
    db = store.open_archive(path)
    assert summary_matches(db) > 1
    assert db.execute("select sum(reports) from agency_years").fetchone() == \
        db.execute("select count(*) from reports").fetchone()
    store.save_report(db, _rec(rng, 20, 2021, "2022-01-05"), None)
    summary_matches(db)
    canned_match(db)
    db.close()


def test_listings_read_the_summary_in_order(db):
    """The first page of the coverage listings comes from the index, not from sorting every report."""
    for name in ("coverage", "coverage_by_region"):
        plan = " ".join(r[3] for r in db.execute(f"explain query plan {canned(name)}").fetchall())
        index = "region_years_key" if name == "coverage_by_region" else "agency_years_region"
        assert index in plan and "report_index" not in plan and "TEMP B-TREE FOR ORDER BY" not in plan, (name, plan)
    plan = " ".join(r[3] for r in db.execute(f"explain query plan {canned('late_reports')}").fetchall())
    assert "days_late" in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_removed_and_changed_listings_read_only_their_rows(db):
    """removed_reports reads the gone URLs (a partial index), changed_reports the earlier versions: neither
    reads every report or URL of the archive."""
    plan = " ".join(r[3] for r in db.execute(f"explain query plan {canned('removed_reports')}").fetchall())
    assert "idx_report_urls_gone_at" in plan and "SCAN u" not in plan, plan
    plan = " ".join(r[3] for r in db.execute(f"explain query plan {canned('changed_reports')}").fetchall())
    assert "SCAN r" not in plan and "SEARCH r USING INTEGER PRIMARY KEY" in plan, plan
    rng = random.Random(9)
    rec = _rec(rng, 1, 2021, "2022-01-10")
    _, rid = store.save_report(db, rec, None)
    rec["body_text"] += " 修订"
    rec["content_hash"] = content_hash(rec["body_text"], rec["cells"])
    assert store.save_report(db, rec, None)[0] == "updated"
    db.execute("update report_urls set gone_at = '2026-01-01', gone_status = '404' where report_id = ?", [rid])
    assert [r[0] for r in db.execute(canned("changed_reports"))] == [rid]
    assert [r[0] for r in db.execute(canned("removed_reports"))] == [rid]

"""A synthetic archive of N reports (realistic text, cells and checks), its size and query times.

    .venv/bin/python -m bench.bigarchive --reports 1000000 [--out PATH] [--keep] [--no-fts | --compact]
    .venv/bin/python -m bench.bigarchive --reports 100000          # a smaller run
    .venv/bin/python -m bench.bigarchive --out PATH --reuse        # time an archive built before

A national pass: every division of pipelines/data/divisions_2024.csv (~3,200 counties, prefectures and
provinces) with 45 agencies (government office and departments), each publishing one report a year
2019–2025; N reports take the first N/7 agencies. Report text is one of the five bundled seeds (real
reports, 2.8–8.8 K characters) under the agency's name, every number shifted per report; cells and
checks are those of the seed of the year's template (2019 template for 2019–2020, 2021 after), i.e.
~200 cells with the real canonical keys, numbers shifted alike. Every table a crawl writes per report
is filled: reports, report_urls, cell_values (the report_cells view), report_checks, report_regions,
report_minhash, report_lsh, http_validators, check_values (the report_checks view), both full-text indexes (the word index gets each seed's
jieba segmentation once, varied the same way) and the cell totals.

Built in bulk, not through save_report (≈1.5 h CPU per million reports): the schema is created by
`pipelines.store.open_archive`, its indexes and triggers are dropped, rows go in with executemany and
INSERT … SELECT in one transaction, then the indexes and triggers are re-created from their own SQL
and the totals rebuilt. The two full-text indexes (~2/3 of the build's CPU) are built meanwhile by two
child processes, each in a file of its own (a contentless FTS5 table of the same tokenizer and detail,
fed the same text), and their shadow tables (`_data`, `_idx`,
`_docsize`) copied into the archive's empty indexes at the end: the same index FTS5's 'rebuild' makes
(tests/test_bigarchive.py), three processes instead of one in a row. The build checks that the
result has exactly the schema `ensure_schema` creates. Prints each stage's time, the size per table
(dbstat), then times the documented example queries (docs/tables.md, docs/using.md, docs/search.md,
the datasette canned queries; goal < 100 ms) and full-text searches (goal < 300 ms), cold and warm.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict
from multiprocessing import get_context
from pathlib import Path

import yaml

from crawler.demo.seeds import SEEDS
from pipelines import search, store, words
from pipelines.regions import canonical_agency, classify_agency, days_late, deadline

ROOT = Path(__file__).resolve().parents[1]
DIVISIONS = ROOT / "pipelines" / "data" / "divisions_2024.csv"
# the government office and 44 departments of a county (the names real county portals list)
DEPTS = ["人民政府办公室", "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
         "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局",
         "商务局", "文化广电和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局",
         "统计局", "医疗保障局", "城市管理局", "林业局", "行政审批局", "信访局", "民族宗教事务局", "机关事务管理局",
         "乡村振兴局", "数据资源管理局", "国有资产监督管理委员会", "体育局", "粮食和物资储备局", "人民防空办公室",
         "地方金融监督管理局", "住房公积金管理中心", "税务局", "消防救援大队", "供销合作社联合社", "档案馆",
         "融媒体中心", "投资促进局"]
YEARS = list(range(2019, 2026))
_NUM = re.compile(r"(?<![\d.])(\d{1,4})(?=件|条|次|人次|个|项)")
CELL_SEEDS = {"2019": ["000", "001", "003", "004"], "2021": ["002"]}  # the seeds of each template

QUERIES = {  # the example queries of the documentation
    "new requests by agency and year (tables.md)": """
        select r.agency, r.year, c.value as new_requests
        from reports r cross join report_cells c on c.report_id = r.id
        where c.table_name = '收到和处理政府信息公开申请情况'
          and c.row_label = '一、本年新收政府信息公开申请数量' and c.col_label = '总计'
        order by r.agency, r.year""",
    "行政复议 correction rate per year (tables.md, totals)": """
        select year,
               sum(case when col_label = '行政复议/结果纠正' then value_sum end) * 1.0
               / nullif(sum(case when col_label = '行政复议/总计' then value_sum end), 0) as correction_rate
        from report_cell_totals where table_name = '政府信息公开行政复议、行政诉讼情况' group by year""",
    "行政复议 correction rate per year, from every cell": """
        select r.year,
               sum(case when c.col_label = '行政复议/结果纠正' then c.value end) * 1.0
               / nullif(sum(case when c.col_label = '行政复议/总计' then c.value end), 0) as correction_rate
        from reports r join report_cells c on c.report_id = r.id
        where c.table_name = '政府信息公开行政复议、行政诉讼情况'
        group by r.year""",
    "failing R1 checks (tables.md)": """
        select r.agency, r.year, k.scope, k.expected, k.actual
        from report_checks k join reports r on r.id = k.report_id where k.rule = 'R1' and not k.ok""",
    "reports per year and template (using.md)": "select year, template, count(*) from reports group by 1, 2 order by 1",
    "one agency's reports with a cell (report page)": """
        select r.year, c.value from reports r join report_cells c on c.report_id = r.id
        where r.agency = (select agency from reports where id = 1)
          and c.table_name = '收到和处理政府信息公开申请情况' and c.col_label = '总计'
          and c.row_label = '一、本年新收政府信息公开申请数量' order by r.year""",
    "late reports by province (report_index)": """
        select province, count(*), sum(late) from report_index group by province order by 2 desc""",
    "late reports by province (agency_years)": """
        select province, sum(reports), sum(late) from agency_years group by province order by 2 desc""",
    "late reports by province (region_years)": """
        select province, sum(reports), sum(late) from region_years group by province order by 2 desc""",
}
SEARCHES = {
    "words: 诉讼, every match ranked (search.md)": """select r.id, r.agency, r.year,
        substr(r.body_text, max(1, instr(r.body_text, '诉讼') - 20), 60) as snippet
        from reports_words join reports r on r.id = reports_words.rowid
        where reports_words match '"诉讼"' order by rank limit 20""",
    "words: 诉讼, the newest 500 ranked (search.md)": """select r.id, r.agency, r.year,
        substr(r.body_text, max(1, instr(r.body_text, '诉讼') - 20), 60) as snippet
        from reports_words join reports r on r.id = reports_words.rowid
        where reports_words match '"诉讼"' and reports_words.rowid >= (select min(rowid) from (
          select rowid from reports_words where reports_words match '"诉讼"' order by rowid desc limit 500))
        order by rank limit 20""",
    "words: 商业 秘密, first 50 (every match ranked)": """select r.id, r.agency, r.year from reports_words join reports r
        on r.id = reports_words.rowid where reports_words match '"商业" "秘密"' order by rank limit 50""",
    "words: 商业 秘密, the newest 500 ranked": """select r.id, r.agency, r.year from reports_words join reports r
        on r.id = reports_words.rowid where reports_words match '"商业" "秘密"' and reports_words.rowid >= (
          select min(rowid) from (select rowid from reports_words where reports_words match '"商业" "秘密"'
                                  order by rowid desc limit 500))
        order by rank limit 50""",
    "trigram: 信息处理费 (search.md), first 50": """select r.agency, r.year from reports_fts cross join reports r
        on r.id = reports_fts.rowid where reports_fts.body_text like '%信息处理费%' limit 50""",
    "trigram: 依申请公开, first 50": """select r.agency, r.year from reports_fts cross join reports r
        on r.id = reports_fts.rowid where reports_fts.body_text like '%依申请公开%' limit 50""",
    "trigram: 商业秘密 (all rows)": """select r.agency, r.year from reports_fts cross join reports r
        on r.id = reports_fts.rowid where reports_fts.body_text like '%商业秘密%'""",
}



def agencies() -> list[tuple[str, str]]:
    """(agency, region code) of 45 agencies per division, divisions in file order (provinces first)."""
    out = []
    for line in DIVISIONS.read_text(encoding="utf-8").splitlines()[1:]:
        code, _name, _level, _parent, full = line.split(",")[:5]
        place = full.replace("/", "")
        out += [(place + dept, code) for dept in DEPTS]
    return out


def _parts(text: str) -> list[str]:
    """text split so that odd items are the numbers a report varies (n 件, n 条, …)."""
    return _NUM.split(text)


def _vary(parts: list[str], shift: int) -> str:
    return "".join(str(int(p) + shift) if i % 2 else p for i, p in enumerate(parts))


def plan(rid: int) -> tuple[int, int, str, int, int]:
    """Report id (1-based) → (agency index, year, cell seed, body seed, number shift)."""
    year = YEARS[(rid - 1) % len(YEARS)]
    template = "2019" if year < 2021 else "2021"
    cell_seeds = CELL_SEEDS[template]
    return (rid - 1) // len(YEARS), year, cell_seeds[rid % len(cell_seeds)], f"{rid % 5:03d}", rid * 7919 % 51


def _text(agency: str, year: int, body: list[str], shift: int) -> tuple[str, str]:
    """A report's title and body text."""
    title = f"{agency}{year}年政府信息公开工作年度报告"
    return title, f"{title}\n本报告由{agency}编制。\n" + _vary(body, shift)


def _report_rows(n: int, who: list[tuple[str, str]], bodies: dict[str, list[str]]) -> Iterator[tuple[list, ...]]:
    regions: dict[str, dict] = {}
    for rid in range(1, n + 1):
        a, year, cseed, bseed, shift = plan(rid)
        agency, code = who[a % len(who)]
        title, body = _text(agency, year, bodies[bseed], shift)
        url = f"http://www.d{code}.gov.cn/zwgk/xxgknb/{year}/t{rid}.html"
        month = 1 + rid % 5  # some published after the deadline (31 Jan for departments, 31 Mar for governments)
        published = f"{year + 1}-{month:02d}-{1 + rid % 28:02d}"
        failed = int(rid % 10 < 3)
        digest = hashlib.sha256(body.encode()).hexdigest()
        seen = "2026-01-01T00:00:00+00:00"
        if agency not in regions:  # region_row's agency classification, once per agency (its 7 years share it)
            regions[agency] = {**asdict(classify_agency(agency, code)),
                               "agency_canonical": canonical_agency(agency, code)}
        due = deadline(year, regions[agency]["kind"])
        region = {"report_id": rid, **regions[agency], "deadline": due and due.isoformat(),
                  "days_late": days_late(published, due)}
        yield (
            [rid, url, title, agency, year, published, SEEDS[cseed].template, "html", f"d{code}", code, body,
             len(SEEDS[cseed].expected["cells"]), failed, digest, seen, seen, "extracted", "page", "bench"],
            [rid, url, url, "page", f"d{code}", f"http://www.d{code}.gov.cn/zwgk/xxgknb/", seen, seen],
            [url, "page", f'"{digest[:16]}"', "Thu, 01 Jan 2026 00:00:00 GMT", digest, rid, 200, seen, seen, 1, 1],
            [region[k] for k in ("report_id", "code", "province", "city", "county", "level", "kind", "township",
                                 "deadline", "days_late", "agency_canonical")],
        )


def _stage(stages: list[tuple[str, float]], name: str, start: float) -> float:
    now = time.monotonic()
    stages.append((name, now - start))
    print(f"  {name}: {now - start:.1f} s", flush=True)
    return now


def _schema(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute("select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_stat%' "
                        "order by type, name").fetchall()


# FTS5's pending-terms buffer ('hashsize') is left at its default (1 MB): 64 MB took more CPU
# (`side_index` of 5,000 reports, trigram: 3.8 and 3.6 s with 1 MB, 5.4 s with 64 MB)


def _side_sql(kind: str, compact: bool) -> str:
    """The index's CREATE VIRTUAL TABLE, contentless (the side file holds no reports): same tokenizer,
    columns and detail, so the shadow tables it fills are those of the archive's index."""
    if kind == "words":
        return search._WORDS_SQL
    sql = search.FTS_COMPACT_SQL if compact else search._FTS_SQL
    return sql.replace("content='reports', content_rowid='id'", "content=''")


def side_index(path: Path, kind: str, n: int, compact: bool = False, batch: int = 5000,
               hash_mb: int | None = None, parent: int | None = None) -> float:
    """Build one full-text index ("trigram" or "words") of reports 1..n in its own file, from the same
    text the archive gets (run in a child process beside the main load; it stops when its `parent`
    process is gone); returns its CPU seconds."""
    cpu = time.process_time()
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "locking_mode=EXCLUSIVE", "cache_size=-262144"):
        conn.execute(f"PRAGMA {pragma}")
    table = search.WORDS_TABLE if kind == "words" else search.FTS_TABLE
    conn.execute(_side_sql(kind, compact))
    if hash_mb:
        conn.execute(f"insert into {table} ({table}, rank) values ('hashsize', ?)", (hash_mb << 20,))
    who = agencies()
    seeds = {k: SEEDS[k] for k in sorted(SEEDS)}
    if kind == "words":
        bodies = {k: _parts(words.segment(s.text)) for k, s in seeds.items()}
    else:
        bodies = {k: _parts(s.text) for k, s in seeds.items()}
    conn.execute("BEGIN")
    for lo in range(1, n + 1, batch):
        if parent is not None and os.getppid() != parent:
            raise SystemExit("bench.bigarchive: the build was stopped")
        chunk = []
        for rid in range(lo, min(n, lo + batch - 1) + 1):
            a, year, _c, bseed, shift = plan(rid)
            agency = who[a % len(who)][0]
            if kind == "words":
                chunk.append((rid, words.SEP.join((agency, f"{year}年", "政府信息公开", "工作", "年度报告")), agency,
                              words.SEP.join((agency, f"{year}年", "政府信息公开", "工作", "年度报告", "本报告", "由",
                                              agency, "编制", "。")) + "\n" + _vary(bodies[bseed], shift)))
            else:
                title, body = _text(agency, year, bodies[bseed], shift)
                chunk.append((rid, title, agency, body))
        conn.executemany(f"insert into {table} (rowid, title, agency, body_text) values (?, ?, ?, ?)", chunk)
    conn.execute("COMMIT")
    conn.close()
    return time.process_time() - cpu


def _copy_index(conn: sqlite3.Connection, side: Path, table: str) -> None:
    """Replace the (empty) index `table` of the archive by the one built in `side`: its shadow tables'
    rows (the index itself, per-report sizes), not its config (the archive's own: version, rank)."""
    conn.execute("attach database ? as side", (str(side),))
    conn.execute("BEGIN")
    for shadow in ("data", "idx", "docsize"):
        conn.execute(f"delete from main.{table}_{shadow}")
        conn.execute(f"insert into main.{table}_{shadow} select * from side.{table}_{shadow}")
    conn.execute("COMMIT")
    conn.execute("detach database side")


def build(path: Path, n: int, fts: bool = True, batch: int = 5000, compact: bool = False) -> list[tuple[str, float]]:
    """Build the archive (with `compact`: as `nianbao compact` writes it, the trigram index without
    positions); returns (stage, seconds)."""
    stages: list[tuple[str, float]] = []
    t = start = time.monotonic()
    db = store.open_archive(path)
    if compact:
        search.drop_positions(db)
    db.close()
    # both full-text indexes are built by two child processes, each in its own file, while this one
    # loads the tables (2+ cores: the index builds, ~2/3 of the CPU, run beside the load), then copied in
    sides = {kind: path.with_name(f"{path.name}.{kind}") for kind in ("trigram", "words")} if fts else {}
    pool = ProcessPoolExecutor(len(sides), mp_context=get_context("spawn")) if fts else None
    futures: dict[str, Future[float]] = {kind: pool.submit(side_index, side, kind, n, compact, batch,
                                                                   None, os.getpid())
                                         for kind, side in sides.items()} if pool else {}
    try:
        return _load(path, n, stages, t, start, batch, futures, sides)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
        for side in sides.values():
            side.unlink(missing_ok=True)


def _load(path: Path, n: int, stages: list[tuple[str, float]], t: float, start: float, batch: int,
          futures: dict[str, Future[float]], sides: dict[str, Path]) -> list[tuple[str, float]]:
    """The tables, their indexes and (from the side files) the full-text indexes, in `path`."""
    conn = sqlite3.connect(path, isolation_level=None)
    expected_schema = _schema(conn)
    conn.execute("PRAGMA journal_mode=OFF")  # a throwaway build: no rollback journal, a big page cache
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("PRAGMA cache_size=-1000000")
    conn.execute("PRAGMA temp_store=FILE")
    # indexes and triggers go, and come back from their own SQL after the load
    later = conn.execute("select type, name, sql from sqlite_master where type in ('index', 'trigger') "
                         "and sql is not null order by rowid").fetchall()
    for kind, name, _ in later:
        conn.execute(f'drop {kind} "{name}"')
    conn.execute("BEGIN")
    seeds = {k: SEEDS[k] for k in sorted(SEEDS)}
    bodies = {k: _parts(s.text) for k, s in seeds.items()}
    conn.execute("create temp table seed_cells (seed text, key_id integer, value real, raw text, unit text, flag text,"
                 " primary key (seed, key_id))")
    conn.execute("create temp table seed_checks (seed text, n integer, key_id integer, scope text, expected real, "
                 "actual real, primary key (seed, n))")
    for k, s in seeds.items():
        for c in s.expected["cells"]:
            conn.execute("insert or ignore into cell_keys (table_name, row_label, col_label) values (?, ?, ?)",
                         (c["table_name"], c["row_label"], c["col_label"]))
            key = conn.execute("select id from cell_keys where table_name = ? and row_label = ? and col_label = ?",
                               (c["table_name"], c["row_label"], c["col_label"])).fetchone()[0]
            conn.execute("insert or replace into seed_cells values (?, ?, ?, ?, ?, ?)",
                         (k, key, c["value"], store.cells.stored_raw(c["value"], c.get("raw")), c.get("unit"),
                          c.get("flag")))
        for i, c in enumerate(s.expected.get("checks", [])):
            conn.execute(store.checks.ADD_KEY.format(r="?1", s="?2"), (c["rule"], c["scope"]))
            key = conn.execute(store.checks.KEY.format(r="?1", s="?2"), (c["rule"], c["scope"])).fetchone()[0]
            conn.execute("insert into seed_checks values (?, ?, ?, ?, ?, ?)",
                         (k, i, key, c["scope"], c.get("expected"), c.get("actual")))
    who = agencies()
    conn.execute("create temp table plan (id integer primary key, cseed text, shift integer, year integer)")
    rows = _report_rows(n, who, bodies)
    done = 0
    while done < n:
        chunk = [next(rows) for _ in range(min(batch, n - done))]
        conn.executemany(
            """insert into reports (id, url, title, agency, year, published_at, template, source_kind, portal,
               region_code, body_text, needs_ocr, cells_count, nulls_count, checks_failed, content_hash, first_seen,
               last_seen, first_run_id, last_run_id, version, agency_source, published_source, parser_version)
               values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?, ?, ?, 1, 1, 1, ?, ?, ?)""",
            [c[0] for c in chunk])
        conn.executemany("insert into report_urls (report_id, url, canonical_url, kind, portal, page_url, first_seen, "
                         "last_seen) values (?, ?, ?, ?, ?, ?, ?, ?)", [c[1] for c in chunk])
        conn.executemany("insert into http_validators (url, kind, etag, last_modified, sha256, report_id, last_status,"
                         " first_seen, last_seen, last_run_id, is_report) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [c[2] for c in chunk])
        conn.executemany("insert into report_regions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [c[3] for c in chunk])
        conn.executemany("insert into plan values (?, ?, ?, ?)",
                         [(p[0], p[3], p[5], p[2]) for p in ((c[0][0], *plan(c[0][0])) for c in chunk)])
        done += len(chunk)
        if done % 100_000 < batch:
            print(f"    {done} reports, {time.monotonic() - t:.0f} s", flush=True)
    t = _stage(stages, "reports, urls, validators, regions (Python rows)", t)
    conn.execute("""insert into cell_values (report_id, key_id, value, raw, unit, flag)
                    select p.id, s.key_id,
                           case when s.value = cast(s.value as integer) then s.value + p.shift else s.value end,
                           s.raw, s.unit, s.flag
                    from plan p join seed_cells s on s.seed = p.cseed order by p.id, s.key_id""")
    t = _stage(stages, "cell_values (INSERT … SELECT)", t)
    conn.execute("""insert into check_values (report_id, key_id, expected, actual, ok)
                    select p.id, c.key_id, c.expected + p.shift, c.actual + p.shift,
                           not (p.id % 10 < 3 and c.n = 0)
                    from plan p join seed_checks c on c.seed = p.cseed order by p.id, c.key_id""")
    t = _stage(stages, "check_values (the report_checks view)", t)
    conn.execute("insert into report_minhash select id, randomblob(512) from plan")
    conn.execute("""with recursive band(b) as (select 0 union all select b + 1 from band where b < 15)
                    insert into report_lsh (bucket, report_id)
                    select b || ':' || lower(hex(randomblob(8))), id from plan, band""")
    t = _stage(stages, "report_minhash, report_lsh", t)
    # cell totals from the plan (every report of a (year, seed) has the seed's cells, shifted): what
    # rebuild_totals computes from 200 cells a report, in O(years × seeds × keys); the bench checks it
    # against the from-cells correction-rate query
    conn.execute("""insert into cell_year_totals (year, key_id, reports, values_count, value_sum)
                    select p.year, s.key_id, sum(p.n), sum(case when s.value is not null then p.n else 0 end),
                           total(case when s.value = cast(s.value as integer) then s.value * p.n + p.shifts
                                      else ifnull(s.value * p.n, 0) end)
                    from (select year, cseed, count(*) as n, sum(shift) as shifts from plan group by 1, 2) p
                    join seed_cells s on s.seed = p.cseed group by 1, 2 order by 1, 2""")
    t = _stage(stages, "cell totals", t)
    store.coverage_totals.rebuild_agency_years(conn)  # what its triggers keep on write, from every report at once
    t = _stage(stages, "agency_years (coverage summary)", t)
    conn.execute("COMMIT")
    conn.execute("BEGIN")
    for kind, _name, sql in later:
        if kind == "index":
            conn.execute(sql)
    t = _stage(stages, "indexes", t)
    conn.execute("COMMIT")
    for kind, table in (("trigram", search.FTS_TABLE), ("words", search.WORDS_TABLE)):
        if kind in futures:
            cpu = futures[kind].result()  # the child's build, begun with the load
            t = _stage(stages, f"{kind} index: waited for its side build ({cpu:.0f} s CPU in the child)", t)
            _copy_index(conn, sides[kind], table)
            sides[kind].unlink()
            t = _stage(stages, f"{kind} index: copied in", t)
    conn.execute("BEGIN")
    for kind, _name, sql in later:
        if kind == "trigger":
            conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA locking_mode=NORMAL")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    db = store.open_archive(path)  # what a crawl would do next: migrations (totals rebuilt if missing), pending words
    if _schema(db.conn) != expected_schema:
        raise SystemExit("the built archive's schema differs from ensure_schema's")
    t = _stage(stages, "open_archive (ensure_schema)", t)
    db.execute("PRAGMA analysis_limit=1000")  # sampled statistics, as PRAGMA optimize takes them: minutes less at 1M
    db.execute("ANALYZE")
    db.close()
    t = _stage(stages, "ANALYZE", t)
    stages.append(("total", t - start))
    return stages


def write_cost(n: int, rounds: int = 3) -> None:
    """save_report CPU per report with the totals triggers and without them, alternating, fresh archives
    (round 1 includes the warm-up of the first writes in the process)."""
    from pipelines.dedup import canonical_url, content_hash, minhash_signature

    def record(i: int) -> dict:
        seed = SEEDS[f"{i % 5:03d}"]
        cells = [{**c, "value": None if c["value"] is None else c["value"] + i % 50} for c in seed.expected["cells"]]
        body = f"某县{i}局{2019 + i % 7}年政府信息公开工作年度报告 {i}\n" + seed.text
        url = f"http://w.example/{i}.html"
        return {"url": url, "canonical_url": canonical_url(url), "url_kind": "page",
                "urls": [(url, canonical_url(url), "page", None)], "title": body.split()[0], "agency": f"某县{i}局",
                "year": 2019 + i % 7, "body_text": body, "cells": cells, "ambiguous": [], "checks": [],
                "content_hash": content_hash(body, cells), "minhash": minhash_signature(body, cells)}

    records = [record(i) for i in range(n)]
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-write-"))
    for r in range(rounds):
        out = {}
        for triggers in (True, False):
            path = tmp / f"{r}{triggers}.db"
            db = store.open_archive(path)
            if not triggers:
                for (name,) in db.execute("select name from sqlite_master where type = 'trigger' "
                                          "and name like '%totals%'").fetchall():
                    db.execute(f"drop trigger {name}")
            start = time.process_time()
            for rec in records:
                store.save_report(db, rec, None)
            out[triggers] = (time.process_time() - start) / n * 1000
            db.close()
        print(f"round {r + 1}: save_report {out[True]:.2f} ms CPU per report with the totals triggers, "
              f"{out[False]:.2f} without ({n} seed reports, ~200 cells each)")
    shutil.rmtree(tmp)


def canned() -> dict[str, str]:
    """The datasette canned queries (crawler/datasette/canned.yml), but the search box (SEARCHES has it)."""
    queries = yaml.safe_load((ROOT / "crawler" / "datasette" / "canned.yml").read_text(encoding="utf-8"))["queries"]
    return {f"canned: {name}": q["sql"] for name, q in queries.items() if ":q" not in q["sql"]}


def timed(conn: sqlite3.Connection, sql: str) -> tuple[float, int]:
    start = time.perf_counter()
    rows = conn.execute(sql).fetchall()
    return (time.perf_counter() - start) * 1000, len(rows)


def timed_search(db, query: str) -> float:
    from pipelines.search import search_result

    start = time.perf_counter()
    search_result(db, query)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, help="archive path (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep the archive")
    parser.add_argument("--reuse", action="store_true", help="time an existing --out archive, do not build")
    parser.add_argument("--all", action="store_true", help="on big archives, time the from-every-cell query too")
    parser.add_argument("--no-fts", action="store_true", help="leave both full-text indexes empty (searches not timed)")
    parser.add_argument("--compact", action="store_true",
                        help="build the download form of `nianbao compact` (trigram index without positions)")
    parser.add_argument("--write-cost", type=int, metavar="N",
                        help="only: save_report CPU per report with and without the totals triggers, N reports")
    args = parser.parse_args()
    if args.write_cost:
        write_cost(args.write_cost)
        return
    path = args.out or Path(tempfile.mkdtemp(prefix="nianbao-big-")) / "archive.db"
    if not args.reuse:
        path.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(path.parent).free
        print(f"building {args.reports} reports in {path} ({free / 1e9:.0f} GB free)", flush=True)
        stages = build(path, args.reports, fts=not args.no_fts, compact=args.compact)
        print(f"built {args.reports} reports in {stages[-1][1]:.0f} s "
              f"({args.reports / stages[-1][1]:.0f} reports/s, {os.cpu_count()} cores shared)")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    n = conn.execute("select count(*) from reports").fetchone()[0]
    fts = conn.execute("select count(*) from reports_words_docsize").fetchone()[0] > 0
    size = path.stat().st_size
    print(f"archive: {size / 1e9:.2f} GB, {size / n / 1024:.1f} KB per report ({n} reports"
          f"{'' if fts else ', full-text indexes empty'})")
    # (not dbstat's aggregate mode: its pgsize overflows 32 bits for a table over 2 GB)
    parts = conn.execute("select name, sum(pgsize) from dbstat group by name order by 2 desc").fetchall()
    print("  KB per report by table or index: " + ", ".join(f"{name} {b / n / 1024:.2f}" for name, b in parts
                                                             if b / n >= 10))
    groups = [("example queries", QUERIES | canned(), 100)] + ([("full-text searches", SEARCHES, 300)] if fts else [])
    for title, group, goal in groups:
        print(f"{title} (goal < {goal} ms): cold / warm ms, rows; the first 50 rows (a datasette page) warm ms")
        for name, sql in group.items():
            if "from every cell" in name and n > 200_000 and not args.all:
                print(f"  {name:52s} skipped (reads every cell: --all times it)")
                continue
            cold, rows = timed(conn, sql)
            warm = min(timed(conn, sql)[0] for _ in range(3))
            page = min(timed(conn, f"select * from ({sql}) limit 50")[0] for _ in range(3))
            flag = "" if min(warm, page) < goal else "  OVER"
            print(f"  {name:52s} {cold:8.1f} / {warm:8.1f}  {rows:7d}  first 50: {page:7.1f}{flag}")
    if fts:  # what a researcher types: `nianbao search` (pipelines.search.search_result, 50 results)
        import sqlite_utils

        from pipelines.search import search_result
        sdb = sqlite_utils.Database(conn)
        print("nianbao search (goal < 300 ms): cold / warm ms, results, how")
        for q in ("诉讼", "复议 纠正", "依申请公开", "政府信息公开", "信息处理费", "商业秘密", "本机关未收取"):
            start = time.perf_counter()
            res = search_result(sdb, q)
            cold = (time.perf_counter() - start) * 1000
            warm = min(timed_search(sdb, q) for _ in range(3))
            flag = "" if warm < 300 else "  OVER"
            print(f"  {q:20s} {cold:8.1f} / {warm:8.1f}  {len(res.rows):3d}  {res.ranking}; {res.substrings}{flag}")
    by_cells = QUERIES["行政复议 correction rate per year, from every cell"]
    if n <= 200_000 or args.all:
        same = sorted(conn.execute(QUERIES["行政复议 correction rate per year (tables.md, totals)"])) == \
            sorted(conn.execute(by_cells))
        print(f"correction rates from report_cell_totals {'equal' if same else 'DIFFER FROM'} those from every cell")
    conn.close()
    if not args.keep and not args.out:
        shutil.rmtree(path.parent)  # the temporary folder, with the archive's -wal and -shm

if __name__ == "__main__":
    main()

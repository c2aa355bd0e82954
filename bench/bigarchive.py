"""A synthetic archive of N reports (realistic text, cells and checks), its size and query times.

    .venv/bin/python -m bench.bigarchive --reports 1000000 [--out PATH] [--keep]
    .venv/bin/python -m bench.bigarchive --reports 20000          # a smaller run

Reports are the five bundled seeds (tests/fixtures/seeds: real reports, 2.8–8.8 K characters, ~200
cells, ~40 checks) under the registry's portals' agencies, years 2008–2025, every number shifted per
report, so text, cells and checks vary like a real national pass. Rows go in through the archive's
own schema (`pipelines.store.open_archive`): the report_cells store, both full-text indexes (the
trigram index through its triggers; the word index gets each seed's jieba segmentation once, varied
the same way), report_regions. Then it times the documented example queries (docs/tables.md,
docs/using.md, docs/search.md; goal < 100 ms) and full-text searches (goal < 300 ms), cold and warm,
and prints the archive's size per report by table.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import re
import sqlite3
import tempfile
import time
from pathlib import Path

from crawler.demo.seeds import SEEDS
from crawler.registry import REGISTRY_PATH
from pipelines import store, words
from pipelines.regions import region_row

DEPTS = ["人民政府办公室", "发展和改革委员会", "教育局", "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局",
         "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "卫生健康委员会",
         "应急管理局", "审计局", "市场监督管理局", "城市管理局", "医疗保障局", "退役军人事务局", "统计局", "林业局"]
_NUM = re.compile(r"(?<![\d.])(\d{1,4})(?=件|条|次|人次|个|项)")

QUERIES = {  # the example queries of the documentation
    "new requests by agency and year (tables.md)": """
        select r.agency, r.year, c.value as new_requests
        from reports r join report_cells c on c.report_id = r.id
        where c.table_name = '收到和处理政府信息公开申请情况'
          and c.row_label = '一、本年新收政府信息公开申请数量' and c.col_label = '总计'
        order by r.agency, r.year""",
    "行政复议 correction rate per year (tables.md)": """
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
}
SEARCHES = {
    "words: 诉讼 (search.md)": """select r.id, r.agency, r.year,
        substr(r.body_text, max(1, instr(r.body_text, '诉讼') - 20), 60) as snippet
        from reports_words join reports r on r.id = reports_words.rowid
        where reports_words match '"诉讼"' order by rank limit 20""",
    "words: 信息处理费, first 50": """select r.id, r.agency, r.year from reports_words join reports r
        on r.id = reports_words.rowid where reports_words match '"商业" "秘密"' order by rank limit 50""",
    "trigram: 信息处理费 (search.md), first 50": """select r.agency, r.year from reports r where r.id in
        (select rowid from reports_fts where reports_fts.body_text like '%信息处理费%') limit 50""",
    "trigram: 依申请公开, first 50": """select r.agency, r.year from reports r where r.id in
        (select rowid from reports_fts where reports_fts.body_text like '%依申请公开%') limit 50""",
    "trigram: 商业秘密 (all rows)": """select r.agency, r.year from reports r where r.id in
        (select rowid from reports_fts where reports_fts.body_text like '%商业秘密%')""",
}


def agencies(n: int) -> list[tuple[str, str]]:
    with REGISTRY_PATH.open(encoding="utf-8") as fh:
        portals = [(r["division"] or r["name"], r["region_code"]) for r in csv.DictReader(fh) if r.get("region_code")]
    rng = random.Random(7)
    out = []
    for i in range(n):
        division, code = portals[i % len(portals)]
        out.append((division + rng.choice(DEPTS), code))
    return out


def build(path: Path, n: int, batch: int = 2000) -> float:
    start = time.monotonic()
    db = store.open_archive(path)
    db.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")  # a throwaway build: no rollback journal, big page cache
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    seeds = [SEEDS[k] for k in sorted(SEEDS)]
    bodies = [s.text for s in seeds]
    seg = [words.segment(t) for t in bodies]  # jieba once per seed; numbers are varied in both texts alike
    key_ids: dict[tuple[str, str, str], int] = {}
    for s in seeds:
        for c in s.expected["cells"]:
            key = (c["table_name"], c["row_label"], c["col_label"])
            if key not in key_ids:
                conn.execute("insert or ignore into cell_keys (table_name, row_label, col_label) values (?, ?, ?)", key)
                key_ids[key] = conn.execute("select id from cell_keys where table_name = ? and row_label = ? "
                                            "and col_label = ?", key).fetchone()[0]
    who = agencies(max(1, n // 12))  # ~12 reports (years) per agency
    region_cache: dict[tuple[str, str, int], dict] = {}
    rng = random.Random(1)
    rid = 0
    while rid < n:
        conn.execute("BEGIN")
        for _ in range(min(batch, n - rid)):
            rid += 1
            k = rid % len(seeds)
            seed = seeds[k]
            agency, code = who[(rid - 1) // 12 % len(who)]
            year = 2008 + (rid - 1) % 12 + (6 if rid % 3 == 0 else 0)
            shift = rng.randint(0, 50)

            def vary(text: str, shift: int = shift) -> str:
                return _NUM.sub(lambda m: str(int(m.group(1)) + shift), text)

            head = f"{agency}{year}年政府信息公开工作年度报告\n本报告由{agency}编制。\n"
            body = head + vary(bodies[k])
            title = f"{agency}{year}年政府信息公开工作年度报告"
            url = f"http://www.example{rid % 3000}.gov.cn/zwgk/xxgknb/{year}/t{rid}.html"
            failed = int(rng.random() < 0.3)
            conn.execute(
                """insert into reports (id, url, title, agency, year, published_at, template, source_kind, portal,
                   region_code, body_text, needs_ocr, cells_count, nulls_count, checks_failed, content_hash, first_seen,
                   last_seen, first_run_id, last_run_id, version)
                   values (?, ?, ?, ?, ?, ?, ?, 'html', ?, ?, ?, 0, ?, 0, ?, ?, ?, ?, 1, 1, 1)""",
                [rid, url, title, agency, year, f"{year + 1}-0{1 + rid % 3}-{10 + rid % 18}", seed.template,
                 agency[:6], code, body, len(seed.expected["cells"]), failed,
                 hashlib.sha256(body.encode()).hexdigest(), "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00"])
            conn.execute("insert into reports_words (rowid, title, agency, body_text) values (?, ?, ?, ?)",
                         [rid, words.SEP.join((agency, f"{year}年", "政府信息公开", "工作", "年度报告")), agency,
                          words.SEP.join(("本报告", "由", agency, "编制", "。")) + "\n" + vary(seg[k])])
            conn.executemany(
                "insert into cell_values (report_id, key_id, value, raw, unit, flag) values (?, ?, ?, null, ?, ?)",
                [(rid, key_ids[(c["table_name"], c["row_label"], c["col_label"])],
                  None if c["value"] is None else float(int(c["value"]) + shift) if float(c["value"]).is_integer()
                  else c["value"], c.get("unit"), c.get("flag")) for c in seed.expected["cells"]])
            conn.executemany(
                "insert or ignore into report_checks (report_id, rule, scope, expected, actual, ok) values (?, ?, ?, ?, ?, ?)",
                [(rid, c["rule"], c["scope"], c.get("expected"), c.get("actual"), int(not (failed and i == 0)))
                 for i, c in enumerate(seed.expected.get("checks", []))])
            rkey = (agency, code, year)
            if rkey not in region_cache:
                region_cache[rkey] = region_row({"id": 0, "agency": agency, "region_code": code, "year": year,
                                                 "published_at": f"{year + 1}-02-10"})
            conn.execute("insert into report_regions values (:report_id, :code, :province, :city, :county, :level, "
                         ":kind, :township, :deadline, :days_late)", {**region_cache[rkey], "report_id": rid})
        conn.execute("delete from reports_words_pending")
        conn.execute("COMMIT")
        if rid % 20000 < batch:
            print(f"  {rid} reports, {time.monotonic() - start:.0f} s", flush=True)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    return time.monotonic() - start


def timed(conn: sqlite3.Connection, sql: str) -> tuple[float, int]:
    start = time.perf_counter()
    rows = conn.execute(sql).fetchall()
    return (time.perf_counter() - start) * 1000, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, help="archive path (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep the archive")
    parser.add_argument("--reuse", action="store_true", help="time an existing --out archive, do not build")
    args = parser.parse_args()
    path = args.out or Path(tempfile.mkdtemp(prefix="nianbao-big-")) / "archive.db"
    if not args.reuse:
        path.unlink(missing_ok=True)
        seconds = build(path, args.reports)
        print(f"built {args.reports} reports in {seconds:.0f} s")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    n = conn.execute("select count(*) from reports").fetchone()[0]
    size = path.stat().st_size
    print(f"archive: {size / 1e9:.2f} GB, {size / n / 1024:.1f} KB per report ({n} reports)")
    parts = conn.execute("select name, sum(pgsize) from dbstat group by name order by 2 desc").fetchall()
    print("  KB per report: " + ", ".join(f"{name} {b / n / 1024:.1f}" for name, b in parts[:12]))
    for title, group, goal in (("example queries", QUERIES, 100), ("full-text searches", SEARCHES, 300)):
        print(f"{title} (goal < {goal} ms): cold / warm ms, rows; the first 50 rows (a datasette page) warm ms")
        for name, sql in group.items():
            cold, rows = timed(conn, sql)
            warm = min(timed(conn, sql)[0] for _ in range(3))
            page = min(timed(conn, f"select * from ({sql}) limit 50")[0] for _ in range(3))
            flag = "" if warm < goal else "  OVER"
            print(f"  {name:48s} {cold:8.1f} / {warm:8.1f}  {rows:7d}  first 50: {page:7.1f}{flag}")
    conn.close()
    if not args.keep and not args.out:
        path.unlink()


if __name__ == "__main__":
    main()

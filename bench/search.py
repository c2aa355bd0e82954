"""Search figures: word-index build rate, query times and index sizes, on the demo archive or on a
synthetic archive of N reports.

    python -m bench.search --db data/archive.db            # an existing archive (e.g. bin/demo's)
    python -m bench.search --synthetic 100000 --out /tmp/big.db
    python -m bench.search --db A.db --repeat 3 --plain --canned-before OLD.yml   # before/after, alternating

The synthetic archive varies the five seed reports of tests/fixtures/seeds (agency, year, numbers,
paragraph order, a few inserted sentences) so that text repeats the way real reports repeat their
template, but not verbatim. Each query is timed as `nianbao search` runs it (`pipelines.search.search`,
50 results, ranked), as datasette's canned `search` query runs it (crawler/datasette/canned.yml, with
the plugin's `escape_fts`) and as plain datasette's search box runs it (its own SQL: every word match,
sorted by year, first page of 50; without the page's count and facets).

The search box is then timed through datasette itself (its test client, in this process; the settings of
`nianbao serve`, with the project's plugins: the newest BOX_CAP matches): the page a researcher opens
(`report_index?_search=…`, HTML, narrow columns), and from the same request as JSON with `?_trace=1`
the time of each of datasette's queries on it, summed by kind: the plugin's read of the newest matches' ids, the page's rows,
the row count, the facets of the metadata and the facet suggestions (these run 3 at a time, so their sums
exceed the page's time). `--plain` also times plain datasette (no plugins, every match; the query's
words separated by spaces, as its users type them), alternating with the plugin's box.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from pathlib import Path

import sqlite_utils
import yaml

from crawler.commands import serve
from crawler.datasette.plugins.researchers_view import BRIEF_COLUMNS, escape_fts
from pipelines import store
from pipelines.search import index_pending, search, search_result
from pipelines.words import fts_query, words

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
CANNED = ROOT / "crawler" / "datasette" / "canned.yml"
QUERIES = ["诉讼", "复议", "公开", "纠正", "依申请公开", "政府信息公开", "信息处理费", "复议 纠正", "本机关未收取"]
PLACES = ["城市管理局", "自然资源和规划局", "人民政府办公室", "街道办事处", "教育局", "卫生健康委员会", "公安局", "财政局",
          "市场监督管理局", "生态环境局", "交通运输局", "住房和城乡建设局", "人力资源和社会保障局", "司法局", "民政局"]
TOWNS = ["伊川县", "双辽市", "常熟市", "贵池区", "麒麟区", "海淀区", "浦东新区", "余杭区", "龙岗区", "武侯区", "雁塔区", "岳麓区"]
EXTRA = ["本年度未发生因政府信息公开引起的行政复议、行政诉讼案件。", "全年共收到依申请公开政府信息申请{n}件。",
         "行政复议结果纠正{n}件，行政诉讼结果纠正{m}件。", "未收取信息处理费。", "主动公开政府信息{n}条。"]


def synthetic(path: Path, n: int, seed: int = 1) -> float:
    """Write n reports straight into `reports` (the triggers queue them); returns seconds spent."""
    rng = random.Random(seed)
    bodies = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    paragraphs = [[x for x in b.split("\n") if x.strip()] for b in bodies]
    db = store.open_archive(path)
    t0 = time.perf_counter()
    batch = []
    for i in range(n):
        town, place, year = rng.choice(TOWNS), rng.choice(PLACES), rng.randint(2015, 2024)
        agency = town + place
        paras = list(rng.choice(paragraphs))
        head, rest = paras[:3], paras[3:]
        rng.shuffle(rest)
        rest = [p.replace("2020", str(year)).replace("2021", str(year + 1)) for p in rest]
        for _ in range(rng.randint(1, 4)):
            rest.insert(rng.randrange(len(rest) + 1), rng.choice(EXTRA).format(n=rng.randint(0, 300),
                                                                               m=rng.randint(0, 9)))
        body = "\n".join([agency, *head, *rest])
        batch.append((f"{agency}{year}年政府信息公开工作年度报告", agency, year, body, f"syn{i}"))
        if len(batch) == 2000:
            _flush(db, batch)
    _flush(db, batch)
    db.close()
    return time.perf_counter() - t0


def _flush(db, batch: list) -> None:
    if batch:
        with store.transaction(db):
            db.conn.executemany("insert into reports (title, agency, year, body_text, content_hash) "
                                "values (?, ?, ?, ?, ?)", batch)
        batch.clear()


def table_bytes(conn: sqlite3.Connection, prefix: str) -> int | None:
    try:
        return conn.execute("select sum(pgsize) from dbstat where name like ?", [prefix + "%"]).fetchone()[0]
    except sqlite3.OperationalError:  # SQLite built without dbstat
        return None


def canned_sql(path: Path) -> str:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]["search"]["sql"]


def time_queries(path: Path, repeat: int, before: Path | None = None) -> list[tuple]:
    """Per query: results, then median ms of `nianbao search`, datasette's canned `search` query (with
    the plugin's escape_fts) and plain datasette's search box SQL; with `before` (another canned.yml),
    its search query's median ms, run alternately, and how many of its first 50 rows the canned gives too."""
    db = store.open_archive(path)
    db.conn.create_function("escape_fts", 1, escape_fts)
    canned = canned_sql(CANNED)
    old = canned_sql(before) if before else None
    search(db, "公开")  # jieba loaded, caches warm
    out = []
    for q in QUERIES:
        cli, can, box, was = [], [], [], []
        same = None
        for _ in range(repeat):
            if old is not None:
                t = time.perf_counter()
                old_rows = db.execute(old, {"q": q}).fetchall()
                was.append(time.perf_counter() - t)
            t = time.perf_counter()
            result = search_result(db, q, limit=50)
            cli.append(time.perf_counter() - t)
            rows = result.rows
            t = time.perf_counter()
            new_rows = db.execute(canned, {"q": q}).fetchall()
            can.append(time.perf_counter() - t)
            if old is not None:
                same = len({r[0] for r in old_rows[:50]} & {r[0] for r in new_rows[:50]})
            t = time.perf_counter()
            box_rows = db.execute(
                "select id, agency, year from report_index where id in (select rowid from reports_words "
                "where reports_words match ?) order by year desc limit 51", [fts_query(q)]).fetchall()
            box.append(time.perf_counter() - t)
        how = "; ".join(filter(None, [result.ranking, result.substrings]))
        out.append((q, len(rows), statistics.median(cli) * 1000, statistics.median(can) * 1000,
                    statistics.median(box) * 1000, how, statistics.median(was) * 1000 if was else None, same))
        del box_rows
    db.close()
    return out


BRIEF = "".join(f"&_col={c}" for c in BRIEF_COLUMNS)  # the narrow columns nianbao serve's plugin redirects to
KINDS = ["probe", "rows", "count", "facets", "suggest"]


def _kind(sql: str) -> str | None:
    sql = " ".join(sql.split())
    if sql.startswith("select rowid from ") and " order by rowid desc limit " in sql:
        return "probe"  # the plugin: the ids of the newest BOX_CAP + 1 matches
    if sql.startswith("select count(*) from "):
        return "count"
    if " as value, count(*) as count from" in sql:
        return "facets"
    if " as value, count(*) as n from" in sql or sql.startswith(("select date(", "select distinct json_type(")):
        return "suggest"
    if " limit 51" in sql and " from report_index " in sql:
        return "rows"
    return None


def time_box(path: Path, repeat: int, plain: bool) -> list[tuple[str, dict[str, float], dict[str, float] | None, str]]:
    """Per query: median ms of the box page and of its queries by kind (plugins), the same for plain
    datasette (or None), and the page's description (says when the matches were capped)."""
    import asyncio

    from datasette.app import Datasette
    from datasette.plugins import pm

    from pipelines.schema_docs import DATASETTE_DIR, metadata_for

    settings = {**serve.SETTINGS, "trace_debug": True}
    name = path.stem
    plain_ds = Datasette(immutables=[str(path)], metadata=metadata_for(name), settings=settings)
    before = {n for n, _ in pm.list_name_plugin()}
    ds = Datasette(immutables=[str(path)], metadata=metadata_for(name), settings=settings,
                   plugins_dir=str(DATASETTE_DIR / "plugins"))
    ours = [(n, p) for n, p in pm.list_name_plugin() if n not in before]

    def plugins(on: bool) -> None:
        for n, p in ours:
            if on and pm.get_plugin(n) is None:
                pm.register(p, name=n)
            elif not on and pm.get_plugin(n) is not None:
                pm.unregister(p)

    async def one(client, q: str) -> tuple[dict[str, float], str]:
        url = f"/{name}/report_index?_search={q}{BRIEF}"
        t = time.perf_counter()
        r = await client.get(url)
        page = (time.perf_counter() - t) * 1000
        assert r.status_code == 200, (url, r.status_code)
        r = await client.get(f"/{name}/report_index.json?_search={q}&_trace=1")
        data = r.json()
        ms = {"page": page, **dict.fromkeys(KINDS, 0.0)}
        for trace in data["_trace"]["traces"]:
            kind = _kind(trace.get("sql") or "")
            if kind:
                ms[kind] += trace["duration_ms"]
        return ms, f"{data.get('filtered_table_rows_count')} rows {data.get('human_description_en')}"

    async def run() -> list:
        out = []
        plugins(True)
        await ds.client.get(f"/{name}/report_index.json?_search=公开")  # jieba loaded, caches warm
        for q in QUERIES:
            got: list[dict[str, float]] = []
            got_plain: list[dict[str, float]] = []
            for _ in range(repeat):  # alternating: plugins on, then off
                plugins(True)
                ms, how = await one(ds.client, q)
                got.append(ms)
                if plain:
                    plugins(False)
                    got_plain.append((await one(plain_ds.client, " ".join(words(q)) or q))[0])
            plugins(True)
            med = {k: statistics.median(m[k] for m in got) for k in got[0]}
            med_plain = {k: statistics.median(m[k] for m in got_plain) for k in got_plain[0]} if plain else None
            out.append((q, med, med_plain, how))
        return out

    try:
        return asyncio.run(run())
    finally:
        plugins(False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="an existing archive (left unchanged apart from pending indexing)")
    ap.add_argument("--synthetic", type=int, help="build a synthetic archive of this many reports")
    ap.add_argument("--out", type=Path, default=Path("/tmp/nianbao-search-bench.db"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--plain", action="store_true", help="also time plain datasette's search box (every match)")
    ap.add_argument("--no-datasette", action="store_true", help="do not time the box through datasette")
    ap.add_argument("--canned-before", type=Path, metavar="CANNED_YML",
                    help="also time this canned.yml's search query, alternately (e.g. git show REV:crawler/datasette/canned.yml)")
    args = ap.parse_args(argv)
    path = args.db
    if args.synthetic:
        path = args.out
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        secs = synthetic(path, args.synthetic)
        print(f"inserted {args.synthetic} reports (with the trigram index) in {secs:.1f} s")
        db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))  # no open_archive: time it here
        queued = db.execute("select count(*) from reports_words_pending").fetchone()[0]
        t = time.perf_counter()
        done = index_pending(db, batch=500)
        secs = time.perf_counter() - t
        print(f"word index: {done} of {queued} queued reports in {secs:.1f} s ({done / secs:.0f} reports/s)")
        db.close()
    if path is None:
        ap.error("give --db or --synthetic")
    conn = sqlite3.connect(path)
    n = conn.execute("select count(*) from reports").fetchone()[0]
    body = conn.execute("select sum(length(body_text)) from reports").fetchone()[0] or 0
    words_b, tri_b = table_bytes(conn, "reports_words"), table_bytes(conn, "reports_fts")
    conn.close()
    print(f"archive {path}: {n} reports, {body / 1e6:.1f} M characters of body text, "
          f"{Path(path).stat().st_size / 1e6:.0f} MB file")
    if words_b is not None:
        print(f"index sizes: word index {words_b / 1e6:.0f} MB, trigram index {tri_b / 1e6:.0f} MB")
    print(f"{'query':<14} {'results':>7} {'nianbao search ms':>18} {'canned search ms':>17} {'plain box SQL ms':>17}  how")
    for q, k, cli, can, box, how, was, same in time_queries(path, args.repeat, args.canned_before):
        before = f"  [canned before {was:.1f} ms; {same} of its first 50 rows in the canned's]" if was is not None else ""
        print(f"{q:<14} {k:>7} {cli:>18.1f} {can:>17.1f} {box:>17.1f}  {how}{before}")
    if not args.no_datasette:
        print("search box through datasette (nianbao serve's settings), median ms: the page, then datasette's queries "
              "on it summed by kind (" + ", ".join(KINDS) + ")")
        for q, ms, plain_ms, how in time_box(path, args.repeat, args.plain):
            cells = " ".join(f"{k} {ms[k]:.1f}" for k in ["page", *KINDS])
            print(f"  {q:<14} plugins: {cells}  [{how}]")
            if plain_ms:
                cells = " ".join(f"{k} {plain_ms[k]:.1f}" for k in ["page", *KINDS])
                print(f"  {'':<14} plain:   {cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

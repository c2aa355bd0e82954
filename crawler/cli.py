"""`nianbao`: the archive in researchers' hands.

    nianbao crawl  [scrapy args…]          scheduled crawl with a documented exit code
    nianbao serve  [DB]                    browse in datasette (read-only)
    nianbao search DB QUERY                full-text search (Chinese words, then substrings)
    nianbao coverage [DB]                  missing years, late reports, failing checks
    nianbao health [DB]                    each portal's last crawl: status, failure class, reports
    nianbao export [DB] --out DIR          versioned, checksummed snapshot
    nianbao compact SRC DEST               a smaller copy to download (trigram index without positions)
    nianbao report [DB] --out FILE.html    pictures in one self-contained HTML file
    nianbao import PATH… [--db DB] [-s NAME=VALUE]  files you already have → the archive
    nianbao reprocess [DB] [--dry-run]     current parsers over the archived WARC captures, in place
    nianbao writer [--db DB] [--redis URL] the one writer of distributed workers' records (docs/distributed.md)
    nianbao warc-merge [--db DB] DIR…      distributed workers' WARC files → the archive host
    nianbao frontier status|reset          the shared Redis frontier of a distributed pass

Also runnable as `python -m crawler.cli …`. DB defaults to data/archive.db.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

DEFAULT_DB = Path("data/archive.db")


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise SystemExit(f"nianbao: archive {path} does not exist (crawl first: nianbao crawl -a portals=demo)")
    return path


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler.commands.job import run_crawl

    scrapy_args = [a for a in args.scrapy_args if a != "--"]
    outcome = run_crawl(scrapy_args)
    print(f"nianbao crawl: exit {outcome.code} — {outcome.reason}", file=sys.stderr)
    if outcome.silent_portals:
        shown = ", ".join(outcome.silent_portals[:10])
        more = len(outcome.silent_portals) - 10
        print(f"  portals without a report: {shown}{f' … and {more} more' if more > 0 else ''}", file=sys.stderr)
    return outcome.code


def cmd_reprocess(args: argparse.Namespace) -> int:
    from crawler.commands.reprocess import reprocess

    db: Path = args.db
    warc_dir = args.warc_dir or db.parent / "warc"
    if not db.is_file():
        print(f"nianbao reprocess: archive {db} does not exist (crawl first: nianbao crawl -a portals=demo)",
              file=sys.stderr)
        return 2
    if not warc_dir.is_dir():
        print(f"nianbao reprocess: no WARC directory {warc_dir} (pass --warc-dir DIR, the crawl's WARC_DIR)",
              file=sys.stderr)
        return 2
    reprocess(db, warc_dir, dry_run=args.dry_run)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from crawler.commands.serve import serve
    from pipelines.readonly import NotAnArchive, open_readonly

    try:
        open_readonly(_existing(args.db)).close()
    except NotAnArchive as exc:
        print(f"nianbao serve: {exc}", file=sys.stderr)
        return 2
    serve(args.db, host=args.host, port=args.port, mutable=args.mutable, refresh=not args.no_refresh)
    return 0  # not reached: serve() execs datasette


def _read(path: Path, command: str):
    """The archive opened without ever writing it (pipelines/readonly.py); not an archive: one line, exit 2."""
    from pipelines.readonly import NotAnArchive, open_for_reading

    try:
        return open_for_reading(_existing(path), command=f"nianbao {command}")
    except NotAnArchive as exc:
        print(f"nianbao {command}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_search(args: argparse.Namespace) -> int:
    from pipelines.search import search_result

    db = _read(args.db, "search")
    try:
        result = search_result(db, args.query, limit=args.limit)
        rows = result.rows
    except ValueError as exc:
        raise SystemExit(f"nianbao search: {exc}") from None
    finally:
        db.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for r in rows:
            note = "  (substring)" if r.get("match") == "substring" else ""
            print(f"{r['id']}\t{r['year']}\t{r['agency']}\t{r['title']}\n\t{(r['snippet'] or '').replace(chr(10), ' ')}{note}")
    how = "; ".join(filter(None, [result.ranking, result.substrings]))  # how ranked, what was checked
    print(f"{len(rows)} reports ({how})", file=sys.stderr)
    return 0 if rows else 1


def cmd_coverage(args: argparse.Namespace) -> int:
    from pipelines.coverage import by_region, coverage, format_text, summary

    db = _read(args.db, "coverage")
    try:  # regions are current (open_for_reading migrates a copy otherwise): nothing to refresh
        entries = coverage(db, since=args.since, until=args.until, region=args.region, refresh=False)
    finally:
        db.close()
    if args.format == "json":
        print(json.dumps({"summary": summary(entries), "regions": by_region(entries),
                          "agencies": [e.__dict__ for e in entries]}, ensure_ascii=False, indent=1))
    elif args.format == "csv":
        rows = [e.as_row() for e in entries]
        if args.bom:
            sys.stdout.write("\ufeff")  # Excel on Chinese Windows reads the file as UTF-8
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["agency"])
        writer.writeheader()
        writer.writerows(rows)
    else:
        print(format_text(entries))
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    from crawler.commands.health import (
        changed_rows,
        exit_code,
        format_text,
        health_rows,
        open_readonly,
        removed_rows,
    )

    conn = open_readonly(_existing(args.db))
    try:
        if args.removed or args.changed:
            rows = removed_rows(conn) if args.removed else changed_rows(conn)
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, indent=1))
            else:
                for r in rows:
                    print("\t".join(str(r[k]) for k in r))
                print(f"{len(rows)} {'removed report URLs' if args.removed else 'reports changed after publication'}",
                      file=sys.stderr)
            return 0
        rows = health_rows(conn)
    finally:
        conn.close()
    if args.json:
        print(json.dumps({"exit_code": exit_code(rows), "portals": rows}, ensure_ascii=False, indent=1))
    else:
        print(format_text(rows))
    return exit_code(rows)


def cmd_export(args: argparse.Namespace) -> int:
    from pipelines.export import ExportError, export
    from pipelines.readonly import NotAnArchive

    try:
        target = export(_existing(args.db), args.out, version=args.version, bom=not args.no_bom,
                        formats=args.format or None)
    except ExportError as exc:
        raise SystemExit(f"nianbao export: {exc}") from None
    except NotAnArchive as exc:
        print(f"nianbao export: {exc}", file=sys.stderr)
        return 2
    print(target)
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    from pipelines.compact import CompactError, compact
    from pipelines.readonly import NotAnArchive

    try:
        done = compact(_existing(args.src), args.dest)
    except (CompactError, NotAnArchive) as exc:
        print(f"nianbao compact: {exc}", file=sys.stderr)
        return 2
    per = done.bytes / max(done.reports, 1) / 1024
    print(f"nianbao compact: {args.dest}: {done.bytes / 1e6:.1f} MB ({done.source_bytes / 1e6:.1f} MB before), "
          f"{per:.1f} KB per report, {done.reports} reports", file=sys.stderr)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines import dashboard

    db = _read(args.db, "report")  # never writes the archive (pipelines/readonly.py)
    try:
        print(dashboard.write(db.conn, args.out))
    finally:
        db.close()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from pipelines.ingest import import_paths

    if not args.paths and not args.list:
        raise SystemExit("nianbao import: give files, folders or --list FILE")
    for lst in args.list:
        if not Path(lst).is_file():
            raise SystemExit(f"nianbao import: list file {lst} does not exist")
    from crawler.commands.import_settings import import_settings

    try:  # the crawl's bounds, `-s NAME=VALUE` (docs/hostile-input.md)
        limits, timeout = import_settings(args.set)
    except ValueError as exc:
        print(f"nianbao import: {exc}", file=sys.stderr)
        return 2

    def show(fr) -> None:
        note = f" (report {fr.report_id})" if fr.report_id else f": {fr.reason}" if fr.reason else ""
        print(f"{fr.status:10} {fr.path}{note}", flush=True)

    result = import_paths(args.db, args.paths, args.list, region_code=args.region_code or "", on_file=show,
                          limits=limits, timeout=timeout)
    imported = result.count("new", "updated", "unchanged")
    failed = result.count("rejected", "unreadable")
    print(f"nianbao import: {len(result.files)} files, {result.count('new')} new, {result.count('updated')} updated, "
          f"{result.count('unchanged')} unchanged, {result.count('rejected')} not reports, "
          f"{result.count('unreadable')} unreadable; archive {args.db} (run {result.run_id})", file=sys.stderr)
    if not imported:
        return 2
    return 1 if failed else 0


def _redis_url(value: str | None) -> str:
    import os

    return value or os.environ.get("NIANBAO_REDIS_URL") or "redis://127.0.0.1:6379/0"


def cmd_writer(args: argparse.Namespace) -> int:
    import redis

    from crawler.distributed.writer import main as writer_main

    try:
        return writer_main(args.db, _redis_url(args.redis), stream=args.stream, batch=args.batch,
                           idle_exit=args.idle_exit)
    except redis.ConnectionError as exc:
        print(f"nianbao writer: cannot reach Redis at {_redis_url(args.redis)}: {exc} "
              "(start redis-server or give --redis / NIANBAO_REDIS_URL)", file=sys.stderr)
        return 2


def cmd_warc_merge(args: argparse.Namespace) -> int:
    from crawler.distributed.warcmerge import MergeError, merge

    try:
        result = merge(_existing(args.db), args.sources, warc_dir=args.warc_dir, subdir=args.subdir or "")
    except MergeError as exc:
        print(f"nianbao warc-merge: {exc}", file=sys.stderr)
        return 2
    for path in result.skipped_open:
        print(f"  still open (worker running or killed; not merged): {path}", file=sys.stderr)
    print(f"nianbao warc-merge: {len(result.copied)} files copied, {len(result.present)} already there, "
          f"{result.rows} warc_records rows checked and pointed at them; {len(result.unknown)} files the archive "
          f"does not refer to left in place, {len(result.skipped_open)} open files skipped", file=sys.stderr)
    return 1 if result.skipped_open else 0


def cmd_frontier(args: argparse.Namespace) -> int:
    import redis

    from crawler.distributed.frontier import pass_id

    url = _redis_url(args.redis)
    server = redis.Redis.from_url(url)
    base = f"{args.prefix}:{pass_id({'NIANBAO_PASS': args.pass_id})}:{args.spider}"
    try:
        if args.action == "reset":
            keys = list(server.scan_iter(f"{base}:*"))
            if keys:
                server.delete(*keys)
            print(f"nianbao frontier: {base} reset ({len(keys)} keys deleted)")
            return 0
        workers = sorted(w.decode() for w in server.smembers(f"{base}:workers"))
        print(f"frontier {base} on {url}")
        print(f"  queued requests: {server.zcard(f'{base}:requests')}")
        print(f"  seen fingerprints: {server.scard(f'{base}:dupefilter')}")
        for w in workers:
            alive = "alive" if server.exists(f"{base}:alive:{w}") else "NOT answering"
            print(f"  worker {w}: {alive}, {server.hlen(f'{base}:lease:{w}')} requests leased")
        print(f"  stream {args.stream}: {server.xlen(args.stream)} entries not yet written")
    except redis.ConnectionError as exc:
        print(f"nianbao frontier: cannot reach Redis at {url}: {exc}", file=sys.stderr)
        return 2
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nianbao", description="Archive of 政府信息公开工作年度报告: crawl, browse, "
                                "search, export.", formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("crawl", help="run `scrapy crawl portals …` with a job exit code (0 ok, 1 partial, "
                                     "2 failed, 3 interrupted)")
    c.add_argument("scrapy_args", nargs=argparse.REMAINDER, help="passed to scrapy crawl portals (-a …, -s …)")
    c.set_defaults(func=cmd_crawl)

    s = sub.add_parser("serve", help="browse the archive in datasette (immutable unless --mutable)")
    s.add_argument("db", nargs="?", type=Path, default=DEFAULT_DB)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8001)
    s.add_argument("--mutable", action="store_true", help="open normally (see new rows while a crawl writes)")
    s.add_argument("--no-refresh", action="store_true", help="do not update regions/search index before serving")
    s.set_defaults(func=cmd_serve)

    q = sub.add_parser("search", help="full-text search: Chinese words (jieba word index, ranked by bm25), then "
                                      "substrings (trigram; LIKE for 1–2 characters)")
    q.add_argument("db", type=Path)
    q.add_argument("query")
    q.add_argument("--limit", type=int, default=50)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_search)

    v = sub.add_parser("coverage", help="missing report years, late reports and failing checks per agency")
    v.add_argument("db", nargs="?", type=Path, default=DEFAULT_DB)
    v.add_argument("--since", type=int, help="first report year expected (default: each agency's first)")
    v.add_argument("--until", type=int, help="last report year expected (default: the latest in the archive)")
    v.add_argument("--region", help="division code prefix, e.g. 3205")
    v.add_argument("--format", choices=["text", "csv", "json"], default="text")
    v.add_argument("--bom", action="store_true", help="with --format csv: start with a UTF-8 BOM (for Excel)")
    v.set_defaults(func=cmd_coverage)

    h = sub.add_parser("health", help="each portal's latest crawl: status, failure class, pages, reports, empty runs "
                                      "(exit 0 all ok, 1 some not ok, 2 none reachable)")
    h.add_argument("db", nargs="?", type=Path, default=DEFAULT_DB)
    h.add_argument("--json", action="store_true")
    h.add_argument("--removed", action="store_true", help="report URLs gone from their portals (404/410/soft 404)")
    h.add_argument("--changed", action="store_true", help="reports whose content changed after publication")
    h.set_defaults(func=cmd_health)

    e = sub.add_parser("export", help="versioned, checksummed snapshot (SQLite, CSVs with BOM, panel as CSV/XLSX/"
                                      "Parquet, dictionary)")
    e.add_argument("db", nargs="?", type=Path, default=DEFAULT_DB)
    e.add_argument("--out", type=Path, required=True, help="folder that receives nianbao-<version>/")
    e.add_argument("--version", help="version label (default: UTC timestamp)")
    e.add_argument("--no-bom", action="store_true", help="CSVs without the UTF-8 byte-order mark (Excel needs it)")
    e.add_argument("--format", action="append", choices=["csv", "xlsx", "parquet"],
                   help="only these formats (repeatable; default: csv, xlsx, and parquet when pyarrow is installed)")
    e.set_defaults(func=cmd_export)

    k = sub.add_parser("compact", help="a smaller copy for download: the trigram index without positions "
                                       "(LIKE and nianbao search unchanged; MATCH phrases on reports_fts refused)")
    k.add_argument("src", type=Path, help="the archive (only read)")
    k.add_argument("dest", type=Path, help="the copy to write (a new file)")
    k.set_defaults(func=cmd_compact)

    r = sub.add_parser("report", help="coverage, timeliness, trends and failing reports as one offline HTML file")
    r.add_argument("db", nargs="?", type=Path, default=DEFAULT_DB)
    r.add_argument("--out", type=Path, default=Path("report.html"), help="HTML file to write (default report.html)")
    r.set_defaults(func=cmd_report)

    i = sub.add_parser("import", help="import local files (HTML, PDF, DOCX, DOC, XLS, TXT) or folders")
    i.add_argument("paths", nargs="*", type=Path)
    i.add_argument("--list", action="append", default=[], type=Path, help="text file with one path per line")
    i.add_argument("--db", type=Path, default=DEFAULT_DB)
    i.add_argument("--region-code", help="division code of the publishing government, e.g. 320581")
    i.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a bound as in the crawl: PAGE_MAX_CHARS, PDF_MAX_PAGES, ZIP_MAX_INFLATED_BYTES, "
                        "DOCUMENT_TIMEOUT_S, OCR_MAX_PAGES, … (docs/hostile-input.md)")
    i.set_defaults(func=cmd_import)

    rp = sub.add_parser("reprocess", help="re-run the current parsers over every archived WARC capture (no network) "
                                          "and update reports, cells and checks in place; prints what changed")
    rp.add_argument("db", nargs="?", type=Path, default=DEFAULT_DB)
    rp.add_argument("--warc-dir", type=Path, help="the crawl's WARC_DIR (default: <archive dir>/warc)")
    rp.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    rp.set_defaults(func=cmd_reprocess)

    w = sub.add_parser("writer", help="write distributed workers' records from the Redis Stream into the archive")
    w.add_argument("--db", type=Path, default=DEFAULT_DB)
    w.add_argument("--redis", help="Redis URL (default: $NIANBAO_REDIS_URL or redis://127.0.0.1:6379/0)")
    w.add_argument("--stream", default="nianbao:stream")
    w.add_argument("--batch", type=int, default=200, help="messages per transaction")
    w.add_argument("--idle-exit", type=float, help="exit after this many seconds without a message (default: run "
                   "until SIGTERM)")
    w.set_defaults(func=cmd_writer)

    m = sub.add_parser("warc-merge", help="bring workers' WARC directories to the archive host, check and relink rows")
    m.add_argument("sources", nargs="+", type=Path, help="a worker's WARC directory, copied to this host")
    m.add_argument("--db", type=Path, default=DEFAULT_DB)
    m.add_argument("--warc-dir", type=Path, help="the archive's WARC directory (default: warc/ beside the archive)")
    m.add_argument("--subdir", help="put the files in this subdirectory of the WARC directory (e.g. the worker name)")
    m.set_defaults(func=cmd_warc_merge)

    f = sub.add_parser("frontier", help="status or reset of a distributed pass's shared frontier in Redis")
    f.add_argument("action", choices=["status", "reset"])
    f.add_argument("--redis", help="Redis URL (default: $NIANBAO_REDIS_URL or redis://127.0.0.1:6379/0)")
    f.add_argument("--pass", dest="pass_id", help="pass id (default: $NIANBAO_PASS or this ISO week)")
    f.add_argument("--prefix", default="nianbao")
    f.add_argument("--spider", default="portals")
    f.add_argument("--stream", default="nianbao:stream")
    f.set_defaults(func=cmd_frontier)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["crawl"] and argv[1:2] not in (["-h"], ["--help"]):  # everything after is scrapy's
        return cmd_crawl(argparse.Namespace(scrapy_args=argv[1:]))
    args = parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

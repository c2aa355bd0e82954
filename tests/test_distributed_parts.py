"""Parts of the distributed mode: the stream message format, nested archive transactions, the profile's
settings (quick), and with a real redis-server: the writer's exactly-once application, the frontier's
leases and the per-host token (e2e)."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from crawler.distributed import messages
from pipelines import store


def test_message_round_trip_keeps_bytes_and_unicode():
    record = {"url": "http://x.gov.cn/a.html", "title": "青山县2023年政府信息公开工作年度报告", "minhash": b"\x00\xff" * 8,
              "urls": [("u", "c", "page", None)], "cells": [{"value": 1.5, "flag": None}]}
    message = messages.make("report", "run1", record)
    back = messages.decode(messages.encode(message))
    assert back["data"]["minhash"] == record["minhash"]
    assert back["data"]["title"] == record["title"]
    assert back["data"]["urls"] == [["u", "c", "page", None]]
    assert back["id"] == message["id"] and back["kind"] == "report" and back["run"] == "run1"
    assert messages.make("report", "r", {})["id"] != message["id"]


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'{"kind": "report"}', b'{"id": "x", "kind": "nope"}',
                                 b"\xff\xfe"])
def test_foreign_stream_entries_are_refused(raw):
    with pytest.raises(ValueError):
        messages.decode(raw)


def test_unknown_kind_and_unserialisable_data_refused():
    with pytest.raises(ValueError):
        messages.make("reports", "r", {})
    with pytest.raises(TypeError):
        messages.encode(messages.make("report", "r", {"x": object()}))


def test_nested_transaction_is_a_savepoint(tmp_path):
    db = store.open_archive(tmp_path / "a.db")
    with store.transaction(db):
        with store.transaction(db):
            db.execute("insert into portals (name, start_url) values ('kept', 'http://a/')")
        with pytest.raises(RuntimeError), store.transaction(db):
            db.execute("insert into portals (name, start_url) values ('undone', 'http://b/')")
            raise RuntimeError("boom")
    assert [r[0] for r in db.execute("select name from portals")] == ["kept"]
    with pytest.raises(RuntimeError), store.transaction(db):
        db.execute("insert into portals (name, start_url) values ('outer', 'http://c/')")
        raise RuntimeError("boom")
    assert [r[0] for r in db.execute("select name from portals")] == ["kept"]


def test_distributed_profile_swaps_only_scheduler_and_writer():
    import settings.base as base
    import settings.distributed as dist

    s = Settings()
    s.setmodule(dist)
    assert s.get("SCHEDULER") == "crawler.distributed.frontier.Frontier"
    assert s.get("DUPEFILTER_CLASS") == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert s.getbool("SCHEDULER_PERSIST")
    pipelines = s.getdict("ITEM_PIPELINES")
    assert "crawler.distributed.stream.StreamPipeline" in pipelines
    assert not any(k.endswith("ArchivePipeline") for k in pipelines)  # one writer: `nianbao writer`
    kept = {k: v for k, v in base.ITEM_PIPELINES.items() if not k.endswith("ArchivePipeline")}
    assert kept.items() <= pipelines.items()  # the process stage is the same
    assert base.DOWNLOADER_MIDDLEWARES.items() <= s.getdict("DOWNLOADER_MIDDLEWARES").items()
    assert s.getdict("SPIDER_MIDDLEWARES") == Settings({"SPIDER_MIDDLEWARES": getattr(base, "SPIDER_MIDDLEWARES", {})}
                                                      ).getdict("SPIDER_MIDDLEWARES")
    assert s.get("ROBOTSTXT_OBEY") and s.get("USER_AGENT") == base.USER_AGENT


# -- with a real redis-server ------------------------------------------------------------------

@pytest.fixture(scope="module")
def redis_url():
    from crawler.distributed.local_redis import LocalRedis

    with LocalRedis() as server:
        yield server.url


def _report(n: int) -> dict:
    from pipelines.dedup import content_hash, minhash_signature

    text = f"青山县{n}号政府信息公开工作年度报告 总体情况 主动公开政府信息情况 {n}"
    return {"url": f"http://127.0.0.1:1/r{n}.html", "canonical_url": f"http://127.0.0.1:1/r{n}.html",
            "url_kind": "page", "urls": [[f"http://127.0.0.1:1/r{n}.html", f"http://127.0.0.1:1/r{n}.html", "page", None]],
            "body_text": text, "content_hash": content_hash(text, []), "minhash": minhash_signature(text, []),
            "title": f"报告{n}", "year": 2023, "agency": f"机关{n}",
            "cells": [{"table_name": "t1", "row_label": "r", "col_label": "c", "value": float(n), "raw": str(n),
                       "unit": None, "flag": None}],
            "checks": [{"rule": "R1", "scope": "s", "expected": 1.0, "actual": 1.0, "ok": True}]}


def _push(server, stream: str, run: str, kind: str, data) -> None:
    server.xadd(stream, {messages.FIELD: messages.encode(messages.make(kind, run, data))})


def _counts(path) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(path) as db:
        return {t: db.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("reports", "report_cells", "report_checks", "rejected_pages", "fetch_log", "crawl_runs",
                          "stream_applied")}


@pytest.mark.e2e
def test_writer_committed_but_not_acknowledged_applies_once(redis_url, tmp_path):
    import redis

    from crawler.distributed.writer import GROUP, Writer

    server = redis.Redis.from_url(redis_url)
    stream = "t:commit-no-ack"
    _push(server, stream, "run1", "run_start", {"spider": "portals", "worker": "w1", "portals": []})
    for n in range(5):
        _push(server, stream, "run1", "report", _report(n))
        _push(server, stream, "run1", "rejected", {"url": f"http://127.0.0.1:1/x{n}", "portal": "p", "title": "t",
                                                   "reason": "notice"})
        _push(server, stream, "run1", "fetches", [{"url": f"http://127.0.0.1:1/r{n}.html", "status": 200}])
    db = tmp_path / "a.db"
    first = Writer(db, redis_url, stream=stream)
    got = server.xreadgroup(GROUP, "writer", {stream: ">"}, count=100)
    entries = got[0][1]
    from pipelines import store

    with store.transaction(first.db):  # the batch commits; then the writer "dies" before XACK
        for _, fields in entries:
            first.apply(messages.decode(fields[messages.FIELD]))
    first.close()
    once = _counts(db)
    assert once["reports"] == 5 and once["rejected_pages"] == 5 and once["fetch_log"] == 5
    assert server.xpending(stream, GROUP)["pending"] == len(entries)

    second = Writer(db, redis_url, stream=stream)  # restart: re-reads its pending entries first
    stats = second.run(idle_exit=0.2, block_ms=100)
    second.close()
    assert stats.skipped == len(entries) and stats.applied == 0
    assert _counts(db) == once
    assert server.xpending(stream, GROUP)["pending"] == 0 and server.xlen(stream) == 0


@pytest.mark.e2e
def test_writer_killed_before_commit_applies_everything_on_restart(redis_url, tmp_path):
    import redis

    from crawler.distributed.writer import GROUP, Writer

    server = redis.Redis.from_url(redis_url)
    stream = "t:no-commit"
    _push(server, stream, "run2", "run_start", {"spider": "portals", "worker": "w2", "portals": []})
    for n in range(3):
        _push(server, stream, "run2", "report", _report(100 + n))
    db = tmp_path / "b.db"
    first = Writer(db, redis_url, stream=stream)
    server.xreadgroup(GROUP, "writer", {stream: ">"}, count=100)  # read, then "killed" before any write
    first.close()
    assert _counts(db)["reports"] == 0
    second = Writer(db, redis_url, stream=stream)
    stats = second.run(idle_exit=0.2, block_ms=100)
    second.close()
    assert stats.applied == 4 and _counts(db)["reports"] == 3 and _counts(db)["report_cells"] == 3


@pytest.mark.e2e
def test_writer_sets_a_bad_message_aside_and_keeps_the_rest(redis_url, tmp_path):
    import redis

    from crawler.distributed.writer import Writer

    server = redis.Redis.from_url(redis_url)
    stream = "t:dead"
    _push(server, stream, "run3", "report", {"url": "http://127.0.0.1:1/broken"})  # no content hash
    server.xadd(stream, {messages.FIELD: b"garbage"})
    _push(server, stream, "run3", "report", _report(200))
    writer = Writer(tmp_path / "c.db", redis_url, stream=stream)
    stats = writer.run(idle_exit=0.2, block_ms=100)
    writer.close()
    assert stats.dead == 2 and _counts(tmp_path / "c.db")["reports"] == 1
    dead = server.xrange(f"{stream}:dead")
    assert len(dead) == 2 and all(b"error" in fields for _, fields in dead)


@pytest.mark.e2e
def test_host_token_spaces_requests_of_all_workers(redis_url):
    import redis

    from crawler.distributed.politeness import HostToken

    server = redis.Redis.from_url(redis_url)
    a = HostToken(server, "t", 0.5, "worker-a", 600)
    b = HostToken(server, "t", 0.5, "worker-b", 600)
    assert a.try_take("http://127.0.0.1:8001/x") == 0.0
    wait = b.try_take("http://127.0.0.1:8001/y")  # same host, other worker: must wait
    assert 0.0 < wait <= 0.5
    assert a.try_take("http://127.0.0.1:8001/z") > 0  # the holder too: it is a rate, not a lock
    assert b.try_take("http://127.0.0.1:8002/") == 0.0  # another host is free
    import time

    time.sleep(wait + 0.01)
    assert b.try_take("http://127.0.0.1:8001/y") == 0.0


def _two_shares():
    """One pass's portal health as two workers saw it, and as one process that saw both would have."""
    from crawler.health import PortalHealth

    shares, whole = [PortalHealth(), PortalHealth()], PortalHealth()
    for health in (shares[0], whole):
        health.runs["A"].pages += 3
        health.runs["A"].start_ok = True
        health.failure("A", "http://a.example/x", "dns", "no such name")
        health.runs["B"].pages += 1
        health.runs["B"].start_ok = True
        health.list_seen("B", "http://b.example/nb/")
    for health in (shares[1], whole):
        health.runs["A"].pages += 2
        health.runs["A"].reports_new += 2
        health.list_seen("A", "http://a.example/nb/")
        health.known_gone("B", "http://b.example/old-nb/", "404", report=False)
        health.known_gone("B", "http://b.example/r1.html", "410", report=True)
    return shares, whole


def test_worker_shares_of_portal_health_merge_to_the_whole():
    from crawler.health import PortalHealth

    shares, whole = _two_shares()
    merged = PortalHealth()
    for share in shares:  # through JSON, as on the stream
        merged.merge(PortalHealth.from_dict(messages.decode(messages.encode(
            messages.make("health", "r", share.to_dict())))["data"]))
    assert merged.to_dict() == whole.to_dict()
    assert [merged.verdict(p) for p in "AB"] == [whole.verdict(p) for p in "AB"] == [
        ("degraded", "dns"), ("site-changed", "site-changed")]
    assert shares[0].verdict("A") == ("no-report", "dns")  # one worker's share alone would say otherwise


@pytest.mark.e2e
def test_writer_merges_the_workers_health_into_one_row_per_portal(redis_url, tmp_path):
    """Two workers of one pass send their health at the end: `nianbao writer` writes the rows a single process
    that saw both would have written (crawler.health.apply_health), under the pass's first worker run."""
    import sqlite3

    import redis

    from crawler.distributed.writer import Writer
    from crawler.health import apply_health
    from pipelines import store

    server = redis.Redis.from_url(redis_url)
    stream = "t:health"
    shares, whole = _two_shares()
    for run in ("w1", "w2"):
        _push(server, stream, run, "run_start", {"spider": "portals", "worker": run, "portals": []})
    for n in range(2):  # the reports the second worker found (new: the writer knows)
        _push(server, stream, "w2", "report", {**_report(100 + n), "portal": "A"})
    for run, share in (("w2", shares[1]), ("w1", shares[0])):  # the later run's share first
        _push(server, stream, run, "health", {"pass": "nianbao:P:portals", "portals": ["A", "B"],
                                               "health": share.to_dict()})
    db = tmp_path / "a.db"
    writer = Writer(db, redis_url, stream=stream)
    writer.run(idle_exit=0.2, block_ms=100)
    writer.close()
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    runs = [r[0] for r in conn.execute("select id from crawl_runs order by id")]
    rows = {r["portal"]: dict(r) for r in conn.execute("select * from portal_health")}
    assert {r["run_id"] for r in rows.values()} == {runs[0]}
    assert (rows["A"]["status"], rows["A"]["pages"], rows["A"]["reports_new"]) == ("degraded", 5, 2)
    assert rows["B"]["status"] == "site-changed"
    lists = {tuple(r) for r in conn.execute("select portal, url, gone_status from portal_lists")}
    assert lists == {("A", "http://a.example/nb/", None), ("B", "http://b.example/nb/", None)}
    conn.close()

    single = store.open_archive(tmp_path / "b.db")  # the single-process path, same function
    single.table("crawl_runs").insert({"id": runs[0], "spider": "portals"})
    with store.transaction(single):
        expected = apply_health(single, runs[0], ["A", "B"], whole)
    single.close()
    strip = ("checked_at",)
    assert [{k: v for k, v in r.items() if k not in strip} for r in expected] == \
        [{k: v for k, v in rows[r["portal"]].items() if k not in strip} for r in expected]

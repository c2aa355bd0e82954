"""`nianbao writer`: the one process that writes the distributed workers' records into the SQLite archive.

It reads the stream (`nianbao:stream`) as consumer `writer` of group `writers`, applies a batch of
messages in ONE transaction (each message in its own savepoint, its id recorded in
`stream_applied`), commits, and only then XACKs (and XDELs) the batch. So:
  - killed before the commit: nothing of the batch landed, and the messages are still pending for
    this consumer: on restart they are read again (from id 0) and applied;
  - killed between commit and XACK: they are read again, and skipped because their ids are in
    `stream_applied` — at-least-once delivery, each message applied once.
Reports are upserted by content (store.save_report), so a request re-run by another worker after a
crash gives "unchanged", never a second report. A message that fails to apply (a bug, a bad record)
is rolled back alone, copied to `<stream>:dead` with the error, and acknowledged.
No Scrapy here: redis-py and the archive module only.
"""

from __future__ import annotations

import json
import logging
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from crawler.distributed import messages
from pipelines import store
from pipelines.records import Report

logger = logging.getLogger(__name__)
GROUP = "writers"
CONSUMER = "writer"


@dataclass
class WriterStats:
    applied: int = 0
    skipped: int = 0  # redelivered, already applied
    dead: int = 0
    batches: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class Writer:
    def __init__(self, db_path: str | Path, redis_url: str, *, stream: str = "nianbao:stream", batch: int = 200,
                 consumer: str = CONSUMER) -> None:
        self.db = store.open_archive(db_path)
        self.db_path = Path(db_path)
        self.server = redis.Redis.from_url(redis_url)
        self.server.ping()
        self.stream = stream
        self.batch = batch
        self.consumer = consumer
        self.runs: dict[str, int] = {}
        self.stats = WriterStats()
        self.stopping = False
        try:
            self.server.xgroup_create(stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    # -- the loop ------------------------------------------------------------------------
    def run(self, *, idle_exit: float | None = None, block_ms: int = 1000) -> WriterStats:
        """Drain the stream until stopped (SIGTERM/SIGINT), or until `idle_exit` seconds pass with
        no message (one-shot drains, tests)."""
        self.drain_pending()
        last = time.monotonic()
        while not self.stopping:
            got = self.server.xreadgroup(GROUP, self.consumer, {self.stream: ">"}, count=self.batch, block=block_ms)
            entries = got[0][1] if got else []
            if entries:
                self.apply_batch(entries)
                last = time.monotonic()
            elif idle_exit is not None and time.monotonic() - last >= idle_exit:
                break
        return self.stats

    def drain_pending(self) -> None:
        """Messages delivered to this consumer before a crash and never acknowledged."""
        while True:
            got = self.server.xreadgroup(GROUP, self.consumer, {self.stream: "0"}, count=self.batch)
            entries = [(i, f) for i, f in (got[0][1] if got else []) if f]  # deleted entries come back empty
            if not entries:
                return
            self.apply_batch(entries)

    def open_runs(self) -> int:
        row = self.db.execute("select count(*) from crawl_runs where run_key is not null and finished_at is null")
        return int(row.fetchone()[0])

    def apply_batch(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        ids = [entry_id for entry_id, _ in entries]
        dead: list[tuple[bytes, dict[bytes, bytes], str]] = []
        with store.transaction(self.db):
            for entry_id, fields in entries:
                try:
                    message = messages.decode(fields.get(messages.FIELD, b""))
                    self.apply(message)
                except Exception as exc:  # rolled back alone (savepoint); kept for a human
                    self.runs.clear()  # a run row made inside the failed savepoint is gone
                    logger.error("stream entry %s cannot be written: %s", entry_id, exc)
                    dead.append((entry_id, fields, f"{type(exc).__name__}: {exc}"))
        for entry_id, fields, error in dead:
            self.server.xadd(f"{self.stream}:dead", {**fields, b"error": error.encode(), b"entry": entry_id})
            self.stats.dead += 1
        self.server.xack(self.stream, GROUP, *ids)
        self.server.xdel(self.stream, *ids)
        self.stats.batches += 1

    # -- one message ---------------------------------------------------------------------
    def _run_id(self, key: str, message: dict[str, Any]) -> int:
        if key in self.runs:
            return self.runs[key]
        row = self.db.execute("select id from crawl_runs where run_key = ?", [key]).fetchone()
        if row:
            self.runs[key] = int(row[0])
            return self.runs[key]
        data = message["data"] if message["kind"] == "run_start" else {}
        table = self.db.table("crawl_runs")
        table.insert({"started_at": data.get("started_at") or message.get("at"), "spider": data.get("spider"),
                      "args": data.get("args"), "run_key": key, "worker": data.get("worker"),
                      "warc_dir": data.get("warc_dir")})
        self.runs[key] = int(table.last_pk)
        return self.runs[key]

    def _count(self, run_id: int, column: str, n: int = 1) -> None:
        self.db.execute(f"update crawl_runs set {column} = coalesce({column}, 0) + ? where id = ?", [n, run_id])

    def apply(self, message: dict[str, Any]) -> None:
        kind, data = message["kind"], message["data"]
        with store.transaction(self.db):
            if self.db.execute("select 1 from stream_applied where msg_id = ?", [message["id"]]).fetchone():
                self.stats.skipped += 1
                return
            run_id = self._run_id(message["run"], message)
            if kind == "run_start":
                row = self.db.execute("select worker from crawl_runs where id = ?", [run_id]).fetchone()
                if row[0] is None:  # the run row was made by an earlier message of this run
                    self.db.table("crawl_runs").update(run_id, {k: data.get(k) for k in
                                                                ("started_at", "spider", "args", "worker", "warc_dir")})
                store.upsert_portals(self.db, [{**p, "last_run_id": run_id} for p in data.get("portals", [])])
            elif kind == "report":
                outcome, _ = store.save_report(self.db, Report.from_dict(data), run_id)
                self._count(run_id, f"reports_{outcome}")
            elif kind == "rejected":
                store.record_rejected(self.db, {"run_id": run_id, **data})
            elif kind == "fetches":
                store.log_fetches(self.db, [{"run_id": run_id, **r} for r in data])
            elif kind == "memos":
                store.remember_pages(self.db, data, run_id)
            elif kind == "not_modified":
                if store.mark_seen(self.db, data["url"], run_id, data.get("status", 304)) is not None:
                    self._count(run_id, "reports_unchanged")
            elif kind == "captures":
                store.log_captures(self.db, [{**r, "run_id": run_id} for r in data])
            elif kind == "health":
                self._health(run_id, data)
            elif kind == "run_finish":
                store.finish_run(self.db, run_id, data)
            self.db.table("stream_applied").insert({"msg_id": message["id"], "run_id": run_id, "kind": kind,
                                                    "applied_at": store.now_iso()})
        self.stats.applied += 1
        self.stats.by_kind[kind] = self.stats.by_kind.get(kind, 0) + 1

    def _health(self, run_id: int, data: dict[str, Any]) -> None:
        """One worker's portal health: kept as its share of the pass, then the pass's merged rows rewritten (one
        portal_health row per portal per pass, under the pass's first worker run; crawler.health.apply_health, as
        in a single-process crawl), its reports new and seen counted in the archive. A worker killed before its
        end sends none: its share of pages and failures is missing."""
        from crawler.health import PortalHealth, apply_health

        key = data["pass"]
        self.db.table("portal_health_parts").upsert(
            {"pass_key": key, "run_id": run_id, "portals": json.dumps(data.get("portals") or [], ensure_ascii=False),
             "health": json.dumps(data.get("health") or {}, ensure_ascii=False), "received_at": store.now_iso()},
            pk=("pass_key", "run_id"))
        merged, portals = PortalHealth(), {}
        parts = self.db.execute("select run_id, portals, health from portal_health_parts where pass_key = ? "
                                "order by run_id", [key]).fetchall()
        for _, names, health in parts:
            portals.update(dict.fromkeys(json.loads(names)))
            merged.merge(PortalHealth.from_dict(json.loads(health)))
        # reports new and seen are the archive's (a worker does not know whether the writer found a report new):
        # archived first by one of these runs, or seen again by one of them
        ids = [int(r[0]) for r in parts]
        marks = ",".join("?" * len(ids))
        for run in merged.runs.values():
            run.reports_new = run.reports_seen = 0
        for portal, new, total in self.db.execute(
                f"select portal, sum(first_run_id in ({marks})), count(*) from reports where first_run_id in ({marks}) "
                f"or last_run_id in ({marks}) group by portal", ids * 3).fetchall():
            merged.runs[portal or ""].reports_new, merged.runs[portal or ""].reports_seen = new, total - new
        if len(ids) > 1:  # rows of an earlier merge, written under a later worker run that arrived first
            self.db.execute(f"delete from portal_health where run_id in ({','.join('?' * (len(ids) - 1))})", ids[1:])
        apply_health(self.db, ids[0], list(portals), merged)

    def close(self) -> None:
        self.db.close()


def main(db: Path, redis_url: str, *, stream: str, batch: int, idle_exit: float | None) -> int:
    writer = Writer(db, redis_url, stream=stream, batch=batch)

    def stop(signum, frame) -> None:  # finish the batch in hand, then exit
        writer.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"nianbao writer on {socket.gethostname()}: {stream} → {db}", file=sys.stderr, flush=True)
    try:
        stats = writer.run(idle_exit=idle_exit)
    finally:
        writer.close()
    kinds = ", ".join(f"{v} {k}" for k, v in sorted(stats.by_kind.items()))
    print(f"nianbao writer: {stats.applied} messages written ({kinds}), {stats.skipped} already written, "
          f"{stats.dead} failed (see {stream}:dead)", file=sys.stderr)
    return 1 if stats.dead else 0

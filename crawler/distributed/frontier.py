"""A shared frontier on Redis: scrapy-redis's Scheduler, priority queue and dupefilter, plus request leases.

scrapy-redis pops a request out of Redis when a worker takes it, so a worker killed while holding
requests would lose them (and the dupefilter would stop anyone from scheduling them again). Here a
pop moves the request atomically (Lua) from the queue into the worker's lease hash; the lease is
dropped once the engine has finished the request — downloaded, parsed, and its items through the
item pipelines (so its records are on the stream) and its follow-up requests in the queue. Each
worker refreshes a heartbeat key; any worker that finds another's heartbeat expired puts that
worker's leases back into the queue. A worker stopped cleanly puts its unfinished leases back itself.

A worker stays open while the queue has requests or another live worker holds leases (it may still
add requests), so N workers finish a pass together. Keys (prefix `NIANBAO_REDIS_PREFIX`, pass
`NIANBAO_PASS`, default the ISO week, so the weekly cron jobs of one week share one frontier):

    <prefix>:<pass>:<spider>:requests     sorted set, the queue (scrapy-redis PriorityQueue)
    <prefix>:<pass>:<spider>:dupefilter   set of request fingerprints (scrapy-redis RFPDupeFilter)
    <prefix>:<pass>:<spider>:workers      set of worker ids
    <prefix>:<pass>:<spider>:alive:<id>   heartbeat (expires after DISTRIBUTED_LEASE_TTL seconds)
    <prefix>:<pass>:<spider>:lease:<id>   hash: encoded request -> queue score, taken by worker <id>

Seeding is idempotent: every worker runs the spider's `start()`, and the shared dupefilter drops
the start requests another worker already scheduled.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

logger = logging.getLogger(__name__)

_POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
redis.call('HSET', KEYS[2], item[1], item[2])
return item
"""
_ENQUEUE = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
_REQUEUE = """
local items = redis.call('HGETALL', KEYS[2])
for i = 1, #items, 2 do redis.call('ZADD', KEYS[1], items[i + 1], items[i]) end
redis.call('DEL', KEYS[2])
return #items / 2
"""


def pass_id(settings: Any) -> str:
    """The pass whose frontier this worker joins: NIANBAO_PASS, else the ISO week (e.g. 2026-W48).

    `{week}` in NIANBAO_PASS becomes the ISO week: `{week}-41` is a weekly shard of region 41."""
    year, week, _ = datetime.now(UTC).isocalendar()
    iso = f"{year}-W{week:02d}"
    value = settings.get("NIANBAO_PASS") or os.environ.get("NIANBAO_PASS")
    return str(value).replace("{week}", iso) if value else iso


def frontier_base(settings: Any, spider: str) -> str:
    return f"{settings.get('NIANBAO_REDIS_PREFIX') or 'nianbao'}:{pass_id(settings)}:{spider}"


def worker_id(crawler: Any) -> str:
    """This process's worker id (DISTRIBUTED_WORKER_ID, else host:pid:random), shared by its components."""
    if not getattr(crawler, "distributed_worker", None):
        crawler.distributed_worker = (crawler.settings.get("DISTRIBUTED_WORKER_ID")
                                      or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")
    return str(crawler.distributed_worker)


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue whose pop leases the request to one worker instead of dropping it."""

    def __init__(self, server, spider, key, serializer=None, lease_key: str = "") -> None:
        super().__init__(server, spider, key, serializer)
        self.lease_key = lease_key
        self._pop = server.register_script(_POP)

    def pop_leased(self) -> tuple[Any, bytes] | None:
        item = self._pop(keys=[self.key, self.lease_key])
        if not item:
            return None
        data = item[0]
        return self._decode_request(data), data


class LocalCacheDupeFilter(RFPDupeFilter):
    """scrapy-redis's Redis-set dupefilter with a bounded local cache of fingerprints known to be in the set.

    Portal pages repeat ~300 navigation links each: without the cache every one costs a Redis round trip.
    The shared set only grows during a pass, so a fingerprint once seen stays seen; the cache only saves
    the trip (cleared past `size` entries, to bound memory)."""

    def __init__(self, server, key, debug=False, size: int = 500_000) -> None:
        super().__init__(server, key, debug)
        self.size = size
        self.known: set[str] = set()

    def request_seen(self, request) -> bool:
        fp = self.request_fingerprint(request)
        if fp in self.known:
            return True
        added = self.server.sadd(self.key, fp)
        self.remember(fp)
        return added == 0

    def remember(self, fp: str) -> None:
        if len(self.known) >= self.size:
            self.known.clear()
        self.known.add(fp)


class Frontier(Scheduler):
    """SCHEDULER for settings/distributed.py: a shared, persistent frontier with leases."""

    crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler):
        inst = super().from_crawler(crawler)
        settings = crawler.settings
        inst.crawler = crawler
        inst.persist = True  # a finishing worker must never flush the frontier the others still use
        inst.lease_ttl = max(1, settings.getint("DISTRIBUTED_LEASE_TTL", 30))
        inst.worker = worker_id(crawler)
        inst.leased = {}  # encoded request -> Request, taken by this worker and not finished yet
        inst.heartbeat = None
        inst.beats = 0
        inst.requeued = 0
        crawler.signals.connect(inst.spider_idle, signal=signals.spider_idle)
        return inst

    # -- keys ----------------------------------------------------------------------------
    def open(self, spider):
        base = frontier_base(self.crawler.settings, spider.name)
        self.base = base
        self.queue_key = f"{base}:requests"
        self.workers_key = f"{base}:workers"
        self.lease_key = f"{base}:lease:{self.worker}"
        self.spider = spider
        self.queue = LeasedQueue(self.server, spider, self.queue_key, serializer=self.serializer,
                                 lease_key=self.lease_key)
        self.df = LocalCacheDupeFilter(self.server, key=f"{base}:dupefilter",
                                       debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"),
                                       size=self.crawler.settings.getint("DISTRIBUTED_DUPEFILTER_CACHE", 500_000))
        self._requeue = self.server.register_script(_REQUEUE)
        self._enqueue = self.server.register_script(_ENQUEUE)
        self.server.sadd(self.workers_key, self.worker)
        self._beat()
        self.reap()
        if len(self.queue):
            logger.info("frontier %s: joining with %d requests queued", base, len(self.queue))
        self.heartbeat = task.LoopingCall(self._tick)
        self.heartbeat.start(min(1.0, self.lease_ttl / 3), now=False)

    def close(self, reason):
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        self.release_finished()
        back = self._requeue(keys=[self.queue_key, self.lease_key]) if self.leased else 0
        if back:
            logger.info("frontier: %d unfinished requests put back into the queue", back)
        self.server.delete(self.lease_key, self._alive_key(self.worker))
        self.server.srem(self.workers_key, self.worker)

    # -- requests ------------------------------------------------------------------------
    def next_request(self):
        popped = self.queue.pop_leased()
        if popped is None:
            return None
        request, data = popped
        self.leased[data] = request
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def enqueue_request(self, request):
        if request.dont_filter:
            self.queue.push(request)
        else:
            # Seen-mark and queue in one step (Lua): a worker killed between the two would leave a request
            # marked seen that nobody ever fetches.
            fp = self.df.request_fingerprint(request)
            added = fp not in self.df.known and self._enqueue(
                keys=[self.df.key, self.queue_key], args=[fp, -request.priority, self.queue._encode_request(request)])
            self.df.remember(fp)
            if not added:
                self.df.log(request, self.spider)
                return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    # -- leases --------------------------------------------------------------------------
    def _inprogress(self) -> set[Any]:
        # The engine's slot holds every request from the scheduler pop until its download, callback and
        # item pipelines are done (scrapy/core/engine.py: _start_scheduled_request → _remove_request).
        slot = getattr(self.crawler.engine, "_slot", None)
        return slot.inprogress if slot is not None else set()

    def release_finished(self) -> int:
        inprogress = self._inprogress()
        done = [data for data, request in self.leased.items() if request not in inprogress]
        if done:
            self.server.hdel(self.lease_key, *done)
            for data in done:
                del self.leased[data]
        return len(done)

    def _alive_key(self, worker: str) -> str:
        return f"{self.base}:alive:{worker}"

    def _beat(self) -> None:
        self.server.set(self._alive_key(self.worker), datetime.now(UTC).isoformat(), ex=self.lease_ttl)

    def reap(self) -> int:
        """Put the leases of workers whose heartbeat expired back into the queue."""
        back = 0
        for raw in self.server.smembers(self.workers_key):
            other = raw.decode() if isinstance(raw, bytes) else raw
            if other == self.worker or self.server.exists(self._alive_key(other)):
                continue
            n = int(self._requeue(keys=[self.queue_key, f"{self.base}:lease:{other}"]))
            self.server.srem(self.workers_key, other)
            if n:
                logger.warning("frontier: worker %s stopped answering; %d of its requests put back", other, n)
                back += n
        self.requeued += back
        if back and self.stats:
            self.stats.inc_value("nianbao/frontier/requeued", back)
        return back

    def _tick(self) -> None:
        try:
            self._beat()
            self.release_finished()
            self.beats += 1
            if self.beats % 3 == 0:
                self.reap()
            slot = getattr(self.crawler.engine, "_slot", None)
            if slot is not None and len(self.queue):  # wake an idle engine without waiting for its 5 s heartbeat
                slot.nextcall.schedule()
        except Exception:  # a Redis hiccup must not stop the heartbeat loop
            logger.exception("frontier heartbeat failed")

    def others_busy(self) -> bool:
        """Whether any other live worker still holds requests (it may schedule more)."""
        for raw in self.server.smembers(self.workers_key):
            other = raw.decode() if isinstance(raw, bytes) else raw
            if other != self.worker and self.server.hlen(f"{self.base}:lease:{other}"):
                return True
        return False

    def spider_idle(self, spider=None) -> None:
        self.release_finished()
        self.reap()
        if len(self.queue) or self.others_busy():
            raise DontCloseSpider("the shared frontier still has work")

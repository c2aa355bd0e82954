"""Distributed profile: the unchanged `portals` spider as one of N workers on a shared Redis frontier.

    SCRAPY_SETTINGS_MODULE=settings.distributed NIANBAO_REDIS_URL=redis://host:6379/0 scrapy crawl portals …
    SCRAPY_PROJECT=distributed scrapy crawl portals …          # the same, via scrapy.cfg [settings]
    nianbao writer --redis redis://host:6379/0 --db data/archive.db   # the one writer, on the archive host

scrapy-redis (pinned) provides the Scheduler, priority queue and dupefilter; crawler/distributed adds
request leases (a killed worker loses no request), a per-host token (N workers never hit one host at
N× the rate) and the stream pipeline that replaces the SQLite writer. Scope, host rules, budgets and
the circuit breaker are the spider's and its middlewares' (settings.base), unchanged. See docs/distributed.md.
"""

from __future__ import annotations

import os
import socket

from settings.base import *  # noqa: F403
from settings.base import DOWNLOADER_MIDDLEWARES, ITEM_PIPELINES

REDIS_URL = os.environ.get("NIANBAO_REDIS_URL", "redis://127.0.0.1:6379/0")
NIANBAO_REDIS_PREFIX = "nianbao"
NIANBAO_PASS = os.environ.get("NIANBAO_PASS")  # workers of one pass share a frontier; default: the ISO week
NIANBAO_STREAM = "nianbao:stream"  # records for `nianbao writer`
NIANBAO_STREAM_MAX_LEN = 50_000  # unread entries before workers wait for the writer

# scrapy-redis: shared queue and dupefilter, kept when a worker closes (the others still use them)
SCHEDULER = "crawler.distributed.frontier.Frontier"
DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"
SCHEDULER_QUEUE_CLASS = "scrapy_redis.queue.PriorityQueue"
SCHEDULER_PERSIST = True
DISTRIBUTED_LEASE_TTL = 30  # seconds without a heartbeat before a worker's requests go back to the queue

# one request per host per interval across all workers (default: DOWNLOAD_DELAY); per worker, one at a time
DISTRIBUTED_HOST_INTERVAL = -1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOADER_MIDDLEWARES = {**DOWNLOADER_MIDDLEWARES, "crawler.distributed.politeness.HostToken": 950}  # last: after robots.txt

# records go to the stream instead of SQLite; the process stage is the same
ITEM_PIPELINES = {**{k: v for k, v in ITEM_PIPELINES.items() if not k.endswith("ArchivePipeline")},
                  "crawler.distributed.stream.StreamPipeline": 900}

# WARC files stay on the worker (`nianbao warc-merge` brings them to the archive host); the host in
# the file name keeps names unique across machines
WARC_DIR = os.environ.get("NIANBAO_WARC_DIR") or None
WARC_NAME_TAG = socket.gethostname().replace("-", "")[:32]

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

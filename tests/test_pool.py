"""The parse pool: real spawned workers, a per-document time limit, dead workers replaced."""

from __future__ import annotations

import asyncio
import os

from crawler.demo.seeds import SEEDS
from pipelines.pool import ParsePool
from pipelines.process import process
from pipelines.records import Fetched, Rejected, Report

TARGET = "tests.pool_targets:echo_or_misbehave"


def run(coro):
    return asyncio.run(coro)


def test_documents_are_parsed_in_other_processes_in_parallel():
    async def main():
        pool = ParsePool(workers=2, timeout=60, target=TARGET)
        try:
            docs = [Fetched(f"http://x/{i}", body=b"x" * i) for i in range(6)]
            return await asyncio.gather(*(pool.submit(d) for d in docs))
        finally:
            pool.close()

    results = run(main())
    assert [r.reason.split(" saw ")[1] for r in results] == [f"{i} bytes" for i in range(6)]
    pids = {r.reason.split()[1] for r in results}
    assert str(os.getpid()) not in pids and 1 <= len(pids) <= 2


def test_a_slow_document_times_out_its_worker_is_replaced_and_the_others_go_on():
    async def main():
        pool = ParsePool(workers=1, timeout=1.5, target=TARGET)
        try:
            first = await pool.submit(Fetched("http://x/a"))
            slow = await pool.submit(Fetched("http://x/sleep"))
            after = await pool.submit(Fetched("http://x/b"))
            return first, slow, after, pool.timeouts
        finally:
            pool.close()

    first, slow, after, timeouts = run(main())
    assert isinstance(slow, Rejected) and slow.reason == "timeout after 1.5 s"
    assert timeouts == 1
    assert first.reason.split()[1] != after.reason.split()[1]  # a new worker process


def test_a_dying_worker_and_a_raising_parser_are_recorded_not_raised():
    async def main():
        pool = ParsePool(workers=1, timeout=30, target=TARGET)
        try:
            return [await pool.submit(Fetched(u)) for u in ("http://x/exit", "http://x/raise", "http://x/ok")], pool.deaths
        finally:
            pool.close()

    (died, raised, ok), deaths = run(main())
    assert died.reason.startswith("parser died (exit code 3)") and deaths == 1
    assert raised.reason == "parser failed: RuntimeError: broken parser"
    assert ok.reason.startswith("pid ")


def test_the_pool_gives_what_process_gives():
    text = SEEDS["002"].text
    html = "<html><body><h1>双辽市政府办公室2021年度政府信息公开工作报告</h1>" + "".join(
        f"<p>{line}</p>" for line in text.splitlines()) + "</body></html>"
    doc = Fetched("http://127.0.0.1/nb.html", html=html, title="双辽市政府办公室2021年度政府信息公开工作报告",
                  portal="demo", sha256="ab" * 32, fetched_at="2026-01-01T00:00:00+00:00")

    async def main():
        pool = ParsePool(workers=1, timeout=120)
        try:
            return await pool.submit(doc)
        finally:
            pool.close()

    pooled, local = run(main()), process(doc)
    assert isinstance(pooled, Report) and isinstance(local, Report)
    pooled.timings = local.timings = {}
    assert pooled == local
    assert pooled.fetch == {"headers": {}, "fetched_at": "2026-01-01T00:00:00+00:00", "sha256": "ab" * 32, "status": 200}


def test_records_survive_json():
    doc = Fetched("http://x/a.pdf", body=bytes(range(256)), kind="attachment", page_meta={"source": "某局"})
    assert Fetched.from_json(doc.to_json()) == doc
    local = process(Fetched("http://x/nb.html", html="<p>" + SEEDS["002"].text.replace("\n", "</p><p>") + "</p>",
                            title="双辽市政府办公室2021年度政府信息公开工作报告"))
    assert isinstance(local, Report)
    assert Report.from_json(local.to_json()) == local


def test_a_call_runs_in_a_worker_and_goes_before_the_waiting_documents():
    """`pool.call` (the archive writer's words of a replaced text): the next free worker takes it before
    the documents already waiting; a raising target, a closed pool and workers=0 answer None."""
    async def main():
        pool = ParsePool(workers=1, timeout=30, target=TARGET)
        order: list[str] = []

        async def doc(i: int):
            await pool.submit(Fetched(f"http://x/{i}", body=b"x"))
            order.append(f"doc {i}")

        async def call():
            pid = await pool.call("tests.pool_targets:pid_after", 0.0)
            order.append("call")
            return pid

        try:
            first = asyncio.ensure_future(pool.call("tests.pool_targets:pid_after", 0.5))  # holds the one worker
            await asyncio.sleep(0.1)
            docs = [asyncio.ensure_future(doc(i)) for i in range(3)]  # queued behind it
            await asyncio.sleep(0.1)
            pid = await call()
            await asyncio.gather(first, *docs)
            failed = await pool.call("tests.pool_targets:fail")
            words = await pool.call("pipelines.words:segment_fields", "标题", None, "政府信息公开工作年度报告")
        finally:
            pool.close()
        closed = await pool.call("tests.pool_targets:pid_after", 0.0)
        inline = await ParsePool(workers=0).call("tests.pool_targets:pid_after", 0.0)
        return order, pid, await first, failed, words, closed, inline

    order, pid, first_pid, failed, words, closed, inline = run(main())
    assert order[0] == "call" and sorted(order[1:]) == ["doc 0", "doc 1", "doc 2"]
    assert pid == first_pid != os.getpid()
    assert failed is None and closed is None and inline is None
    from pipelines.words import segment_fields

    assert words == segment_fields("标题", None, "政府信息公开工作年度报告")

"""The parse pool: real spawned workers, a per-document time limit, dead workers replaced."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from multiprocessing import forkserver
from pathlib import Path

import pytest

from crawler.demo.seeds import SEEDS
from pipelines.pool import ParsePool
from pipelines.process import process
from pipelines.records import Fetched, Rejected, Report

TARGET = "tests.pool_targets:echo_or_misbehave"
DESCRIBE = "tests.pool_targets:describe"
ROOT = Path(__file__).resolve().parents[1]


def run(coro):
    return asyncio.run(coro)


@pytest.mark.parametrize("start", ["forkserver", "spawn"])
def test_documents_are_parsed_in_other_processes_in_parallel(start):
    async def main():
        pool = ParsePool(workers=2, timeout=60, target=TARGET, start=start)
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


@pytest.mark.parametrize("start", ["forkserver", "spawn"])
def test_forked_and_spawned_workers_give_what_process_gives_on_generated_portals(start):
    """Report pages (60–240 KB, GBK and UTF-8 portals) and their PDF/DOCX attachments, through workers
    replaced every 3 documents: the same records as `process()` in this process."""
    from bench.parse_profile import stage_documents

    docs = stage_documents(2, 12)
    assert {d.kind for d in docs} == {"page", "attachment"} and len(docs) >= 8

    async def main():
        pool = ParsePool(workers=2, timeout=120, max_tasks=3, start=start)
        try:
            return await asyncio.gather(*(pool.submit(d) for d in docs)), pool.starts
        finally:
            pool.close()

    pooled, starts = run(main())
    assert starts >= 2 + len(docs) // 3 - 1
    for doc, got in zip(docs, pooled, strict=True):
        want = process(doc)
        got.timings = want.timings = {}
        assert got == want, doc.url
    assert sum(isinstance(r, Report) for r in pooled) >= len(docs) - 2


def test_records_survive_json():
    doc = Fetched("http://x/a.pdf", body=bytes(range(256)), kind="attachment", page_meta={"source": "某局"})
    assert Fetched.from_json(doc.to_json()) == doc
    local = process(Fetched("http://x/nb.html", html="<p>" + SEEDS["002"].text.replace("\n", "</p><p>") + "</p>",
                            title="双辽市政府办公室2021年度政府信息公开工作报告"))
    assert isinstance(local, Report)
    assert Report.from_json(local.to_json()) == local


async def describe(pool: ParsePool, name: str = "NIANBAO_POOL_TEST") -> dict:
    return json.loads((await pool.submit(Fetched(f"http://x/{name}"))).reason)


def test_workers_are_forked_from_a_server_that_loaded_the_parsers_and_has_no_thread():
    pool = ParsePool(workers=1, timeout=60, max_tasks=1, target=DESCRIBE)

    async def main():
        return await describe(pool), await describe(pool)

    try:
        first, second = run(main())
    finally:
        pool.close()
    assert first["pid"] != second["pid"] and first["ppid"] == second["ppid"] != os.getpid()  # the fork server
    assert first["parsers"] and first["jieba"] and first["parent_threads"] == 1  # pipelines/pool_preload.py
    assert forkserver._forkserver._forkserver_pid is None  # the last pool closed: the server stopped, was waited for
    with pytest.raises(ProcessLookupError):
        os.kill(first["ppid"], 0)


def test_a_spawned_worker_has_its_own_interpreter():
    pool = ParsePool(workers=1, timeout=60, target=DESCRIBE, start="spawn")
    try:
        seen = run(describe(pool))
    finally:
        pool.close()
    assert seen["ppid"] == os.getpid() and not seen["parsers"] and not seen["jieba"]
    with pytest.raises(ValueError, match="'forkserver' or 'spawn'"):
        ParsePool(start="fork")


def test_a_worker_takes_the_environment_of_when_it_starts(monkeypatch):
    monkeypatch.delenv("NIANBAO_POOL_TEST", raising=False)
    pool = ParsePool(workers=1, timeout=60, max_tasks=1, target=DESCRIBE)

    async def main():
        before = await describe(pool)  # starts the server and the worker; its replacement starts now too
        await asyncio.sleep(0.5)  # the replacement is up (started in a thread)
        monkeypatch.setenv("NIANBAO_POOL_TEST", "after")
        started_before, started_after = await describe(pool), await describe(pool)
        monkeypatch.delenv("NIANBAO_POOL_TEST")
        await describe(pool)
        return before, started_before, started_after, await describe(pool)

    try:
        before, started_before, started_after, removed = run(main())
    finally:
        pool.close()
    assert before["env"] is None and started_before["env"] is None
    assert started_after["env"] == "after" and removed["env"] is None
    assert before["ppid"] == started_after["ppid"] == removed["ppid"]  # one fork server, started before the change


def test_pools_share_the_server_until_the_last_one_closes():
    one, two = ParsePool(workers=1, timeout=60, max_tasks=1, target=DESCRIBE), \
        ParsePool(workers=1, timeout=60, max_tasks=1, target=DESCRIBE)

    async def main():
        a, b = await describe(one), await describe(two)
        one.close()
        return a, b, await describe(two), await describe(two)  # replacements forked after the other pool closed

    try:
        a, b, c, d = run(main())
    finally:
        one.close()
        two.close()
    assert a["ppid"] == b["ppid"] == c["ppid"] == d["ppid"] and len({a["pid"], b["pid"], c["pid"], d["pid"]}) == 4
    assert forkserver._forkserver._forkserver_pid is None


@pytest.mark.parametrize("start", ["forkserver", "spawn"])
def test_a_worker_runs_no_main_script_of_the_parent_when_forked(tmp_path, start):
    """A crawl's `__main__` is the `scrapy` script: a spawned worker re-runs it (Scrapy's imports), a
    forked one does not."""
    mark = tmp_path / "ran"
    script = tmp_path / "entry.py"
    script.write_text(f"import scrapy.cmdline\nopen({str(mark)!r}, 'a').write('x')\n")
    code = (
        "import asyncio, sys\n"
        f"sys.modules['__main__'].__file__ = {str(script)!r}\n"
        "from pipelines.pool import ParsePool\n"
        "from pipelines.records import Fetched\n"
        f"pool = ParsePool(workers=1, timeout=60, target={DESCRIBE!r}, start={start!r})\n"
        "try:\n"
        "    print(asyncio.run(pool.submit(Fetched('http://x/HOME'))).reason)\n"
        "finally:\n"
        "    pool.close()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    if start == "forkserver":
        assert seen["main"] is None and not seen["scrapy"] and not mark.exists()
    else:
        assert seen["main"] == str(script) and seen["scrapy"] and mark.read_text() == "x"


def test_a_killed_fork_server_is_started_again_and_the_pool_goes_on():
    pool = ParsePool(workers=1, timeout=60, max_tasks=1, target=DESCRIBE)

    async def main():
        first = await describe(pool)  # worker A; its replacement B is forked now
        await asyncio.sleep(0.5)
        os.kill(first["ppid"], signal.SIGKILL)  # the fork server (the OOM killer, say)
        time.sleep(0.5)
        return first, await describe(pool), await describe(pool)  # B (forked before), then C from a new server

    try:
        first, before, after = run(main())
    finally:
        pool.close()
    assert before["pid"] != first["pid"] and after["pid"] not in (first["pid"], before["pid"])
    assert after["ppid"] not in (first["ppid"], os.getpid()) and after["parsers"] and after["jieba"]
    assert forkserver._forkserver._forkserver_pid is None


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


def test_a_document_in_flight_when_the_pool_closes_is_rejected_and_no_worker_starts_after():
    pool = ParsePool(workers=1, timeout=3, target=TARGET)

    async def main():
        await pool.submit(Fetched("http://x/warm"))  # the worker is up
        busy = asyncio.ensure_future(pool.submit(Fetched("http://x/sleep")))
        await asyncio.sleep(0.3)
        pool.close()  # the crawl stops: the busy worker is killed
        return await busy

    late = run(main())
    assert isinstance(late, Rejected) and pool.starts == 1 and not pool._all
    assert forkserver._forkserver._forkserver_pid is None


def test_on_an_untested_python_the_stock_forkserver_launch_runs(monkeypatch):
    """`_Popen._launch` copies CPython 3.11-3.13's; on another version the pool uses multiprocessing's own
    launch (the worker re-runs the parent's main: slower, the same answers)."""
    import pipelines.pool as pool_module

    monkeypatch.setattr(pool_module, "_OWN_LAUNCH", False)

    async def main():
        pool = ParsePool(workers=1, timeout=60, target=TARGET, start="forkserver")
        try:
            return await asyncio.gather(*(pool.submit(Fetched(f"http://x/{i}", body=b"x" * i)) for i in range(3)))
        finally:
            pool.close()

    launched = []

    class Recording(pool_module.popen_forkserver.Popen):
        def __init__(self, process_obj):
            launched.append(process_obj)
            super().__init__(process_obj)

    monkeypatch.setattr(pool_module.popen_forkserver, "Popen", Recording)
    results = run(main())
    assert [r.reason.split(" saw ")[1] for r in results] == [f"{i} bytes" for i in range(3)]
    assert launched  # the stock launch started the worker

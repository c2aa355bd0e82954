"""The parse pool: `process(fetched)` in worker processes, so both cores parse and the event loop never waits.

    pool = ParsePool(workers=2, timeout=120)
    result = await pool.submit(fetched)   # Report | Rejected, on the running asyncio loop
    pool.close()

Each worker is a spawned process that receives a `Fetched` over a pipe and sends back what
`pipelines.process.process` returned. The loop learns of the answer through `add_reader` on the
pipe: no thread waits. Bounds:

- a document taking longer than `timeout` seconds: its worker is killed (SIGKILL) and replaced,
  and `submit` returns `Rejected("timeout after N s")`;
- a worker that dies (a crash, the OOM killer): replaced, `Rejected("parser died: …")`;
- a worker is replaced after `max_tasks` documents (memory a parser leaks is given back).

With `workers=0` the documents are parsed in a thread of this process (tests, small imports); the
timeout then cannot stop the parse and is not applied.

`await pool.call("module:function", *args)` runs another function in a worker (the archive writer
has the words of a replaced report's text segmented there: the workers hold jieba's dictionary, the
crawl process need not load it); a call gets the next free worker before the documents waiting, and
answers None when the worker could not (timeout, death, error).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pipelines.records import Fetched, Rejected, Report

TIMEOUT_REASON = "timeout after {seconds:g} s"


@dataclass(frozen=True)
class Call:
    """A message to a worker: run `target` ("module:function") on `args` instead of the pool's target."""

    target: str
    args: tuple[Any, ...]


class _Failed:
    """What a worker answers when a Call raised."""


def _resolve(target: str) -> Callable[..., Any]:
    module, name = target.rsplit(":", 1)
    return getattr(__import__(module, fromlist=[name]), name)


def _worker_main(conn: Connection, target: str, kwargs: dict[str, Any] | None = None) -> None:
    """Worker loop: Fetched in, Report | Rejected out, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the crawl, which closes the pool
    fn: Callable[[Fetched], Any] = _resolve(target)
    while True:
        try:
            doc = conn.recv()
        except (EOFError, OSError):
            return
        if isinstance(doc, Call):
            try:
                answer = _resolve(doc.target)(*doc.args)
            except Exception:
                answer = _Failed()
            conn.send(answer)
            continue
        try:
            result = fn(doc, **(kwargs or {}))
        except Exception as exc:  # a parser bug: the document is recorded, the worker lives on
            result = Rejected(f"parser failed: {type(exc).__name__}: {exc}")
        conn.send(result)


class _Worker:
    def __init__(self, ctx: Any, target: str, kwargs: dict[str, Any] | None = None) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, target, kwargs), daemon=True,
                                name="nianbao-parse")
        self.proc.start()
        child.close()
        self.tasks = 0

    def kill(self) -> None:
        if self.proc.is_alive():
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.join(5)
        self.conn.close()


class ParsePool:
    """`workers` spawned parse processes; `submit` is a coroutine of the running loop."""

    def __init__(self, workers: int = 2, timeout: float = 120.0, max_tasks: int = 500,
                 target: str = "pipelines.process:process", kwargs: dict[str, Any] | None = None) -> None:
        self.workers, self.timeout, self.max_tasks, self.target = workers, timeout, max_tasks, target
        self.kwargs = kwargs or {}  # passed to the target with each document (e.g. limits=Limits(...))
        self.ctx = multiprocessing.get_context("spawn")  # no fork of a process with a reactor and threads
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: list[_Worker] = []
        self._urgent: deque[asyncio.Future[_Worker]] = deque()  # calls waiting: served before queued documents
        self.timeouts = 0
        self.deaths = 0
        self.closed = False

    def _start(self) -> None:
        self._idle = asyncio.Queue()
        for _ in range(self.workers):
            self._spawn()

    def _spawn(self) -> None:
        worker = _Worker(self.ctx, self.target, self.kwargs)
        self._all.append(worker)
        self._release(worker)

    def _release(self, worker: _Worker) -> None:
        """A worker is free: to the first waiting call, else to the queue the documents wait on."""
        while self._urgent:
            waiter = self._urgent.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        assert self._idle is not None
        self._idle.put_nowait(worker)

    async def _acquire(self, urgent: bool) -> _Worker:
        assert self._idle is not None
        if not urgent:
            return await self._idle.get()
        try:
            return self._idle.get_nowait()
        except asyncio.QueueEmpty:
            pass
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._urgent.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())
            raise

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        self._all.remove(worker)
        self._spawn()

    async def submit(self, doc: Fetched) -> Report | Rejected:
        if self.workers <= 0:
            from pipelines.process import process

            return await asyncio.to_thread(process, doc, **self.kwargs)
        return await self._send(doc)

    async def call(self, target: str, *args: Any) -> Any:
        """`target(*args)` ("module:function", picklable arguments and answer) in a worker; None when no
        worker runs (workers=0, the pool closed) or it could not answer (timeout, death, an exception)."""
        if self.workers <= 0 or self.closed:
            return None
        answer = await self._send(Call(target, args), urgent=True)
        return None if isinstance(answer, (Rejected, _Failed)) else answer

    async def _send(self, doc: Fetched | Call, urgent: bool = False) -> Any:
        if self._idle is None:
            self._start()
        worker = await self._acquire(urgent)
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[None] = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, lambda: answer.done() or answer.set_result(None))
        try:
            worker.conn.send(doc)
            await asyncio.wait_for(answer, self.timeout if self.timeout > 0 else None)
            result = worker.conn.recv()
        except TimeoutError:
            loop.remove_reader(fd)
            self.timeouts += 1
            self._retire(worker)
            return Rejected(TIMEOUT_REASON.format(seconds=self.timeout))
        except (EOFError, OSError, BrokenPipeError) as exc:  # the worker died under this document
            loop.remove_reader(fd)
            self.deaths += 1
            worker.proc.join(5)
            code = worker.proc.exitcode
            self._retire(worker)
            return Rejected(f"parser died (exit code {code}): {type(exc).__name__}")
        except BaseException:  # cancelled (the crawl stops): the worker's state is unknown
            loop.remove_reader(fd)
            self._retire(worker)
            raise
        loop.remove_reader(fd)
        worker.tasks += 1
        if worker.tasks >= self.max_tasks:
            self._retire(worker)
        else:
            self._release(worker)
        return result

    def peak_rss_mb(self) -> list[float]:
        """Peak resident memory (VmHWM, Linux) of each live worker, in MB."""
        out = []
        for worker in self._all:
            try:
                status = Path(f"/proc/{worker.proc.pid}/status").read_text(encoding="ascii")
            except OSError:
                continue
            kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
            out.append(kb / 1024)
        return out

    def close(self) -> None:
        self.closed = True
        for waiter in self._urgent:
            waiter.cancel()
        self._urgent.clear()
        for worker in self._all:
            worker.kill()
        self._all.clear()
        self._idle = None

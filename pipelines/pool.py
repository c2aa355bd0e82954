"""The parse pool: `process(fetched)` in worker processes, so both cores parse and the event loop never waits.

    pool = ParsePool(workers=2, timeout=120)
    result = await pool.submit(fetched)   # Report | Rejected, on the running asyncio loop
    pool.close()

Each worker is a process that receives a `Fetched` over a pipe and sends back what
`pipelines.process.process` returned. Workers are forked from a fork server (multiprocessing's
'forkserver': a fresh interpreter, started cleanly however many threads the crawl has) that has
imported the parsers and loaded jieba's dictionary once (pipelines/pool_preload.py), so a worker
starts in milliseconds and a replaced one costs no new imports. A worker does not import the
parent's `__main__` (a crawl's is the `scrapy` script: Scrapy and Twisted, which it never uses) and
takes the parent's environment as it is when the pool starts it. Workers are started from a thread
(the first waits ~1 s for the server to load the parsers), never blocking the loop. `start="spawn"`:
a fresh interpreter per worker instead (what the pool did before; for comparison). The loop learns
of the answer through `add_reader` on the pipe: no thread waits. Bounds:

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
import concurrent.futures
import contextlib
import io
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import context, forkserver, popen_forkserver, spawn, util
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pipelines.records import Fetched, Rejected, Report

TIMEOUT_REASON = "timeout after {seconds:g} s"
PRELOAD = ["pipelines.pool_preload"]  # what the fork server imports before forking workers
_servers = threading.Lock()
_server_users = 0  # open pools with forked workers: the fork server stops when the last one closes


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


class _Popen(popen_forkserver.Popen):
    """multiprocessing's forkserver launch (CPython 3.11-3.13's `_launch`) without the parent's `__main__`
    in the preparation data: the worker's target and arguments come from `pipelines`, and re-running a
    crawl's main (the `scrapy` script) cost every worker ~0.3 s CPU of Scrapy and Twisted imports."""

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buf = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            context.reduction.dump(prep_data, buf)
            context.reduction.dump(process_obj, buf)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)  # the child's sentinel of this process, as in multiprocessing
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


# `_Popen._launch` copies CPython 3.11-3.13's; on any other version the stock launch runs (the worker then
# re-runs the parent's __main__: slower to start, the same results).
_OWN_LAUNCH = (3, 11) <= sys.version_info[:2] <= (3, 13)


class _ForkedProcess(context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> popen_forkserver.Popen:
        return (_Popen if _OWN_LAUNCH else popen_forkserver.Popen)(process_obj)


class _ForkContext:
    """The pool's start method 'forkserver': Pipe from multiprocessing, Process forked by `_Popen`."""

    Pipe = staticmethod(multiprocessing.Pipe)
    Process = _ForkedProcess


def _worker_main(conn: Connection, target: str, kwargs: dict[str, Any] | None = None,
                 env: dict[str, str] | None = None) -> None:
    """Worker loop: Fetched in, Report | Rejected out, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the crawl, which closes the pool
    if env is not None and env != os.environ:  # the parent's environment now, not the fork server's
        os.environ.clear()
        os.environ.update(env)
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
    def __init__(self, ctx: Any, target: str, kwargs: dict[str, Any] | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, target, kwargs, env), daemon=True,
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
    """`workers` parse processes; `submit` is a coroutine of the running loop. `start`: "forkserver"
    (workers forked from a server that loaded the parsers once) or "spawn" (a fresh interpreter each)."""

    def __init__(self, workers: int = 2, timeout: float = 120.0, max_tasks: int = 500,
                 target: str = "pipelines.process:process", kwargs: dict[str, Any] | None = None,
                 start: str = "forkserver") -> None:
        if start not in ("forkserver", "spawn"):
            raise ValueError(f"start must be 'forkserver' or 'spawn', not {start!r}")
        self.workers, self.timeout, self.max_tasks, self.target = workers, timeout, max_tasks, target
        self.kwargs = kwargs or {}  # passed to the target with each document (e.g. limits=Limits(...))
        self.start = start
        # never a plain fork of the crawl process: it has a reactor and threads
        self.ctx: Any = _ForkContext if start == "forkserver" else multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Worker | None] | None = None
        self._all: list[_Worker] = []
        self._starting: set[concurrent.futures.Future[_Worker]] = set()
        self._starter: concurrent.futures.ThreadPoolExecutor | None = None
        self._start_error: BaseException | None = None
        self._uses_server = False
        self._urgent: deque[asyncio.Future[_Worker | None]] = deque()  # calls waiting: before queued documents
        self.closed = False
        self.timeouts = 0
        self.deaths = 0
        self.starts = 0  # worker processes started (the first ones and every replacement)

    def _start(self) -> None:
        global _server_users
        if self.start == "forkserver":
            with _servers:
                if not _server_users:
                    forkserver.set_forkserver_preload(PRELOAD)
                _server_users += 1
            self._uses_server = True
        self._idle = asyncio.Queue()
        self._starter = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="nianbao-parse-start")
        for _ in range(self.workers):
            self._spawn()

    def _spawn(self) -> None:
        """Start a worker in a thread, so the loop never waits: the fork server loads the parsers (~1 s)
        before it forks the first one. The worker joins the idle queue when it is up."""
        assert self._starter is not None
        self.starts += 1
        started = self._starter.submit(_Worker, self.ctx, self.target, self.kwargs, dict(os.environ))
        self._starting.add(started)
        loop = asyncio.get_running_loop()

        def tell_loop(f: concurrent.futures.Future[_Worker]) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: close() takes the worker
                loop.call_soon_threadsafe(self._started, f)

        started.add_done_callback(tell_loop)

    def _started(self, started: concurrent.futures.Future[_Worker]) -> None:
        if started not in self._starting:  # close() took it
            return
        self._starting.discard(started)
        assert self._idle is not None
        if (exc := started.exception()) is not None:
            self._start_error = exc
            self._idle.put_nowait(None)  # a waiting submit raises it
            return
        worker = started.result()
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

    async def _acquire(self, urgent: bool) -> _Worker | None:
        assert self._idle is not None
        if not urgent:
            return await self._idle.get()
        try:
            return self._idle.get_nowait()
        except asyncio.QueueEmpty:
            pass
        waiter: asyncio.Future[_Worker | None] = asyncio.get_running_loop().create_future()
        self._urgent.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                self._release(waiter.result())
            raise

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        if worker in self._all:
            self._all.remove(worker)
        if self._idle is not None:  # not after close()
            self._spawn()

    async def submit(self, doc: Fetched) -> Report | Rejected:
        if self.workers <= 0:
            from pipelines.process import process

            return await asyncio.to_thread(process, doc, **self.kwargs)
        return await self._send(doc)

    async def call(self, target: str, *args: Any) -> Any:
        """`target(*args)` ("module:function", picklable arguments and answer) in a worker; None when no
        worker runs (workers=0, the pool closed, none could start) or it could not answer (timeout,
        death, an exception)."""
        if self.workers <= 0 or self.closed:
            return None
        try:
            answer = await self._send(Call(target, args), urgent=True)
        except RuntimeError:  # no worker could start
            return None
        return None if isinstance(answer, (Rejected, _Failed)) else answer

    async def _send(self, doc: Fetched | Call, urgent: bool = False) -> Any:
        if self._idle is None:
            self._start()
        worker = await self._acquire(urgent)
        if worker is None:  # a worker could not be started: the next document tries again
            self._spawn()
            raise RuntimeError(f"parse worker could not start: {self._start_error!r}") from self._start_error
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
        global _server_users
        self.closed = True
        for waiter in self._urgent:
            waiter.cancel()
        self._urgent.clear()
        stuck = False
        for started in list(self._starting):  # a worker still starting: wait for it, then stop it too
            try:
                self._all.append(started.result(timeout=60))
            except concurrent.futures.TimeoutError:
                stuck = True
            except Exception:  # it did not start: nothing to stop
                pass
        self._starting.clear()
        for worker in self._all:
            worker.kill()
        self._all.clear()
        self._idle = None
        if self._starter is not None:
            self._starter.shutdown(wait=not stuck)
            self._starter = None
        if self._uses_server:
            self._uses_server = False
            with _servers:
                _server_users -= 1
                if not _server_users and not stuck:
                    # the last pool: the server exits and is waited for (its CPU and its workers' are
                    # this process's children's); the next pool starts one with the environment of then
                    forkserver._forkserver._stop()

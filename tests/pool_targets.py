"""Parse functions for tests/test_pool.py: a worker runs them by name (module:function)."""

from __future__ import annotations

import os
import time

from pipelines.records import Fetched, Rejected


def echo_or_misbehave(doc: Fetched) -> Rejected:
    if "sleep" in doc.url:
        time.sleep(60)
    if "exit" in doc.url:
        os._exit(3)
    if "raise" in doc.url:
        raise RuntimeError("broken parser")
    return Rejected(f"pid {os.getpid()} saw {len(doc.body)} bytes")


def describe(doc: Fetched) -> Rejected:
    """What the worker process holds: its pids, the environment variable named by the URL, loaded modules."""
    import json
    import sys

    from pipelines import words

    return Rejected(json.dumps({
        "pid": os.getpid(), "ppid": os.getppid(), "env": os.environ.get(doc.url.rsplit("/", 1)[1]),
        "main": getattr(sys.modules.get("__mp_main__"), "__file__", None),
        "scrapy": "scrapy" in sys.modules, "parsers": "pipelines.process" in sys.modules,
        "jieba": words._tokenizer is not None, "parent_threads": len(os.listdir(f"/proc/{os.getppid()}/task"))}))


def pid_after(seconds: float) -> int:
    """A call target: the worker's pid, after a pause."""
    time.sleep(seconds)
    return os.getpid()


def fail() -> None:
    raise RuntimeError("broken call")

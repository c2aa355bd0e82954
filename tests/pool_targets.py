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


def pid_after(seconds: float) -> int:
    """A call target: the worker's pid, after a pause."""
    time.sleep(seconds)
    return os.getpid()


def fail() -> None:
    raise RuntimeError("broken call")

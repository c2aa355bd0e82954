"""The stream's messages: one JSON object per Redis Stream entry (field `m`). Pure: no Scrapy, no Redis.

    {"id": "<uuid>", "kind": "<kind>", "run": "<run key>", "at": "<UTC ISO>", "data": …}

kinds: run_start, report, rejected, fetches, memos, not_modified, captures, health, run_finish.
`id` is unique per message: the writer records applied ids in the same transaction as the
rows, so a message delivered twice (writer killed between commit and XACK) is applied once.
bytes (MinHash signatures, page memos) travel as {"$b64": "…"}.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

KINDS = ("run_start", "report", "rejected", "fetches", "memos", "not_modified", "captures", "health", "run_finish")
FIELD = b"m"


def _default(obj: Any) -> Any:
    if isinstance(obj, bytes | bytearray | memoryview):
        return {"$b64": base64.b64encode(bytes(obj)).decode("ascii")}
    if isinstance(obj, set | frozenset):
        return sorted(obj)
    if hasattr(obj, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(obj)
    raise TypeError(f"cannot put {type(obj).__name__} on the stream")


def _hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and "$b64" in obj:
        return base64.b64decode(obj["$b64"])
    return obj


def make(kind: str, run: str, data: Any) -> dict[str, Any]:
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    return {"id": uuid.uuid4().hex, "kind": kind, "run": run,
            "at": datetime.now(UTC).replace(microsecond=0).isoformat(), "data": data}


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, default=_default, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(raw: bytes) -> dict[str, Any]:
    """Inverse of encode; raises ValueError on something that is not one of our messages."""
    try:
        message = json.loads(raw, object_hook=_hook)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a JSON message: {exc}") from exc
    if not isinstance(message, dict) or message.get("kind") not in KINDS or not message.get("id"):
        raise ValueError(f"not a nianbao stream message: {str(message)[:200]}")
    return message

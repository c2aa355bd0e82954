"""Dedup keys: the canonical URL of a page and the content fingerprint of a report.

Pure functions. Policy (README "Dedup"): two fetches are the same report when their content
fingerprints match, whatever URL, chrome or script (繁體/简体) they came with.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from pipelines.normalize import normalize_text

_INDEX_PAGE = re.compile(r"/(?:index|default)\.(?:html?|shtml|jsp|php|aspx?)$", re.I)


def canonical_url(url: str) -> str:
    """w3lib canonical form, plus: scheme folded to http, `index.html` and trailing slash dropped."""
    url = canonicalize_url(url, keep_fragments=False)
    parts = urlsplit(url)
    path = _INDEX_PAGE.sub("/", parts.path)
    if path.endswith("/") and len(path) > 1:
        path = path.rstrip("/")
    host = parts.netloc.lower()
    if host.endswith(":80") or host.endswith(":443"):
        host = host.rsplit(":", 1)[0]
    return urlunsplit(("http", host, path or "/", parts.query, ""))


def text_key(text: str) -> str:
    """Report text as compared for dedup: Simplified, NFKC, no whitespace, no punctuation."""
    text = normalize_text(text)
    return re.sub(r"[\s\W_]+", "", text)


def content_hash(body_text: str, cells: Iterable[Mapping[str, Any]] = ()) -> str:
    """sha256 of the normalised text plus the table cells (sorted), hex."""
    cell_key = sorted(
        (c["table_name"], c["row_label"], c["col_label"], c.get("value")) for c in cells
    )
    payload = text_key(body_text) + "\x00" + json.dumps(cell_key, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()

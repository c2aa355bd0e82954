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


# -- near-duplicates: MinHash over character shingles, banded into LSH buckets ------------------
# A revised report (a corrected figure, an added paragraph) keeps almost all of its shingles, so
# its MinHash similarity to the old version stays high (≥ NEAR_DUP_THRESHOLD); unrelated reports
# from the same template share boilerplate but differ in every number and name.
SHINGLE = 4  # characters per shingle (no word segmentation needed for Chinese)
NUM_PERM = 128
BANDS, ROWS = 16, 8  # LSH: two signatures share a bucket with probability 1-(1-s^8)^16 (s=0.8: 0.9996)
NEAR_DUP_THRESHOLD = 0.8  # estimated Jaccard similarity at or above which a report is a new version
_SEED = 1  # fixed: signatures stored in the archive must stay comparable across runs


def shingles(body_text: str, cells: Iterable[Mapping[str, Any]] = ()) -> set[bytes]:
    """Character 4-grams of the dedup text key, plus one token per table cell (label and value)."""
    key = text_key(body_text)
    out = {key[i : i + SHINGLE].encode() for i in range(max(len(key) - SHINGLE + 1, 1 if key else 0))}
    out.update(f"\x01{c['table_name']}|{c['row_label']}|{c['col_label']}|{c.get('value')}".encode() for c in cells)
    return out


def minhash_signature(body_text: str, cells: Iterable[Mapping[str, Any]] = ()) -> bytes:
    """MinHash signature (NUM_PERM little-endian uint32 values) of a report; b"" for an empty one."""
    from datasketch import MinHash  # imported lazily: pulls numpy/scipy

    tokens = shingles(body_text, cells)
    if not tokens:
        return b""
    mh = MinHash(num_perm=NUM_PERM, seed=_SEED)
    mh.update_batch(list(tokens))
    return mh.hashvalues.astype("<u4").tobytes()


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal MinHash values)."""
    if not sig_a or not sig_b or len(sig_a) != len(sig_b):
        return 0.0
    import numpy as np

    a, b = np.frombuffer(sig_a, "<u4"), np.frombuffer(sig_b, "<u4")
    return float((a == b).mean())


def lsh_buckets(sig: bytes) -> list[str]:
    """The signature's LSH bucket keys, one per band: "band:hash of the band's rows"."""
    if not sig:
        return []
    step = ROWS * 4
    return [f"{b}:{hashlib.blake2b(sig[b * step:(b + 1) * step], digest_size=8).hexdigest()}" for b in range(BANDS)]

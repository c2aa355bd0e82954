"""Dedup keys: the canonical URL of a page and the content fingerprint of a report.

Pure functions. Policy (README "Dedup"): two fetches are the same report when their content
fingerprints match, whatever URL, chrome or script (繁體/简体) they came with.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from pipelines.normalize import label_key, normalize_text

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


# Page chrome that cleaning may leave in the body text and that differs between reposts.
_CHROME_LINE = re.compile(r"ICP备|公网安备|网站标识码|技术支持|无障碍|长者专版|主办单位|承办单位|版权所有|当前位置|"
                          r"发布时间|信息来源|索引号|浏览次数|打印本页|关闭窗口|字号")
# Where a report's own text starts: its preamble (根据《条例》…, 本报告…) or its first section.
_REPORT_START = re.compile(r"^.{0,24}?(?:根据|依据|按照)《|^本报告|^[一1][、.．]\s*总体情况")


def report_core(text: str) -> str:
    """The report's own text, normalised: from its preamble or first section on, without chrome lines.

    What comes before (site name, breadcrumb, title, metadata block) differs between reposts of
    one report; the title is compared through the report's agency and year instead.
    """
    lines = [ln for ln in normalize_text(text).splitlines() if not (len(ln) < 80 and _CHROME_LINE.search(ln))]
    start = next((i for i, ln in enumerate(lines) if _REPORT_START.search(ln.strip())), 0)
    return "\n".join(lines[start:])


@lru_cache(maxsize=4)  # content_hash and minhash_signature both ask for the same report's key
def text_key(text: str) -> str:
    """Report text as compared for dedup: its core (above), Simplified, NFKC, no whitespace or punctuation."""
    return re.sub(r"[\s\W_]+", "", report_core(text))


MIN_TEXT_KEY = 200  # characters of report text below which the text cannot tell two reports apart


def content_hash(body_text: str, cells: Iterable[Mapping[str, Any]] = (), data: bytes = b"") -> str:
    """sha256 of the normalised text plus the table cells (sorted), hex.

    A document with (almost) no text and no cells (a scan not yet read) is identified by its bytes
    `data` instead: an empty string must never make different scans one report.
    """
    cell_key = sorted(
        (c["table_name"], c["row_label"], c["col_label"], c.get("value")) for c in cells
    )
    key = text_key(body_text)
    if len(key) < MIN_TEXT_KEY and not cell_key and data:
        key = "bytes:" + hashlib.sha256(data).hexdigest() + "\x00" + key
    payload = key + "\x00" + json.dumps(cell_key, ensure_ascii=False)
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
    """MinHash signature (NUM_PERM little-endian uint32 values) of a report; b"" for an empty one.

    The values are datasketch's `MinHash(num_perm=128, seed=1)` with its "affine32" scheme (the
    default of datasketch 2.x, which wrote the archives' signatures), computed here with numpy: the
    same numbers (tests/test_dedup.py compares them with datasketch), without datasketch's import of
    scipy (0.4 s CPU in every parse worker) and its per-token Python hash calls.
    """
    import numpy as np

    tokens = shingles(body_text, cells)
    if not tokens:
        return b""
    a, b = _permutations()
    sha1 = hashlib.sha1
    # datasketch's sha1_hash32: the first 4 bytes of SHA-1, little-endian
    hv = np.frombuffer(b"".join([sha1(t).digest()[:4] for t in tokens]), "<u4").astype(np.uint32)
    hv = hv ^ (hv >> np.uint32(16))  # MurmurHash3 finaliser (datasketch's _fmix, 32 bits), wrapping
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    hv = hv ^ (hv >> np.uint32(16))
    return (hv.reshape(-1, 1) * a + b).min(axis=0).astype("<u4").tobytes()


@lru_cache(maxsize=1)
def _permutations():
    """datasketch's affine32 permutations for NUM_PERM and _SEED: odd a, any b, h → a·h + b mod 2^32."""
    import numpy as np

    gen = np.random.RandomState(_SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


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


# -- versions: which archived report a new record revises (the rule; pipelines/store/reports.py asks it) --

@dataclass(frozen=True)
class Candidate:
    """An archived report that may be an earlier version of a new record."""

    report_id: int
    agency: str | None
    year: int | None
    signature: bytes
    same_url: bool  # seen at the new record's canonical URL (and kind)


def _same(a: Any, b: Any) -> bool | None:
    """True/False when both are known, None when either is missing. Agencies compare normalised."""
    if a in (None, "") or b in (None, ""):
        return None
    if isinstance(a, str) and isinstance(b, str):
        return label_key(a) == label_key(b)
    return a == b


def version_target(candidates: Iterable[Candidate], agency: str | None, year: int | None,
                   signature: bytes) -> tuple[int | None, float]:
    """The report a new record is a new version of, and its similarity; (None, 0.0) if none.

    At a known URL a changed page is a revision unless it is another agency's or year's; elsewhere
    the same text is a revision only with the same agency and year and similarity ≥ NEAR_DUP_THRESHOLD.
    The most similar qualifying candidate wins (ties: the lowest id).
    """
    best: tuple[int | None, float] = (None, -1.0)
    for c in sorted(candidates, key=lambda c: c.report_id):
        same_agency, same_year = _same(c.agency, agency), _same(c.year, year)
        sim = similarity(signature, c.signature)
        if c.same_url:
            ok = same_agency is not False and same_year is not False
        else:
            ok = bool(same_agency and same_year) and sim >= NEAR_DUP_THRESHOLD
        if ok and sim > best[1]:
            best = (c.report_id, sim)
    return (best[0], max(best[1], 0.0)) if best[0] is not None else (None, 0.0)

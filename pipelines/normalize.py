"""Text normalisation shared by every parser: pinyin annotations, Traditional script, NFKC.

Pure functions; no Scrapy. Order matters: strip pinyin first (annotations carry tone marks
that NFKC would decompose), then convert the script, then fold widths.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

# `報(bào)`, `項(xiàng)`, `皖I(lǐng)CP` — every annotation seen carries a tone mark; `(app)` survives.
_PINYIN = re.compile(r"[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*[)）]")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u200b\ufeff]+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def strip_pinyin(text: str) -> str:
    """Remove pinyin annotations such as `報(bào)` → `報`."""
    return _PINYIN.sub("", text)


def to_simplified(text: str) -> str:
    """Traditional → Simplified (OpenCC t2s); Simplified text passes unchanged."""
    return _t2s().convert(text)


def traditional_share(text: str) -> float:
    """Share of characters that t2s changes: ~0.15–0.2 for Traditional text, 0 for Simplified."""
    if not text:
        return 0.0
    converted = to_simplified(text)
    changed = sum(1 for a, b in zip(text, converted, strict=False) if a != b)
    return changed / len(text)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def normalize_text(text: str) -> str:
    """Pinyin stripped, Simplified, NFKC; runs of horizontal space folded to one space.

    Line breaks are kept: table parsers rely on them.
    """
    text = nfkc(to_simplified(strip_pinyin(text)))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())


_WS = re.compile(r"\s+")


@lru_cache(maxsize=16384)  # the table parser asks for the same few hundred labels ~2,000 times a report
def label_key(text: str) -> str:
    """Canonical label form: normalised and with all whitespace removed."""
    return _WS.sub("", normalize_text(text))

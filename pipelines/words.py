"""Chinese words for search: jieba segmentation, made fine-grained and written back into the text.

`segment(text)` returns the text with U+200B (zero-width space) between its words. FTS5's default
`unicode61` tokenizer treats U+200B as a separator, so an ordinary FTS5 table over that text (no
loadable extension: plain `sqlite3`, `datasette -i`) indexes words, and its snippets read like the
original text. Every word is cut down to pieces of at most two characters along jieba's dictionary
(行政复议 → 行政|复议, 中华人民共和国政府 → 中华|人民|共和|国|政府), so a 2-character word is found inside
longer ones, and a query is segmented the same way and searched as a phrase (`fts_phrase`).

jieba ships its dictionary in the wheel and never downloads anything here (paddle mode, which would
pip-install, is never enabled). Its prefix-dictionary cache is written to a per-user cache folder
(not the shared /tmp) and its log is silenced.
"""

from __future__ import annotations

import logging
import math
import os
import pickle
import re
import sys
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

# The segmenter's version: the word index records it (pipelines/search.py) and is rebuilt when it changes.
# Bump it with every change to what `segment` returns (jieba's version, the dictionary, `fine`).
VERSION = "jieba-0.42.1 fine-2 2026.11.29"
SEP = "\u200b"  # word separator written into the shadow text; invisible, an FTS5 unicode61 separator
_BLOCK = re.compile(r"[^\W_]+")  # runs of letters and digits (Han included): jieba segments them; the rest stays
_HAN = re.compile(r"^[\u4e00-\u9fff\u3400-\u4dbf]+$")
_lock = threading.Lock()
_tokenizer: Any = None


def cache_dir() -> Path:
    """Where jieba keeps its prefix-dictionary cache: $NIANBAO_CACHE, else $XDG_CACHE_HOME/nianbao."""
    base = os.environ.get("NIANBAO_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "nianbao")
    return Path(base)


def _import_jieba() -> Any:
    """jieba without `pkg_resources`, which its `_compat` imports (0.1 s CPU, every parse server) only to
    open the dictionary bundled in the wheel: without it, jieba opens the same file from its folder."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # `import pkg_resources` → ImportError
    try:
        import jieba
    finally:
        if "pkg_resources" in sys.modules and sys.modules["pkg_resources"] is None:
            del sys.modules["pkg_resources"]
    return jieba


def tokenizer() -> Any:
    """The one jieba tokenizer of this process, initialised quietly on first use (about 1 s, then cached)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba = _import_jieba()
                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()  # the default dictionary bundled in the jieba wheel
                folder = cache_dir()
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    if not os.access(folder, os.W_OK):
                        raise PermissionError(folder)
                except OSError:
                    folder = Path(tempfile.mkdtemp(prefix="nianbao-jieba-"))
                tk.tmp_dir = str(folder)
                _load_prefix_dict(tk, folder)
                _tokenizer = tk
    return _tokenizer


class _PlainUnpickler(pickle.Unpickler):
    """Loads dicts, strings and numbers only: a cache file can hold no code to run."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a prefix-dictionary cache")


def _load_prefix_dict(tk: Any, folder: Path) -> None:
    """jieba's prefix dictionary (FREQ, total) from our pickle of it: ~0.2 s CPU where jieba's marshal
    cache takes ~0.6 s, paid by every parse worker. Missing or unreadable: jieba's own initialize (its
    cache or the dictionary), then the pickle is written for the next process."""
    import jieba

    stat = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME).stat()  # the dictionary in the wheel
    path = folder / f"jieba-{jieba.__version__}-{stat.st_size}-{int(stat.st_mtime)}.pickle"
    try:
        with open(path, "rb") as f:
            freq, total = _PlainUnpickler(f).load()
        if not (isinstance(freq, dict) and isinstance(total, int) and freq):
            raise ValueError("not a prefix dictionary")
        tk.FREQ, tk.total, tk.initialized = freq, total, True
        return
    except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
        pass
    tk.initialize()
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump((tk.FREQ, tk.total), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass


def _freq(word: str) -> int:
    return int(tokenizer().FREQ.get(word) or 0)


@lru_cache(maxsize=100_000)
def fine(word: str) -> tuple[str, ...]:
    """A jieba word cut into dictionary pieces of at most two characters (the most 2-character
    pieces, then the most frequent ones); words of 1–2 characters and non-Han words stay whole."""
    if len(word) <= 2 or not _HAN.match(word):
        return (word,)
    n = len(word)
    # best[i] = (pairs, log-frequency score, pieces) for word[i:]
    best: list[tuple[int, float, tuple[str, ...]]] = [(0, 0.0, ())] * (n + 1)
    for i in range(n - 1, -1, -1):
        one = best[i + 1]
        cand = (one[0], one[1], (word[i], *one[2]))
        if i + 2 <= n and _freq(word[i : i + 2]):
            two = best[i + 2]
            pair = (two[0] + 1, two[1] + math.log(_freq(word[i : i + 2])), (word[i : i + 2], *two[2]))
            cand = max(cand, pair, key=lambda c: (c[0], c[1]))
        best[i] = cand
    return best[0][2]


@lru_cache(maxsize=200_000)
def _segment_block(block: str) -> tuple[str, ...]:
    pieces: list[str] = []
    for word in tokenizer().cut(block, HMM=False):  # HMM off: deterministic, dictionary words only
        pieces.extend(fine(word))
    return tuple(pieces)


def words(text: str) -> list[str]:
    """The search words of a text, in order (punctuation and spaces dropped)."""
    out: list[str] = []
    for m in _BLOCK.finditer(text or ""):
        out.extend(_segment_block(m.group()))
    return out


def segment(text: str | None) -> str:
    """`text` with U+200B between adjacent words; everything else unchanged (stripping U+200B gives
    the text back, with any U+200B it had turned into spaces)."""
    if not text:
        return ""
    text = text.replace(SEP, " ")
    out: list[str] = []
    pos = 0
    for m in _BLOCK.finditer(text):
        out.append(text[pos : m.start()])
        out.append(SEP.join(_segment_block(m.group())))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def fts_phrase(term: str) -> str:
    """An FTS5 phrase matching `term`'s words in sequence (FTS syntax in the term is taken literally)."""
    return '"' + segment(term).replace('"', '""') + '"'


def fts_query(query: str) -> str:
    """Whitespace-separated terms, each a phrase, all required (FTS5 implicit AND); '' for no term."""
    return " ".join(fts_phrase(t) for t in query.split() if words(t))


def unmark(text: str | None) -> str:
    """Shadow text (or a snippet of it) back to plain text."""
    return (text or "").replace(SEP, "")


def segment_fields(title: str | None, agency: str | None, body_text: str | None) -> list[str]:
    """What the word index holds for a report: its title, agency and body text segmented into words."""
    return [segment(v) for v in (title, agency, body_text)]

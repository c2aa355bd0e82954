"""Printed labels → canonical row keys; template and table-heading detection.

Labels are compared by their *core*: label_key minus the enumerator (`一、`, `(三)`, `1.`/`1、`),
parenthetical notes, quotes and punctuation. Typos are tolerated by a small edit distance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

from pipelines.normalize import label_key
from pipelines.spec import T1, T2, T3, other, template

_ENUM = re.compile(r"(?<!第)(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|(?<![\d.])\d{1,2}[.、](?!\d))")
_PARENS = re.compile(r"\([^()]*\)")
_UNCLOSED = re.compile(r"\([^)]*$")
_PUNCT = re.compile(r"[“”\"'‘’「」『』/,、:;.。·]")
_ALIASES = {"合计": "总计", "行政规范性文件": "规范性文件"}

# Template markers (label_key form); table 1 headers are decisive, (六)'s split is a tie-breaker.
_MARKERS = {
    "2019": {"本年新制作数量": 2, "本年新公开数量": 2, "对外公开总数量": 2, "上一年项目数量": 2, "本年增": 2,
             "其他对外管理服务事项": 2, "采购项目数量": 2, "采购总金额": 2},
    "2021": {"本年制发件数": 2, "本年废止件数": 2, "现行有效件数": 2, "本年处理决定数量": 2, "本年收费金额": 2,
             "逾期不补正": 1, "逾期未按收费通知": 1},
}


def last_segment(key: str) -> str:
    """The text from the last enumerator on: `三、本年度办理结果(三)不予公开1.属于国家秘密` → `1.属于国家秘密`."""
    starts = [m.start() for m in _ENUM.finditer(key)]
    return key[starts[-1]:] if starts else key


@lru_cache(maxsize=8192)
def core(key: str) -> str:
    s = printed_core(key)
    return _ALIASES.get(s, s)


@lru_cache(maxsize=8192)
def printed_core(key: str) -> str:
    """`core` before aliases: `行政规范性文件` and `规范性文件` stay apart (the two templates' names)."""
    s = key
    m = _ENUM.match(s)
    if m:
        s = s[m.end():]
    prev = None
    while prev != s:
        prev, s = s, _PARENS.sub("", s)
    s = _UNCLOSED.sub("", s)  # a note cut by a line wrap
    return _PUNCT.sub("", s)


def _levenshtein(a: str, b: str, limit: int) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


Target = tuple[str, str, str]  # (template, table, row key)


@cache
def _index(tpl: str) -> tuple[dict[str, Target], dict[str, Target]]:
    """core → target for the template's own rows, then for the other template's rows."""
    out = []
    for name in (tpl, other(tpl)):
        idx: dict[str, Target] = {}
        for tname in (T1, T2):
            for row in template(name).tables[tname].rows:
                idx.setdefault(core(row.split("/")[-1]), (name, tname, row))
        out.append(idx)
    return out[0], out[1]


@cache
def _pool(tpl: str) -> list[tuple[str, Target]]:
    """Fuzzy candidates: the template's rows, then rows only the other template has."""
    own, oth = _index(tpl)
    mine = {(t, r) for _, t, r in own.values()}
    return list(own.items()) + [(c, x) for c, x in oth.items() if (x[1], x[2]) not in mine]


def _enum_of(key: str) -> str | None:
    m = _ENUM.match(key)
    return m.group(0).rstrip(".、") if m else None


@lru_cache(maxsize=8192)
def match_row(key: str, tpl: str, fuzzy: bool) -> Target | None:
    """A row label (label_key form, maybe with group prefixes) → its canonical row, or None."""
    c = core(last_segment(key))
    if not c:
        return None
    own, oth = _index(tpl)
    hit = own.get(c) or oth.get(c)
    if hit or not fuzzy:
        return hit
    pool = _pool(tpl)
    best: list[Target] = []
    best_d = max(1, len(c) // 6) + 1
    num = _enum_of(last_segment(key))
    for cand, target in pool:
        if num and (other_num := _enum_of(label_key(target[2].split("/")[-1]))) and other_num != num:
            continue  # `2.其他法` (a wrapped label's first line) is never `3.其他`: the printed number differs
        d = _levenshtein(c, cand, max(1, len(cand) // 6))
        if d <= max(1, len(cand) // 6):
            if d < best_d:
                best, best_d = [target], d
            elif d == best_d and target not in best:
                best.append(target)
    if len(best) == 1:
        return best[0]
    # Prefix fallback for labels garbled by wrapping: same enumerator, same first 6 characters.
    if len(c) >= 6:
        hits = {t for cand, t in pool if len(cand) >= 6 and cand[:6] == c[:6]}
        if len(hits) == 1:
            return hits.pop()
    return None


def other_name(key: str, tpl: str, table: str, row: str) -> bool:
    """The label names the template's `row` by the other template's name for it (a 2021 report printing
    `规范性文件`, a 2019 one `行政规范性文件`): same row by alias, printed as the other template spells it."""
    printed = printed_core(last_segment(key))
    if printed == printed_core(row.split("/")[-1]):
        return False
    return any(printed == printed_core(r.split("/")[-1]) and core(r.split("/")[-1]) == core(row.split("/")[-1])
               for r in template(other(tpl)).tables[table].rows)


def heading(key: str) -> str | None:
    """A section heading → the table it opens, "END" after the tables, else None."""
    if len(key) > 48:
        return None
    if "主动公开政府信息情况" in key:
        return T1
    if "收到和处理政府信息公开申请情况" in key:
        return T2
    if "行政复议" in key and "行政诉讼" in key and "情况" in key:
        return T3
    if "存在的主要问题" in key or "其他需要报告的事项" in key:
        return "END"
    return None


def opens_t3(key: str) -> bool:
    """The first header cell of the 复议/诉讼 table (when no heading announced it)."""
    return key.startswith(("行政复议", "行政诉讼")) and len(key) <= 12


def detect_template(text_or_labels: str | Iterable[str]) -> str | None:
    """"2019" | "2021" from the printed labels (never from the year); None if no marker is found."""
    if isinstance(text_or_labels, str):
        keys = label_key(text_or_labels)
    else:
        keys = "\n".join(label_key(x) for x in text_or_labels)
    score = {tpl: sum(w for m, w in marks.items() if m in keys) for tpl, marks in _MARKERS.items()}
    if score["2019"] == score["2021"]:
        return None
    return max(score, key=lambda t: score[t])



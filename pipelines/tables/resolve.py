"""A row's printed values → exactly one value per template column, or a reason it is ambiguous.

Printed rows can carry too many values (merged cells expanded into duplicates or padding) or too few
(digits run together, `0000000`). Both are resolved only when a single reading remains, using the
column count and the tables' own sums; anything else is reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import combinations

from pipelines.spec import T2, T3
from pipelines.tables.tokens import BLANK, Parsed, Tok, parse_value

Reading = list[tuple[str, Parsed]]  # (raw, parsed) per column
# a ragged row's reading: None where the column's value depends on which printed cell is the extra one
Partial = list[tuple[str, Parsed] | None]
_MAX_TRIES = 200_000


def _sum_ok(vals: list, total: int, parts: range) -> bool:
    if vals[total] is None or any(vals[i] is None for i in parts):
        return True
    return vals[total] == sum(vals[i] for i in parts)


def constraint(table: str, n: int) -> Callable[[list], bool]:
    """The row's own arithmetic: table 2 总计 = Σ applicants (R3); table 3 each 总计 = Σ results (R4)."""
    if table == T2 and n == 7:
        return lambda v: _sum_ok(v, 6, range(6))
    if table == T3 and n == 15:
        return lambda v: all(_sum_ok(v, g + 4, range(g, g + 4)) for g in (0, 5, 10))
    return lambda v: True


def _fewest_values(runs: list[str]) -> int:
    """The fewest numbers the digit runs can be read as: a number has no leading zero, so a run
    starting with 0 holds a cell 0 before the rest."""
    fewest = 0
    for run in runs:
        zeros = len(run) - len(run.lstrip("0"))
        fewest += zeros + (1 if len(run) > zeros else 0)
    return fewest


def _parsed(tok: Tok) -> Parsed:
    if tok.kind == BLANK:
        return Parsed(None, None, "null_marker", False)
    p = parse_value(tok.raw)
    assert p is not None
    return p


parsed = _parsed


def _unique(readings: Iterator[Reading], ok: Callable[[list], bool]) -> tuple[Reading | None, int]:
    """The single reading (by values); among several, the single one satisfying `ok`."""
    seen: dict[tuple, Reading] = {}
    good = 0
    first_good: Reading | None = None
    for tries, r in enumerate(readings):
        if tries > _MAX_TRIES:
            return None, -1
        v = tuple(p.value for _, p in r)
        if v in seen:
            continue
        seen[v] = r
        if ok(list(v)):
            good += 1
            first_good = first_good or r
            if good > 1:
                return None, good
    if len(seen) == 1:
        return next(iter(seen.values())), 1
    return (first_good, 1) if good == 1 else (None, good or len(seen))


def _collapse(items: list[tuple[str, Parsed]], n: int) -> Iterator[Reading]:
    """Readings that drop len-n values, each equal to its left neighbour (a duplicated merged cell)."""
    dup = [i for i in range(1, len(items)) if items[i][1].value == items[i - 1][1].value]
    for drop in combinations(dup, len(items) - n):
        gone = set(drop)
        yield [it for i, it in enumerate(items) if i not in gone]


def _only_fit(items: list[tuple[str, Parsed]], n: int, ok: Callable[[list], bool], reading: Reading) -> bool:
    """No other reading that drops len-n values — any of them, not only duplicates: a stray cell can be
    anywhere — fits the row's sums (or cannot be checked): the sums single out `reading`."""
    want = tuple(p.value for _, p in reading)
    for tries, drop in enumerate(combinations(range(len(items)), len(items) - n)):
        if tries > _MAX_TRIES:
            return False
        vals = [p.value for i, (_, p) in enumerate(items) if i not in drop]
        if tuple(vals) != want and ok(vals):
            return False
    return True


def _splits(runs: list[str], n: int) -> Iterator[Reading]:
    """Ways to cut glued digit runs into n numbers (no leading zeros), run boundaries kept."""

    def rec(ri: int, pos: int, left: int, acc: list[str]) -> Iterator[list[str]]:
        if ri == len(runs):
            if left == 0:
                yield list(acc)
            return
        run = runs[ri]
        rest_runs = len(runs) - ri - 1
        rest_digits = sum(len(r) for r in runs[ri + 1:])
        for end in range(pos + 1, len(run) + 1):
            part = run[pos:end]
            if len(part) > 1 and part[0] == "0":
                break
            if end == len(run):
                if left - 1 >= rest_runs and left - 1 <= rest_digits:
                    acc.append(part)
                    yield from rec(ri + 1, 0, left - 1, acc)
                    acc.pop()
            elif left - 1 >= 1:
                acc.append(part)
                yield from rec(ri, end, left - 1, acc)
                acc.pop()

    for parts in rec(0, 0, n, []):
        yield [(p, parse_value(p)) for p in parts]  # type: ignore[misc]


def _checked(reading: Reading, ok: Callable[[list], bool]) -> bool:
    """The reading satisfies the row's arithmetic with every value present (not vacuously)."""
    vals = [p.value for _, p in reading]
    return None not in vals and ok(vals)


def agreed(items: list[tuple[str, Parsed]], n: int) -> Partial | None:
    """A row of n+1 values for n columns, one of them extra (a stray or duplicated cell), anywhere: the
    n+1 readings that drop one value each put items[j] or items[j+1] in column j, so a column is
    certain exactly when those two are equal. → the certain columns' values, None for the others;
    None when no column is certain."""
    if len(items) != n + 1:
        return None
    out: Partial = [items[j] if (items[j][1].value, items[j][1].unit) == (items[j + 1][1].value, items[j + 1][1].unit)
                    else None for j in range(n)]
    return out if any(x is not None for x in out) else None


def reconcile(toks: list[Tok], n: int, table: str) -> tuple[Reading | Partial | None, str, str | None]:
    """→ (reading, why, row flag). A `ragged_row` reading is partial: None in the columns it cannot
    tell (`why` says why), values where every reading agrees."""
    vals = list(toks)
    while len(vals) > n and (vals[-1].kind == BLANK or _parsed(vals[-1]).value is None):
        vals.pop()
    while len(vals) > n and vals[0].kind == BLANK:  # an empty label column (grid rows)
        vals.pop(0)
    items = [(t.raw, _parsed(t)) for t in vals]
    if len(items) == n:
        if any(t.key == "after_blank" for t in vals) and any(t.kind == BLANK for t in vals):
            # blanks dropped as padding before the first value, another kept after it: which one was
            # the printed blank cannot be told
            return None, f"blank cells cannot be placed ({' '.join(repr(t.raw) for t in toks)})", None
        return items, "", None
    shown = " ".join(repr(t.raw) for t in toks)
    ok = constraint(table, n)
    if len(items) > n:
        filled = [it for t, it in zip(vals, items, strict=True) if t.kind != BLANK]
        if len(filled) == n:
            return filled, "", "padding_dropped"
        if len({p.value for _, p in filled}) == 1:
            return filled[:n], "", "merged_cells_collapsed"
        if table in (T2, T3):  # only where the row's own sums can confirm which cell is the duplicate
            reading, count = _unique(_collapse(filled, n), ok)
            if reading and _checked(reading, ok) and _only_fit(filled, n, ok, reading):
                return reading, "", "merged_cells_collapsed"
        else:
            count = 0
        why = f"{len(filled)} values for {n} columns ({shown}); {count} readings fit"
        if len(vals) == n + 1 and BLANK not in {t.kind for t in vals} and (part := agreed(items, n)) is not None:
            return part, why + "; the extra cell could be any: this column's value depends on which", "ragged_row"
        return None, why, None
    if vals and all(t.glued and _parsed(t).digits for t in vals):
        runs = [t.raw for t in vals]
        if sum(len(r) for r in runs) >= n:
            reading, count = _unique(_splits(runs, n), ok)
            if reading and len(runs) < n and (not _checked(reading, ok) or _fewest_values(runs) < n):
                # a cut digit run is only trusted when the row's own sums confirm it and the digits
                # cannot be fewer values, i.e. a row with blank cells (0000000 is seven cells; 0 1 2 2 1 17
                # under seven columns may be 17 and a blank 总计, and 1 | 7 fits the sum by chance)
                reading = None
            if reading:
                return reading, "", "split_digits" if len(runs) < n else None
            return None, f"digits {shown} can be cut into {n} values in {count} ways", None
    return None, f"{len(items)} values for {n} columns ({shown}); blank cells cannot be placed", None

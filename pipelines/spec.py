"""The official table format (2019 trial / 2021), loaded once from data/report-format.json.

Keys follow the spec convention: NFKC, Simplified, no whitespace, nested headings joined by "/".
Column labels are atomic (`本年增/减` contains a literal slash): never split them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SPEC_PATH = Path(__file__).parent / "data" / "report-format.json"

T1 = "主动公开政府信息情况"
T2 = "收到和处理政府信息公开申请情况"
T3 = "政府信息公开行政复议、行政诉讼情况"
TABLES: tuple[str, str, str] = (T1, T2, T3)
TEMPLATES: tuple[str, str] = ("2019", "2021")

# Table 2 rows that are not leaves of 三、本年度办理结果 (R2 sums the others).
T2_NEW = "一、本年新收政府信息公开申请数量"
T2_CARRIED = "二、上年结转政府信息公开申请数量"
T2_TOTAL = "三、本年度办理结果/(七)总计"
T2_NEXT = "四、结转下年度继续办理"
T2_TOTAL_COL = "总计"
T3_GROUPS: tuple[str, ...] = ("行政复议", "行政诉讼/未经复议直接起诉", "行政诉讼/复议后起诉")
T3_RESULTS: tuple[str, ...] = ("结果维持", "结果纠正", "其他结果", "尚未审结")

# Columns whose values are money in 万元 (decimal); the 2021 header always prints the unit.
AMOUNT_COLS = frozenset({"采购总金额", "本年收费金额(单位:万元)"})
UNIT_IN_HEADER = frozenset({"本年收费金额(单位:万元)"})
SIGNED_COLS = frozenset({"本年增/减"})


@dataclass(frozen=True)
class TableSpec:
    name: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    row_cols: dict[str, tuple[str, ...]]  # row key -> its columns, in template order

    def cells(self) -> list[tuple[str, str]]:
        return [(r, c) for r in self.rows for c in self.row_cols[r]]


@dataclass(frozen=True)
class Template:
    name: str
    tables: dict[str, TableSpec]

    def cell_count(self) -> int:
        return sum(len(t.cells()) for t in self.tables.values())


@cache
def raw_spec() -> dict:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


@cache
def template(name: str) -> Template:
    data = raw_spec()[name]
    tables: dict[str, TableSpec] = {}
    for tname in TABLES:
        t = data[tname]
        row_cols: dict[str, list[str]] = {r: [] for r in t["rows"]}
        for r, c in t["cells"]:
            row_cols[r].append(c)
        tables[tname] = TableSpec(tname, tuple(t["rows"]), tuple(t["cols"]),
                                  {r: tuple(cs) for r, cs in row_cols.items()})
    return Template(name, tables)


def rules() -> list[str]:
    return list(raw_spec()["rules"])


def t2_leaf_rows(name: str) -> tuple[str, ...]:
    """Leaf rows of 三、本年度办理结果 (everything summed by R2) for a template."""
    return tuple(r for r in template(name).tables[T2].rows if r not in (T2_NEW, T2_CARRIED, T2_TOTAL, T2_NEXT))


def other(name: str) -> str:
    return "2021" if name == "2019" else "2019"

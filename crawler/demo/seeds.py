"""The five seed reports bundled with the demo: their text split into sections, their hand-read cells."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

SEED_DIR = Path(__file__).with_name("seeds")

# Portal chrome that the scrapers caught along with the report text (seeds 001, 003).
_CHROME_LINE = re.compile(
    r"无障碍浏览|长者专版|CopyRight|备案号|^\s*•|站點|站点地图|主辦|主办|ICP|公網安備|公网安备|網站標識|网站标识|本站支持"
)
_PINYIN = re.compile(r"[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*[)）]")
_H2 = re.compile(r"^二、主[動动]")
_H3 = re.compile(r"^三、收到和[處处]理")
_H4 = re.compile(r"^四、.*行政[復复][議议].*情[況况]")
_H5 = re.compile(r"^五、")


@dataclass(frozen=True)
class Sections:
    """A seed's lines around its three tables: narrative before, the table headings, the rest."""

    before: list[str]
    heading1: str  # 二、主动公开政府信息情况 (as printed, with any suffix such as (表一))
    heading2: str
    heading3: str
    tables_text: list[str]  # the tables as scraped, headings excluded
    after: list[str]


@dataclass(frozen=True)
class Seed:
    stem: str

    @cached_property
    def text(self) -> str:
        return (SEED_DIR / f"{self.stem}.txt").read_text(encoding="utf-8")

    @cached_property
    def expected(self) -> dict:
        return json.loads((SEED_DIR / "expected" / f"{self.stem}.json").read_text(encoding="utf-8"))

    @property
    def template(self) -> str:
        return self.expected["template"]

    def raw(self, table: str, row: str, col: str) -> str | None:
        """The printed text of one template cell; None for ambiguous or absent cells."""
        return self._cells.get((table, row, col))

    @cached_property
    def _cells(self) -> dict[tuple[str, str, str], str]:
        return {(c["table_name"], c["row_label"], c["col_label"]): c["raw"] for c in self.expected["cells"]}

    def sections(self, *, drop_title: str | None = None) -> Sections:
        """Split the text at the table headings; chrome lines and a leading copy of the title dropped."""
        lines = [ln.rstrip(" \t\r") for ln in self.text.splitlines()]  # keep NBSP (001)
        start = next(i for i, ln in enumerate(lines) if re.match(r"^(一、|根据|根據|本報|本报|\d{4}年)", ln.strip()))
        lines = [ln for ln in lines[start:] if not _CHROME_LINE.search(_plain(ln))]
        if drop_title:
            lines = [ln for ln in lines if ln.strip() != drop_title]
        plain = [_plain(ln).strip() for ln in lines]
        i2 = next(i for i, ln in enumerate(plain) if _H2.match(ln))
        i3 = next(i for i, ln in enumerate(plain) if i > i2 and _H3.match(ln))
        i4 = next(i for i, ln in enumerate(plain) if i > i3 and _H4.match(ln) and "|" not in ln)
        i5 = next(i for i, ln in enumerate(plain) if i > i4 and _H5.match(ln))
        return Sections(
            before=lines[:i2], heading1=lines[i2].strip(), heading2=lines[i3].strip(), heading3=lines[i4].strip(),
            tables_text=lines[i2:i5], after=lines[i5:],
        )


def _plain(line: str) -> str:
    """A line without pinyin annotations (`報(bào)` → `報`), for matching only."""
    return _PINYIN.sub("", line)


SEEDS = {s.stem[:3]: s for s in (Seed(p.stem) for p in sorted(SEED_DIR.glob("*.txt")))}

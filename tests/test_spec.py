"""The spec loaded from pipelines/data/report-format.json: labels, cell counts, key convention."""

from __future__ import annotations

import re

import pytest

from pipelines.normalize import label_key
from pipelines.spec import T1, T2, T3, TABLES, raw_spec, t2_leaf_rows, template


@pytest.mark.parametrize(("tpl", "counts"), [("2019", (22, 161, 15)), ("2021", (10, 175, 15))])
def test_cell_counts(tpl: str, counts: tuple[int, int, int]) -> None:
    assert tuple(len(template(tpl).tables[t].cells()) for t in TABLES) == counts
    assert tuple(raw_spec()["_meta"]["cell_counts"][tpl][t] for t in TABLES) == counts


def test_keys_follow_the_convention() -> None:
    for tpl in ("2019", "2021"):
        for t in TABLES:
            spec = template(tpl).tables[t]
            for key in (*spec.rows, *spec.cols):
                assert not re.search(r"\s", key) and label_key(key) == key, key


def test_template_differences() -> None:
    assert "第二十条第(九)项/政府集中采购" in template("2019").tables[T1].rows
    assert "第二十条第(九)项/政府集中采购" not in template("2021").tables[T1].rows
    assert "本年增/减" in template("2019").tables[T1].cols  # atomic label with a literal slash
    assert len(t2_leaf_rows("2019")) == 19 and len(t2_leaf_rows("2021")) == 21
    assert template("2019").tables[T3].cols == template("2021").tables[T3].cols
    assert template("2019").tables[T3].rows == ("",)
    assert template("2021").tables[T1].row_cols["第二十条第(八)项/行政事业性收费"] == ("本年收费金额(单位:万元)",)
    assert template("2019").tables[T2].cols == template("2021").tables[T2].cols

"""PDF text lines from word positions (`pipelines.tables.pdf.text_lines`): a row's values printed a little
above or below their label (a taller font for numbers, another vertical alignment: the real 洪泽区 WPS
exports) share the label's line; the lines of a wrapped label stay apart, and values centred between
them stay on a line of their own. Generated pages of table 2 — every row, labels wrapped over one to
three lines, values offset up or down by up to 0.45 of the smaller height, group labels printed
between rows (beside a row's line they are another class: tests/test_tables_pdf.py) — read exactly;
a larger offset never gives a wrong number."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bench.matrix import _fw
from pipelines.spec import T2, template
from pipelines.tables import extract_tables_text
from pipelines.tables.pdf import Word, pdf_text, text_lines

HEAD = [["三、收到和处理政府信息公开申请情况"], ["申请人情况"], ["自然人", "法人或其他组织", "总计"],
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]]
VALUE_X = (320, 350, 380, 410, 440, 470, 495)


def _pieces(label: str, k: int) -> list[str]:
    n = -(-len(label) // k)
    return [label[i:i + n] for i in range(0, len(label), n)]


def page(rng: random.Random, offset: float) -> tuple[list[Word], dict[str, list[int]]]:
    """Table 2 of a 2021 report as positioned words; `offset`: the largest shift of a row's values from
    the middle of its label, as a fraction of the smaller of the two heights."""
    words: list[Word] = []
    y = 40.0
    for line in HEAD:
        for i, w in enumerate(line):
            words.append((w, 80.0 + 90 * i, y, y + 10))
        y += 16
    rows = template("2021").tables[T2].rows
    truth: dict[str, list[int]] = {}
    groups: dict[str, list[float]] = {}  # group label → the gaps between its rows (printed in them)
    for r in rows:
        hl, hv = rng.uniform(9, 12), rng.uniform(9, 15)  # label and value heights (fonts differ)
        bits = r.split("/")
        k = rng.choice((1, 1, 2, 3)) if len(bits[-1]) > 8 else 1
        pitch = hl * rng.uniform(1.15, 1.4)
        block = (k - 1) * pitch + hl
        top = y + 4
        x = 77.0 if len(bits) == 1 else 104.0 if len(bits) == 2 else 180.0
        for i, piece in enumerate(_pieces(_fw(bits[-1]), k)):
            words.append((piece, x, top + i * pitch, top + i * pitch + hl))
        mid = top + block / 2 + rng.uniform(-offset, offset) * min(hl, hv)
        vals = [rng.choice((0, 0, 1, 2, rng.randint(0, 40))) for _ in range(6)]
        vals.append(sum(vals))
        truth[r] = vals
        words += [(str(v), vx + rng.uniform(-2, 2), mid - hv / 2, mid + hv / 2) for v, vx in zip(vals, VALUE_X, strict=True)]
        y = top + max(block, hv, mid + hv / 2 - top) + 4
        for g in bits[:-1]:
            groups.setdefault(g, []).append(y)
    for g, gaps in groups.items():
        gaps = gaps[:-1]  # the gaps inside the group
        if g.startswith("三、"):  # printed vertically, one character a gap, around the group's middle
            chars = list(_fw(g))
            at = gaps[max(0, (len(gaps) - len(chars)) // 2):][:len(chars)]
            words += [(ch, 85.0, c - 4, c + 4) for ch, c in zip(chars, at, strict=False)]
        elif gaps:
            c = gaps[len(gaps) // 2]
            words.append((_fw(g), 104.0, c - 4, c + 4))
    words.append(("四、政府信息公开行政复议、行政诉讼情况", 77.0, y + 20, y + 30))
    return words, truth


def _read(words: list[Word]) -> dict[str, list[int | float | None]]:
    res = extract_tables_text("\n".join(text_lines(words)))
    got: dict[str, list[int | float | None]] = {}
    for c in res.cells:
        if c.table_name == T2:
            got.setdefault(c.row_label, []).append(c.value)
    return got


@pytest.mark.parametrize("seed", range(40))
def test_values_a_little_above_or_below_their_label_read_exactly(seed: int) -> None:
    words, truth = page(random.Random(seed), offset=0.45)
    assert _read(words) == truth


def test_values_on_the_first_line_of_a_wrapped_label_name_the_row_with_the_lines_below() -> None:
    """`1.本机关 …values…` / `不掌握相关` / `政府信息`: the row is named when its label is complete (flag
    `label_continued:`), never by a piece that starts another row, and only as the row after the last."""
    head = "三、收到和处理政府信息公开申请情况\n申请人情况\n自然人 法人或其他组织 总计\n商业企业 科研机构 社会公益组织 法律服务机构 其他\n"
    rows = ("8.属于行政查询事项 0 0 0 0 0 0 0\n1.本机关 0 2 1 0 1 1 5\n不掌握相关\n政府信息\n"
            "2.没有现成信息需要另行制作 3 0 0 0 0 0 3\n")
    res = extract_tables_text(head + rows)
    got = {c.row_label.split("/")[-1]: [] for c in res.cells}
    for c in res.cells:
        got[c.row_label.split("/")[-1]].append(c.value)
    assert got["1.本机关不掌握相关政府信息"] == [0, 2, 1, 0, 1, 1, 5]
    assert got["2.没有现成信息需要另行制作"] == [3, 0, 0, 0, 0, 0, 3]
    assert any(f.startswith("label_continued:") for f in res.flags)
    skipped = extract_tables_text(head + rows.replace("8.属于行政查询事项 0 0 0 0 0 0 0\n", ""))
    assert "1.本机关不掌握相关政府信息" not in {c.row_label.split("/")[-1] for c in skipped.cells}  # not the next row
    other = extract_tables_text(head + "8.属于行政查询事项 0 0 0 0 0 0 0\n1.本机关 0 2 1 0 1 1 5\n2.没有现成信息需要另行制作\n")
    assert not [c for c in other.cells if "1.本机关" in c.row_label or ("2.没有" in c.row_label and c.value)]


def test_lines_of_a_wrapped_label_stay_apart_and_values_between_them_too() -> None:
    words: list[Word] = [("（二）部分公开（区分处理的，只计这一情", 104, 551.3, 560.3),
                         ("4", 322, 554.7, 568.7), ("4", 496, 554.7, 568.7), ("计其他情形）", 104, 564.7, 573.7)]
    assert text_lines(words) == ["（二）部分公开（区分处理的，只计这一情", "4 4", "计其他情形）"]
    raised = [("1.属于国家秘密", 180.7, 586.0, 596.7), ("1", 322, 581.4, 595.5), ("1", 496, 581.4, 595.5)]
    assert text_lines(raised) == ["1.属于国家秘密 1 1"]  # the WPS row whose numbers sit 3 pt higher


def test_the_real_wps_text_layers_read_exactly() -> None:
    """洪泽区 2023 and 2024 print two and more rows' numbers above their labels: every cell now read from
    the text alone (the ruled tables read them too)."""
    from bench.accuracy import grade_cells, real_truth

    real = Path(__file__).parent / "fixtures" / "real"
    for exp_path in sorted(real.glob("*.expected.json")):
        exp = json.loads(exp_path.read_text(encoding="utf-8"))
        g = grade_cells(real_truth(exp), extract_tables_text(pdf_text((real / exp["source"]).read_bytes())),
                        exp["source"])
        assert g.problems == [] and g.counts["right"] == len(exp["cells"])

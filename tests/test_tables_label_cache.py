"""The table parser's cached per-label facts (`pipelines.tables._label`) are what the per-token code
computed from the primitives (heading, opens_t3, column_names of the label and of each word, the
header fragment's cleaned text), on generated labels: header words of every table, notes, 合计/总计, 元/万元,
enumerated row labels, headings, Traditional and full-width forms, words glued or spaced. And a header's
kept `text_order` is always the one computed afresh, whatever was added to it."""

from __future__ import annotations

import random

import pytest

from pipelines.normalize import label_key
from pipelines.spec import T1, T2, T3, TABLES, template
from pipelines.tables import FEE_COL, _label
from pipelines.tables.header import TREES, Header, clean, column_names, label_columns, words
from pipelines.tables.match import _ENUM, heading, opens_t3
from pipelines.tables.tokens import LABEL, Tok

PIECES = sorted({
    *template("2019").tables[T1].cols, *template("2021").tables[T1].cols, "信息内容", "自然人", "法人或其他组织",
    "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计", "合计", "申请人情况", "行政复议", "行政诉讼",
    "未经复议直接起诉", "复议后起诉", "结果维持", "结果纠正", "其他结果", "尚未审结", "行政复议结果维持", "(单位:万元)",
    "（元）", "元", "万元", "采购总金额", "收费金额", "一、", "(三)", "3.", "2、", "予以公开", "规章", "规范性文件",
    "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "政府信息公开行政复议、行政诉讼情况", "存在的主要问题",
    "採購總金額", "結果維持", "ＡＢ", "首页", "发展和改革局", "商业", "企业", "结果维", "持",
})
SEPARATORS = ["", "", " ", "  ", "\u3000", "\xa0", "\t"]


def _labels(seed: int, n: int = 300) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [rng.choice(PIECES) for _ in range(rng.randint(1, 4))]
        raw = parts[0]
        for p in parts[1:]:
            raw += rng.choice(SEPARATORS) + p
        out.append(raw.strip() or raw)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_label_facts_equal_the_direct_computation(seed: int) -> None:
    for raw in _labels(seed):
        key = label_key(raw)
        tok = Tok(LABEL, raw, key)
        info = _label(raw, key)
        assert info.heading == heading(key) and info.opens_t3 == opens_t3(key)
        assert info.t3_header == any(w in key for w in ("维持", "纠正", "审结", "总计"))
        t3 = column_names(T3, key) or [n for w in words(tok) for n in column_names(T3, label_key(w))]
        assert info.t3_leaves == {n.split("/")[-1] for n in t3}
        assert info.amount_in_wan == ("采购总金额" in key and "万元" in key)
        assert set(info.yuan_cols) == {col for col, w in (("采购总金额", "采购总金额"), (FEE_COL, "收费金额"))
                                       if w in key and "元" in key and "万元" not in key}
        anything = False
        for table, lc in zip(TABLES, info.columns, strict=True):
            assert lc == label_columns(table, raw, key)
            whole = column_names(table, key)
            ws = words(tok)
            hits = [] if whole else [(i, got) for i, w in enumerate(ws) if (got := column_names(table, label_key(w)))]
            assert list(lc.whole) == whole and [(i, list(g)) for i, g in lc.hits] == hits and lc.n_words == len(ws)
            frag = "".join(clean(table, w) for w in raw.split()) if table in TREES else ""
            assert lc.frag == frag
            assert lc.named == any(column_names(table, label_key(w)) for w in [raw, *raw.split()])
            anything = anything or bool(whole or hits or frag)
        assert info.header == (_ENUM.match(key) is None and anything)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("table", [T2, T3])
def test_kept_text_order_is_the_fresh_one(seed: int, table: str) -> None:
    rng = random.Random(seed)
    labels = _labels(seed + 100, 60)
    spec = template("2021").tables[table]
    asks = [spec.cols, tuple(reversed(spec.cols)), spec.cols[:3]]
    hdr = Header(table)
    for step in range(120):
        r = rng.random()
        raw = rng.choice(labels)
        lc = label_columns(table, raw, label_key(raw))
        if r < 0.4 and (lc.whole or lc.hits):
            names = lc.whole or lc.hits[0][1]
            hdr.add(names, rng.choice([-1, rng.randint(0, 8)]), step // rng.randint(1, 4))
        elif r < 0.8:
            hdr.fragment(lc, step // rng.randint(1, 4))
        else:
            hdr.stale = True
        for cols in asks:
            kept = hdr.text_order(cols)
            assert kept == hdr._text_order(cols)
            if isinstance(kept, list):
                kept.append(99)  # a caller's change to the answer never reaches the next one
                assert hdr.text_order(cols) == hdr._text_order(cols)

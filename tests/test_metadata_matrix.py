"""Metadata over generated variation matrices, not hand-picked strings.

- agency: every standard department × every title order × every page-field default (来源/信息来源/发布机构
  filled by the CMS): the title's agency wins, its source is recorded, a disagreeing page field is flagged;
- the compiling office (本报告由…人民政府办公室编制) stands for its government, across PDF line breaks;
- contact: phrasing × phone label × phone form × line wrap × punctuation width;
- 发布时间: two dates that disagree → the first trusted one, its source, and a flag keeping both.
"""

from __future__ import annotations

import itertools
import re

import pytest

from pipelines.metadata import extract_metadata, page_text
from pipelines.normalize import normalize_text
from tests.departments import agencies

YEAR = 2023
AGENCIES = agencies()
BODY = ("一、总体情况\n2023年，我单位认真贯彻落实《条例》。\n二、主动公开政府信息情况\n"
        "三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n")

TITLE_ORDERS = {
    "agency first": lambda a: f"{a}{YEAR}年政府信息公开工作年度报告",
    "year first": lambda a: f"{YEAR}年{a}政府信息公开工作年度报告",
    "year last": lambda a: f"{a}政府信息公开工作年度报告（{YEAR}年度）",
    "关于": lambda a: f"关于{a}{YEAR}年政府信息公开工作年度报告",
    "关于…的报告": lambda a: f"{a}关于{YEAR}年度政府信息公开工作情况的报告",
    "〔year〕": lambda a: f"{a}〔{YEAR}〕年度政府信息公开工作报告",
    "中文 year": lambda a: f"{a}二〇二三年政府信息公开工作年度报告",
}
# what a CMS prints in the page's metadata block; {a} is the report's own agency
PAGE_FIELDS = {
    "none": "",
    "same agency": "来源：{a}",
    "stale default": "来源：平潭县人民政府",
    "site default": "信息来源：本网",
    "compiling office": "发布机构：青山县人民政府办公室",
}


def _page(field: str, title: str) -> str:
    return f"首页 > 政务公开 > 政府信息公开年报\n{title}\n发布时间：2024-01-20 {field} 浏览次数：12\n{BODY}"


@pytest.mark.parametrize("order", TITLE_ORDERS)
def test_agency_from_the_title_in_every_order_beats_page_fields(order):
    wrong = []
    for agency, (field_kind, field) in itertools.product(AGENCIES, PAGE_FIELDS.items()):
        title = TITLE_ORDERS[order](agency)
        meta = extract_metadata(title, BODY, page=_page(field.format(a=agency), title))
        flagged = any(f.startswith("agency:") for f in meta.flags)
        # a field naming another body is flagged; the government's own office (青山县人民政府办公室) is not another body
        other_body = field_kind == "stale default" or (
            field_kind == "compiling office" and agency not in ("青山县人民政府", "青山县人民政府办公室"))
        if (meta.agency, meta.agency_source, flagged, meta.year) != (agency, "title", other_body, YEAR):
            wrong.append((title, field_kind, meta.agency, meta.agency_source, meta.flags, meta.year))
    assert not wrong, f"{len(wrong)} wrong, e.g. {wrong[:3]}"


@pytest.mark.parametrize("order", ["agency first", "year first", "year last"])
def test_agency_from_a_title_broken_over_pdf_lines(order):
    """No page title (a PDF): the printed title at the top, broken after the agency or inside the name."""
    wrong = []
    for agency in AGENCIES:
        printed = TITLE_ORDERS[order](agency)
        for cut in (len(agency), len(agency) // 2):  # after the name; inside it (洪泽区人民政\n府…)
            if order == "year first":
                cut += len(f"{YEAR}年")
            text = f"{printed[:cut]}\n{printed[cut:]}\n{BODY}"
            meta = extract_metadata("", text)
            if (meta.agency, meta.agency_source) != (agency, "document title"):
                wrong.append((text[:60], meta.agency, meta.agency_source))
    assert not wrong, f"{len(wrong)} wrong, e.g. {wrong[:3]}"


REGIONS = ["青山县", "淮安市洪泽区", "平潭综合实验区", "安庆市"]


@pytest.mark.parametrize("region", REGIONS)
def test_the_compiling_office_stands_for_its_government(region):
    office = f"{region}人民政府办公室"
    for wrapped in (office, office[:4] + "\n" + office[4:]):  # 淮安市洪\n泽区人民政府办公室 (PDF line break)
        text = (f"{YEAR}年政府信息公开工作年度报告\n本报告由{wrapped}根据《中华人民共和国政府信息公开条例》要求编制。"
                f"如对本报告有疑问，请与{wrapped}联系（电话：0517-87222589）。\n{BODY}")
        meta = extract_metadata("", text)
        assert (meta.agency, meta.agency_source) == (f"{region}人民政府", "compiled by"), (wrapped, meta)
        other_order = text.replace(f"本报告由{wrapped}根据《中华人民共和国政府信息公开条例》要求编制",
                                   f"本报告根据《中华人民共和国政府信息公开条例》有关要求，由{wrapped}编制")
        meta = extract_metadata("", other_order)
        assert (meta.agency, meta.agency_source) == (f"{region}人民政府", "compiled by"), (wrapped, meta)
        only_contact = text.replace("本报告由", "报告").replace("要求编制", "要求")
        meta = extract_metadata("", only_contact)
        assert (meta.agency, meta.agency_source) == (f"{region}人民政府", "contact"), (wrapped, meta)


# ---- contact: phrasing × label × phone form × wrap × punctuation ----
WHO, ADDRESS, POSTCODE, EMAIL = "青山县人民政府办公室", "青山县人民路88号行政中心3楼", "223100", "qsxzwgk@163.com"
PHRASINGS = [
    "如对本报告有任何疑问，请与{who}联系（地址：{addr}，邮编：{post}，{label}：{phone}，电子邮箱：{email}）。",
    "如对本年度报告有疑问，请联系：{who}；{label}：{phone}；地址：{addr}；邮政编码：{post}；电子邮箱：{email}。",
    "如对本报告有疑问，请与{who}联系。{label}：{phone}；通讯地址：{addr}；邮编：{post}；邮箱：{email}。",
    "如对本报告有任何疑问，请与{who}联系，{label}：{phone}，联系地址：{addr}，邮政编码：{post}，电子信箱：{email}。",
    "如有疑问，请联系{who}，{label}：{phone}，地址：{addr}（邮编：{post}），E-mail：{email}。",
    "对本报告如有意见建议，请向{who}反映（联系地址：{addr}；邮政编码：{post}；{label}：{phone}；电子邮箱：{email}）。",
    "联系方式：{who}，{label}：{phone}，地址：{addr}，邮政编码：{post}，电子邮箱：{email}。",
]
LABELS = ["电话", "联系电话", "联系方式", "电话/传真", "电话、传真", "咨询电话"]
PHONES = {  # printed → stored
    "0517-87222589": "0517-87222589",
    "0517－87222589": "0517-87222589",
    "（0517）87222589": "0517-87222589",
    "0517 87222589": "0517-87222589",
    "0591-2345678": "0591-2345678",
    "0517-87222589转8021": "0517-87222589-8021",
    "0517-87222589-8021": "0517-87222589-8021",
    "13912345678": "13912345678",
    "139-1234-5678": "13912345678",
    "87222589": "87222589",
}
ASCII = str.maketrans({"，": ",", "；": ";", "：": ":", "（": "(", "）": ")"})


def _wrap(text: str, how: str) -> str:
    if how == "none":
        return text
    if how == "lines":  # a PDF text layer: hard line breaks every 23 characters, numbers and names cut
        return "\n".join(text[i:i + 23] for i in range(0, len(text), 23))
    # a letter-spaced WPS export: 邮 编 ： 223100 ， 电 话 ： …; numbers and e-mail addresses stay whole
    return re.sub(r"(?<=[^\x00-\x7f])(?=.)|(?<=.)(?=[^\x00-\x7f])", " ", text)


@pytest.mark.parametrize(("phrasing", "wrap"), list(itertools.product(range(len(PHRASINGS)), ["none", "lines", "spaced"])))
def test_contact_in_every_phrasing(phrasing, wrap):
    wrong = []
    for label, (printed, stored), ascii_punct in itertools.product(LABELS, PHONES.items(), (False, True)):
        sentence = PHRASINGS[phrasing].format(who=WHO, label=label, phone=printed, addr=ADDRESS, post=POSTCODE,
                                              email=EMAIL)
        if ascii_punct:
            sentence = sentence.translate(ASCII)
        if wrap == "spaced" and " " in printed:
            continue  # a letter-spaced text cannot tell `0517 87222589` from two numbers
        text = (f"青山县人民政府{YEAR}年政府信息公开工作年度报告\n{_wrap(sentence, wrap)}\n{BODY}"
                "网站运维电话：0566-2567602 邮编：247000\n")
        meta = extract_metadata("", normalize_text(text))
        got = (meta.contact_phone, meta.contact_address, meta.contact_postcode, meta.contact_email)
        if got != (stored, ADDRESS, POSTCODE, EMAIL):
            wrong.append((label, printed, ascii_punct, got))
    assert not wrong, f"{len(wrong)} wrong, e.g. {wrong[:4]}"


def test_no_contact_sentence_means_no_contact():
    text = f"青山县审计局{YEAR}年政府信息公开工作年度报告\n{BODY}网站运维电话：0566-2567602\n"
    meta = extract_metadata("", text)
    assert (meta.contact_phone, meta.contact_address, meta.contact_postcode) == (None, None, None)


# ---- 发布时间 ----
def _dated_page(first: str, second: str | None, meta_date: str | None = None) -> str:
    head = f'<meta name="PubDate" content="{meta_date}">' if meta_date else ""
    second_block = f"<div>发布日期：{second}</div>" if second else ""
    return (f"<html><head>{head}</head><body><div>发布时间：{first} 来源：青山县审计局</div>"
            f"<h1>青山县审计局2023年政府信息公开工作年度报告</h1><div>{BODY}</div>{second_block}</body></html>")


@pytest.mark.parametrize(("first", "second", "meta_date", "chosen", "source", "flagged"), [
    ("2024-01-20 09:30", None, None, "2024-01-20T09:30", "page 发布时间", False),
    ("2024-01-20", "2024-01-20", None, "2024-01-20", "page 发布时间", False),
    ("2024-01-20", "2024-01-25", None, "2024-01-20", "page 发布时间", True),
    ("2024年01月20日", "2024/01/25", None, "2024-01-20", "page 发布时间", True),
    ("2024-01-20", None, "2024-01-19 08:00", "2024-01-19T08:00", "meta pubdate", True),
    ("2024-01-20", None, "2024-01-20 08:00", "2024-01-20T08:00", "meta pubdate", False),
])
def test_two_publication_dates(first, second, meta_date, chosen, source, flagged):
    html = _dated_page(first, second, meta_date)
    meta = extract_metadata("青山县审计局2023年政府信息公开工作年度报告", BODY, html=html, page=page_text(html))
    assert (meta.published_at, meta.published_source) == (chosen, source)
    date_flags = [f for f in meta.flags if f.startswith("published_at:")]
    assert bool(date_flags) == flagged
    if flagged:  # both dates are kept in the flag
        other = (second or first).replace("/", "-").replace("年", "-").replace("月", "-").replace("日", "")
        assert other[:10] in date_flags[0] and chosen[:10] in date_flags[0]

"""Per-field accuracy of classification, metadata and chrome over generated class matrices.

    .venv/bin/python -m bench.metadata_classes            # every matrix, per-field accuracy
    .venv/bin/python -m bench.metadata_classes --show 5   # + the first wrong cases of each field

Each matrix crosses the forms real portals print (not one instance of each): title year forms ×
title patterns × agency levels and look-alike names; page fields a CMS fills with a default; every
发布时间 label × date form × page layout, with dates that cannot be the report's; contact phrasings ×
labels × phone forms × punctuation width × line wrapping, and passages where no number may be taken;
header/footer chrome around a report body. The same matrices are asserted case by case in
tests/test_metadata_classes.py; this command prints the figures (docs/documents.md).
"""

from __future__ import annotations

import argparse
import itertools
import json
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from pipelines.classify import classify_document, classify_title
from pipelines.clean import extract_body
from pipelines.metadata import extract_metadata, page_text
from pipelines.normalize import normalize_text
from tests.departments import agencies

YEAR = 2023


@dataclass(frozen=True)
class Result:
    matrix: str
    field: str
    case: str
    want: object
    got: object

    @property
    def right(self) -> bool:
        return self.want == self.got


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


BODY = ("一、总体情况\n2023年，我单位认真贯彻落实《条例》，全年主动公开政府信息1234条。\n二、主动公开政府信息情况\n"
        "三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n"
        "六、其他需要报告的事项\n")

# agency levels and names the standard lists do not have: province, township, village, development zone,
# new district, 党委 departments with a 挂牌 second name, 人大/政协 (their reports are archived: the format
# decides, not the issuer), and names carrying look-alike words (审计, 统计, 财政, 预算, 法治, 政府工作)
EXTRA_AGENCIES = [
    "江苏省人民政府办公厅", "江苏省审计厅", "江苏省统计局", "江苏省财政厅", "江苏省司法厅",
    "青山县石桥镇人民政府", "青山县白沙乡人民政府", "青山县城关街道办事处", "青山县石桥镇红星村民委员会",
    "青山经济技术开发区管理委员会", "青山县高新技术产业开发区管委会", "青山新区管理委员会",
    "中共青山县委组织部（青山县公务员局）", "中共青山县委宣传部(县新闻出版局)", "青山县人大常委会办公室",
    "政协青山县委员会", "青山县预算评审中心", "青山县法治政府建设领导小组办公室", "青山县统计普查中心",
    "青山县政府工作报告起草组办公室",
]
YEAR_FORMS = {"2023": "2023", "二〇二三": "二〇二三", "二零二三": "二零二三", "full-width": "２０２３", "spaced": "2 0 2 3"}
TITLE_PATTERNS = {
    "<a><y>年": "{a}{y}年政府信息公开工作年度报告",
    "<a><y>年度": "{a}{y}年度政府信息公开工作年度报告",
    "<y>年<a>": "{y}年{a}政府信息公开工作年度报告",
    "(<y>年度) last": "{a}政府信息公开工作年度报告（{y}年度）",
    "《》": "《{a}{y}年政府信息公开工作年度报告》",
    "【<a>】": "【{a}】{y}年政府信息公开工作年度报告",
    "[<a>]": "[{a}]{y}年政府信息公开工作年度报告",
    "<a>：<y>": "{a}：{y}年政府信息公开工作年度报告",
    "<a>_<y>": "{a}_{y}年度政府信息公开工作年度报告",
    "关于…的报告": "{a}关于{y}年政府信息公开工作的报告",
    "关于…情况的报告": "{a}关于{y}年度政府信息公开工作情况的报告",
    "…工作报告": "{a}{y}年政府信息公开工作报告",
    "工作年报": "{a}{y}年政府信息公开工作年报",
    "（全文）": "{a}{y}年度政府信息公开工作年度报告（全文）",
    "政务公开": "{a}{y}年政务公开工作年度报告",
    "+date": "{a}{y}年政府信息公开工作年度报告 2024-01-20",
    "+(date)": "{a}{y}年政府信息公开工作年度报告（2024年01月20日）",
    "period": "{a}政府信息公开工作年度报告（{y}年1月1日至{y}年12月31日）",
    "PDF lines": "{a}\n{y}年政府信息公开\n工作年度报告",
}
LOOKALIKES = {
    "预算公开": "{a}{y}年部门预算公开", "决算公开": "{a}{y}年度部门决算", "绩效自评": "{a}{y}年度部门整体支出绩效自评报告",
    "法治政府建设": "{a}{y}年法治政府建设年度报告", "法治…情况的报告": "{a}关于{y}年法治政府建设工作情况的报告",
    "政府工作报告": "{y}年{a}政府工作报告", "统计公报": "{a}{y}年国民经济和社会发展统计公报",
    "编制通知": "{a}关于编制{y}年政府信息公开工作年度报告的通知",
    "部署通知": "{a}关于部署{y}年度政务公开工作年度报告编制工作的通知",
    "…报告的通知": "{a}{y}年度政府信息公开工作年度报告的通知", "编制说明": "{a}{y}年度政府信息公开工作年度报告编制说明",
    "指南": "{a}政府信息公开指南", "目录": "{a}政府信息公开目录", "年报目录": "{a}政府信息公开年度报告目录",
    "企业年报": "{a}{y}年度企业年报公示", "网站年度报表": "{a}{y}年度政府网站工作年度报表",
    "解读": "关于{a}{y}年政府信息公开工作年度报告的解读", "要点": "{a}{y}年政务公开工作要点",
    "审计工作报告": "{a}{y}年度审计工作报告", "履职报告": "{a}{y}年度履职报告", "考核": "{a}{y}年政务公开工作考核细则",
}
PAGE_FIELDS = {
    "none": "", "same agency": "来源：{a}", "stale default": "来源：平潭县人民政府", "本网": "信息来源：本网",
    "compiling office": "发布机构：青山县人民政府办公室", "发布单位": "发布单位：青山县人民政府",
    "portal name": "青山县人民政府门户网站",
}


def _agencies(full: bool) -> list[str]:
    names = agencies() + EXTRA_AGENCIES
    return names if full else names[::7] + EXTRA_AGENCIES


def titles(full: bool = True) -> Iterator[Result]:
    """Report titles: classification (accepted with the year), agency (from the title) and year."""
    for a, (yk, y), (pk, pattern) in itertools.product(_agencies(full), YEAR_FORMS.items(), TITLE_PATTERNS.items()):
        title = pattern.format(a=a, y=y)
        case = f"{pk} × {yk}: {title!r}"
        verdict = classify_title(title)
        doc = classify_document(title, BODY)
        yield Result("titles", "classified", case, (True, YEAR, True), (verdict.is_report, verdict.year, doc.is_report))
        meta = extract_metadata(title.replace("\n", ""), BODY)
        yield Result("titles", "agency", case, nfkc(a), meta.agency)
        yield Result("titles", "year", case, YEAR, meta.year)
        if pk == "PDF lines":  # no page title: the printed one, broken over lines
            meta = extract_metadata("", normalize_text(f"{title}\n{BODY}"))
            yield Result("titles", "agency (printed title)", case, nfkc(a), meta.agency)


def lookalikes(full: bool = True) -> Iterator[Result]:
    """Look-alike documents of every agency: rejected by a look-alike rule, even over a report's headings."""
    for a, (yk, y), (lk, pattern) in itertools.product(_agencies(full), list(YEAR_FORMS.items())[:3], LOOKALIKES.items()):
        title = pattern.format(a=a, y=y)
        verdict = classify_title(title)
        got = (verdict.is_report or verdict.reason == "title does not name an annual report"
               or classify_document(title, BODY).is_report)
        yield Result("look-alikes", "rejected", f"{lk} × {yk}: {title!r}", False, got)


def page_fields(full: bool = True) -> Iterator[Result]:
    """The title's agency beats every page field a CMS fills; a field naming another body is flagged."""
    for a, (pk, pattern), (fk, field) in itertools.product(_agencies(full), TITLE_PATTERNS.items(), PAGE_FIELDS.items()):
        if pk == "PDF lines":
            continue
        title = pattern.format(a=a, y="2023")
        page = normalize_text(f"{field.format(a=a)}\n首页 > 政务公开 > 年报\n{title}\n发布时间：2024-01-20 "
                              f"{field.format(a=a)} 浏览次数：12\n{BODY}")
        meta = extract_metadata(title, BODY, page=page)
        case = f"{pk} × {fk}: {title!r}"
        yield Result("page fields", "agency", case, (nfkc(a), "title"), (meta.agency, meta.agency_source))
        # a field naming another body is flagged: the stale default, and the county government or its office
        # on a department's page (青山县人民政府办公室 is the same body as 青山县人民政府)
        other = fk == "stale default" or (fk in ("compiling office", "发布单位") and not a.startswith("青山县人民政府"))
        yield Result("page fields", "flag", case, other, any(f.startswith("agency:") for f in meta.flags))


UNTITLED = ["", "政府信息公开工作年度报告", "2023年政府信息公开工作年度报告", "青山县人民政府门户网站", "年报"]
BODY_AGENCY = {
    "printed title": "{a}\n2023年政府信息公开工作年度报告\n" + BODY,
    "printed, year first": "2023年{a}\n政府信息公开工作年度报告\n" + BODY,
    "signature": "2023年政府信息公开工作年度报告\n" + BODY + "{a}\n2024年1月15日\n",
    "signature 中文 date": "2023年政府信息公开工作年度报告\n" + BODY + "{a}\n二〇二四年一月十五日\n",
    "preamble": "2023年政府信息公开工作年度报告\n现将{a}2023年度政府信息公开工作情况报告如下。\n" + BODY,
}


def untitled(full: bool = True) -> Iterator[Result]:
    """A title naming no agency: the report's own text (printed title, signature, preamble) beats page fields."""
    for a, t, (bk, body), fk in itertools.product(_agencies(full), UNTITLED, BODY_AGENCY.items(),
                                                  ("none", "stale default", "compiling office", "发布单位")):
        if bk == "preamble" and len(a) < 5:
            continue
        text = normalize_text(body.format(a=a))
        page = normalize_text(f"{t}\n发布时间：2024-01-20 {PAGE_FIELDS[fk]}\n{text}")
        meta = extract_metadata(t, text, page=page)
        yield Result("untitled", "agency", f"{bk} × {fk} × title {t!r}: {a}", nfkc(a), meta.agency)


DATE_FORMS = {
    "2024-01-15": "2024-01-15", "2024/1/15": "2024-01-15", "2024年1月15日": "2024-01-15", "2024年01月15日": "2024-01-15",
    "2024.01.15": "2024-01-15", "二〇二四年一月十五日": "2024-01-15", "二○二四年元月十五日": "2024-01-15",
    "２０２４－０１－１５": "2024-01-15", "2024-01-15 09:30": "2024-01-15T09:30", "2024-01-15 09:30:12": "2024-01-15T09:30",
    "2024 年 1 月 15 日": "2024-01-15", "[2024-01-15]": "2024-01-15", "2024年1月15日 09:30": "2024-01-15T09:30",
}
DATE_LABELS = ["发布时间：", "发布时间:", "发布日期：", "发文日期：", "公开日期：", "日期：", "时间：", "发布时间 ", "【发布时间】",
               "发布于"]
TITLE = "青山县审计局2023年政府信息公开工作年度报告"
SIGNED = BODY + "青山县审计局\n2024年1月10日\n"


def _dated_html(label: str, printed: str, layout: str) -> str:
    if layout == "line":
        block = f"<div>{label}{printed} 来源：青山县审计局 浏览次数：12</div>"
    else:  # a metadata table: label and value in separate cells
        block = (f"<table><tr><td>索引号：</td><td>11320800/2024-00012</td><td>{label.rstrip('：: ')}：</td>"
                 f"<td>{printed}</td></tr></table>")
    return f"<html><body><div>首页 > 年报</div><h1>{TITLE}</h1>{block}<div>{SIGNED}</div></body></html>"


def dates(full: bool = True) -> Iterator[Result]:
    """发布时间: every label × form × layout (the signature date below is not 发布时间); dates that cannot be
    the report's (after today, before its year) are never chosen and are flagged."""
    for label, (printed, want), layout in itertools.product(DATE_LABELS, DATE_FORMS.items(), ("line", "table")):
        html = _dated_html(label, printed, layout)
        meta = extract_metadata(TITLE, normalize_text(SIGNED), html=html, page=normalize_text(page_text(html)))
        yield Result("发布时间", "published_at", f"{label}{printed} ({layout})", want, meta.published_at)
        yield Result("发布时间", "signature_date", f"{label}{printed} ({layout})", "2024-01-10", meta.signature_date)
    future = (date.today() + timedelta(days=400)).isoformat()
    for first, second, want in [
        (future, None, None), ("2019-05-06", None, None), (future, "2024-01-25", "2024-01-25"),
        ("2022-12-31", "2024-01-25", "2024-01-25"), ("2024-01-20", "2024-01-25", "2024-01-20"),
    ]:
        html = (f"<html><body><div>发布时间：{first} 来源：青山县审计局</div><h1>{TITLE}</h1><div>{SIGNED}</div>"
                + (f"<div>发布日期：{second}</div>" if second else "") + "</body></html>")
        meta = extract_metadata(TITLE, normalize_text(SIGNED), html=html, page=normalize_text(page_text(html)))
        case = f"发布时间 {first}, 发布日期 {second}"
        yield Result("发布时间", "plausible", case, want, meta.published_at)
        yield Result("发布时间", "flagged", case, True, any(f.startswith("published_at:") for f in meta.flags))


WHO, ADDRESS, POSTCODE, EMAIL = "青山县审计局办公室", "青山县人民路88号行政中心3楼", "223100", "qsxsjj@163.com"
PHRASINGS = {
    "如对…（…）": "如对本报告有任何疑问，请与{who}联系（地址：{addr}，邮编：{post}，{label}：{phone}，电子邮箱：{email}）。",
    "请联系：…；…": "如对本年度报告有疑问，请联系：{who}；{label}：{phone}；地址：{addr}；邮政编码：{post}；电子邮箱：{email}。",
    "sentences": "如对本报告有疑问，请与{who}联系。{label}：{phone}；通讯地址：{addr}；邮编：{post}；邮箱：{email}。",
    "如有疑问": "如有疑问，请联系{who}，{label}：{phone}，地址：{addr}（邮编：{post}），E-mail：{email}。",
    "联系方式：": "联系方式：{who}，{label}：{phone}，地址：{addr}，邮政编码：{post}，电子邮箱：{email}。",
    "heading + lines": "本机关联系方式\n地址：{addr}\n邮政编码：{post}\n{label}：{phone}\n电子邮箱：{email}",
    "联系人：": "联系人：张三  {label}：{phone}  办公地址：{addr}  邮编：{post}  邮箱：{email}",
    "anchor + lines": "如对本报告有任何疑问，请与{who}联系。\n地址：{addr}\n{label}：{phone}\n邮编：{post}\n电子信箱：{email}",
}
PHONE_LABELS = ["电话", "联系电话", "咨询电话", "办公电话", "电话/传真", "电话、传真", "电话（传真）", "联系方式", "咨询方式", "Tel"]
PHONES = {
    "0517-87654321": "0517-87654321", "(0517)8765432": "0517-8765432", "（0517）8765432": "0517-8765432",
    "0517—8765432": "0517-8765432", "0517 87654321": "0517-87654321", "0517-8765 4321": "0517-87654321",
    "87654321": "87654321", "13812345678": "13812345678", "138 1234 5678": "13812345678",
    "0517-87654321转123": "0517-87654321-123", "0517-87654321-8001": "0517-87654321-8001",
    "0517-87654321、0517-87654329": "0517-87654321", "0517-87654321或13812345678": "0517-87654321",
    "０５１７－８７６５４３２１": "0517-87654321",
}
ASCII = str.maketrans({"，": ",", "；": ";", "：": ":", "（": "(", "）": ")"})
FOOTER = "网站运维电话：0566-2567602 邮编：247000\n主办单位：青山县人民政府办公室 地址：青山县府前路1号 电话：0517-86666666\n"


def _wrap(text: str, how: str) -> str:
    if how == "lines":  # a PDF text layer: a hard break every 23 characters, cutting names and numbers
        return "\n".join(text[i:i + 23] for i in range(0, len(text), 23))
    return text


def contacts(full: bool = True) -> Iterator[Result]:
    """Contact fields from the contact passage, in every phrasing; never from the footer below it."""
    phones = PHONES if full else dict(list(PHONES.items())[::3])
    for (pk, phrasing), label, (printed, want), ascii_punct, wrap in itertools.product(
            PHRASINGS.items(), PHONE_LABELS, phones.items(), (False, True), ("none", "lines")):
        if wrap == "lines" and " " in printed:
            continue  # a wrapped text cannot tell `0517 87654321` cut at the line end from two numbers
        sentence = phrasing.format(who=WHO, label=label, phone=printed, addr=ADDRESS, post=POSTCODE, email=EMAIL)
        if ascii_punct:
            sentence = sentence.translate(ASCII)
        text = normalize_text(f"{TITLE}\n{BODY}{_wrap(sentence, wrap)}\n{FOOTER}")
        meta = extract_metadata("", text)
        case = f"{pk} × {label} × {printed} × {'ascii' if ascii_punct else 'full-width'} × {wrap}"
        yield Result("contact", "phone", case, want, meta.contact_phone)
        yield Result("contact", "address", case, ADDRESS, meta.contact_address)
        yield Result("contact", "postcode", case, POSTCODE, meta.contact_postcode)
        yield Result("contact", "email", case, EMAIL, meta.contact_email)
    for passage in NO_CONTACT:
        meta = extract_metadata("", normalize_text(f"{TITLE}\n{BODY}{passage}\n{FOOTER}"))
        got = (meta.contact_phone, meta.contact_address, meta.contact_postcode)
        yield Result("contact", "none taken", passage[:30], (None, None, None), got)


# passages with numbers that are not a contact's (文号, statistics, postcodes, a footer): nothing is taken
NO_CONTACT = [
    "如对本报告有疑问，请与县政务公开办联系。\n附件：青政办〔2023〕12号\n",
    "本年度共接听电话咨询87654321次，受理申请8765432件。\n",
    "如需了解更多信息，请登录青山县人民政府门户网站。2023年共公开文件87654321件。\n",
    "六、其他需要报告的事项\n本年度收取信息处理费0元。青政发〔2023〕8765432号。\n",
    "如对本报告有疑问，请联系我们。\n（二）主动公开情况\n发布信息87654321条，邮编223100\n",
]

# ---- every phone of the passage: number lists × separators × fax arrangements × traps ----
# (printed, stored) number forms: area code, bracketed, em dash, spaced, full-width, mobile, extensions
LIST_FORMS = [
    ("0517-87654321", "0517-87654321"), ("（0517）8765432", "0517-8765432"), ("0517—86660001", "0517-86660001"),
    ("0517 83331234", "0517-83331234"), ("０５１７－８２２２３３３３", "0517-82223333"), ("13912345678", "13912345678"),
    ("139 1234 5678", "13912345678"), ("189-1234-5678", "18912345678"), ("0517-87654321转8001", "0517-87654321-8001"),
    ("0517-87654321-8002", "0517-87654321-8002"), ("0517-87654321分机803", "0517-87654321-803"),
    ("0517-87654321 ext. 12", "0517-87654321-12"), ("87650000", "87650000"),
]
LIST_SEPS = ["、", "，", "；", "/", "或", "和", " 或 "]
FAX = ("0517-87650099", "0517-87650099")
# where a fax stands: apart under its own label, in one 电话/传真 label (every number both), as a note
# after a listed number, first; "two labels": 咨询电话 and 投诉电话 each with its own number
FAX_FORMS = {
    "no fax": ("{label}：{numbers}", False),
    "传真 apart": ("{label}：{numbers}，传真：{fax}", False),
    "电话/传真": ("电话/传真：{numbers}", True),
    "（传真） note": ("{label}：{numbers}、{fax}（传真）", False),
    "fax first": ("传真：{fax}；{label}：{numbers}", False),
    "Tel/Fax": ("Tel：{numbers}；Fax：{fax}", False),
    "two labels": ("咨询电话：{first}；投诉电话：{rest}；传真：{fax}", False),
}
# what may follow a list and is never a phone: a postcode, a date, an amount, an ID, office hours
TRAPS = {"none": "", "postcode": "、223100", "date": "，2024年1月15日", "amount": "、86543210元", "count": "、8654321件",
         "decimal": "、87654321.50", "ID": "、320826198001011234", "hours": "（工作日8:30-17:30）",
         "文号": "，青政办〔2023〕8765432号"}
PHONE_PHRASINGS = {k: PHRASINGS[k] for k in ("如对…（…）", "请联系：…；…", "联系方式：", "heading + lines")}


def _lists(full: bool) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    forms = LIST_FORMS if full else LIST_FORMS[::2]
    for i, a in enumerate(forms):
        yield "one", [a]
        b = forms[(i + 5) % len(forms)]
        if b[1] != a[1]:
            yield "two", [a, b]
            c = forms[(i + 3) % len(forms)]
            if c[1] not in (a[1], b[1]):
                yield "three", [a, b, c]


def phones(full: bool = True) -> Iterator[Result]:
    """Every number to call (contact_phones, printed order) and every fax (contact_faxes) of the contact passage;
    contact_phone is the first phone; nothing after a list (postcode, date, amount, ID, hours) is a phone."""
    for (pk, phrasing), (n, numbers), sep, (fk, (form, fax_is_phone)), (tk, trap), wrap in itertools.product(
            PHONE_PHRASINGS.items(), list(_lists(full)), LIST_SEPS, FAX_FORMS.items(), TRAPS.items(),
            ("none", "lines")):
        if (fk != "no fax" and tk != "none") or (fk == "two labels" and len(numbers) < 2):
            continue  # traps are crossed with the plain lists; two labels need two numbers
        if wrap == "lines" and any(" " in printed for printed, _ in numbers):
            continue  # a wrapped text cannot tell `0517 83331234` cut at the line end from two numbers
        printed = sep.join(p for p, _ in numbers) + trap
        want = [w for _, w in numbers]
        text = form.format(label="联系电话", numbers=printed, fax=FAX[0], first=numbers[0][0],
                           rest=sep.join(p for p, _ in numbers[1:]))
        faxes = [FAX[1]] if fk not in ("no fax", "电话/传真") else []
        if fax_is_phone:
            faxes = want
        # the phrasing's own {label}：{phone} slot carries the whole arrangement
        sentence = phrasing.replace("{label}：{phone}", text).format(who=WHO, addr=ADDRESS, post=POSTCODE,
                                                                      email=EMAIL)
        body = normalize_text(f"{TITLE}\n{BODY}{_wrap(sentence, wrap)}\n{FOOTER}")
        meta = extract_metadata("", body)
        case = f"{pk} × {n} × {sep!r} × {fk} × trap {tk} × {wrap}: {printed}"
        got = (json.loads(meta.contact_phones or "null"), json.loads(meta.contact_faxes or "null"))
        yield Result("phones", "contact_phones, faxes", case, (want, faxes), got)
        yield Result("phones", "contact_phone = first", case, want[0], meta.contact_phone)
        yield Result("phones", "postcode kept apart", case, POSTCODE, meta.contact_postcode)
    for passage in NO_CONTACT:
        meta = extract_metadata("", normalize_text(f"{TITLE}\n{BODY}{passage}\n{FOOTER}"))
        yield Result("phones", "none taken", passage[:30], ("[]", "[]"), (meta.contact_phones, meta.contact_faxes))


REPORT_HTML = ("<h1>青山县审计局2023年政府信息公开工作年度报告</h1>"
               + "".join(f"<p>{h}</p><p>{'本年度，我局认真落实政府信息公开各项要求，规范公开流程。' * 4}</p>"
                         for h in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                                   "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况"))
               + "<p>青山县审计局</p><p>2024年1月15日</p>")
SITE = "青山县人民政府"
CHROME = {
    "none": "", "site name": f"<div class='logo'>{SITE}</div>", "字号 大中小": "<div>字号：<a>大</a> <a>中</a> <a>小</a></div>",
    "【字体】": "<div>【字体：<a>大</a> <a>中</a> <a>小</a>】</div>", "[字号 大 中 小]": "<div>[ 字号 大 中 小 ]</div>",
    "【打印】【关闭】": "<div>【打印】【关闭】</div>", "打印本页 | 关闭窗口": "<p>打印本页 | 关闭窗口</p>",
    "[保存][打印][关闭]": "<p>[保存] [打印] [关闭]</p>", "当前位置": "<div>当前位置：首页 > 政务公开 > 年报</div>",
    "您所在的位置": "<div>您所在的位置：首页 > 信息公开</div>", "所在位置": "<p>所在位置：首页>信息公开</p>",
    "当前栏目": "<p>当前栏目：政府信息公开年报</p>", "crumb /": "<div>首页 / 政务公开 / 年度报告</div>",
    "crumb no 首页": "<p>政府信息公开 > 政府信息公开年报</p>", "网站首页>": "<p>网站首页>信息公开>年报</p>",
    "meta row": "<div>发布时间：2024-01-20 来源：青山县审计局 浏览次数：23</div>",
    "来源 | 作者": "<p>来源：青山县审计局 | 作者：办公室 | 发布时间：2024-01-20</p>", "分享到": "<div>分享到：微信 微博 QQ空间</div>",
    "分享：": "<p>分享：</p>", "上一篇/下一篇": "<div>上一篇：关于2023年度部门决算的公告</div><div>下一篇：无</div>",
    "上一条/下一条": "<p>上一条：无</p><p>下一条：关于…</p>", "扫一扫": "<div>扫一扫在手机打开当前页</div>",
    "责任编辑（）": "<p>（责任编辑：张三）</p>", "责任编辑": "<p>责任编辑：李四</p>", "【我要纠错】": "<p>【我要纠错】</p>",
    "视力保护色": "<p>视力保护色：</p>", "相关附件：": "<p>相关附件：</p>",
    "字体 打印 浏览量": "<p>【字体：大 中 小】 【打印】 【关闭】 浏览量：120</p>",
}


def chrome(full: bool = True) -> Iterator[Result]:
    """body_text starts with the report (its title or first heading) and ends with its signature date,
    whatever chrome sits above or below it inside the article container."""
    for (hk, head), (fk, foot) in itertools.product(CHROME.items(), CHROME.items()):
        html = (f"<html><head><title>青山县审计局2023年政府信息公开工作年度报告_{SITE}</title></head><body>"
                f"<div class='content'>{head}{REPORT_HTML}{foot}</div>"
                f"<div class='footer'>主办单位：{SITE}办公室</div></body></html>")
        lines = [line for line in extract_body(html).splitlines() if line.strip()]
        first, last = (lines[0], lines[-1]) if lines else ("", "")
        yield Result("chrome", "start", f"{hk} above", True, first.startswith(("青山县审计局2023", "一、总体情况")))
        yield Result("chrome", "end", f"{fk} below", "2024年1月15日", last)


MATRICES: dict[str, Callable[[bool], Iterator[Result]]] = {
    "titles": titles, "look-alikes": lookalikes, "page fields": page_fields, "untitled": untitled,
    "发布时间": dates, "contact": contacts, "phones": phones, "chrome": chrome,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--show", type=int, default=0, help="wrong cases to print per field")
    ap.add_argument("--quick", action="store_true", help="every 7th standard department only")
    ap.add_argument("--only", choices=list(MATRICES), action="append", help="run these matrices only")
    args = ap.parse_args()
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    wrong: dict[tuple[str, str], list[Result]] = defaultdict(list)
    for name, gen in MATRICES.items():
        if args.only and name not in args.only:
            continue
        for r in gen(not args.quick):
            counts[(r.matrix, r.field)][r.right] += 1
            if not r.right:
                wrong[(r.matrix, r.field)].append(r)
    print(f"{'matrix':12} {'field':24} {'cases':>7} {'right':>8}")
    total = Counter()
    for (matrix, fld), c in counts.items():
        n = c[True] + c[False]
        total.update(c)
        print(f"{matrix:12} {fld:24} {n:7d} {100 * c[True] / n:7.2f}%")
        for r in wrong[(matrix, fld)][:args.show]:
            print(f"    {r.case}: want {r.want!r}, got {r.got!r}")
    n = total[True] + total[False]
    print(f"{'all':12} {'':24} {n:7d} {100 * total[True] / n:7.2f}%")


if __name__ == "__main__":
    main()

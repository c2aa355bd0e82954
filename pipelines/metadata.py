"""Report metadata: agency, subject year, 发布时间, signature date, contact, 索引号/文号.

Pure functions over text (Simplified is assumed; call `normalize_text` first) and page HTML.
Sources, most trusted first: the page's metadata block (发布时间, 信息来源/发布机构), the title,
the preamble (现将/现公布…), the signature, the contact sentence (如对本报告有任何疑问，请与…联系).
trafilatura's date is not used: on these portals it picks dates out of related-link lists.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from lxml import html as lxml_html

from pipelines.classify import canonical_title, year_range
from pipelines.clean import is_chrome_line
from pipelines.records import ReportMetadata

_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})[:：](?P<M>\d{2})(?::\d{2})?)?"
)
_PUBLISHED = re.compile(
    r"(?<!成文)(?<!生成)(?P<label>发布时间|发布日期|发文日期|公开日期|发布于|时间|日期)\s*[】\]]?\s*[:：]?\s*(?:[\[【(]\s*)?"
    + _DATE.pattern
)
# 二〇二四年一月十五日 / 二○二四年元月十五日: rewritten as 2024年1月15日 before the date patterns run
_CN_DATE = re.compile(r"(?P<y>[〇○零一二][〇○零一二三四五六七八九]{3})\s*年\s*(?P<m>[元正一二三四五六七八九十]{1,3})\s*月"
                      r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日")


def arabic_dates(text: str) -> str:
    """Dates in Chinese numerals as digits (二〇二四年一月十五日 → 2024年1月15日); other text unchanged."""
    if not _CN_DATE.search(text):
        return text

    def one(m: re.Match) -> str:
        month = _cn_number(m["m"].replace("元", "一").replace("正", "一"))
        return f"{m['y'].translate(_CN_DIGITS)}年{month}月{_cn_number(m['d'])}日"
    return _CN_DATE.sub(one, text)
_SOURCE = re.compile(
    r"(?:信息来源|发布机构|发文机关|发布单位|来源)\s*[:：]?\s*(?P<v>[^\s:：|•·]{2,40}?)"
    r"(?=\s|$|[|•·]|发布|文号|索引|时间|日期|浏览|字号|点击)"
)
_INDEX_NO = re.compile(r"索\s*引\s*号\s*[:：]?\s*(?P<v>[A-Za-z0-9][\w/\-－.]{3,60})")
_DOC_NO = re.compile(r"文\s*号\s*[:：]?\s*(?P<v>[^\s|•·]{2,40}?〔?\d{4}〕?\s*\d+\s*号)")
_AGENCY_SUFFIX = (
    r"(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|办公室|办公厅|委员会|管理委员会|局|委|办|厅|署|院|"
    r"街道办事处|街道|办事处|镇|乡|苏木|中心|所|站|队|会|处|部|馆|室|社|联|台)"
)
_TITLE_AGENCY = re.compile(
    r"^(?P<a>.{2,40}?)(?:关于)?(?:(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})\s*年度?\s*"
    r"(?:政府|政务)?信息公开"
)
_PREAMBLE_AGENCY = re.compile(
    r"现(?:将|公布|发布|予以公布)(?P<a>[^，,。；;《》]{2,40}?)(?:(?:19|20)\d{2})\s*年度?\s*(?:政府|政务)?信息公开"
)
# The contact sentence: 如对本报告有任何疑问，请与XX联系（地址：…，邮编：…，电话：…）, 如对本年度报告有疑问,请联系:
# XX;联系电话:…;地址:…, …请与XX联系。联系电话：… . Matched on text without whitespace (PDF lines wrap
# and letter-space it); the window ends at the first sentence that is not about contacts.
_CONTACT_ANCHOR = re.compile(
    r"(?:如对|若对|对)本?(?:年度)?(?:报告|年报)[^。]{0,30}?(?:疑问|意见|建议|问题)|如有(?:任何)?疑问|如需(?:了解|咨询)"
)
# without the 如对本报告… sentence: a sentence or line that opens with 联系方式/联系人/联系电话 (not 运维电话)
_CONTACT_LINE = re.compile(r"(?:^|[。\n])[ \t]*(?:"
                           + "|".join("[ \t]*".join(w) for w in ("联系方式", "联系人", "联系电话", "咨询电话", "咨询方式"))
                           + r")[ \t]*[:：]"  # also letter-spaced: 联 系 方 式 ：
                           # a heading line of its own: 本机关联系方式 / （三）联系方式如下： (the labels follow on lines)
                           r"|^[ \t]*[(（]?[一二三四五六七八九十\d]{0,2}[)）、.]?[ \t]*(?:本(?:机关|单位|局|部门))?[ \t]*"
                           r"联[ \t]*系[ \t]*方[ \t]*式[ \t]*(?:如下)?[ \t]*[:：]?[ \t]*$", re.M)
_CONTACT_LINE_FLAT = re.compile(r"(?:联系方式|联系人|联系电话|咨询电话|咨询方式)[:：]?")
_CONTACT_WHO = re.compile(
    r"请(?:与|向|联系|致电)[:：]?(?P<who>[^,，;；:：(（。]{2,60}?)(?:联系|咨询|反映|$|(?=[,，;；(（。]))"
)
_CONTACT_LABEL = r"(?:(?:联系|咨询|办公|投诉|监督|举报|服务|值班)?电话|联系方式|咨询方式|Tel|TEL|Phone|传真|Fax|FAX|地址|邮编|邮政编码|电子邮箱|电子信箱|邮箱|E-?mail|联系人)"
# A phone label: one or two label words joined (电话/传真, 电话、传真, 电话（传真）, 传真/电话, 电话和传真).
# 投诉/监督/举报/咨询…电话 are phones to call; a number under a label that says only 传真/Fax is a fax.
_PHONE_WORD = r"(?:(?:联系|咨询|办公|投诉|监督|举报|服务|值班)?电话|联系方式|咨询方式|Tel|Phone|传真|Fax)"
_PHONE_LABEL = re.compile(r"(?<![A-Za-z])(?P<label>" + _PHONE_WORD + r"(?:[/、和及或]" + _PHONE_WORD + r"|[(（]"
                          + _PHONE_WORD + r"[)）])?)[:：]?", re.I)
_PHONE_NUMBER = (
    r"(?P<area>[(（]?0\d{2,3}[)）]?\s*[-－—–]?\s*)?(?P<num>[2-9]\d{6,7})"
    r"(?:\s*(?:[-－—–]|转|分机|ext\.?)\s*(?P<ext>\d{1,5}))?(?!\d)"
    r"|(?P<mobile>1[3-9]\d(?:[-－—–\s]?\d{4}){2})(?!\d)"
)
# one number: never inside a longer digit run (an ID, a 统一社会信用代码), never followed by a unit, a date or
# a decimal point (an amount, a count, 2024年…), never a 6-digit postcode (too short for either form)
_ONE_PHONE = re.compile(r"(?<![\d.])(?:" + _PHONE_NUMBER + r")(?![\d.]|[元万亿件条次个人份项年月日号%])"
                        r"(?:[(（](?P<note>[^()（）]{1,12})[)）])?", re.I)  # 0517-87654322（传真）
_PHONE_SEP = re.compile(r"[、,，;；/]|或者?|和|及")  # between two numbers of one label
_ADDRESS = re.compile(r"(?:通讯地址|联系地址|办公地址|地址)[:：]?(?P<v>[^,，;；。)）]{4,80}?)(?=[,，;；。)）]|" + _CONTACT_LABEL + "|$)")
_POSTCODE = re.compile(r"(?:邮政编码|邮编)[:：]?(?P<v>\d{6})(?!\d)")
_EMAIL = re.compile(r"(?:电子邮箱|电子信箱|邮箱|E-?mail)[:：]?(?P<v>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)", re.I)
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年度?\s*(?:(?:政府|政务)?(?:信息公开|年报|年度报告)|政务公开)")
_YEAR_IN_BODY = re.compile(
    r"(?:现将|现公布|本报告|数据统计期限(?:为|自)?)[^。]{0,40}?((?:19|20)\d{2})\s*年\s*(?:度|1\s*月\s*1\s*日)"
)
_SIGN_DATE_LINE = re.compile(
    r"^\s*((?:19|20)\d{2}|[〇○零一二][〇○零一二三四五六七八九]{3})\s*年\s*([\d一二三四五六七八九十]{1,3})\s*月"
    r"\s*([\d一二三四五六七八九十]{1,3})\s*日\s*$"
)


@dataclass
class Metadata(ReportMetadata):
    """The report's metadata fields (pipelines.records.ReportMetadata, one definition) plus flags."""

    # ambiguities kept for the reader: two 发布时间 that disagree (both kept), a page field naming another agency
    flags: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _iso(m: re.Match) -> str | None:
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    out = f"{y:04d}-{mo:02d}-{d:02d}"
    if m["H"] is not None and int(m["H"]) < 24:
        out += f"T{int(m['H']):02d}:{m['M']}"
    return out


def _cn_number(text: str) -> int:
    """一/十二/二十六/31 → int (small numbers for months and days)."""
    if text.isdigit():
        return int(text)
    text = text.translate(_CN_DIGITS)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return int(tens or 1) * 10 + int(ones or 0)
    return int(text)


_INVISIBLE = frozenset({"script", "style", "noscript"})


def page_text(html: str, tree: Any = None) -> str:
    """Visible text of a whole page (scripts and styles dropped), one text node per line.

    tree: the page already parsed (lxml.html.fromstring(html)); it is read, never changed.
    """
    if tree is None:
        try:
            tree = lxml_html.fromstring(html)
        except Exception:
            return ""
    out: list[str] = []

    def walk(el: Any) -> None:
        # itertext() after dropping script/style/noscript: a dropped element's tail joins the text before it
        text = el.text if isinstance(el.tag, str) and el.text else ""
        for child in el:
            if isinstance(child.tag, str) and child.tag in _INVISIBLE:
                text += child.tail or ""
                continue
            if t := text.strip():
                out.append(t)
            walk(child)
            text = child.tail or ""
        if t := text.strip():
            out.append(t)

    walk(tree)
    return "\n".join(out)


@lru_cache(maxsize=64)
def _meta_tags(html: str) -> dict[str, str]:
    try:
        tree = lxml_html.fromstring(html)
    except Exception:
        return {}
    return _meta_of(tree)


def _meta_of(tree: Any) -> dict[str, str]:
    return {
        (m.get("name") or m.get("property") or "").lower(): (m.get("content") or "").strip()
        for m in tree.xpath("//meta[@content]")
    }


_last_meta: tuple[str, dict[str, str]] | None = None  # the last page's tags, read from its shared tree


def meta_tags(html: str, tree: Any = None) -> dict[str, str]:
    """<meta name|property> → content of a page; tree: `html` already parsed (then no parse here)."""
    global _last_meta
    last = _last_meta
    if last is not None and last[0] is html:
        return last[1]
    if tree is None:
        return _meta_tags(html)
    found = _meta_of(tree)
    _last_meta = (html, found)
    return found


def published_candidates(html: str | None, text: str) -> list[tuple[str, str]]:
    """Every 发布时间 the page prints, in trust order: <meta> tags, then labelled dates in the page text.

    Returns (iso date, source) pairs, one per distinct date (first source kept).
    """
    out: list[tuple[str, str]] = []
    if html:
        meta = meta_tags(html)
        for name in ("pubdate", "publishdate", "firstpublishedtime", "article:published_time"):
            if (m := _DATE.search(meta.get(name, ""))) and (iso := _iso(m)):
                out.append((iso, f"meta {name}"))
    labelled = [(iso, f"page {m['label']}") for m in _PUBLISHED.finditer(arabic_dates(text[:6000]))
                if (iso := _iso(m))]
    explicit = [c for c in labelled if c[1] not in ("page 时间", "page 日期")]
    out += explicit or labelled[:1]  # a bare 时间/日期 only when nothing says 发布
    seen: set[str] = set()
    distinct = []
    for iso, source in out:
        if iso[:10] not in seen:
            seen.add(iso[:10])
            distinct.append((iso, source))
    return distinct


def page_published_at(html: str | None, text: str) -> str | None:
    """发布时间 from <meta name=PubDate> or the page's metadata block (not 成文日期)."""
    found = published_candidates(html, text)
    return found[0][0] if found else None


def implausible_date(iso: str, year: int | None, today: date | None = None) -> str | None:
    """Why a 发布时间 cannot be the report's (after today, or before its subject year began); None when it can."""
    day = date.fromisoformat(iso[:10])
    if day > (today or date.today()):
        return "in the future"
    if year and day.year < year:
        return f"before the report year {year}"
    return None


def choose_published(candidates: list[tuple[str, str]], year: int | None = None,
                     today: date | None = None) -> tuple[str | None, str | None, list[str]]:
    """(date, source, flags): the most trusted plausible date; a date after today or before the report's
    year is never chosen (flagged); when plausible dates disagree every one is kept in a flag."""
    flags = []
    kept = []
    for iso, source in candidates:
        if why := implausible_date(iso, year, today):
            flags.append(f"published_at: {iso} ({source}) is {why}; not used")
        else:
            kept.append((iso, source))
    candidates = kept
    if not candidates:
        return None, None, flags
    chosen, source = candidates[0]
    if len(candidates) > 1:
        listed = "; ".join(f"{d} ({s})" for d, s in candidates)
        flags.append(f"published_at: dates disagree: {listed}; chose {chosen} ({source})")
    return chosen, source, flags


def page_source(html: str | None, text: str) -> str | None:
    if html:
        meta = meta_tags(html)
        for name in ("contentsource", "source"):
            if meta.get(name):
                return meta[name]
    m = _SOURCE.search(text[:6000])
    return m["v"] if m else None


_AGENCY_END = re.compile(_AGENCY_SUFFIX + r"$")
_REGION_END = re.compile(r"(?:省|市|县|区|旗|州|盟)$")
_YEAR_TOKEN = r"(?:(?:19|20)\d{2}|[〇○零一二][〇○零一二三四五六七八九]{3})"
_REPORT_WORDS = (r"(?:(?:政府|政务)?信息公开|政务公开)(?:工作)?(?:年度)?(?:报告|年报)|"
                 r"(?:政府|政务)(?:信息)?公开工作(?:情况)?的报告")
_DISCLOSURE = r"(?:(?:政府|政务)?信息公开|政务公开)"
# `<机关><年>年…报告`, `<年>年<机关>…报告`, `<机关>…报告(<年>年度)`, `…报告(<机关>)`, each optionally after 关于
_NAME_SEP = r"(?:\]|[:\-_|·—]+)?"  # 青山县审计局：2023年…, [青山县审计局]2023年…, 青山县审计局_2023年…
_TITLE_FORMS = [
    re.compile(r"^[\[(]?(?:关于)?(?P<a>.{2,40}?)" + _NAME_SEP + r"(?:关于)?[〔\[(]?" + _YEAR_TOKEN + r"[〕\])]?年度?"
               + _DISCLOSURE),
    re.compile(r"^(?:关于)?[〔\[(]?" + _YEAR_TOKEN + r"[〕\])]?年度?(?P<a>.{2,40}?)(?:" + _DISCLOSURE + "|关于)"),
    re.compile(r"^(?:关于)?(?P<a>.{2,40}?)(?:" + _REPORT_WORDS + r")[(\[]" + _YEAR_TOKEN + r"年度?[)\]]"),
    re.compile(r"(?:" + _REPORT_WORDS + r")[(\[](?P<a>[^()\[\]]{2,40})[)\]]"),
]
# 本报告由XX人民政府办公室编制: the office compiles, the government reports
_COMPILED_BY = re.compile(
    r"本(?:年度)?报告(?:[^。由]{0,80}?[,，])?由(?P<a>[^,，。;；(（《]{2,40}?)(?:根据|依据|按照|负责|编制|起草|汇总)"
)  # 本报告由XX根据…编制 / 本报告根据《条例》…要求，由XX编制
_OFFICE = re.compile(r"^(?P<gov>.{2,40}?(?:人民政府|政府))(?:办公室|办公厅)$")
# Where an agency can come from, most trusted first (recorded in `agency_source`).
AGENCY_SOURCES = ("title", "document title", "preamble", "signature", "page field", "compiled by", "contact")


_DOUBLE_NAME = re.compile(r"^(?P<a>[^()]{2,40})\((?P<b>[^()]{2,30})\)$")  # 挂牌: 县委组织部(县公务员局)


def _looks_like_agency(name: str) -> bool:
    if m := _DOUBLE_NAME.match(name):  # both names must be a body's
        return _looks_like_agency(m["a"]) and bool(_AGENCY_END.search(m["b"]))
    return bool(_AGENCY_END.search(name)) and not re.match(r"^(?:我|本|全|各|该|关于|对)", name)


def agency_from_title(title: str) -> str | None:
    """The agency a report title names, in any order (see _TITLE_FORMS); None when it names none."""
    title = re.sub(r"\.(?:pdf|docx?|wps|xlsx?|html?)$", "", canonical_title(title), flags=re.I)
    for form in _TITLE_FORMS:
        m = form.search(title)
        if not m:
            continue
        name = m["a"]
        if name.endswith("人民") and title[m.end("a"):].startswith("政府"):  # XX县人民政府信息公开…: 政府 is shared
            name += "政府"
        if (_looks_like_agency(name) or _REGION_END.search(name)) and not re.search(r"\d|^(?:我|本|全|各|该)", name):
            return name  # a title may name the reporting place itself (平潭综合实验区2023年…)
    return None


_TITLE_HEAD_LINE = re.compile(r"^[\u4e00-\u9fff〇○\d〔〕()（）]{1,40}$")


def _document_title(lines: list[str]) -> str:
    """The report's printed title near the top, joined when a PDF breaks it over lines
    (洪泽区人民政府 / 2023 年政府信息公开工作年度报告, or 青山县发 / 展和改革局2023年…): a line that says
    报告/年报 (信息公开…报告 first), with up to two lines above it that are bare name text (no punctuation,
    not chrome, not 附件) when the joined title names an agency; else the first such line."""
    head = [re.sub(r"\s+", "", line) for line in lines[:20]]
    head = [line for line in head if line]
    # lines that name the report's kind first, then any 报告/年报 line (a name may say 报告: 政府工作报告起草组)
    says = [i for i, line in enumerate(head[:15]) if re.search(_REPORT_WORDS, line) and len(line) <= 90]
    says += [i for i, line in enumerate(head[:15]) if re.search(r"报告|年报", line) and len(line) <= 90 and i not in says]
    for i in says[:3]:
        for k in (2, 1):
            above = head[max(0, i - k):i]
            if len(above) == k and all(_TITLE_HEAD_LINE.match(x) and not x.startswith("附件") and not is_chrome_line(x)
                                           for x in above):
                joined = "".join(above) + head[i]
                if agency_from_title(joined):
                    return joined
    return head[says[0]] if says else ""


def _government_of_office(name: str | None) -> str | None:
    """`淮安市洪泽区人民政府办公室` → `淮安市洪泽区人民政府`; other names unchanged."""
    if not name:
        return None
    m = _OFFICE.match(name)
    return m["gov"] if m else name


def _signature(lines: list[str]) -> tuple[str | None, str | None]:
    """(agency, date) from the closing lines: an agency line directly above a date line."""
    tail = [line.strip() for line in lines[-20:] if line.strip()]
    for i in range(len(tail) - 1, -1, -1):
        m = _SIGN_DATE_LINE.match(tail[i])
        if not m:
            continue
        y = m.group(1).translate(_CN_DIGITS)
        date = f"{int(y):04d}-{_cn_number(m.group(2)):02d}-{_cn_number(m.group(3)):02d}"
        above = tail[i - 1] if i > 0 else ""
        agency = above if 3 <= len(above) <= 40 and _looks_like_agency(above) else None
        return agency, date
    return None, None


def _squeeze(text: str) -> str:
    """Whitespace out of a contact passage; digits split by a space join as a number would print."""
    text = re.sub(r"(?<=[\d@.])\n(?=[\d\w])", "", text)  # a PDF line wrapped inside a number or an address
    text = re.sub(r"(?<![\d-])(0\d{2,3})[ \t]+(\d{7,8})(?!\d)", r"\1-\2", text)  # 0517 87222589
    text = re.sub(r"(?<=\d[-－—–])[ \t]*(\d{3,4})[ \t]+(\d{4})(?!\d)", r"\1\2", text)  # 0517-8765 4321
    text = re.sub(r"(?<!\d)(1[3-9]\d)[ \t]+(\d{4})[ \t]+(\d{4})(?!\d)", r"\1\2\3", text)  # 138 1234 5678
    text = re.sub(r"(?<=\d)\s+(?=\d)", ",", text)  # two numbers side by side
    return re.sub(r"\s+", "", text)


_PASSAGE_END = re.compile(r"^\s*(?:网\s*站|运\s*维|技\s*术\s*支\s*持|主\s*办|承\s*办|版\s*权|附\s*件|"
                          r"[一二三四五六七八九十]+\s*[、.]|第[一二三四五六七八九十]+[章部分])")


def _contact_window(text: str) -> str | None:
    """The contact passage: from the anchor to the end of its sentence, plus following contact sentences."""
    m = _CONTACT_LINE.search(text)  # 联系方式：… on a line of its own (before squeezing the line breaks away)
    # a line of chrome (网站运维电话, 主办, ICP…), a heading or 附件 ends the passage: a sentence break before it
    text = "\n".join("。" + line if _PASSAGE_END.match(line) or is_chrome_line(line) else line
                     for line in text.splitlines())
    text = _squeeze(text)  # 如 对 本 报 告 有 疑 问: letter-spaced PDF text
    m = _CONTACT_ANCHOR.search(text) or (m and _CONTACT_LINE_FLAT.search(text))
    if not m:
        return None
    flat = text[m.start():m.start() + 400]
    sentences = re.split(r"(?<=。)", flat)
    window = sentences[0]
    for sentence in sentences[1:]:
        if not re.match(r"^(?:[(（]?[一二三四五六七八九十\d]+[)）、.])?" + _CONTACT_LABEL, sentence):
            break
        window += sentence
    return window


def _phone(m: re.Match) -> str:
    if m["mobile"]:
        return re.sub(r"\D", "", m["mobile"])
    area = re.sub(r"\D", "", m["area"] or "")
    out = f"{area}-{m['num']}" if area else m["num"]
    return f"{out}-{m['ext']}" if m["ext"] else out


def _kinds(words: str) -> tuple[bool, bool]:
    """(a phone, a fax) per a label or note: 电话/传真 is both, 传真 alone a fax (not a number to call)."""
    return (bool(re.search(r"电话|联系方式|咨询方式|tel|phone", words, re.I)), bool(re.search(r"传真|fax", words, re.I)))


def phone_numbers(window: str) -> tuple[list[str], list[str]]:
    """(phones, faxes) of a contact passage (NFKC, whitespace squeezed), each in printed order, once.

    Every labelled number and the numbers listed after it (separated by 、，；/或和及) count; a number's own
    note (（传真）, （办公室）) decides its kind when it names one, else its label does. Unlabelled numbers are
    never taken: outside a label's list a digit run may be a 文号, a count or a postcode.
    """
    phones: list[str] = []
    faxes: list[str] = []
    pos = 0
    while label := _PHONE_LABEL.search(window, pos):
        pos = label.end()
        while m := _ONE_PHONE.match(window, pos):
            phone, fax = _kinds(m["note"] or "")
            if not (phone or fax):
                phone, fax = _kinds(label["label"])
            if phone:
                phones.append(_phone(m))
            if fax:
                faxes.append(_phone(m))
            pos = m.end()
            sep = _PHONE_SEP.match(window, pos)
            if not sep or not _ONE_PHONE.match(window, sep.end()):
                break
            pos = sep.end()
    return list(dict.fromkeys(phones)), list(dict.fromkeys(faxes))


def _contact(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {"who": None, "phone": None, "phones": [], "faxes": [], "address": None, "postcode": None,
                           "email": None}
    window = _contact_window(text)
    if not window:
        return out
    window = unicodedata.normalize("NFKC", window)
    if w := _CONTACT_WHO.search(window):
        out["who"] = w["who"]
    out["phones"], out["faxes"] = phone_numbers(window)
    out["phone"] = out["phones"][0] if out["phones"] else None
    if a := _ADDRESS.search(window):
        out["address"] = a["v"].rstrip("(（")  # 地址：…（邮编：…）
    if z := _POSTCODE.search(window):
        out["postcode"] = z["v"]
    if e := _EMAIL.search(window):
        out["email"] = e["v"]
    return out


def _agency_from_contact(who: str | None) -> str | None:
    """`池州市贵池区自然资源和规划局办公室` → `池州市贵池区自然资源和规划局` (the office is a sub-unit)."""
    if not who:
        return None
    m = re.match(r"^(.{2,40}?(?:人民政府|委员会|局|委|厅|街道办事处|街道|镇|乡))(?:办公室|.{0,20}科|.{0,20}股)?$", who)
    return m.group(1) if m else (who if _looks_like_agency(who) else None)


def report_year(title: str, body: str) -> int | None:
    """The report's subject year: from the title, else the preamble (现将…2020年度 / 统计期限)."""
    title = canonical_title(title)
    if year_range(title):
        title = ""  # 2022-2023年度: which year is not said; the preamble may say it
    for source, pattern in ((title, _YEAR_IN_TITLE), (body[:3000], _YEAR_IN_BODY)):
        if m := pattern.search(re.sub(r"\s+", "", source)):
            return int(m.group(1))
    flat = title
    if re.search(_REPORT_WORDS, flat) and (m := re.search(r"((?:19|20)\d{2})[〕\])]?年", flat)):
        return int(m.group(1))  # 2023年青山县…报告, …报告(2023年度), 〔2023〕年度, 二〇二三年
    return None


def extract_metadata(title: str, body: str, *, html: str | None = None, page: str | None = None,
                     today: date | None = None, tree: Any = None) -> Metadata:
    """Metadata of one report.

    title: the page or document title; body: the report text (Simplified); html: the raw page
    (for <meta> tags); page: the page's full visible text, chrome included (for 发布时间 and
    信息来源, which live in the chrome). For plain documents pass only title and body. today: the
    day of the fetch (a 发布时间 after it is never used); the clock's date when not given.

    The agency is the reporting body as the report names it, in AGENCY_SOURCES order: a page
    field (来源/信息来源/发布机构) is often a CMS default and yields to anything the report prints; an
    office that compiles (本报告由…人民政府办公室编制) or answers questions stands for its government.
    tree: `html` already parsed (pipelines/process.py parses a page once); read, never changed.
    """
    if html and tree is not None:
        meta_tags(html, tree)  # the <meta> tags from the shared tree, not a parse of their own
    page = page if page is not None else body
    lines = body.splitlines()
    flags: list[str] = []
    sig_agency, sig_date = _signature(lines)
    contact = _contact(body)
    flat_head = re.sub(r"\s+", "", body[:2000])
    preamble = _PREAMBLE_AGENCY.search(flat_head)
    preamble_agency = preamble["a"] if preamble and _looks_like_agency(preamble["a"]) else None
    if preamble_agency and len(preamble_agency) < 5:  # "城管局": a short form, the signature is better
        preamble_agency = None
    compiled = _COMPILED_BY.search(flat_head)
    doc_title = _document_title(lines)
    source = page_source(html, page)
    candidates = [
        ("title", agency_from_title(title) if title else None),
        ("document title", agency_from_title(doc_title) if doc_title else None),
        ("preamble", preamble_agency),
        ("signature", sig_agency),
        ("page field", source if source and _looks_like_agency(source) else None),
        ("compiled by", _government_of_office(compiled["a"]) if compiled and _looks_like_agency(compiled["a"]) else None),
        ("contact", _government_of_office(_agency_from_contact(contact["who"]))),
    ]
    agency_source, agency = next(((k, v) for k, v in candidates if v), (None, None))
    if agency and not _looks_like_agency(agency):  # a place only (东湖区2021年…): a later source naming that
        own = re.compile(re.escape(agency) + r"(?:人民政府|管理委员会|管委会|街道办事处)")  # place's government
        fuller = next(((k, _government_of_office(v)) for k, v in candidates[1:]  # (东湖区人民政府) completes it
                       if v and own.fullmatch(_government_of_office(v) or "")), None)
        if fuller:
            agency_source, agency = fuller
    if (source and agency and agency_source != "page field" and _looks_like_agency(source)
            and not _same_body(source, agency)):
        flags.append(f"agency: page field says {source}, the {agency_source} says {agency}")
    year = report_year(title or doc_title, body)
    if html or page is not body:
        candidates = published_candidates(html, page)
    else:
        candidates = [(d, "text 发布时间")] if (d := _body_published(body)) else []
    published, published_source, date_flags = choose_published(candidates, year, today)
    flags += date_flags
    index_no = _INDEX_NO.search(page[:6000])
    doc_no = _DOC_NO.search(page[:6000])
    return Metadata(
        agency=agency,
        year=year,
        published_at=published,
        signature_date=sig_date,
        contact_phone=contact["phone"],
        contact_phones=json.dumps(contact["phones"], ensure_ascii=False),
        contact_faxes=json.dumps(contact["faxes"], ensure_ascii=False),
        contact_address=contact["address"],
        contact_postcode=contact["postcode"],
        contact_email=contact["email"],
        index_no=index_no["v"] if index_no else None,
        doc_no=doc_no["v"] if doc_no else None,
        agency_source=agency_source,
        published_source=published_source,
        flags=flags,
    )


def _same_body(a: str, b: str) -> bool:
    """Two names of one body: equal, or one the other's short form (青山县审计局 / 审计局)."""
    a, b = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    return a in b or b in a


def _body_published(body: str) -> str | None:
    """A scraped text that still carries the page's metadata block (seed 001: 发布时间2021-02-16 14:57)."""
    m = _PUBLISHED.search(arabic_dates(body[:3000]))
    return _iso(m) if m else None

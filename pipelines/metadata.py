"""Report metadata: agency, subject year, 发布时间, signature date, contact, 索引号/文号.

Pure functions over text (Simplified is assumed; call `normalize_text` first) and page HTML.
Sources, most trusted first: the page's metadata block (发布时间, 信息来源/发布机构), the title,
the preamble (现将/现公布…), the signature, the contact sentence (如对本报告有任何疑问，请与…联系).
trafilatura's date is not used: on these portals it picks dates out of related-link lists.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from lxml import html as lxml_html

_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})[:：](?P<M>\d{2})(?::\d{2})?)?"
)
_PUBLISHED = re.compile(
    r"(?<!成文)(?<!生成)(?:发布时间|发布日期|发文日期|公开日期|发布于|时间|日期)\s*[:：]?\s*(?:[\[【(]\s*)?"
    + _DATE.pattern
)
_SOURCE = re.compile(
    r"(?:信息来源|发布机构|发文机关|发布单位|来源)\s*[:：]?\s*(?P<v>[^\s:：|•·]{2,40}?)"
    r"(?=\s|$|[|•·]|发布|文号|索引|时间|日期|浏览|字号|点击)"
)
_INDEX_NO = re.compile(r"索\s*引\s*号\s*[:：]?\s*(?P<v>[A-Za-z0-9][\w/\-－.]{3,60})")
_DOC_NO = re.compile(r"文\s*号\s*[:：]?\s*(?P<v>[^\s|•·]{2,40}?〔?\d{4}〕?\s*\d+\s*号)")
_AGENCY_SUFFIX = (
    r"(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|办公室|办公厅|委员会|管理委员会|局|委|办|厅|署|院|"
    r"街道办事处|街道|办事处|镇|乡|苏木|中心|所|站|队|会|处|部|馆|室)"
)
_TITLE_AGENCY = re.compile(
    r"^(?P<a>.{2,40}?)(?:关于)?(?:(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})\s*年度?\s*"
    r"(?:政府|政务)?信息公开"
)
_PREAMBLE_AGENCY = re.compile(
    r"现(?:将|公布|发布|予以公布)(?P<a>[^，,。；;《》]{2,40}?)(?:(?:19|20)\d{2})\s*年度?\s*(?:政府|政务)?信息公开"
)
_CONTACT_SENTENCE = re.compile(r"(?:如对本?报告|如对本年报|对本报告).{0,20}?请(?:与|向|联系)(?P<who>[^（(]{2,60}?)(?:联系|咨询|反映)?\s*[（(](?P<body>[^）)]{4,200})[）)]")
_CONTACT_LOOSE = re.compile(r"(?:如对本?报告|如对本年报|对本报告).{0,20}?请(?:与|向|联系)(?P<who>.{2,60}?)联系(?P<body>.{0,200})")
_PHONE = re.compile(r"(?:联系电话|咨询电话|电话|联系方式|电\s*话)\s*[:：]?\s*(?P<v>(?:\d{3,4}\s*[-－—]\s*)?\d{7,8}(?:\s*[-－—转]\s*\d{1,5})?|1[3-9]\d{9})")
_ADDRESS = re.compile(r"(?:通讯地址|联系地址|办公地址|地址|地\s*址)\s*[:：]?\s*(?P<v>[^，,；;。）)]{4,80})")
_POSTCODE = re.compile(r"(?:邮政编码|邮编)\s*[:：]?\s*(?P<v>\d{6})")
_EMAIL = re.compile(r"(?:电子邮箱|电子信箱|邮箱|E-?mail)\s*[:：]?\s*(?P<v>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)", re.I)
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年度?\s*(?:政府|政务)?(?:信息公开|年报|年度报告)")
_YEAR_IN_BODY = re.compile(
    r"(?:现将|现公布|本报告|数据统计期限(?:为|自)?)[^。]{0,40}?((?:19|20)\d{2})\s*年\s*(?:度|1\s*月\s*1\s*日)"
)
_SIGN_DATE_LINE = re.compile(
    r"^\s*((?:19|20)\d{2}|[〇○零一二][〇○零一二三四五六七八九]{3})\s*年\s*([\d一二三四五六七八九十]{1,3})\s*月"
    r"\s*([\d一二三四五六七八九十]{1,3})\s*日\s*$"
)


@dataclass
class Metadata:
    agency: str | None = None
    year: int | None = None
    published_at: str | None = None
    signature_date: str | None = None
    contact_phone: str | None = None
    contact_address: str | None = None
    contact_postcode: str | None = None
    contact_email: str | None = None
    index_no: str | None = None
    doc_no: str | None = None

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


def page_text(html: str) -> str:
    """Visible text of a whole page (scripts and styles dropped), one text node per line."""
    try:
        tree = lxml_html.fromstring(html)
    except Exception:
        return ""
    for bad in tree.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return "\n".join(t.strip() for t in tree.itertext() if t.strip())


@lru_cache(maxsize=64)
def _meta_tags(html: str) -> dict[str, str]:
    try:
        tree = lxml_html.fromstring(html)
    except Exception:
        return {}
    return {
        (m.get("name") or m.get("property") or "").lower(): (m.get("content") or "").strip()
        for m in tree.xpath("//meta[@content]")
    }


def page_published_at(html: str | None, text: str) -> str | None:
    """发布时间 from <meta name=PubDate> or the page's metadata block (not 成文日期)."""
    if html:
        meta = _meta_tags(html)
        for name in ("pubdate", "publishdate", "firstpublishedtime", "article:published_time"):
            if (m := _DATE.search(meta.get(name, ""))) and (iso := _iso(m)):
                return iso
    if m := _PUBLISHED.search(text[:6000]):
        return _iso(m)
    return None


def page_source(html: str | None, text: str) -> str | None:
    if html:
        meta = _meta_tags(html)
        for name in ("contentsource", "source"):
            if meta.get(name):
                return meta[name]
    m = _SOURCE.search(text[:6000])
    return m["v"] if m else None


def _looks_like_agency(name: str) -> bool:
    return bool(re.search(_AGENCY_SUFFIX + r"$", name)) and not re.match(r"^(?:我|本|全|各|该)", name)


def agency_from_title(title: str) -> str | None:
    title = re.sub(r"\s+", "", title)
    m = _TITLE_AGENCY.match(title)
    if m and _looks_like_agency(m["a"]):
        return m["a"]
    return None


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


def _contact(text: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {"who": None, "phone": None, "address": None, "postcode": None, "email": None}
    m = _CONTACT_SENTENCE.search(text) or _CONTACT_LOOSE.search(text)
    if not m:
        return out
    body = m["body"]
    out["who"] = m["who"].strip()
    if p := _PHONE.search(body):
        out["phone"] = re.sub(r"\s+", "", p["v"]).replace("－", "-").replace("—", "-")
    if a := _ADDRESS.search(body):
        out["address"] = re.sub(r"\s+", "", a["v"])
    if z := _POSTCODE.search(body):
        out["postcode"] = z["v"]
    if e := _EMAIL.search(body):
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
    for source, pattern in ((title, _YEAR_IN_TITLE), (body[:3000], _YEAR_IN_BODY)):
        if m := pattern.search(re.sub(r"\s+", "", source)):
            return int(m.group(1))
    cn = re.search(r"([〇○零一二][〇○零一二三四五六七八九]{3})\s*年度?\s*(?:政府)?信息公开", title)
    return int(cn.group(1).translate(_CN_DIGITS)) if cn else None


def extract_metadata(title: str, body: str, *, html: str | None = None, page: str | None = None) -> Metadata:
    """Metadata of one report.

    title: the page or document title; body: the report text (Simplified); html: the raw page
    (for <meta> tags); page: the page's full visible text, chrome included (for 发布时间 and
    信息来源, which live in the chrome). For plain documents pass only title and body.
    """
    page = page if page is not None else body
    lines = body.splitlines()
    sig_agency, sig_date = _signature(lines)
    contact = _contact(body)
    preamble = _PREAMBLE_AGENCY.search(re.sub(r"\s+", "", body[:2000]))
    preamble_agency = preamble["a"] if preamble and _looks_like_agency(preamble["a"]) else None
    if preamble_agency and len(preamble_agency) < 5:  # "城管局": a short form, the signature is better
        preamble_agency = None
    first_title_line = next((ln for ln in lines[:15] if agency_from_title(ln)), "")
    source = page_source(html, page)
    agency = (
        agency_from_title(title)
        or (source if source and _looks_like_agency(source) else None)
        or agency_from_title(first_title_line)
        or preamble_agency
        or sig_agency
        or _agency_from_contact(contact["who"])
    )
    index_no = _INDEX_NO.search(page[:6000])
    doc_no = _DOC_NO.search(page[:6000])
    return Metadata(
        agency=agency,
        year=report_year(title or first_title_line, body),
        published_at=page_published_at(html, page) if (html or page is not body) else _body_published(body),
        signature_date=sig_date,
        contact_phone=contact["phone"],
        contact_address=contact["address"],
        contact_postcode=contact["postcode"],
        contact_email=contact["email"],
        index_no=index_no["v"] if index_no else None,
        doc_no=doc_no["v"] if doc_no else None,
    )


def _body_published(body: str) -> str | None:
    """A scraped text that still carries the page's metadata block (seed 001: 发布时间2021-02-16 14:57)."""
    m = _PUBLISHED.search(body[:3000])
    return _iso(m) if m else None

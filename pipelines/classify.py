"""Is this an annual report (政府信息公开工作年度报告), or a look-alike? Pure functions.

Two levels: `classify_title` is cheap (a link text or a <title>) and decides what to fetch;
`classify_document` looks at the text too (the format's section markers) and decides what is
archived. Every rejection carries a reason for the audit table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.normalize import normalize_text

# Titles of real reports: XX2021年政府信息公开工作年度报告, …年度政府信息公开工作报告, …政府信息公开年报,
# …政务公开工作年度报告 (a name some portals give the same report; the document's sections decide).
_REPORT_TITLE = re.compile(
    r"(?:(?:政府|政务)?信息公开|政务公开)(?:工作)?(?:年度)?(?:报告|年报)|信息公开年报|"
    r"关于(?:19|20)\d{2}年度?(?:政府|政务)(?:信息)?公开工作(?:情况)?的报告"  # XX局关于2023年度政府信息公开工作情况的报告
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*[〕\]）)】]?\s*年")
_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")
# Look-alikes, with the reason recorded when they are rejected.
_LOOKALIKES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"关于.{0,40}(?:做好|编制|报送|发布|公布|印发|开展|组织).{0,40}年度报告"), "notice about compiling reports"),
    (re.compile(r"年度?报告?的?(?:编制|编写|报送|填报|审核|发布)(?:发布|公开)?(?:工作|事项|要求|培训)"),
     "notice about compiling reports"),  # 我县部署2020年度政府信息公开工作年度报告编制工作
    (re.compile(r"(?:编制|报送|发布)(?:工作)?的?通知|有关事项的通知|年度报告格式"), "notice about the report format"),
    (re.compile(r"(?:报告|年报)(?:的|之)?(?:通知|公告|说明|编制说明|填报说明|模板|样本|范本)$"),
     "notice about the report format"),  # …年度报告的通知, …年度报告编制说明 (the report itself ends in 报告)
    (re.compile(r"(?:报告|年报)(?:目录|列表|清单|汇总|汇编|合集|索引)(?:表)?$"), "column/list title"),
    (re.compile(r"法治政府建设.{0,12}(?:年度)?报告|法治建设.{0,6}报告"), "法治政府建设 report"),
    (re.compile(r"预算|决算|三公经费"), "budget/final-accounts disclosure"),
    (re.compile(r"绩效(?:自评|评价|目标|报告)|支出绩效"), "budget performance report"),
    (re.compile(r"政府工作报告"), "政府工作报告"),
    (re.compile(r"信息公开指南|公开指南|信息公开制度|公开目录"), "政府信息公开指南/制度"),
    (re.compile(r"政务公开工作要点|工作要点|考核|评估|测评|培训|解读|图解|一图读懂|新闻发布|查阅点|工作推进会|工作会议"),
     "related work item, not a report"),
    (re.compile(r"统计公报|国民经济和社会发展|审计|履职报告|社会责任报告|年度工作总结|述职"), "other annual document"),
    (re.compile(r"网站.{0,10}年度报表|工作年度报表|企业年报|企业年度报告|年报公示|年度报告公示"),
     "other annual document"),
]
# Section markers of the official format: 2019/2021 templates and the 2008–2018 one (概述, 依申请公开,
# 收费及减免 sections).
_MARKERS = [
    re.compile(r"总体情况|概述"),
    re.compile(r"主动公开政府信息的?情况"),
    re.compile(r"收到和处理政府信息公开申请情况|依申请公开(?:政府信息)?的?情况"),
    re.compile(r"行政复议"),
    re.compile(r"存在的主要问题"),
    re.compile(r"其他需要报告的事项|收费及减免"),
]
# Column and list titles: 政府信息公开年报, 部门年报, 乡镇（街道）年报, 往年年报 (no year, short).
# Row/column labels of the format's tables (spreadsheet attachments carry only the tables).
_TABLE_MARKERS = re.compile(r"第二十条第[（(]?[一二三四五六七八][）)]?项|本年制发件数|本年新收政府信息公开申请数量|"
                            r"上年结转政府信息公开申请数量|申请人情况|本年处理决定数量")
MIN_REPORT_CHARS = 300  # a report title over a short text with one heading word is a news item or stub
_LIST_TITLE = re.compile(r"^(?:政府|政务)?信息公开(?:工作)?年(?:度)?报(?:告)?(?:专栏)?$|^年报$|^年度报告$")
_SHORT_COLUMN = re.compile(r"^[\u4e00-\u9fff（）()]{0,8}(?:年报|年度报告)(?:专栏|目录)?$")


# Agency names carry look-alike words (审计局, 统计局, 财政局, 司法局, 县委依法治县办, 预算编审中心, 县委组织部,
# 机构编制委员会): in a report title they are masked before the look-alike rules run. An agency is
# recognised by its suffix; the name is the run of characters before it back to the region level
# (省/市/县/区/州/盟/旗), a year or a non-name character, so a look-alike word before the region (解读XX县审计局…)
# stays visible.
_AGENCY_SUFFIX = re.compile(
    r"(?:人民)?政府(?!工作报告|建设|信息|网站|门户)|办公室|办公厅|委员会|办事处|管委会|领导小组|中心|分局|"
    r"联合会|联合社|合作社|协会|商会|残联|妇联|工商联|文联|侨联|科协|"
    r"局|委|办(?!理|法)|厅|署|院|所(?!属|有|在)|站|队|馆|台|处|部(?!门|署)"
)
_REGION_STOP = set("省市县区州盟旗年#") | set("0123456789")
_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z()（）]")
_NAME_BREAKS = ("关于", "的")
MAX_AGENCY_NAME = 16


def mask_agency_names(title: str) -> str:
    """`XX县审计局2023年…` → `XX县#2023年…`: department names replaced by `#` (see _AGENCY_SUFFIX)."""
    chars = list(title)
    for m in _AGENCY_SUFFIX.finditer(title):
        start = m.start()
        while start > 0 and m.end() - start < MAX_AGENCY_NAME:
            prev = title[start - 1]
            if prev in _REGION_STOP or chars[start - 1] == "#" or not _NAME_CHAR.match(prev):
                break
            if any(title[:start].endswith(w) for w in _NAME_BREAKS):
                break
            start -= 1
        for i in range(start, m.end()):
            chars[i] = "#"
    return "".join(chars)


def _lookalike(title: str) -> str | None:
    for pattern, reason in _LOOKALIKES:
        if pattern.search(title):
            return reason
    return None


@dataclass(frozen=True)
class Verdict:
    is_report: bool
    reason: str
    year: int | None = None


def title_year(title: str) -> int | None:
    """The year a title names; None for a range of years (2022-2023年度: which one is not said)."""
    if year_range(title):
        return None
    m = _YEAR.search(title) or _YEAR.search(title.translate(_CN_DIGITS))
    return int(m.group(1)) if m else None


_YEAR_RANGE = re.compile(r"((?:19|20)\d{2})年?(?:度)?\s*(?:-|—+|–|~|至|到|、|和)\s*((?:19|20)\d{2})\s*年")


def year_range(title: str) -> bool:
    """A title naming two different years as its subject (2022-2023年度, 2021年至2022年)."""
    return any(a != b for a, b in _YEAR_RANGE.findall(title))


_CN_YEAR = re.compile(r"[〇○零一二][〇○零一二三四五六七八九]{3}(?=\s*[〕\]）)】]?\s*年)")
_FULL_DATE = r"(?:19|20)\d{2}(?:[-/.]\d{1,2}[-/.]\d{1,2}|年\d{1,2}月\d{1,2}日)"
_PERIOD = re.compile(r"[(\[]?(?P<y>(?:19|20)\d{2})(?:年度?1月1日?|\.0?1\.0?1)(?:至|到|—+|–|-|~)+(?P=y)(?:年度?12月31日|\.12\.31)[)\]]?")
_APPENDED_DATE = re.compile(r"(?:^[(\[]?" + _FULL_DATE + r"[)\]]?[_|-]*|"
                            r"[_|-]*(?:(?:发布|公开|更新)(?:时间|日期)[:]?)?[(\[]?" + _FULL_DATE
                            + r"(?:\d{1,2}:\d{2}(?::\d{2})?)?[)\]]?$)")
_WRAPPERS = re.compile(r"[《》【】「」『』“”\"]")


def canonical_title(title: str) -> str:
    """A title in one form for the rules: NFKC, Simplified, no whitespace, a year in Chinese numerals as
    digits (二〇二三年 → 2023年), 《》/【】 wrappers dropped, a publication date appended by the listing
    (`…年度报告 2024-01-20`, `（2024年01月20日）`) cut off, a period (2023年1月1日至2023年12月31日) as `2023年度`."""
    t = re.sub(r"\s+", "", normalize_text(title))
    t = _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), t)
    t = _WRAPPERS.sub("", t)
    t = _PERIOD.sub(lambda m: f"({m['y']}年度)", t)
    for _ in range(2):  # a date at both ends
        t = _APPENDED_DATE.sub("", t)
    return t


def classify_title(title: str) -> Verdict:
    """Cheap test of a link text or page title."""
    t = canonical_title(title)
    if not t:
        return Verdict(False, "empty title")
    reason = _lookalike(mask_agency_names(t))  # look-alike words inside agency names do not count
    if reason:
        return Verdict(False, reason)
    if _LIST_TITLE.match(t) or (_SHORT_COLUMN.match(t) and title_year(t) is None):
        return Verdict(False, "column/list title")
    if _REPORT_TITLE.search(t):
        return Verdict(True, "report title", title_year(t))
    return Verdict(False, "title does not name an annual report")


def marker_count(text: str) -> int:
    flat = re.sub(r"\s+", "", text)
    return sum(1 for marker in _MARKERS if marker.search(flat))


def classify_document(title: str, text: str) -> Verdict:
    """Archive-level decision: a report title (or, untitled, the format's headings) and the markers."""
    text_n = normalize_text(text[:60000])
    markers = marker_count(text_n)
    by_title = classify_title(title) if title else None
    if by_title and not by_title.is_report and by_title.reason not in (
        "title does not name an annual report",
        "empty title",
    ):
        return by_title
    if markers >= 3:
        year = (by_title.year if by_title else None) or title_year(text_n[:500])
        return Verdict(True, f"report: {markers} section markers", year)
    if by_title and by_title.is_report and (markers >= 2 or (markers == 1 and len(text_n) >= MIN_REPORT_CHARS)):
        return Verdict(True, f"report title, {markers} section markers", by_title.year)
    if by_title and by_title.is_report and len(set(_TABLE_MARKERS.findall(re.sub(r"\s+", "", text_n)))) >= 2:
        return Verdict(True, "report title, the format's tables", by_title.year)  # a spreadsheet of the tables
    if by_title and by_title.is_report:
        return Verdict(False, "report title but none of the format's sections (list or stub page)")
    return Verdict(False, f"not a report: {markers} section markers")

"""Report body text: trafilatura for the main content, then a filter for portal chrome.

Pure functions over HTML or text. trafilatura keeps tables (as pipe rows) and drops most
navigation; the filter removes what it lets through on these portals (ICP/公网安备 lines,
主办/承办/技术支持, 无障碍浏览/长者专版, metadata bullets, share/print links).
"""

from __future__ import annotations

import re
from functools import lru_cache

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.core import determine_returnstring
from trafilatura.settings import CUT_EMPTY_ELEMS, MANUALLY_CLEANED, MANUALLY_STRIPPED, Extractor, use_config

from pipelines.normalize import strip_pinyin, to_simplified

# A line that is nothing but portal chrome. Anchored and short-line only, so report prose that
# mentions e.g. 网站 or 主办 is never touched.
_CHROME_LINE = re.compile(
    r"""^(?:
        .{0,40}ICP\s*备?.{0,120} | .{0,20}ICP证.{0,30} | .{0,10}公网安备.{0,40} |
        网站标识码.{0,30} | 网站识别码.{0,30} |
        (?:主办|承办|主办单位|承办单位|协办单位|技术支持|技术保障|运维单位|运维电话|网站维护|维护单位)\s*[:：\s].{0,120} |
        .{0,20}(?:版权所有|Copyright|CopyRight|COPYRIGHT|©).{0,120} |
        无障碍(?:浏览|阅读)?.{0,20} | 长者(?:专版|模式).{0,10} | 适老化.{0,10} | 关怀版.{0,10} |
        (?:当前位置|您的位置|当前位置是|您现在的位置|您所在的位置|所在位置|当前栏目|所在栏目)\s*[:：].{0,120} |
        (?:站点地图|网站地图|法律声明|联系我们|网站纠错|隐私声明|关于我们|使用帮助|网站声明)(?:\s*[|｜丨]\s*\S{2,6}){0,8} |
        [【\[]?(?:打印本页|关闭窗口|分享到|字号|返回顶部|扫一扫在手机打开当前页).{0,40} |
        (?:[【\[]?\s*(?:打印|关闭|收藏|保存|我要纠错|纠错)(?:本页|窗口|此页)?\s*[】\]]?\s*[|｜/、]?\s*)+ |
        [【\[]\s*(?:保存|我要纠错|纠错|打印|关闭|收藏)\s*[】\]].{0,40} | (?:视力保护色|护眼模式).{0,20} |
        [【\[]?\s*字体\s*[:：【\[].{0,40} |
        [【\[]?分享\s*[:：].{0,40} | (?:上|下)一(?:条|篇|页)\s*[:：].{0,80} |
        [（(]?(?:责任编辑|编辑审核|网页编辑)\s*[:：].{0,20} |
        (?:浏览次数|访问量|阅读次数|点击数|点击率)[:：]?\s*\d*.{0,20} |
        本站支持IPV6访问 | 本网站支持IPv6.{0,10} | 建议使用.{0,40}浏览器.{0,40} | 分辨率.{0,30} |
        [|•·\-\s]*(?:信息来源|发布机构|来源|文\s*号|索\s*引\s*号|发布时间|发布日期|成文日期|生成日期|
                  组配分类|主题分类|体裁分类|有效性|信息分类|公开方式|公开范围|公开时限)[:：]?.{0,60}
    )$""",
    re.X | re.I,
)
_BLANKS = re.compile(r"\n{3,}")


@lru_cache(maxsize=1)
def _config():
    config = use_config()
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # signal-based timeouts break in threads
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "200")
    return config


def is_chrome_line(line: str) -> bool:
    return bool(_CHROME_LINE.match(line.strip()))


def strip_chrome(text: str) -> str:
    """Drop chrome lines; keep everything else, tables' pipe rows included."""
    lines = [line.rstrip() for line in text.splitlines()]
    kept = [line for line in lines if not line.strip() or not is_chrome_line(line)]
    return _BLANKS.sub("\n\n", "\n".join(kept)).strip()


def clean_text(text: str) -> str:
    """Body text for the archive from already-plain text: pinyin and Traditional folded, chrome gone."""
    return strip_chrome(to_simplified(strip_pinyin(text)))


_META_LABELS = ("索引号", "发布机构", "发布日期", "发布时间", "成文日期", "文号", "主题分类", "信息来源", "生成日期",
                "公开方式", "有效性", "所属机构")


def _drop_metadata_blocks(tree) -> None:
    """Remove the page's metadata table (索引号/发布机构/…): trafilatura keeps it when it sits in the article."""
    for block in tree.xpath("//table|//ul|//dl|//div[not(.//div)]"):
        text = block.text_content()
        if len(text) < 600 and sum(label in text for label in _META_LABELS) >= 2 and "总体情况" not in text:
            parent = block.getparent()
            if parent is not None:
                parent.remove(block)


# Link lists: what a navigation block (mega-menu, 友情链接, department sites, site map) may hold. A block
# with any other element (a paragraph, a table, a heading, a div) is never dropped here.
_LINK_LIST_TAGS = ("ul", "ol", "dl", "div", "nav", "p", "td", "section", "aside")
_LINK_LIST_INSIDE = frozenset({"ul", "ol", "li", "dl", "dt", "dd", "a", "span", "i", "em", "b", "strong", "font",
                               "img", "br", "small", "label", "ins", "u", "s", "sup", "sub"})
_LINK_LIST_MIN_LINKS = 10
_NOT_WORD = re.compile(r"[\W_]+")
_LINK_LISTS = "|".join(f"//{t}[count(.//a) >= {_LINK_LIST_MIN_LINKS}]" for t in _LINK_LIST_TAGS)
_LINKED_TEXT = etree.XPath(".//a//text()", smart_strings=False)  # each text node once: no proxy per link
_NESTED_LINK = etree.XPath("boolean(.//a//a)")


def _drop_link_lists(tree) -> None:
    """Remove navigation link lists before trafilatura: blocks of at least 10 links, nothing inside but
    lists, links and inline elements, and at least 90 % of their letters and digits in the links. trafilatura drops
    them too (link density), after running its XPath rules over every element in them: ~4 ms of its
    ~20 ms on a portal page with ~300 links. The body text stays the same (bench.parse_profile's digest,
    tests/test_clean*.py)."""
    root = tree
    for block in tree.xpath(_LINK_LISTS):
        if block is root or block.getroottree().getroot() is not root:  # the page itself, or already dropped
            continue
        if any(el.tag not in _LINK_LIST_INSIDE for el in block.iterdescendants()):
            continue
        text = len(_NOT_WORD.sub("", block.text_content()))  # letters and digits: separators (| · •) not counted
        if _NESTED_LINK(block):  # a link inside a link counts its text once per link, as it always did
            linked = sum(len(_NOT_WORD.sub("", a.text_content())) for a in block.iter("a"))
        else:  # the same sum: dropping non-word characters commutes with joining the links' texts
            linked = len(_NOT_WORD.sub("", "".join(_LINKED_TEXT(block))))
        if linked >= 0.9 * text:
            block.drop_tree()


# Inline <span>s trafilatura strips itself (main_extractor.prune_unwanted_sections) before it reads any text,
# but only after running its discard rules over each of them: two XPaths with EXSLT regex callbacks into
# Python for every element (Word exports wrap every run of text in one: ~150 per report page). Unwrapped
# first: only those none of the steps before trafilatura's strip can tell apart from their content:
# - something of their own that trafilatura's cleaning keeps (text, or an element it neither strips, deletes nor
#   prunes when empty, such as Word's <o:p>): an empty one is deleted, not stripped, and its parent may then
#   count as empty;
# - no attribute but style/lang (id, class, role, aria-*, data-* are read), a style without hidden/display:none;
# - not a <pre>'s child (a <pre> of one <span> is code), not in <math>;
# - no link near them (link density reads the parent's child count, the next sibling and a link's parent).
_VANISHING = f" {' '.join(sorted({*MANUALLY_STRIPPED, *MANUALLY_CLEANED, *CUT_EMPTY_ELEMS, 'sub', 'sup'}))} "
_PLAIN_SPANS = etree.XPath(
    "//span[not(@*[name() != 'style' and name() != 'lang'])]"
    "[not(contains(@style, 'hidden') or contains(@style, 'display:none') or contains(@style, 'display: none'))]"
    "[not(parent::pre or ancestor::math)][not(../descendant::a or ../descendant::ref)]"
    f"[text() or *[not(contains('{_VANISHING}', concat(' ', name(), ' ')))]]")  # one test, not ~110 self::
_UNWRAP = "nianbao-unwrap"
_BODY_TEXT_LENGTH = etree.XPath("string-length(normalize-space(//body))")


def _unwrap_spans(tree) -> int:
    """Unwrap the plain spans (their text stays in place); returns how many."""
    spans = _PLAIN_SPANS(tree)
    for span in spans:
        span.tag = _UNWRAP
    if spans:
        etree.strip_tags(tree, _UNWRAP)
    return len(spans)


def _compared_below() -> int:
    """trafilatura compares its text with readability/justext in recall mode below 10 x MIN_EXTRACTED_SIZE
    (trafilatura.external.compare_extraction)."""
    return 10 * _config().getint("DEFAULT", "MIN_EXTRACTED_SIZE")


def _main_extractor_text(tree, url: str | None) -> str | None:
    """trafilatura's text of `tree` with the plain spans unwrapped (in `tree`), or None when it might differ from
    trafilatura.extract(tree) without the unwrapping.

    Runs trafilatura in fast mode (no comparison with readability/justext) and keeps the result only when the
    full mode would not have compared either: in recall mode it keeps the main extractor's text when that is
    longer than 10 x MIN_EXTRACTED_SIZE. Below that (and for a body from the baseline rescue, which a text under
    MIN_EXTRACTED_SIZE calls and which builds bare <p>s joined by newlines) the caller runs the full mode on the
    page as it was: readability, justext and the baseline read the spans' structure.
    """
    _unwrap_spans(tree)
    options = Extractor(config=_config(), output_format="txt", fast=True, recall=True, comments=False, links=False,
                        images=False, tables=True, dedup=False, url=url)
    doc = trafilatura.bare_extraction(tree, options=options)
    if doc is None or not isinstance(doc.raw_text, str) or len(doc.raw_text) <= _compared_below():
        return None
    body = doc.body
    if all(p.tag == "p" and len(p) == 0 for p in body) and doc.raw_text == "\n".join(p.text or "" for p in body):
        return None  # the shape of a baseline body
    return determine_returnstring(doc, options)


# A breadcrumb: 首页 > 政务公开 > 年报, 当前位置：首页 » …, 网站首页/信息公开
_BREADCRUMB = re.compile(
    r"^(?:(?:当前位置|您的位置|您现在的位置|当前位置是|位置)\s*[:：]?\s*)?(?:网站)?首页\s*(?:[>»›/＞>|-]+\s*\S{1,30}\s*)*$|"
    r"^\S{1,20}(?:\s*[>»›＞]\s*\S{1,30}){2,}$"
)
_TITLE_SEPARATORS = re.compile(r"\s*[_|｜\-—–]+\s*")


def site_names(tree) -> set[str]:
    """The portal's own names: <meta SiteName/og:site_name/application-name> and the <title> tail
    (`…年度报告_双辽市人民政府`), whitespace removed."""
    names = {(m.get("content") or "") for m in tree.xpath(
        "//meta[@content][translate(@name,'SITENAMEAPLICOG','sitenameaplicog')='sitename' or "
        "@property='og:site_name' or @name='application-name']")}
    title = " ".join(tree.xpath("//title//text()"))
    parts = [p for p in _TITLE_SEPARATORS.split(title.strip()) if p]
    if len(parts) > 1:
        names.update(parts[1:])
    return {re.sub(r"\s+", "", to_simplified(n)) for n in names if 2 <= len(n.strip()) <= 40}


# Only at the very start or end of a body: lines that would be too bold as chrome in the middle of a report
# (a one-step breadcrumb `政府信息公开 > 年报`, an empty 相关附件：, 编辑/审核/作者 credits, a bare 大 中 小).
_EDGE_CHROME = re.compile(
    r"^(?:(?![一二三四五六七八九十]+、|[(（])\S{1,20}(?:\s*[>»›＞]\s*\S{1,30})+|"
    r"(?:相关附件|附件下载|相关链接|相关文件|相关阅读|相关新闻|相关稿件|附件)\s*[:：]?|"
    r"[（(]?(?:编辑|审核|审校|校对|初审|复审|终审|作者|撰稿|供稿|责编)\s*[:：]\s*\S{1,12}(?:\s+\S{1,4}[:：]\s*\S{1,12}){0,3}[)）]?|"
    r"[【\[]?\s*[大中小](?:\s*[大中小]){2}\s*[】\]]?|分享(?:到)?\s*[:：]?)$"
)


def _edge_chrome(line: str, names: set[str]) -> bool:
    flat = re.sub(r"\s+", "", line)
    bare = re.sub(r"^欢迎(?:访问|来到|光临)|(?:门户)?(?:网站|网)(?:欢迎您)?$", "", flat)
    return (is_chrome_line(line) or bool(_BREADCRUMB.match(line)) or bool(_EDGE_CHROME.match(line.strip()))
            or flat in names or bare in names)


def strip_leading_chrome(text: str, names: set[str] = frozenset()) -> str:
    """Drop what a header leaves above the report and a footer below it: the site name (门户网站, 欢迎访问…),
    breadcrumbs, chrome lines, 字号 大中小, 打印/关闭, 上一篇/下一篇, 责任编辑, an empty 相关附件："""
    lines = text.splitlines()
    while lines and (not lines[0].strip() or _edge_chrome(lines[0], names)):
        lines.pop(0)
    while lines and (not lines[-1].strip() or _edge_chrome(lines[-1], set())):  # a signature may be the site's name
        lines.pop()
    return "\n".join(lines).strip()


def _pruned(tree):
    """The page as trafilatura gets it: metadata blocks and navigation link lists dropped (in `tree`)."""
    _drop_metadata_blocks(tree)
    _drop_link_lists(tree)
    return tree


def extract_body(html: str, url: str | None = None, tree=None) -> str:
    """Main content of a report page as text, tables as pipe rows, chrome removed, Simplified.

    The body never starts or ends with the portal's name, a header/footer line or a breadcrumb
    (strip_leading_chrome).
    tree: `lxml.html.fromstring(html)`, for this function alone (it is changed: pass a copy of a shared tree).
    A page with more than 10 x MIN_EXTRACTED_SIZE characters of <body> text goes through _main_extractor_text
    first; when that gives no text (or a short one), the page is parsed again for the full mode and the fallback.
    """
    if tree is None:
        try:
            tree = lxml_html.fromstring(html)
        except Exception:
            return ""
    names = site_names(tree)
    _pruned(tree)
    text = None
    if _BODY_TEXT_LENGTH(tree) > _compared_below():  # else the full mode compares: not worth trying
        text = _main_extractor_text(tree, url)
        if text is None or len(text) < 200:
            tree = _pruned(lxml_html.fromstring(html))  # the spans back
    if text is None:
        text = trafilatura.extract(
            tree,
            url=url,
            output_format="txt",
            include_tables=True,
            include_comments=False,
            include_links=False,
            include_images=False,
            deduplicate=False,
            favor_recall=True,
            config=_config(),
        )
    if not text or len(text) < 200:
        text = _fallback_text(tree) or text or ""
    return strip_leading_chrome(clean_text(text), names)


def _fallback_text(tree) -> str:
    """All visible text minus script/style/nav/header/footer, for pages trafilatura gives up on."""
    for bad in tree.xpath("//script|//style|//noscript|//nav|//header|//footer"):
        bad.drop_tree()
    return "\n".join(t.strip() for t in tree.itertext() if t.strip())

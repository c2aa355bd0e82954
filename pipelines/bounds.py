"""Bounds on what one document may cost, and what happens over a bound (docs/hostile-input.md).

Pure functions, no Scrapy. Each bound has a setting (settings/base.py, `-s NAME=VALUE`) and a safe
default in `Limits`. Over a bound the document is not dropped: what can be read is kept and a note
naming the bound ("<what> <value> > <SETTING> <bound>: <what was done>") goes to `reports.bounds_hit`
(or to the rejection reason when nothing readable is left).

- archive members (DOCX/XLSX are zips): the central directory's declared sizes are checked before
  anything is inflated (local header sizes, often wrong from streaming writers, are never used); members
  are inflated a chunk at a time, so one whose stream runs on past its declared size stops there and
  fails its CRC (left out; the main part: unreadable). mammoth and calamine read the same way.
- XML inside them: a DOCTYPE (OOXML never has one) is removed with the references to its entities
  before any parser sees it, so an entity bomb costs nothing and the rest is read.
- HTML pages: scripts, styles, comments and data: URIs are dropped when a page is over
  PAGE_MAX_CHARS; if it is still over, the window of PAGE_MAX_CHARS around the report's first
  section heading (plus <head>) is processed. Nesting deeper than HTML_MAX_DEPTH is flattened
  (wrappers removed) so the text stays readable; tables past TABLES_MAX_PER_PAGE are not parsed.
- PDFs: pages past PDF_MAX_PAGES are not read (documents.py).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, fields

from lxml import etree


@dataclass(frozen=True)
class Limits:
    zip_max_inflated: int = 256 * 2**20  # ZIP_MAX_INFLATED_BYTES: bytes all members of a DOCX/XLSX may inflate to
    zip_max_members: int = 10_000        # ZIP_MAX_MEMBERS
    page_max_chars: int = 3_000_000      # PAGE_MAX_CHARS: HTML characters handed to trafilatura/tables at once
    html_max_depth: int = 200            # HTML_MAX_DEPTH: element nesting (real portal pages: < 60)
    tables_max: int = 300                # TABLES_MAX_PER_PAGE: <table>s parsed per document
    pdf_max_pages: int = 500             # PDF_MAX_PAGES: pages read per PDF (reports: 5-80)
    timeout: float = 60.0                # DOCUMENT_SOFT_TIMEOUT_S: PDF pages/office conversion stop, text kept

    @classmethod
    def from_settings(cls, get) -> Limits:
        """`get(NAME)` → value or None (Scrapy's settings.get, os.environ.get, a dict's get).
        A value that is not a number ≥ 0 (a whole one for counts): ValueError naming the setting."""
        values = {}
        for f in fields(cls):
            raw = get(SETTINGS[f.name])
            if raw not in (None, ""):
                values[f.name] = setting_number(SETTINGS[f.name], raw, float if f.type in (float, "float") else int)
        return cls(**values)


SETTINGS = {"zip_max_inflated": "ZIP_MAX_INFLATED_BYTES", "zip_max_members": "ZIP_MAX_MEMBERS",
            "page_max_chars": "PAGE_MAX_CHARS", "html_max_depth": "HTML_MAX_DEPTH",
            "tables_max": "TABLES_MAX_PER_PAGE", "pdf_max_pages": "PDF_MAX_PAGES", "timeout": "DOCUMENT_SOFT_TIMEOUT_S"}
DEFAULT = Limits()


def setting_number(name: str, raw: object, kind: type[int] | type[float] = float) -> int | float:
    """`raw` (a `-s NAME=VALUE` string or a settings value) as a number ≥ 0, else ValueError naming `name`."""
    try:
        value = kind(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = None
    if isinstance(raw, bool) or value is None or not value >= 0 or value == float("inf"):
        what = "a whole number" if kind is int else "a number"
        raise ValueError(f"{name}={raw}: must be {what} ≥ 0")
    return value


def note(what: str, value: int | float, setting: str, bound: int | float, action: str) -> str:
    return f"{what} {value:,} > {setting} {bound:,}: {action}"


# --- zips (DOCX, XLSX) ---------------------------------------------------------------------------

class BoundExceeded(ValueError):
    pass


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_CHUNK = 1 << 16  # bytes inflated per read of a zip member


def safe_zip(data: bytes, limits: Limits = DEFAULT) -> tuple[bytes, list[str]]:
    """An OOXML zip that is safe to hand to mammoth/calamine, and the notes of what was removed.

    Members whose declared sizes would take the total over `zip_max_inflated` are left out (a
    DOCX's document.xml comes first in practice; images and fonts are not needed); XML members
    with a DOCTYPE are re-serialised without it. Raises BoundExceeded when nothing useful is left
    (the main part itself is over the bound), zipfile.BadZipFile for a broken zip.
    """
    zf = zipfile.ZipFile(io.BytesIO(data))
    infos = zf.infolist()
    notes: list[str] = []
    if len(infos) > limits.zip_max_members:
        raise BoundExceeded(note("zip members", len(infos), "ZIP_MAX_MEMBERS", limits.zip_max_members,
                                 "not read"))
    declared = sum(i.file_size for i in infos)
    main = [i for i in infos if i.filename in ("word/document.xml", "xl/workbook.xml")]
    if declared <= limits.zip_max_inflated and not _has_doctype(zf, infos):
        return data, notes
    keep: list[zipfile.ZipInfo] = []
    total = sum(i.file_size for i in main)
    if total > limits.zip_max_inflated:
        raise BoundExceeded(note("bytes inflated from the main part", total, "ZIP_MAX_INFLATED_BYTES",
                                 limits.zip_max_inflated, "not read (zip bomb?)"))
    # the main part first, then the small members (styles, sheets, relationships) before big ones
    dropped = []
    for info in sorted(infos, key=lambda i: (i not in main, i.file_size)):
        if info in main:
            keep.append(info)
        elif total + info.file_size <= limits.zip_max_inflated:
            keep.append(info)
            total += info.file_size
        else:
            dropped.append(info)
    if dropped:
        notes.append(note("bytes inflated from zip members", declared, "ZIP_MAX_INFLATED_BYTES",
                          limits.zip_max_inflated, f"{len(dropped)} members left out "
                          f"({', '.join(i.filename for i in dropped[:3])})"))
    out = io.BytesIO()
    entity_parts, broken = [], []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(keep, key=infos.index):
            try:
                body = _inflate(zf, info)
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                if info in main:
                    raise
                broken.append(f"{info.filename} ({exc})")  # e.g. its declared size is a lie: Bad CRC-32
                continue
            if info.filename.endswith((".xml", ".rels")) and _DOCTYPE.search(body[:4096]):
                body = strip_dtd(body)
                entity_parts.append(info.filename)
            dst.writestr(info.filename, body)
    if entity_parts:
        notes.append(f"XML with a DOCTYPE in {', '.join(entity_parts[:3])}: entities not expanded (entity bomb?)")
    if broken:
        notes.append(f"zip members unreadable, left out: {', '.join(broken[:3])}")
    return out.getvalue(), notes


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes, inflated a chunk at a time. zipfile stops at the central directory's declared
    size and then checks the CRC, so a member whose stream runs on (a bomb declaring a small size) costs
    at most its declared size plus one chunk and fails; `zf.read` would inflate the whole stream first."""
    out = bytearray()
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            out += chunk
    return bytes(out)


def _has_doctype(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> bool:
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            with zf.open(info) as fh:
                if _DOCTYPE.search(fh.read(4096)):
                    return True
    return False


_SAFE_XML = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)


_DTD = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.S | re.I)
_ENTITY_REF = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)[A-Za-z_][\w.:-]*;")


def strip_dtd(xml: bytes) -> bytes:
    """XML without its DOCTYPE and without references to the entities it declared (never expanded);
    text edits only, so nothing is parsed before the bomb is gone."""
    return _ENTITY_REF.sub(b"", _DTD.sub(b"", xml, count=1))


def parse_xml(xml: bytes | str) -> etree._Element | None:
    """lxml parse with no DTD, no entity expansion, no network and libxml2's size/depth limits on."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    return etree.fromstring(xml, etree.XMLParser(**_SAFE_XML))


# --- HTML pages -----------------------------------------------------------------------------------

_JUNK = re.compile(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|(?<=[\"'(])data:[^\"')]{512,}",
                   re.S | re.I)
_HEAD = re.compile(r"<head\b.*?</head\s*>", re.S | re.I)
_SECTION = re.compile(r"总体情况|主动公开政府信息情况|收到和处理政府信息公开申请情况|政府信息公开工作年度报告")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)([^>]*)>")  # self-closing: the attributes end in "/"
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "param", "source", "track",
         "wbr", "p", "li", "td", "th", "tr", "option", "dt", "dd"})  # void, or closed implicitly by HTML parsers
_INLINE = r"span|font|b|i|u|s|em|strong|small|big|sub|sup|label|abbr|ins|del|mark|o:p|st1:[\w-]+"
_BREAKS = re.compile(r"(?:<br>\s*){2,}")
_BLOCKS = r"div|section|article|center|blockquote|main|aside|header|footer|nav|form|fieldset|ul|ol|dl"


def nesting_depth(html: str) -> int:
    """Deepest element nesting, counted the way a tag soup opens and closes (cheap: one regex pass)."""
    depth = deepest = 0
    for closing, name, rest in _TAG.findall(html):  # findall: no match objects (~1 ms on a 100 KB page)
        if rest.endswith("/") or name.lower() in _VOID:
            continue
        if closing:
            if depth:
                depth -= 1
        else:
            depth += 1
            if depth > deepest:
                deepest = depth
    return deepest


def flatten(html: str, limit: int) -> tuple[str, int]:
    """Remove wrapper tags until the nesting is within `limit`: inline wrappers, then block wrappers
    (each becomes a line break), then every tag but tables'. Returns the HTML and the original depth."""
    depth = nesting_depth(html)
    if depth <= limit:
        return html, depth
    html = re.sub(rf"</?(?:{_INLINE})\b[^>]*>", "", html, flags=re.I)
    if nesting_depth(html) > limit:
        html = _BREAKS.sub("<br>", re.sub(rf"</?(?:{_BLOCKS})\b[^>]*>", "<br>", html, flags=re.I))
    if nesting_depth(html) > limit:
        html = _BREAKS.sub("<br>", re.sub(
            r"<(?!/?(?:table|tbody|thead|tr|td|th|br|p|title|head|body|html|meta)\b)/?[a-zA-Z][^>]*>", "<br>", html,
            flags=re.I))
    if nesting_depth(html) > limit:  # tables nested past the bound: text only, one cell per line
        html = "<html><body><p>" + _BREAKS.sub("<br>", re.sub(r"<[^>]*>", "<br>", html)) + "</p></body></html>"
    return html, depth


def cut_page(html: str, limits: Limits = DEFAULT) -> tuple[str, list[str]]:
    """A page within PAGE_MAX_CHARS: junk dropped first, then the window around the report's first section."""
    size = len(html)
    if size <= limits.page_max_chars:
        return html, []
    html = _JUNK.sub("", html)
    if len(html) <= limits.page_max_chars:
        return html, [note("page characters", size, "PAGE_MAX_CHARS", limits.page_max_chars,
                           f"scripts, styles, comments and data: URIs dropped ({len(html):,} left)")]
    head = _HEAD.search(html[: limits.page_max_chars])
    head_html = head.group(0) if head else ""
    m = _SECTION.search(html, head.end() if head else 0)
    start = max(0, (m.start() if m else 0) - limits.page_max_chars // 10)
    start = max(html.rfind("<", 0, start + 1), 0) if start else 0
    window = html[start: start + limits.page_max_chars - len(head_html)]
    return f"<html>{head_html}<body>{window}</body></html>", [
        note("page characters", size, "PAGE_MAX_CHARS", limits.page_max_chars,
             f"characters {start:,}–{start + len(window):,} processed")]


def bound_html(html: str, limits: Limits = DEFAULT) -> tuple[str, list[str]]:
    """The part of a page that is processed, within PAGE_MAX_CHARS and HTML_MAX_DEPTH, and the notes."""
    html, notes = cut_page(html, limits)
    html, depth = flatten(html, limits.html_max_depth)
    if depth > limits.html_max_depth:
        notes.append(note("nesting depth", depth, "HTML_MAX_DEPTH", limits.html_max_depth, "wrapper tags removed"))
    return html, notes


_TABLE_OPEN = re.compile(r"<table\b", re.I)


def bound_tables(html: str, limits: Limits = DEFAULT) -> tuple[str, list[str]]:
    """HTML for the table parser: cut before the (TABLES_MAX_PER_PAGE+1)-th <table>."""
    for count, m in enumerate(_TABLE_OPEN.finditer(html), start=1):
        if count > limits.tables_max:
            total = count + sum(1 for _ in _TABLE_OPEN.finditer(html, m.end()))
            return html[: m.start()], [note("tables", total, "TABLES_MAX_PER_PAGE", limits.tables_max,
                                            f"the first {limits.tables_max:,} parsed")]
    return html, []

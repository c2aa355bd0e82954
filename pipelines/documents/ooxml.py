"""mammoth's XML parts read with lxml: the same element tree, 4–5× less CPU.

mammoth (DOCX → HTML) parses every XML part of a DOCX with `xml.dom.minidom` and then copies the DOM
into its own `XmlElement`/`XmlText` tree (`mammoth.docx.xmlparser.parse_xml`). For a report DOCX that
is ~80 % of the conversion: the styles part alone has thousands of elements. `parse_xml` here builds
the same tree from lxml's C parser. It hands the bytes to mammoth's own parser (same result, same
errors) whenever the two could differ: a DOCTYPE (entities; safe_zip has already bounded them),
CDATA sections, or anything lxml refuses (syntax errors, libxml2's depth and text-size limits).
`tests/test_ooxml.py` compares both trees on generated parts and real DOCX files.
"""

from __future__ import annotations

import io
import re
from typing import IO, Any

from lxml import etree
from mammoth.docx import office_xml
from mammoth.docx import xmlparser as _mammoth_xml
from mammoth.docx.xmlparser import XmlElement, XmlText

minidom_parse_xml = _mammoth_xml.parse_xml  # mammoth's own: the reference, and the fallback
_DEFER = (b"<!DOCTYPE", b"<![CDATA[")  # constructs whose DOM mammoth sees differently: its parser reads them
_DECLARED = re.compile(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)")


def _utf8(data: bytes) -> bool:
    """UTF-8, declared or not: what lxml and expat read alike (expat refuses multi-byte legacy encodings)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    declared = _DECLARED.match(data, 0, 512)
    return declared is None or declared.group(1).lower() in (b"utf-8", b"utf8")


def parse_xml(fileobj: IO[bytes], namespace_mapping: Any = None) -> Any:
    """`mammoth.docx.xmlparser.parse_xml` (minidom) with lxml: an equal XmlElement tree."""
    data = b"".join(iter(lambda: fileobj.read(1 << 16), b""))  # in chunks: a lying zip member inflates
    # no further than it declares (read() at once inflates a whole compressed block; tests/test_hostile.py)
    if any(marker in data for marker in _DEFER) or not _utf8(data):
        return minidom_parse_xml(io.BytesIO(data), namespace_mapping)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=False,
                             remove_pis=False, strip_cdata=False, collect_ids=False)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return minidom_parse_xml(io.BytesIO(data), namespace_mapping)
    prefixes = {uri: prefix for prefix, uri in namespace_mapping or ()}
    names: dict[str, str] = {}

    def name(tag: str) -> str:  # "{uri}local" → "w:local" for a known namespace, as mammoth names it
        converted = names.get(tag)
        if converted is None:
            converted = tag
            if tag[:1] == "{":
                uri, local = tag[1:].split("}", 1)
                prefix = prefixes.get(uri)
                if prefix is not None:
                    converted = f"{prefix}:{local}"
            names[tag] = converted
        return converted

    def convert(el: Any) -> XmlElement:
        children: list[Any] = []
        if el.text:
            children.append(XmlText(el.text))
        for child in el:
            if isinstance(child.tag, str):
                children.append(convert(child))
            # comments and processing instructions are dropped; the text after them is its own node
            if child.tail:
                children.append(XmlText(child.tail))
        return XmlElement(name(el.tag), {name(k): v for k, v in el.attrib.items()}, children)

    return convert(root)


def install() -> None:
    """Make mammoth read DOCX parts with `parse_xml` (idempotent; only mammoth's office_xml.read changes)."""
    office_xml.parse_xml = parse_xml

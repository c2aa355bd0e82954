"""pipelines.documents.ooxml: mammoth's XML parts read by lxml give the tree mammoth's minidom reader gives.

A matrix of generated parts (namespaces known and unknown, attributes, whitespace, comments, PIs,
entities, line ends, legacy encodings, DOCTYPE, CDATA, broken XML) and real DOCX files (the fixture,
python-docx documents with tables, merged cells, Chinese text) are read both ways: equal trees (or
the same error), equal HTML.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from pathlib import Path

import docx
import mammoth
import pytest
from mammoth.docx.office_xml import _namespaces

from pipelines.documents import load_document, ooxml

FIXTURE = Path(__file__).parent / "fixtures" / "docs" / "report.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def both(data: bytes):
    """(minidom's tree or its error, lxml's tree or its error)."""
    out = []
    for parse in (ooxml.minidom_parse_xml, ooxml.parse_xml):
        try:
            out.append(parse(io.BytesIO(data), _namespaces))
        except Exception as exc:  # the same failure both ways counts as equal
            out.append(type(exc).__name__)
    return out


DECLS = ["", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n', "<?xml version='1.0'?>\n"]
ROOTS = [f'<w:document xmlns:w="{W}" xmlns:x="urn:unknown">', '<doc xmlns="urn:default">', "<doc>"]
BODIES = [
    '<w:p><w:r><w:t xml:space="preserve">  两个  空格 </w:t></w:r></w:p>',
    '<w:p w:rsidR="00A1" x:attr="v"><w:pPr><w:jc w:val="center"/></w:pPr>text</w:p>',
    "a<!-- comment -->b<?pi data?>c &amp; &lt; &#x4e2d;&#22269; d",
    "\r\n  <x:e  b=' x\ty\nz '  a=\"1\">\r\n\t</x:e>\n",
    '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
    "<mc:Choice>new</mc:Choice><mc:Fallback><w:p>old</w:p></mc:Fallback></mc:AlternateContent>",
    "<w:tbl><w:tr><w:tc><w:p>1</w:p></w:tc><w:tc/></w:tr></w:tbl>" * 3,
    "",
]
CLOSE = {0: "</w:document>", 1: "</doc>", 2: "</doc>"}


@pytest.mark.parametrize("decl,root,body", [
    (d, r, b) for d, r, b in itertools.product(range(len(DECLS)), range(len(ROOTS)), range(len(BODIES)))
    if not (r != 0 and ("w:" in BODIES[b] or "x:" in BODIES[b]))  # unbound prefixes: covered below
])
def test_generated_parts_give_the_same_tree(decl, root, body):
    data = (DECLS[decl] + ROOTS[root] + BODIES[body] + CLOSE[root]).encode()
    minidom, fast = both(data)
    assert not isinstance(minidom, str)
    assert fast == minidom


@pytest.mark.parametrize("data", [
    '<?xml version="1.0" encoding="GB2312"?><r>中文</r>'.encode("gb2312"),  # expat refuses: so must we
    '<?xml version="1.0" encoding="UTF-16"?><r>中文</r>'.encode("utf-16"),
    b'<?xml version="1.0" encoding="ISO-8859-1"?><r>caf\xe9</r>',
    b'<!DOCTYPE r [<!ENTITY e "entity">]><r>&e;&e;</r>',
    b"<r><![CDATA[<not a tag>]]> after</r>",
    b"<r><unbound:p/></r>",
    b"<r><a></r>",
    b"<r>" + b"<d>" * 300 + b"deep" + b"</d>" * 300 + b"</r>",  # deeper than libxml2's default limit
    b"",
    b"\xef\xbb\xbf<r>bom</r>",
])
def test_edge_cases_read_as_minidom_reads_them(data):
    minidom, fast = both(data)
    assert fast == minidom


def _python_docx() -> list[bytes]:
    out = []
    for rows, merged in ((3, False), (8, True)):
        d = docx.Document()
        d.add_heading("某某县人民政府2023年政府信息公开工作年度报告", 1)
        d.add_paragraph("一、总体情况\n本年度共收到政府信息公开申请 12 件。")
        table = d.add_table(rows=rows, cols=4)
        for i, row in enumerate(table.rows):
            for j, cell in enumerate(row.cells):
                cell.text = f"{i}-{j} 行政复议" if j == 0 else str(i * j)
        if merged:
            table.cell(0, 0).merge(table.cell(1, 0))
            table.cell(2, 1).merge(table.cell(2, 3))
        d.add_paragraph("  前导空格与\t制表符  ").add_run("粗体").bold = True
        buf = io.BytesIO()
        d.save(buf)
        out.append(buf.getvalue())
    return out


@pytest.mark.parametrize("data", [FIXTURE.read_bytes(), *_python_docx()])
def test_real_docx_parts_and_html_are_the_same(data, monkeypatch):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                minidom, fast = both(z.read(name))
                assert fast == minidom, name
    monkeypatch.setattr(mammoth.docx.office_xml, "parse_xml", ooxml.minidom_parse_xml)
    before = mammoth.convert_to_html(io.BytesIO(data)).value
    ooxml.install()
    assert mammoth.docx.office_xml.parse_xml is ooxml.parse_xml
    assert mammoth.convert_to_html(io.BytesIO(data)).value == before


def test_the_lxml_path_is_the_one_taken_for_word_parts(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("fell back to minidom")

    monkeypatch.setattr(ooxml, "minidom_parse_xml", refuse)
    doc = load_document(FIXTURE.read_bytes(), url="http://x.gov.cn/a.docx")
    assert doc.kind == "docx" and doc.error is None and "<table>" in (doc.html or "")

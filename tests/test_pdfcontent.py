"""pipelines.documents.pdfcontent: the fast content-stream reader gives pdfminer's objects, and pages read
through `ContentInterpreter` give pdfplumber exactly what pdfminer's own interpreter gives.

Token level: 1,200 generated content streams (every token kind, odd spacing, escapes, nesting,
mismatched brackets, NUL and high bytes, tokens across pdfminer's 4096-byte chunks, one to three streams
cut anywhere) are read by `PDFContentParser` and by `content_objects`: the same objects, or `Fallback`
(never a different answer), and the fast path taken for almost all of them. Page level: generated PDFs
(text in literal and hex strings, TJ arrays, rules, curves, form XObjects, marked content, inline images,
content split over streams) and every PDF fixture give the same page objects, text and `load_document`
result both ways.
"""

from __future__ import annotations

import io
import itertools
import random
import zlib
from pathlib import Path

import pdfminer.pdffont
import pdfplumber
import pdfplumber.page
import pytest
from pdfminer.cmapdb import CMapParser, FileUnicodeMap
from pdfminer.pdfinterp import PDFContentParser, PDFPageInterpreter
from pdfminer.pdftypes import PDFStream
from pdfminer.psparser import PSEOF, PSBaseParser, PSKeyword, PSLiteral

from pipelines.documents import load_document, pdfcontent
from pipelines.documents.pdfcontent import CMapReader, ContentInterpreter, Fallback, content_objects
from pipelines.tables.pdf import cell_texts, page_text, page_words

ROOT = Path(__file__).parent / "fixtures"
FIXTURE_PDFS = sorted({p.read_bytes(): p for p in sorted(ROOT.rglob("*.pdf")) if p.name != "encrypted.pdf"}.values())


def canon(o: object) -> object:
    """A comparable form that keeps int, float and bool apart."""
    if isinstance(o, list):
        return ["L", *map(canon, o)]
    if isinstance(o, dict):
        return ["D", sorted((k, canon(v)) for k, v in o.items())]
    if isinstance(o, PSKeyword | PSLiteral):
        return [type(o).__name__, o.name]
    return [type(o).__name__, o]


def reference(datas: list[bytes]) -> list | str:
    """pdfminer's objects for these streams, or the name of the error it raises."""
    try:
        parser = PDFContentParser([PDFStream({}, d) for d in datas])
    except PSEOF:
        return []
    out = []
    while True:
        try:
            out.append(parser.nextobject()[1])
        except PSEOF:
            return [canon(o) for o in out]
        except Exception as e:
            return type(e).__name__


def fast(datas: list[bytes]) -> list | None:
    try:
        return [canon(o) for o in content_objects(datas)]
    except Fallback:
        return None


# --- generated streams ------------------------------------------------------------------------

NUMBERS = ["0", "12", "-3", "+4", "1.5", "-.25", ".5", "3.", "-", "+", ".", "1.2.3", "--5", "007", "1e5", "+-2", "+.5",
           "-.", "+..", "-.x", "1" * 40]
KEYWORDS = ["Tj", "TJ", "Tf", "Td", "TD", "Tm", "BT", "ET", "q", "Q", "cm", "re", "f*", "W*", "n", "'", '"',
            "true", "false", "null", "gs", "BDC", "EMC", "Do", "T*", "d0", "sh"]
LITERALS = ["/F1", "/FT8", "/GS13", "/", "/A#20B", "/A#2", "/A#zz", "/#41#42", "/Span", "/\xe4\xb8\xad", "/a.b-c"]
STRINGS = ["()", "(abc)", "(a(b)c)", "(a\\)b)", "(\\101\\102)", "(\\1234)", "(\\0)", "(x\\ny\\t)", "(a\\\nb)",
           "(a\\\r\nb)", "(a\\\rb)", "(\\q)", "(\\\\)", "(a)b)", "(((x)))", "(\\12)", "(\\7a)", "(\xe4\xb8\xad)",
           "(\\377)"]
HEXES = ["<>", "<00>", "<0010>", "<4E2D 6587>", "<ABC>", "<a b\nc d>", "<0e85>"]
PUNCT = ["[", "]", "<<", ">>", "{", "}", ")", ">", "#", "*", "\x00", "\x80", "\xff", "% comment\n", "%\r"]
SEPARATORS = [" ", " ", " ", "\n", "\r", "\r\n", "\t", "", "\x00", "  \n"]


def gen_token(rng: random.Random) -> str:
    pool = rng.choices([NUMBERS, KEYWORDS, LITERALS, STRINGS, HEXES, PUNCT], weights=[6, 5, 3, 2, 2, 2])[0]
    return rng.choice(pool)


def gen_stream(rng: random.Random, n: int) -> bytes:
    parts = []
    for _ in range(n):
        shape = rng.random()
        if shape < 0.1:  # an operator with its operands, as producers write them
            parts.append(f"{rng.choice(NUMBERS)} {rng.choice(NUMBERS)} Td {rng.choice(HEXES)}Tj")
        elif shape < 0.15:
            parts.append(f"[{rng.choice(STRINGS)} -250 {rng.choice(HEXES)}] TJ")
        elif shape < 0.18:
            parts.append(f"<< /MCID {rng.randint(0, 9)} /Lang {rng.choice(STRINGS)} >> BDC")
        else:
            parts.append(gen_token(rng))
        parts.append(rng.choice(SEPARATORS))
    return "".join(parts).encode("latin-1")


def split(rng: random.Random, data: bytes) -> list[bytes]:
    cuts = sorted(rng.sample(range(len(data) + 1), rng.choice([0, 0, 1, 2])))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


def test_generated_streams_read_as_pdfminer_reads_them() -> None:
    rng = random.Random(9)
    taken = 0
    cases = 1200
    for i in range(cases):
        data = gen_stream(rng, rng.choice([3, 10, 60, 400]) if i % 20 else 1500)  # some past 4096 bytes
        datas = split(rng, data)
        got = fast(datas)
        if got is None:
            continue
        taken += 1
        assert got == reference(datas), (i, datas)
    assert taken > 0.6 * cases  # Fallback is for the rare shapes only (odd dicts, tokens cut at the end)


@pytest.mark.parametrize("text", [
    "(\\101\\r\\n)", "(a\\\r\nb)", "<< /A 1 /B >>", "[ 1 2 << /K [ 3 ] >> ] 4 Tj", "] } >> 1 Tj", "[ 1 2",
    "/A#41B 1 /C#4", "(a(b)c) Tj", "<4E2D6587>Tj", "<41 4>Tj", "1 2.5 -.5 +3 re", "true false null",
])
def test_shapes(text: str) -> None:
    data = text.encode("latin-1")
    got = fast([data])
    assert got is None or got == reference([data])


@pytest.mark.parametrize("datas", [
    [b"BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI Q"],   # inline image: pdfminer seeks in the stream
    [b"(abc"], [b"<00"], [b"1 /"], [b"/A#4"], [b"q >"],  # a token cut by the end of the last stream
    [b"(ab", b"c) Tj"], [b"/", b"F1 12 Tf"],              # ... or joined by pdfminer to the next stream
    [b"<< /A >> q"], [b"(\\777) Tj"],                    # pdfminer raises
    [b"1" * 5000 + b" 2 Tj"],                            # int() refuses over 4,300 digits: pdfminer drops it
])
def test_what_the_fast_reader_leaves_to_pdfminer(datas: list[bytes]) -> None:
    with pytest.raises(Fallback):
        content_objects(datas)


def test_tokens_across_4096_byte_chunks() -> None:
    """pdfminer reads a stream 4096 bytes at a time; a token across the cut reads as one token, except a
    backslash-CR-LF whose LF starts the next chunk (the LF stays in the string)."""
    for pad in range(4080, 4100):
        for token in ("12345.678", "/FontName", "<00100020>", "(a\\101b)", "<< /K 1 >>", "(x\\\r\ny)", "% c\n"):
            data = b" " * pad + token.encode() + b" Tj"
            assert fast([data]) == reference([data]), (pad, token)


def base_tokens(data: bytes) -> list | str:
    """pdfminer's (position, token) pairs for one stream read to its end, or the name of its error."""
    parser = PSBaseParser(io.BytesIO(data))
    out = []
    while True:
        try:
            out.append(canon_pair(parser.nexttoken()))
        except PSEOF:
            return out
        except Exception as e:
            return type(e).__name__


def canon_pair(pair: tuple) -> list:
    return [pair[0], canon(pair[1])]


def test_cmap_reader_tokens_are_pdfminers() -> None:
    """CMapReader's tokens and their positions, one stream read to its end, are PSBaseParser's."""
    rng = random.Random(5)
    taken = 0
    for i in range(600):
        data = gen_stream(rng, rng.choice([3, 10, 60, 300]) if i % 20 else 1500)
        reader = CMapReader(FileUnicodeMap(), io.BytesIO(data))
        if reader._read is None:
            continue
        taken += 1
        got = []
        while True:
            try:
                got.append(canon_pair(reader.nexttoken()))
            except PSEOF:
                break
        assert got == base_tokens(data), (i, data)
    assert taken > 0.6 * 600


def gen_cmap(rng: random.Random) -> bytes:
    """A ToUnicode CMap as producers write them: code space, bfchar and bfrange (hex and arrays)."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    for _ in range(rng.randint(1, 4)):
        n = rng.randint(1, 60)
        lines.append(f"{n} beginbfchar")
        for _ in range(n):
            lines.append(f"<{rng.randrange(65536):04X}> <{rng.randrange(0x4E00, 0x9FFF):04X}>")
        lines.append("endbfchar")
        lines.append("2 beginbfrange")
        a = rng.randrange(60000)
        lines.append(f"<{a:04X}> <{a + 5:04X}> <{rng.randrange(0x4E00, 0x9F00):04X}>")
        lines.append(f"<{a + 10:04X}> <{a + 12:04X}> [<0041> <00420043> <D840DC00>]")
        lines.append("endbfrange")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return rng.choice(["\n", "\r\n", "\r"]).join(lines).encode()


def test_cmap_reader_reads_tounicode_maps_as_pdfminer() -> None:
    rng = random.Random(2)
    for _ in range(40):
        data = gen_cmap(rng)
        maps = []
        for parser in (CMapParser, CMapReader):
            cmap = FileUnicodeMap()
            parser(cmap, io.BytesIO(data)).run()
            maps.append(cmap.cid2unichr)
        assert maps[0] and maps[0] == maps[1]
        assert CMapReader(FileUnicodeMap(), io.BytesIO(data))._read is not None


# --- generated PDFs ---------------------------------------------------------------------------

def make_pdf(pages: list[list[bytes]], compress: bool = False, box: bytes = b"[0 0 595 842]") -> bytes:
    """A PDF whose pages have these content streams, Helvetica as /F1, a form XObject /X1; box: the
    MediaBox and whatever follows it in the page dict (/Rotate, /CropBox)."""
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    def stream(data: bytes) -> int:
        if compress:
            data = zlib.compress(data)
            return add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data))
        return add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data))

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    form_data = b"q 0 0 1 rg 0 0 10 10 re f Q BT /F1 8 Tf 1 1 Td (form) Tj ET"
    form = add(b"<< /Type /XObject /Subtype /Form /BBox [0 0 50 50] /Resources << /Font << /F1 %d 0 R >> >> "
               b"/Length %d >>\nstream\n%s\nendstream" % (font, len(form_data), form_data))
    pages_id = len(objs) + 1 + len(pages) * 1000  # placeholder, fixed below
    page_ids = []
    kids_at = []
    for contents in pages:
        ids = [stream(c) for c in contents]
        refs = b" ".join(b"%d 0 R" % i for i in ids)
        kids_at.append(add(b""))  # filled once the Pages id is known
        page_ids.append((kids_at[-1], refs))
    pages_id = add(b"")
    for pid, refs in page_ids:
        objs[pid - 1] = (b"<< /Type /Page /Parent %d 0 R /MediaBox %s /Contents [%s] /Resources "
                         b"<< /Font << /F1 %d 0 R >> /XObject << /X1 %d 0 R >> >> >>" % (pages_id, box, refs, font, form))
    objs[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % pid for pid, _ in page_ids), len(page_ids))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref)
    return bytes(out)


WORDS = ["Report", "2024", "(a)", "x\\(y\\)", "\\101BC", "tab\\tbed", "12,345", "\\344\\270\\255"]


def gen_page(rng: random.Random) -> bytes:
    ops = []
    for _ in range(rng.randint(5, 80)):
        x, y = rng.uniform(20, 500), rng.uniform(20, 800)
        shape = rng.random()
        if shape < 0.4:
            ops.append(f"BT /F1 {rng.choice([8, 10.5, 12])} Tf {x:.2f} {y:.2f} Td ({rng.choice(WORDS)}) Tj ET")
        elif shape < 0.55:
            ops.append(f"BT /F1 9 Tf 1 0 0 1 {x:.1f} {y:.1f} Tm [(A) -120 (B){rng.randint(-300, 300)}(C)] TJ "
                       f"0 -11 TD <{rng.randrange(16**6):06X}> Tj T* (next) ' 2 1 (w) \" ET")
        elif shape < 0.7:
            ops.append(f"q {rng.uniform(0.1, 2):.2f} w 0 0 0 RG {x:.2f} {y:.2f} {rng.uniform(1, 90):.2f} "
                       f"{rng.uniform(0.5, 40):.2f} re S Q")
        elif shape < 0.8:
            ops.append(f"{x:.1f} {y:.1f} m {x + 30:.1f} {y:.1f} l {x + 40:.1f} {y + 9:.1f} {x + 5:.1f} {y + 20:.1f} "
                       f"{x:.1f} {y + 3:.1f} c h f")
        elif shape < 0.87:
            ops.append(f"q 1 0 0 1 {x:.0f} {y:.0f} cm /X1 Do Q")
        elif shape < 0.93:
            ops.append(f"/Span << /MCID {rng.randint(0, 50)} /ActualText (t) >> BDC BT /F1 10 Tf {x:.1f} {y:.1f} "
                       f"Td (marked) Tj ET EMC")
        elif shape < 0.96:
            ops.append("% a comment\n[3 2] 0 d 0.5 0 0 rg")
        else:
            ops.append(f"q 10 0 0 10 {x:.0f} {y:.0f} cm BI /W 2 /H 1 /BPC 8 /CS /G ID \x10\x20 EI Q")
    return rng.choice(["\n", " ", "\r\n"]).join(ops).encode("latin-1")


def generated_pdfs() -> list[bytes]:
    rng = random.Random(4)
    out = []
    for i in range(12):
        pages = []
        for _ in range(rng.randint(1, 3)):
            data = gen_page(rng)
            cut = rng.choice([None, data.find(b" ET") + 3, data.find(b"Q\n") + 2])
            pages.append([data[:cut], data[cut:]] if cut and cut > 2 else [data])
        box = [b"[0 0 595 842]", b"[12 20 607 862]", b"[0 0 595 842] /Rotate 90", b"[0 0 595 842] /CropBox [30 40 500 800]"]
        out.append(make_pdf(pages, compress=i % 2 == 1, box=box[i % 4]))
    return out


def comparable(objects: dict[str, list[dict]]) -> dict:
    """Page objects with streams as their data (an inline image's PDFStream is a new object, named by its id()
    whichever interpreter reads it)."""
    out = {}
    for kind, objs in objects.items():
        out[kind] = [{k: (canon(v.attrs), v.get_data()) if isinstance(v, PDFStream) else v for k, v in o.items()
                      if not (k == "name" and isinstance(o.get("stream"), PDFStream) and o["stream"].objid is None)}
                     for o in objs]
    return out


def read(data: bytes, fast: bool, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """Every page's objects and text, and load_document's result, with pdfminer's interpreter and pdfplumber's
    process_object (fast=False) or `ContentInterpreter` and `pdfcontent.process_object` (fast=True)."""
    with monkeypatch.context() as m:
        pdfcontent.install(fast)
        assert (pdfplumber.page.PDFPageInterpreter is ContentInterpreter) is fast
        m.setattr(pdfcontent, "install", lambda fast=True: None)  # load_document installs the fast ones
        try:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                pages = [(comparable(p.objects), p.extract_text(x_tolerance=1)) for p in pdf.pages]
            doc = load_document(data, tables=True)
        finally:
            pdfcontent.install(True)
    return pages, (doc.text, doc.error, doc.needs_ocr, doc.pages, doc.table_segments, doc.table_text)


@pytest.mark.parametrize("index", range(12))
def test_generated_pdfs_read_the_same(index: int, monkeypatch) -> None:
    data = generated_pdfs()[index]
    slow = read(data, False, monkeypatch)
    assert slow[0] and any(objs.get("char") for objs, _ in slow[0])
    assert read(data, True, monkeypatch) == slow


@pytest.mark.parametrize("path", FIXTURE_PDFS, ids=lambda p: p.name)
def test_fixture_pdfs_read_the_same(path: Path, monkeypatch) -> None:
    data = path.read_bytes()
    assert read(data, True, monkeypatch) == read(data, False, monkeypatch)


def test_the_fast_reader_is_the_one_taken(monkeypatch) -> None:
    """The real reports (Chinese text through ToUnicode CMaps) never fall back to pdfminer's readers."""
    def refuse(self, *args):
        raise AssertionError("pdfminer's own reader was used")

    monkeypatch.setattr(PDFPageInterpreter, "execute", refuse)
    monkeypatch.setattr(CMapParser, "nexttoken", refuse, raising=False)  # CMapReader's fallback
    chars = []
    real = pdfcontent._process_char
    monkeypatch.setattr(pdfcontent, "_process_char", lambda page, obj: chars.append(1) or real(page, obj))
    for path in (ROOT / "real").glob("*.pdf"):
        doc = load_document(path.read_bytes(), tables=True)
        assert doc.error is None and len(doc.text) > 1000 and doc.table_segments
    assert pdfplumber.page.PDFPageInterpreter is ContentInterpreter and pdfminer.pdffont.CMapParser is CMapReader
    assert len(chars) > 5000  # every character through pdfcontent's process_object


def test_debug_logging_uses_pdfminer(monkeypatch, caplog) -> None:
    """With pdfminer's debug log on, its own reader runs (and logs what it always logged)."""
    data = generated_pdfs()[0]
    with caplog.at_level("DEBUG", logger="pdfminer"):
        doc = load_document(data)
    assert doc.error is None and any(r.name == "pdfminer.psparser" for r in caplog.records)


def gen_grid(rng: random.Random) -> bytes:
    """A ruled table: rows and columns of random sizes, some rules left out (merged cells), words placed
    anywhere in their cells, some right on a rule."""
    xs = [50.0]
    for _ in range(rng.randint(2, 7)):
        xs.append(xs[-1] + rng.choice([30.0, 45.5, 60.25, 80.0]))
    ys = [780.0]
    for _ in range(rng.randint(2, 12)):
        ys.append(ys[-1] - rng.choice([14.0, 18.5, 22.0, 30.0]))
    ops = ["0.5 w"]
    for y in ys:
        ops.append(f"{xs[0]} {y} m {xs[-1]} {y} l S")
    for i, x in enumerate(xs):
        for a, b in itertools.pairwise(ys):
            if i in (0, len(xs) - 1) or rng.random() > 0.15:
                ops.append(f"{x} {a} m {x} {b} l S")
    for a, b in itertools.pairwise(xs):
        for top, bottom in itertools.pairwise(ys):
            if rng.random() < 0.8:
                x = rng.choice([a + 2, a + (b - a) / 3, b - 4, a - 1.5, b - 0.01])
                y = rng.choice([bottom + 3, (top + bottom) / 2, top - 2, bottom - 2])
                ops.append(f"BT /F1 {rng.choice([7, 9, 10.5])} Tf {x:.2f} {y:.2f} Td ({rng.choice(WORDS)}) Tj ET")
    return "\n".join(ops).encode("latin-1")


def test_cell_texts_are_pdfplumbers_extract() -> None:
    """pipelines.tables.pdf.cell_texts gives each row of each table the texts Table.extract() gives it."""
    rng = random.Random(7)
    docs = [make_pdf([[gen_grid(rng)] for _ in range(3)]) for _ in range(10)]
    docs += [p.read_bytes() for p in FIXTURE_PDFS]
    tables = 0
    for data in docs:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                mids = [(c, (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2) for c in page.chars]
                for table in page.find_tables():
                    tables += 1
                    got = cell_texts(table, mids)
                    assert [t for _, t in got] == table.extract()
                    assert [r.cells for r, _ in got] == [r.cells for r in table.rows]
    assert tables > 30


def test_page_words_are_pdfplumbers_text_and_words() -> None:
    """page_words gives page.extract_text(x_tolerance=1) and page.extract_words(x_tolerance=1), and page_text
    with those words what it reads by itself, on generated pages, grids and every fixture."""
    rng = random.Random(11)
    docs = generated_pdfs() + [make_pdf([[gen_grid(rng)]]) for _ in range(4)] + [p.read_bytes() for p in FIXTURE_PDFS]
    pages = 0
    for data in docs:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                text, words = page_words(page)
                assert text == page.extract_text(x_tolerance=1)
                assert words == page.extract_words(x_tolerance=1)
                assert page_text(page, words) == page_text(page)
                pages += 1
    assert pages > 40

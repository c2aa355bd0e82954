"""pdfminer's page interpreter with a faster content-stream reader: the same objects, ~3× less CPU.

pdfminer reads a page's content streams with `PDFContentParser`, a character-level state machine
(`PSBaseParser._parse_*` called per token piece, `nexttoken`, `nextobject`, a `log.debug` per token):
about 70 % of a report PDF's CPU. `content_objects` reads the same streams with one regular expression
per token and yields the very objects `PDFContentParser.nextobject()` returns (numbers as int/float,
interned literals and keywords, strings, arrays, dicts); `ContentInterpreter.execute` runs them
through pdfminer's own operators exactly as `PDFPageInterpreter.execute` does. Whenever the two readers
could differ, the streams go to pdfminer's own parser instead (same result, same errors): an inline
image (BI/ID), a token cut by the end of a stream (pdfminer joins some across streams), a dict with an
odd number of items or an octal escape above 255 (pdfminer raises), a stream that cannot be decoded,
a circular or direct stream (pdfminer logs it), debug logging or `settings.STRICT` on.
`tests/test_pdfcontent.py` compares both readers on generated streams and on every PDF we have.
"""

from __future__ import annotations

import binascii
import io
import logging
import re
from collections.abc import Iterator, Sequence
from typing import Any

from pdfminer import psparser, settings
from pdfminer.cmapdb import CMapParser
from pdfminer.layout import LTChar
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psparser import (
    KEYWORD_ARRAY_BEGIN,
    KEYWORD_ARRAY_END,
    KEYWORD_DICT_BEGIN,
    KEYWORD_DICT_END,
    KEYWORD_PROC_BEGIN,
    KEYWORD_PROC_END,
    KWD,
    LIT,
    PSEOF,
    PSKeyword,
    keyword_name,
    literal_name,
)
from pdfplumber.page import (
    ALL_ATTRS,
    Page,
    fix_fontname_bytes,
    normalize_unicode,
    resolve_all,
    resolve_and_decode,
)

_BUFSIZ = 4096  # PSBaseParser.BUFSIZ: pdfminer reads a stream in chunks of this; one escape sees the chunk end

# One token at a time, as PSBaseParser._parse_main dispatches on its first byte (whitespace and NUL skipped).
_TOKEN = re.compile(rb"""[\s\x00]*(?:
    (?P<num>[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))   # _parse_number / _parse_float: digits end them
  | (?P<nan>[-+]\.?|\.)                               # a sign or point alone: pdfminer's int()/float() fail
  | (?P<kw>[A-Za-z][^#/%\[\]()<>{}\s]*)               # _parse_keyword (END_KEYWORD)
  | (?P<db><<) | (?P<de>>>) | (?P<gt>>)               # _parse_wopen / _parse_wclose ('>' alone: nothing)
  | <(?P<hex>[0-9a-fA-F\s]*)                          # _parse_hexstring: ends before any other byte
  | /(?P<lit>[^#/%\[\]()<>{}\s]*)(?P<hash>\#)?        # _parse_literal (END_LITERAL); '#' escapes: slow path
  | (?P<com>%[^\r\n]*)                                # _parse_comment: dropped
  | (?P<str>\()                                       # _parse_string: see _string
  | (?P<one>[^\s\x00])                                # anything else: a one-byte keyword ('[', "'", ...)
  | (?P<end>\Z)
)""", re.X)
_END_LITERAL = re.compile(rb"[#/%\[\]()<>{}\s]")
_HEX = re.compile(rb"[0-9a-fA-F]")
_SPACE = re.compile(rb"\s")
_END_STRING = re.compile(rb"[()\\]")
_ESC = {ord(k): v for k, v in psparser.ESC_STRING.items()}
_OCT = b"01234567"
_KEYWORD_BI = KWD(b"BI")
_KEYWORD_ID = KWD(b"ID")


class Fallback(Exception):
    """The fast reader cannot promise pdfminer's result for these streams: pdfminer reads them."""


def _hexstring(raw: bytes) -> bytes:
    digits = _SPACE.sub(b"", raw)
    even = len(digits) & ~1
    out = bytes.fromhex(digits[:even].decode())
    return out + bytes((int(digits[even:], 16),)) if even < len(digits) else out  # HEX_PAIR's lone digit


def _literal(data: bytes, i: int, name: bytes) -> tuple[Any, int]:
    """A literal with '#' escapes from its first '#' at i (_parse_literal / _parse_literal_hex)."""
    end = len(data)
    while True:
        if data[i] == 0x23:  # '#': up to two hex digits
            i += 1
            digits = b""
            while i < end and len(digits) < 2 and _HEX.match(data, i):
                digits += data[i:i + 1]
                i += 1
            if i >= end:
                raise Fallback("literal escape at the end of a stream")
            if digits:
                name += bytes((int(digits, 16),))
        m = _END_LITERAL.search(data, i)
        if m is None:
            raise Fallback("literal at the end of a stream")
        j = m.start()
        name += data[i:j]
        i = j
        if data[j] != 0x23:
            break
    try:
        value: str | bytes = str(name, "utf-8")
    except UnicodeDecodeError:
        value = name
    return LIT(value), j


def _string(data: bytes, i: int) -> tuple[bytes, int]:
    """A literal string from just after its '(' (_parse_string / _parse_string_1): (bytes, end)."""
    out = bytearray()
    depth = 1
    end = len(data)
    while True:
        m = _END_STRING.search(data, i)
        if m is None:
            raise Fallback("string at the end of a stream")
        j = m.start()
        out += data[i:j]
        c = data[j]
        i = j + 1
        if c == 0x5C:  # backslash
            if i >= end:
                raise Fallback("escape at the end of a stream")
            digits = 0
            code = 0
            while i < end and digits < 3 and data[i] in _OCT:
                code = code * 8 + data[i] - 0x30
                digits += 1
                i += 1
            if digits:
                if i >= end:
                    raise Fallback("octal escape at the end of a stream")
                if code > 255:
                    raise Fallback("octal escape above 255")  # pdfminer's assert
                out.append(code)
            elif data[i] in _ESC:
                out.append(_ESC[data[i]])
                i += 1
            elif data[i] == 0x0D and data[i + 1:i + 2] == b"\n" and (i + 1) % _BUFSIZ:
                i += 2  # \ CR LF: a line continuation (pdfminer looks for the LF in the same chunk only)
            else:
                i += 1  # an unknown escape or a line break: the byte is dropped, as pdfminer does
        elif c == 0x28:
            depth += 1
            out.append(c)
        else:
            depth -= 1
            if not depth:
                return bytes(out), i
            out.append(c)


def _tokens(data: bytes, out: list, where: list[int] | None = None) -> None:
    """Append one stream's tokens (PSBaseParser.nexttoken's values, in order) to out; where: their
    positions (each token's first byte) too."""
    match = _TOKEN.match
    end = len(data)
    pos = 0
    while True:
        m = match(data, pos)
        if m is None:  # pragma: no cover - the pattern matches any byte
            raise Fallback("unreadable token")
        kind = m.lastgroup
        pos = m.end()
        n = len(out)
        if kind == "num":
            tok = m.group(kind)
            out.append(float(tok) if b"." in tok else int(tok))
        elif kind == "kw":
            tok = m.group(kind)
            out.append(True if tok == b"true" else False if tok == b"false" else KWD(tok))
        elif kind == "hex":
            if pos >= end:
                raise Fallback("hex string at the end of a stream")
            out.append(_hexstring(m.group(kind)))
        elif kind == "lit":
            tok = m.group(kind)
            if pos >= end and not tok:
                raise Fallback("empty literal at the end of a stream")  # pdfminer joins it to the next stream
            try:
                out.append(LIT(str(tok, "utf-8")))
            except UnicodeDecodeError:
                out.append(LIT(tok))
        elif kind == "hash":  # a literal with '#' escapes (lastgroup: the literal's name group matched first)
            lit, pos = _literal(data, pos - 1, m.group("lit"))
            out.append(lit)
        elif kind == "one":
            out.append(KWD(m.group(kind)))
        elif kind == "str":
            s, pos = _string(data, pos)
            out.append(s)
        elif kind == "db":
            out.append(KEYWORD_DICT_BEGIN)
        elif kind == "de":
            out.append(KEYWORD_DICT_END)
        elif kind == "gt":
            if pos >= end:
                raise Fallback("'>' at the end of a stream")
        elif kind == "end":
            return
        # "com" (comments) and "nan" (pdfminer drops them too)
        if where is not None and len(out) > n:
            where.append(m.start("lit") - 1 if kind in ("lit", "hash") else m.start("hex") - 1 if kind == "hex"
                         else m.start(kind))


# The same tokens as _TOKEN, whole, in one findall; strings with nested parentheses or escapes and literals
# with '#' come out cut ('(' alone, '/Name#') and send the stream to _tokens.
_QUICK = re.compile(rb"""[\s\x00]*(
    [-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+) | [A-Za-z][^#/%\[\]()<>{}\s]* | << | >> | > | <[0-9a-fA-F\s]*
  | /[^#/%\[\]()<>{}\s]*\#? | %[^\r\n]* | \((?:[^()\\]*\))? | [-+]\.? | \. | [^\s\x00]
)""", re.X)
_NAN = frozenset((b"-", b"+", b".", b"-.", b"+."))
_BOOLS = {b"true": True, b"false": False}
_NUM, _KW, _LT, _GT, _LIT, _COM, _STR, _ONE = range(8)
_FIRST = [_ONE] * 256
for _c in b"0123456789+-.":
    _FIRST[_c] = _NUM
for _c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz":
    _FIRST[_c] = _KW
_FIRST[ord("<")], _FIRST[ord(">")], _FIRST[ord("/")], _FIRST[ord("%")], _FIRST[ord("(")] = _LT, _GT, _LIT, _COM, _STR
_keywords = psparser.PSKeywordTable.dict
_literals = psparser.PSLiteralTable.dict


def _tokens_quick(data: bytes, out: list) -> bool:
    """_tokens by one findall; False (out unchanged) when the stream needs _tokens' byte-by-byte reading."""
    toks = _QUICK.findall(data)
    if toks:
        last = toks[-1]
        if (last[0] == 0x3C and last != b"<<") or (last in (b">", b"/") and data.endswith(last)):
            raise Fallback("a token cut by the end of a stream")
    got: list[Any] = []
    append = got.append
    first = _FIRST
    for tok in toks:
        k = first[tok[0]]
        if k == _NUM:
            if tok not in _NAN:
                append(float(tok) if b"." in tok else int(tok))
        elif k == _KW:
            if tok in _BOOLS:
                append(_BOOLS[tok])
            else:
                kw = _keywords.get(tok)
                append(kw if kw is not None else KWD(tok))
        elif k == _LT:
            if tok == b"<<":
                append(KEYWORD_DICT_BEGIN)
            else:
                digits = tok[1:]
                try:
                    append(binascii.a2b_hex(digits))
                except binascii.Error:  # spaces or an odd digit count
                    append(_hexstring(digits))
        elif k == _LIT:
            if tok[-1] == 0x23:  # '#'
                return False
            try:
                name: str | bytes = str(tok[1:], "utf-8")
            except UnicodeDecodeError:
                name = tok[1:]
            lit = _literals.get(name)
            append(lit if lit is not None else LIT(name))
        elif k == _GT:
            if tok == b">>":
                append(KEYWORD_DICT_END)
        elif k == _STR:
            if len(tok) == 1:
                return False
            append(tok[1:-1])
        elif k == _ONE:
            kw = _keywords.get(tok)
            append(kw if kw is not None else KWD(tok))
    out += got
    return True


def content_objects(datas: Sequence[bytes]) -> list[Any]:
    """The objects `PDFContentParser(streams).nextobject()` returns for these decoded streams, in order
    (operands and operators at the top level; arrays, dicts and procs built). Raises Fallback."""
    tokens: list[Any] = []
    try:
        for data in datas:
            if not _tokens_quick(data, tokens):
                _tokens(data, tokens)
    except ValueError as e:  # int() of over 4,300 digits: pdfminer drops that number
        raise Fallback(str(e)) from e
    out: list[Any] = []
    context: list[tuple[str | None, list[Any]]] = []
    curtype: str | None = None
    cur = out  # the top level goes straight out: pdfminer flushes it after every token
    for tok in tokens:
        if tok.__class__ is not PSKeyword:
            cur.append(tok)
        elif tok is KEYWORD_ARRAY_BEGIN or tok is KEYWORD_DICT_BEGIN or tok is KEYWORD_PROC_BEGIN:
            context.append((curtype, cur))
            curtype = "a" if tok is KEYWORD_ARRAY_BEGIN else "d" if tok is KEYWORD_DICT_BEGIN else "p"
            cur = []
        elif tok is KEYWORD_ARRAY_END or tok is KEYWORD_DICT_END or tok is KEYWORD_PROC_END:
            want = "a" if tok is KEYWORD_ARRAY_END else "d" if tok is KEYWORD_DICT_END else "p"
            if curtype != want:
                continue  # pdfminer's PSTypeError, swallowed unless STRICT
            objs = cur
            curtype, cur = context.pop()
            if want == "d":
                if len(objs) % 2:
                    raise Fallback("dict with an odd number of items")  # pdfminer raises PSSyntaxError
                cur.append({literal_name(objs[k]): objs[k + 1] for k in range(0, len(objs), 2)
                            if objs[k + 1] is not None})
            else:
                cur.append(objs)
        elif tok is _KEYWORD_BI or tok is _KEYWORD_ID:
            raise Fallback("inline image")
        else:
            cur.append(tok)
    return out  # objects of a context never closed are never flushed: dropped, as pdfminer does


_log = logging.getLogger("pdfminer.pdfinterp")
_pslog = logging.getLogger("pdfminer.psparser")


class ContentInterpreter(PDFPageInterpreter):
    """`PDFPageInterpreter` whose `execute` reads the content streams with `content_objects`."""

    def execute(self, streams: Sequence[object]) -> None:
        if settings.STRICT or _log.isEnabledFor(logging.DEBUG) or _pslog.isEnabledFor(logging.DEBUG):
            return super().execute(streams)
        try:
            resolved: list[PDFStream] = [stream_value(obj) for obj in streams]
            if any(s.objid is None or s.objid in self.parent_stream_ids for s in resolved):
                raise Fallback("a direct or circular stream")  # pdfminer logs and skips it
            objs = content_objects([s.get_data() for s in resolved])
        except Exception:  # Fallback, or a stream pdfminer fails on: its own parser gives its result
            return super().execute(streams)
        self.stream_ids.clear()
        self.stream_ids.update(s.objid for s in resolved if s.objid is not None)
        methods: dict[PSKeyword, tuple[Any, int]] = {}
        for obj in objs:
            if obj.__class__ is PSKeyword:
                entry = methods.get(obj)
                if entry is None:
                    name = keyword_name(obj)
                    method = "do_" + name.replace("*", "_a").replace('"', "_w").replace("'", "_q")
                    func = getattr(self, method, None)
                    entry = methods[obj] = (func, func.__code__.co_argcount - 1 if func else 0)
                func, nargs = entry
                if func is None:
                    continue
                if nargs:
                    args = self.pop(nargs)
                    if len(args) == nargs:
                        func(*args)
                else:
                    func()
            else:
                self.argstack.append(obj)


class CMapReader(CMapParser):
    """pdfminer's `CMapParser` (a font's ToUnicode map) reading its tokens with `_tokens`: the same
    (position, token) pairs `PSBaseParser.nexttoken` returns; its own reading whenever `_tokens` falls back."""

    def __init__(self, cmap: Any, fp: Any) -> None:
        super().__init__(cmap, fp)
        self._read: Iterator[tuple[int, Any]] | None = None
        if settings.STRICT or _pslog.isEnabledFor(logging.DEBUG) or not isinstance(fp, io.BytesIO):
            return
        tokens: list[Any] = []
        where: list[int] = []
        try:
            _tokens(fp.getvalue(), tokens, where)
        except (Fallback, ValueError):
            return
        self._read = iter(list(zip(where, tokens, strict=True)))

    def nexttoken(self) -> tuple[int, Any]:
        if self._read is None:
            return super().nexttoken()
        for token in self._read:
            return token
        raise PSEOF("Unexpected EOF")


_SCALARS = frozenset((int, float, str, bool, type(None)))
_NUMBERS = frozenset((int, float))
_names: dict[str, str] = {}


def _process_char(page: Any, obj: Any) -> dict[str, Any]:
    """pdfplumber's `Page.process_object` for an `LTChar` (most of a page's objects): the same dict, keys in
    the same order, without a `resolve_all` per number and a regex per object. pdfplumber's own reads any
    value that is not a number, string or tuple of numbers."""
    attr: dict[str, Any] = {}
    for k, v in obj.__dict__.items():
        if k in ALL_ATTRS:
            cls = v.__class__
            if cls in _SCALARS or (cls is tuple and all(e.__class__ in _NUMBERS for e in v)):
                attr[k] = v
            else:
                attr[k] = resolve_all(v)
    attr["object_type"] = "char"
    attr["page_number"] = page.page_number
    for cs in ("ncs", "scs"):
        if hasattr(obj, cs):
            name = getattr(obj, cs).name
            if name.__class__ is str:
                decoded = _names.get(name)
                if decoded is None:
                    decoded = _names[name] = resolve_and_decode(name)
                attr[cs] = decoded
            else:
                attr[cs] = resolve_and_decode(name)
    text = obj.get_text()
    unicode_norm = page.pdf.unicode_norm
    attr["text"] = normalize_unicode(unicode_norm, text) if unicode_norm is not None else text
    gs = obj.graphicstate
    attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
    attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
    if isinstance(attr["fontname"], bytes):
        attr["fontname"] = fix_fontname_bytes(attr["fontname"])
    mb_x0, mb_top = page.mediabox[:2]
    if "y0" in attr:
        attr["top"] = (page.height - attr["y1"]) + mb_top
        attr["bottom"] = (page.height - attr["y0"]) + mb_top
        attr["doctop"] = page.initial_doctop + attr["top"]
    if "x0" in attr and mb_x0 != 0:
        attr["x0"] = attr["x0"] + mb_x0
        attr["x1"] = attr["x1"] + mb_x0
    return attr


_plumber_process_object = Page.process_object  # pdfplumber's own


def process_object(page: Any, obj: Any) -> dict[str, Any]:
    """`Page.process_object` with `_process_char` for characters."""
    if obj.__class__ is LTChar:
        return _process_char(page, obj)
    return _plumber_process_object(page, obj)


def install(fast: bool = True) -> None:
    """Make pdfplumber's pages use `ContentInterpreter` and `process_object`, and pdfminer's fonts
    `CMapReader` (idempotent; pdfplumber's `Page.layout` builds its interpreter from the name in
    `pdfplumber.page`, pdfminer's fonts their CMap parser from the name in `pdfminer.pdffont`).
    fast=False: pdfminer's and pdfplumber's own again."""
    import pdfminer.pdffont
    import pdfplumber.page

    pdfminer.pdffont.CMapParser = CMapReader if fast else CMapParser  # type: ignore[misc]
    pdfplumber.page.PDFPageInterpreter = ContentInterpreter if fast else PDFPageInterpreter  # type: ignore[misc]
    Page.process_object = process_object if fast else _plumber_process_object  # type: ignore[method-assign]

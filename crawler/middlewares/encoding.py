"""Downloader middleware: give text responses the encoding their bytes really use.

Chinese portals often declare utf-8 or iso-8859-1 (a server default) for GBK pages, or gb2312 in
<meta> for pages with GB18030-only characters. Scrapy then decodes with "replace" and the text is
mojibake. For a non-ASCII body this middleware strict-decodes with the declared encoding; only if
that fails (or the declaration is a latin-1 style default, or missing) it asks
`pipelines.documents.decode_html` and returns `response.replace(encoding=...)`.
"""

from __future__ import annotations

from scrapy.http import Request, Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from pipelines.documents import WEAK_ENCODINGS, codec_name, decode_html


class EncodingFixMiddleware:
    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not response.body or response.body.isascii():
            return response
        body = response.body
        if read_bom(body)[0]:
            return response  # Scrapy honours a BOM
        header = response.headers.get(b"Content-Type", b"").decode("latin-1")
        declared = codec_name(http_content_type_encoding(header) or html_body_declared_encoding(body))
        if declared and declared not in WEAK_ENCODINGS and _decodes(body, declared) and (
                declared == "utf-8" or not _decodes(body, "utf-8")):
            return response  # cheap path: the declaration decodes cleanly (and UTF-8 does not)
        _, right = decode_html(body, http_content_type_encoding(header))
        if right == declared:
            return response
        if self.stats is not None:
            self.stats.inc_value("nianbao/encoding_fixed")
        return response.replace(encoding=right)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True

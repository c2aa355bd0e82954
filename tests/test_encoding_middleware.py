"""EncodingFixMiddleware: GBK pages behind lying headers get the right encoding; honest ones pass untouched."""

from __future__ import annotations

import warnings

import pytest
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares.encoding import EncodingFixMiddleware
from tests.test_documents import GB18030_ONLY, fixture, gov_page

URL = "http://www.xuyi.gov.cn/zwgk/xxgknb/202401/t20240119_123.html"


@pytest.fixture
def mw():
    crawler = get_crawler(settings_dict={"DOWNLOADER_MIDDLEWARES": {
        "crawler.middlewares.encoding.EncodingFixMiddleware": 560}})
    return EncodingFixMiddleware.from_crawler(crawler)


def html_response(body: bytes, content_type: str | None) -> HtmlResponse:
    headers = {"Content-Type": content_type} if content_type else {}
    return HtmlResponse(URL, body=body, headers=headers, request=Request(URL))


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/html;charset=ISO-8859-1",
                                          "text/html; charset=windows-1252"])
def test_gbk_page_behind_a_lying_header(mw, content_type):
    page = gov_page("gb2312")
    response = html_response(page.encode("gbk"), content_type)
    assert "盱眙县" not in response.text  # what Scrapy alone gives: mojibake
    fixed = mw.process_response(response.request, response)
    assert fixed is not response and fixed.encoding == "gb18030" and fixed.text == page
    assert fixed.css("title::text").get() == "盱眙县人民政府2023年政府信息公开工作年度报告_盱眙县人民政府"
    assert mw.stats.get_value("nianbao/encoding_fixed") == 1


def test_gbk_page_without_any_declaration(mw):
    page = gov_page("gb2312").replace('<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />', "")
    fixed = mw.process_response(None, html_response(page.encode("gbk"), "text/html"))
    assert fixed.encoding == "gb18030" and fixed.text == page


def test_utf8_page_under_a_gb2312_meta(mw):
    page = gov_page("gb2312")
    response = html_response(page.encode("utf-8"), "text/html")
    fixed = mw.process_response(response.request, response)
    assert fixed.encoding == "utf-8" and fixed.text == page


def test_gb18030_only_characters_under_gb2312(mw):
    page = gov_page("gb2312", extra=f"（经办人：刘{GB18030_ONLY}）")
    for content_type in ("text/html", "text/html; charset=gb2312"):
        response = html_response(page.encode("gb18030"), content_type)
        result = mw.process_response(response.request, response)
        assert result is response  # w3lib already reads gb2312 as gb18030: nothing to fix
        assert result.text == page


@pytest.mark.parametrize(("encoding", "content_type"), [
    ("utf-8", "text/html; charset=utf-8"),
    ("gbk", "text/html; charset=GBK"),
    ("gbk", "text/html"),  # meta gb2312 only
])
def test_honest_responses_are_returned_as_they_are(mw, encoding, content_type):
    page = gov_page("gb2312" if encoding == "gbk" else "utf-8")
    response = html_response(page.encode(encoding), content_type)
    assert mw.process_response(response.request, response) is response
    assert mw.stats.get_value("nianbao/encoding_fixed") is None


def test_plain_text_response_and_binary_responses(mw):
    body = "盱眙县人民政府2023年政府信息公开工作年度报告\n一、总体情况".encode("gbk")
    response = TextResponse("http://x.gov.cn/a.txt", body=body, headers={"Content-Type": "text/plain; charset=utf-8"})
    assert mw.process_response(None, response).text == body.decode("gbk")
    pdf = Response("http://x.gov.cn/a.pdf", body=fixture("szfgs2024.pdf"), headers={"Content-Type": "application/pdf"})
    assert mw.process_response(None, pdf) is pdf
    ascii_page = html_response(b"<html><body>404 Not Found</body></html>", "text/html; charset=iso-8859-1")
    assert mw.process_response(None, ascii_page) is ascii_page


def test_loads_in_the_downloader_without_spider_argument_warnings():
    crawler = get_crawler(settings_dict={"DOWNLOADER_MIDDLEWARES": {
        "crawler.middlewares.encoding.EncodingFixMiddleware": 560}})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        manager = DownloaderMiddlewareManager.from_crawler(crawler)
    assert any(isinstance(m, EncodingFixMiddleware) for m in manager.middlewares)
    assert not [w for w in caught if issubclass(w.category, ScrapyDeprecationWarning)]
    names = [type(m).__name__ for m in manager.middlewares]
    # process_response runs from the end of this list: decompression happens before the encoding check.
    assert names.index("EncodingFixMiddleware") < names.index("HttpCompressionMiddleware")


def test_western_page_behind_its_latin1_header_is_left_alone(mw):
    body = "<html><body><p>Café – Zürich résumé naïve</p></body></html>".encode("cp1252")
    response = html_response(body, "text/html; charset=iso-8859-1")
    assert mw.process_response(None, response) is response

"""One sha256 per response, and never a stale one: the digest belongs to the response object."""

from __future__ import annotations

import hashlib

from scrapy.http import HtmlResponse, Request

from crawler.middlewares.conditional import body_sha256


def test_each_response_gets_its_own_digest_even_with_copied_meta():
    first = HtmlResponse("http://127.0.0.1/a.html", body=b"<p>v1</p>", request=Request("http://127.0.0.1/a.html"))
    assert body_sha256(first) == hashlib.sha256(b"<p>v1</p>").hexdigest()
    again = first.request.replace(meta=dict(first.meta))  # a re-fetch carries the old meta along
    second = HtmlResponse(again.url, body=b"<p>v2</p>", request=again)
    assert body_sha256(second) == hashlib.sha256(b"<p>v2</p>").hexdigest()
    assert body_sha256(first.replace(body=b"x")) == hashlib.sha256(b"x").hexdigest()
    assert body_sha256(first) == hashlib.sha256(b"<p>v1</p>").hexdigest()

"""Strict arguments and input: one line naming the argument/file/line and the fix, exit 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.registry import load_portals
from crawler.spiders.portals import SpiderArgError, check_args

ROOT = Path(__file__).resolve().parents[1]
ROWS = "name,start_url,render,region_code\n伊川县人民政府,http://www.yichuan.gov.cn/,false,410329\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_portal_csv_encodings(tmp_path, encoding):
    path = tmp_path / "p.csv"
    path.write_bytes(ROWS.encode(encoding))
    portals = load_portals(path)
    assert [p.name for p in portals] == ["伊川县人民政府"] and portals[0].region_code == "410329"


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"portal": "demo"}, ["-a portal", "-a portals=", "-a region=", "-a sample="]),
    ({"sample": "abc"}, ["-a sample=abc", "whole number"]),
    ({"sample": "0"}, ["-a sample=0"]),
    ({"region": "32x"}, ["-a region=32x", "digits"]),
    ({"portals": "/no/such.csv"}, ["/no/such.csv", "does not exist"]),
])
def test_bad_arguments(kwargs, words):
    with pytest.raises(SpiderArgError) as exc:
        check_args(kwargs)
    assert all(w in str(exc.value) for w in words) and "\n" not in str(exc.value)


BAD_CSVS = {
    "render": ("name,start_url,render\n县,http://a.gov.cn/,maybe\n", ":2:", "render must be true or false"),
    "url": ("name,start_url,render\n县,www.a.gov.cn,false\n", ":2:", "not an http(s) URL"),
    "header": ("name,url,render\n县,http://a.gov.cn/,false\n", ":1:", "lacks ['start_url']"),
    "cells": ("name,start_url,render\n县,http://a.gov.cn/,false,extra,more\n", ":2:", "quote cells"),
    "dup": ("name,start_url,render\n县,http://a.gov.cn/,false\n县,http://b.gov.cn/,false\n", ":3:", "already used"),
    "bytes": (b"name,start_url,render\n\x81\xff\xfe,http://a.gov.cn/,false\n", ":2:", "neither UTF-8 nor GBK"),
}


def _scrapy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "crawl", "portals", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("case", sorted(BAD_CSVS))
def test_bad_csv_through_scrapy_crawl(tmp_path, case):
    content, where, fix = BAD_CSVS[case]
    path = tmp_path / "p.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    proc = _scrapy("-a", f"portals={path}", "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{path}{where}" in lines[0] and fix in lines[0]
    assert not (tmp_path / "a.db").exists()  # nothing started


@pytest.mark.parametrize(("args", "words"), [
    (["-a", "portal=demo"], ["unknown spider argument -a portal", "-a portals="]),
    (["-a", "sample=abc"], ["-a sample=abc"]),
    (["-a", "portals=demo", "-s", "PORTAL_MAX_PAGES=lots"], ["-s PORTAL_MAX_PAGES=lots", "number"]),
    (["-a", "portals=demo", "-s", "PAGE_MAX_CHARS=abc"], ["-s PAGE_MAX_CHARS=abc", "whole number"]),
    (["-a", "portals=demo", "-s", "PDF_MAX_PAGES=1.5"], ["-s PDF_MAX_PAGES=1.5", "whole number"]),
    (["-a", "portals=demo", "-s", "DOCUMENT_TIMEOUT_S=-1"], ["-s DOCUMENT_TIMEOUT_S=-1", "number ≥ 0"]),
    (["-a", "portals=demo", "-s", "PARSE_WORKERS=two"], ["-s PARSE_WORKERS=two", "whole number"]),
    (["-a", "portals=demo", "-s", "PARSE_WORKER_START=fork"], ["-s PARSE_WORKER_START=fork", "forkserver or spawn"]),
])
def test_bad_arguments_through_scrapy_crawl(tmp_path, args, words):
    proc = _scrapy(*args, "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and all(w in proc.stderr for w in words), proc.stderr


def test_nianbao_crawl_exit_code_for_bad_input(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "-a", "sample=abc", "-s",
                           f"ARCHIVE_DB={tmp_path / 'a.db'}"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "-a sample=abc" in proc.stderr

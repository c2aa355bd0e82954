"""A loopback portal of hostile responses (127.0.0.1, stdlib only), for tests/test_hostile_crawl.py.

    with HostileServer() as srv:
        srv.write_csv(tmp / "portals.csv")     # one portal: its index links every case below
        srv.cases                              # path -> Case(title, expected outcome)

Bodies are generated at start (nothing large is committed). Raw socket control gives the byte-a-second
trickle and the connection reset mid-body.
"""

from __future__ import annotations

import contextlib
import csv
import socket
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.hostile import files

TITLE = "双辽市政府办公室2021年政府信息公开工作年度报告"


@dataclass
class Case:
    path: str
    outcome: str  # "report" | "rejected" | "error"
    expect: str = ""  # a substring of bounds_hit / the rejection reason / the fetch_log error


CASES = [
    Case("/big.html", "report", "PAGE_MAX_CHARS"),
    Case("/deep.html", "report", "HTML_MAX_DEPTH"),
    Case("/tables.html", "report", "TABLES_MAX_PER_PAGE"),
    Case("/gbk-lying.html", "report"),
    Case("/gbk-none.html", "report"),
    Case("/binary.html", "report"),
    Case("/bomb.docx", "report", "ZIP_MAX_INFLATED_BYTES"),
    Case("/entity.docx", "report", "entities not expanded"),
    Case("/mainbomb.docx", "rejected", "ZIP_MAX_INFLATED_BYTES"),
    Case("/truncated.pdf", "rejected", "truncated PDF"),
    Case("/encrypted.pdf", "rejected", "encrypted PDF"),
    Case("/dots.pdf", "report"),
    Case("/absolute.pdf", "report"),
    Case("/loop/a.html", "error", "redirect loop"),
    Case("/chain/1.html", "report"),
    Case("/gzip-bomb.html", "error", "max"),
    Case("/trickle.html", "error", ""),
    Case("/reset.html", "error", ""),
    Case("/col/hanweb.html", "list"),
]


class HostileServer:
    def __init__(self) -> None:
        html = files.report_html()
        counties = iter(["梨树县", "伊通县", "东丰县", "东辽县", "集安市", "临江市", "抚松县", "靖宇县", "长白县"])

        def own(text: str) -> str:  # each case its own agency, so dedup never folds two cases into one report
            return text.replace("双辽市", next(counties))

        gbk = own(html).replace('charset="utf-8"', "").replace("charset=utf-8", "").encode("gbk", "replace")
        pdf = files.REPORT_PDF.read_bytes()
        self.hanweb_report = "/hanweb-report.html"
        self.bodies: dict[str, tuple[int, dict[str, str], bytes]] = {
            "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
            "/big.html": (200, {"Content-Type": "text/html; charset=utf-8"},
                          own(files.big_page(18 * 2**20)).encode("utf-8")),  # 48 MB of UTF-8
            "/deep.html": (200, {"Content-Type": "text/html; charset=utf-8"}, own(files.deep_page()).encode("utf-8")),
            "/tables.html": (200, {"Content-Type": "text/html; charset=utf-8"},
                             own(files.many_tables_page()).encode("utf-8")),
            "/gbk-lying.html": (200, {"Content-Type": "text/html; charset=utf-8"}, gbk),
            "/gbk-none.html": (200, {"Content-Type": "text/html"}, own(html).replace('charset="utf-8"', "")
                                .replace("charset=utf-8", "").encode("gbk", "replace")),
            "/binary.html": (200, {"Content-Type": "text/html; charset=utf-8"}, pdf),
            "/bomb.docx": (200, {"Content-Type": "application/vnd.openxmlformats-officedocument."
                                                 "wordprocessingml.document"}, files.zip_bomb_docx(2048)),
            "/entity.docx": (200, {"Content-Type": "application/octet-stream"}, files.entity_bomb_docx("珲春市")),
            "/mainbomb.docx": (200, {"Content-Type": "application/octet-stream"},
                               files.zip_bomb_docx(2048, in_main_part=True)),
            "/truncated.pdf": (200, {"Content-Type": "application/pdf"}, files.truncated_pdf()),
            "/encrypted.pdf": (200, {"Content-Type": "application/pdf"}, files.ENCRYPTED_PDF.read_bytes()),
            "/dots.pdf": (200, {"Content-Type": "application/pdf",
                                "Content-Disposition": 'attachment; filename="../../../../../tmp/nianbao-evil.pdf"'},
                          pdf),
            "/absolute.pdf": (200, {"Content-Type": "application/pdf",
                                    "Content-Disposition": "attachment; filename=/etc/nianbao-evil.pdf"}, pdf),
            "/loop/a.html": (302, {"Location": "/loop/b.html"}, b""),
            "/loop/b.html": (302, {"Location": "/loop/a.html"}, b""),
            "/chain/1.html": (301, {"Location": "/chain/2.html"}, b""),
            "/chain/2.html": (302, {"Location": "/chain/3.html"}, b""),
            "/chain/3.html": (307, {"Location": "/chain/report.html"}, b""),
            "/chain/report.html": (200, {"Content-Type": "text/html; charset=utf-8"}, own(html).encode("utf-8")),
            "/gzip-bomb.html": (200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
                                files.gzip_bomb(256 * 2**20)),
            "/col/hanweb.html": (200, {"Content-Type": "text/html; charset=utf-8"},
                                 files.hanweb_bomb_list(self.hanweb_report).encode("utf-8")),
            self.hanweb_report: (200, {"Content-Type": "text/html; charset=utf-8"}, own(html).encode("utf-8")),
        }
        # each link its own agency: dedup (same agency and year) never folds two cases into one report
        # (names the pages' own() agencies never use)
        places = ["白城市", "通榆县", "乾安县", "长岭县", "前郭县", "扶余市", "舒兰市", "磐石市", "蛟河市", "桦甸市",
                  "永吉县", "辉南县", "柳河县", "梅河口市", "通化县", "延吉市", "九台区", "榆树市", "德惠市", "农安县"]
        links = "".join(f'<li><a href="{c.path}">{TITLE.replace("双辽市", places[i])}</a></li>'
                        for i, c in enumerate(CASES))
        index = (f"<html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body>"
                 f"<h1>政府信息公开年报</h1><ul class='list'>{links}</ul></body></html>")
        self.bodies["/index.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, index.encode("utf-8"))
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.requests.append(path)
                if path == "/trickle.html":
                    return self._trickle()
                if path == "/reset.html":
                    return self._reset()
                status, headers, body = server.bodies.get(path, (404, {"Content-Type": "text/plain"}, b"not found"))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def _trickle(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                try:
                    for _ in range(60):  # a byte a second, far past DOWNLOAD_TIMEOUT
                        self.wfile.write(b"<")
                        self.wfile.flush()
                        time.sleep(1)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _reset(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", "200000")
                self.end_headers()
                self.wfile.write(files.report_html().encode("utf-8")[:5000])
                self.wfile.flush()
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()  # RST mid-body

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def write_csv(self, path: Path) -> Path:
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["name", "start_url", "render", "region_code", "allowed_domains"])
            writer.writerow(["双辽市人民政府", f"{self.url}/index.html", "false", "220582", ""])
        return path

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

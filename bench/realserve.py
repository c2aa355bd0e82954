"""A small asyncio HTTP/1.1 server for the generated portals: one listening socket per 127.0.1.k.

    python -m bench.realserve ROOT N PORT

Serves ROOT/<k>/<path> (read per request) with keep-alive; 404 for anything else. Runs in its own process
so its CPU is not counted as the crawl's. Prints "ready" when every socket listens.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

TYPES = {".html": "text/html", ".pdf": "application/pdf", ".txt": "text/plain",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def load(root: Path, k: int) -> dict[str, Path]:
    base = root / str(k)
    return {"/" + str(p.relative_to(base)): p for p in base.rglob("*") if p.is_file()}


async def serve(root: Path, n: int, port: int) -> None:
    servers = []
    for k in range(1, n + 1):
        files = load(root, k)

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, files=files) -> None:
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    line, *headers = head.decode("latin-1").split("\r\n")
                    method, target, _ = line.split(" ", 2)
                    length = next((int(h.split(":", 1)[1]) for h in headers if h.lower().startswith("content-length:")), 0)
                    if length:
                        await reader.readexactly(length)
                    path = target.split("?", 1)[0]
                    found = files.get(path)
                    body = found.read_bytes() if found is not None else None  # from the page cache: a big site stays out of memory
                    if body is None:
                        status, body, ctype = "404 Not Found", b"not found", "text/plain"
                    else:
                        status, ctype = "200 OK", TYPES.get(Path(path).suffix, "application/octet-stream")
                    if method == "HEAD":
                        body = b""
                    writer.write(f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                                 "Connection: keep-alive\r\n\r\n".encode() + body)
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                pass
            finally:
                writer.close()

        servers.append(await asyncio.start_server(handle, f"127.0.1.{k}", port, backlog=256))
    print("ready", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))

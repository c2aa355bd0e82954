"""DOC / WPS (WPS文字) → HTML with external converters, in a temp dir, with a hard time limit.

Choice, checked on Word-97 files written by LibreOffice 7.4 (Debian 12) and Chinese text:
- LibreOffice headless (`soffice --convert-to html`, Debian package `libreoffice-writer-nogui`) is the
  primary converter: it reads Word 97-2003, Word 6/95, RTF and Word 2003 XML saved as .doc, MS Works
  .wps, and the Word-97 OLE files that WPS 文字 writes as .wps/.doc; its tables keep rowspan/colspan.
  ~1 s per file (fresh profile per call, so concurrent conversions never share a profile).
- antiword 0.37 (Debian package `antiword`, DocBook output) is the fallback when soffice is missing,
  fails or times out, and the table rescue: LibreOffice 7.4 reads some Word-97 tables back as one
  flat paragraph (tests/fixtures/docs/lo_drops_table.doc), antiword keeps their rows and cells
  (no spans: merged cells come back as empty cells, so the grid stays aligned). antiword does not read
  RTF, Word 2003 XML or Works files.
Converters run in their own process group; on timeout the whole group is killed.
"""

from __future__ import annotations

import contextlib
import html as htmllib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from lxml import etree

SOFFICE_PACKAGE = "libreoffice-writer-nogui"
ANTIWORD_PACKAGE = "antiword"
_TABLES = ("informaltable", "table")


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def antiword_path() -> str | None:
    return shutil.which("antiword")


def _run(cmd: list[str], timeout: float, cwd: Path) -> tuple[int | None, bytes, bytes]:
    """Run cmd in a new process group; returncode None on timeout (the group is killed)."""
    env = {**os.environ, "HOME": str(cwd), "LC_ALL": "C.UTF-8"}
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, out, err


def libreoffice_html(src: Path, timeout: float) -> tuple[str | None, str | None]:
    exe = soffice_path()
    if not exe:
        return None, f"soffice not installed (apt package {SOFFICE_PACKAGE})"
    work = src.parent
    outdir = work / "lo-out"
    cmd = [exe, f"-env:UserInstallation={(work / 'lo-profile').as_uri()}", "--headless", "--norestore",
           "--nolockcheck", "--convert-to", "html:HTML (StarWriter)", "--outdir", str(outdir), str(src)]
    code, _, err = _run(cmd, timeout, work)
    if code is None:
        return None, f"LibreOffice timed out after {timeout:.0f} s"
    out = outdir / f"{src.stem}.html"
    if code != 0 or not out.exists():
        return None, f"LibreOffice could not convert the file (exit {code}): {err.decode(errors='replace')[-200:]}"
    from pipelines.documents import decode_html

    return decode_html(out.read_bytes())[0], None


def antiword_html(src: Path, timeout: float) -> tuple[str | None, str | None]:
    exe = antiword_path()
    if not exe:
        return None, f"antiword not installed (apt package {ANTIWORD_PACKAGE})"
    code, out, err = _run([exe, "-x", "db", str(src)], timeout, src.parent)
    if code is None:
        return None, f"antiword timed out after {timeout:.0f} s"
    if code != 0 or not out.strip():
        return None, f"antiword could not read the file: {err.decode(errors='replace').strip()[:200]}"
    try:
        return docbook_to_html(out), None
    except etree.XMLSyntaxError as e:
        return None, f"antiword output is not XML: {e}"


def docbook_to_html(xml: bytes) -> str:
    """antiword's DocBook → minimal HTML: titles, paragraphs, tables (row → tr, entry → td)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    root = etree.fromstring(xml, parser)
    out: list[str] = []

    def text_of(el: etree._Element) -> str:
        return " ".join("".join(el.itertext()).split())

    def flush(buf: list[str]) -> None:
        text = " ".join("".join(buf).split())
        if text:
            out.append(f"<p>{htmllib.escape(text)}</p>")

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _TABLES:
            rows = []
            for row in el.iter("row"):
                cells = "".join(f"<td>{htmllib.escape(text_of(e))}</td>" for e in row.iterchildren("entry"))
                rows.append(f"<tr>{cells}</tr>")
            out.append("<table>\n" + "\n".join(rows) + "\n</table>")
            return
        if tag == "title":
            out.append(f"<h2>{htmllib.escape(text_of(el))}</h2>")
            return
        if tag == "bookinfo":
            return
        if tag == "para":  # a para may hold text and tables; keep their order
            buf = [el.text or ""]
            for child in el:
                if child.tag in _TABLES:
                    flush(buf)
                    walk(child)
                    buf = []
                else:
                    buf.append("".join(child.itertext()))
                buf.append(child.tail or "")
            flush(buf)
            return
        for child in el:
            walk(child)

    walk(root)
    return "<html><head><meta charset=\"utf-8\"></head><body>\n" + "\n".join(out) + "\n</body></html>"


def libreoffice_html_from_bytes(data: bytes, timeout: float) -> tuple[str | None, str | None]:
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as tmp:
        src = Path(tmp) / "document.doc"
        src.write_bytes(data)
        return libreoffice_html(src, timeout)


def convert_word(data: bytes, timeout: float = 60) -> tuple[str | None, str | None]:
    """DOC/WPS bytes → (html, None) or (None, reason)."""
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as tmp:
        src = Path(tmp) / "document.doc"  # .doc: LibreOffice would try the MS Works filter on .wps
        src.write_bytes(data)
        html, lo_error = libreoffice_html(src, timeout)
        if html is not None and "<table" in html:
            return html, None
        # No table (or no LibreOffice): antiword may still see the tables.
        remaining = max(1.0, deadline - time.monotonic())
        aw_html, aw_error = antiword_html(src, min(remaining, 30.0))
        if aw_html is not None and ("<table" in aw_html or html is None):
            return aw_html, None
        if html is not None:
            return html, None
        return None, f"{lo_error}; {aw_error}"

"""`nianbao import`: local files through the same pure pipeline into the archive, file:// provenance,
bad files reported with the reason while the import goes on."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.ingest import decode, expand, html_title, import_paths

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
ROOT = Path(__file__).resolve().parent.parent


def test_expand_folders_and_list_files(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/1.html", "a/b/2.pdf", "a/b/notes.md", "a/3.DOCX"):
        (tmp_path / name).write_bytes(b"x")
    lst = tmp_path / "files.txt"
    lst.write_text("# reports\na/1.html\n\n" + str(tmp_path / "a/b/2.pdf") + "\n", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in expand([tmp_path / "a"])] == ["a/1.html", "a/3.DOCX", "a/b/2.pdf"]
    assert [p.name for p in expand([], [lst])] == ["1.html", "2.pdf"]


def test_decode_and_title():
    gbk = '<html><head><meta charset="gbk"><title>某县2021年政府信息公开工作年度报告_某县人民政府</title>'.encode("gbk")
    html = decode(gbk)
    assert "某县" in html
    assert html_title(html) == "某县2021年政府信息公开工作年度报告"
    assert html_title("<h1>无题</h1>") == "无题"


def test_missing_and_empty_files_are_reported_and_the_import_goes_on(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    seen = []
    result = import_paths(tmp_path / "a.db", [tmp_path / "nope.pdf", tmp_path / "empty.txt"], on_file=seen.append)
    assert [(f.path.name, f.status, f.reason) for f in result.files] == [
        ("nope.pdf", "unreadable", "no such file"), ("empty.txt", "unreadable", "empty file")]
    assert seen == result.files
    run = sqlite3.connect(tmp_path / "a.db").execute(
        "select spider, pages, errors, finish_reason from crawl_runs").fetchall()
    assert run == [("import", 2, 2, "finished")]


def seed_html(stem: str) -> str:
    text = (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")
    title = json.loads((SEEDS / "expected" / f"{stem}.json").read_text(encoding="utf-8"))["agency"]
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    return (f"<html><head><meta charset='utf-8'><title>{title}2020年政府信息公开工作年度报告</title></head>"
            f"<body><h1>{title}2020年政府信息公开工作年度报告</h1>{paragraphs}</body></html>")


def test_import_files_through_the_pipeline(tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    (files / "常熟.html").write_text(seed_html("000_e9c077b201ae9dfc"), encoding="utf-8")
    (files / "双辽市政府办公室2021年度政府信息公开工作报告.txt").write_text(
        (SEEDS / "002_b58532c6c9d423bb.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (files / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf")
    fixtures = Path(__file__).parent / "fixtures"
    (files / "szfgs2024.pdf").write_bytes((fixtures / "real" / "szfgs2024.pdf").read_bytes())  # 淮安市人民政府 2024
    (files / "locked.pdf").write_bytes((fixtures / "docs" / "encrypted.pdf").read_bytes())
    (files / "news.html").write_text("<html><title>县长调研春耕生产</title><body><p>县长到乡镇调研春耕。</p></body></html>",
                                     encoding="utf-8")
    db = tmp_path / "archive.db"
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "import", str(files), "--db", str(db),
                           "--region-code", "320581"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # some files failed
    statuses = {Path(line.split(maxsplit=1)[1].split(" (report")[0].split(": ")[0]).name: line.split()[0]
                for line in proc.stdout.splitlines()}
    assert statuses["常熟.html"] == "new", proc.stdout
    assert statuses["双辽市政府办公室2021年度政府信息公开工作报告.txt"] == "new", proc.stdout
    assert statuses["szfgs2024.pdf"] == "new", proc.stdout
    assert statuses["broken.pdf"] == "unreadable" and statuses["news.html"] == "rejected"
    assert statuses["locked.pdf"] == "unreadable"
    assert "unreadable pdf" in next(line for line in proc.stdout.splitlines() if "broken.pdf" in line)
    assert "password" in next(line for line in proc.stdout.splitlines() if "locked.pdf" in line)
    conn = sqlite3.connect(db)
    urls = [u for (u,) in conn.execute("select url from report_urls order by url")]
    assert all(u.startswith("file:///") for u in urls) and len(urls) == 3
    cells = dict(conn.execute("""select r.agency, c.value from report_cells c join reports r on r.id = c.report_id
        where c.row_label = '一、本年新收政府信息公开申请数量' and c.col_label = '总计'"""))
    assert cells.get("双辽市政府办公室") == 27 and cells.get("淮安市人民政府") == 3119
    pdf = conn.execute("select title, source_kind, year from reports where url like '%szfgs2024.pdf'").fetchone()
    assert pdf == ("淮安市人民政府2024年政府信息公开工作年度报告", "pdf", 2024)  # the printed title, not the file name
    # the region comes from the agency when it names a division outside --region-code
    assert conn.execute("select city, kind from report_index where agency = '淮安市人民政府'").fetchone() == ("淮安市", "政府")
    assert conn.execute("select count(*) from rejected_pages where url like 'file://%'").fetchone()[0] == 3
    # importing again: the same content is one report; the run says so
    again = subprocess.run([sys.executable, "-m", "crawler.cli", "import", str(files / "常熟.html"), "--db", str(db)],
                           capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert again.returncode == 0 and again.stdout.startswith("unchanged")


def _import(db: Path, *args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", "import", *map(str, args), "--db", str(db)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_import_honours_the_crawls_bounds(tmp_path):
    """`-s NAME=VALUE` bounds an import as it bounds a crawl: fewer PDF pages read (and said so), a hard
    parse timeout, a zip inflation bound; the run records the bounds it changed."""
    from tests.hostile.files import report_docx

    pdf = Path(__file__).parent / "fixtures" / "real" / "szfgs2024.pdf"  # 6 pages
    docx = tmp_path / "双辽市政府办公室2021年度政府信息公开工作报告.docx"
    docx.write_bytes(report_docx())

    def report(db: Path) -> tuple[int, str | None]:
        with sqlite3.connect(db) as conn:
            return conn.execute("select cells_count, bounds_hit from reports").fetchone()

    assert _import(tmp_path / "default.db", pdf).returncode == 0
    cells, hit = report(tmp_path / "default.db")
    assert hit is None and cells > 0
    proc = _import(tmp_path / "pages.db", pdf, "-s", "PDF_MAX_PAGES=4")
    assert proc.returncode == 0, proc.stderr
    bounded_cells, hit = report(tmp_path / "pages.db")
    assert hit == "PDF pages 6 > PDF_MAX_PAGES 4: the first 4 read" and bounded_cells < cells
    with sqlite3.connect(tmp_path / "pages.db") as conn:
        assert json.loads(conn.execute("select args from crawl_runs").fetchone()[0])["limits"] == {"pdf_max_pages": 4}

    proc = _import(tmp_path / "timeout.db", pdf, "--set", "DOCUMENT_TIMEOUT_S=0.05")
    assert proc.returncode == 2 and proc.stdout.startswith("unreadable"), proc.stdout + proc.stderr
    assert "timeout after 0.05 s" in proc.stdout

    proc = _import(tmp_path / "zip.db", docx, "-s", "ZIP_MAX_INFLATED_BYTES=2000")  # a report by default (test_hostile)
    assert proc.returncode == 2 and proc.stdout.startswith("unreadable"), proc.stdout + proc.stderr
    assert "> ZIP_MAX_INFLATED_BYTES 2,000: not read" in proc.stdout


@pytest.mark.parametrize("pair", ["PDF_MAX_PAGES=abc", "PDF_MAX_PAGES=-1", "PDF_MAX_PAGES=1.5", "PDF_MAX_PAGES",
                                  "DOCUMENT_TIMEOUT_S=soon", "DOCUMENT_SOFT_TIMEOUT_S=inf", "OCR_ENABLED=maybe",
                                  "OCR_MIN_CONFIDENCE=-0.5", "CONCURRENT_REQUESTS=4", "=3"])
def test_bad_import_setting_is_one_line_naming_it(pair):
    from crawler.commands.import_settings import import_settings

    with pytest.raises(ValueError) as exc:
        import_settings([pair])
    assert len(str(exc.value).splitlines()) == 1 and pair.partition("=")[0] in str(exc.value)


def test_import_bad_setting_is_one_line_exit_2(tmp_path):
    proc = _import(tmp_path / "a.db", tmp_path / "x.pdf", "-s", "PDF_MAX_PAGES=many")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "nianbao import: PDF_MAX_PAGES=many: must be a whole number ≥ 0\n"
    assert not (tmp_path / "a.db").exists()  # nothing was started


def test_import_settings_are_the_crawls(monkeypatch):
    from crawler.commands.import_settings import import_settings
    from pipelines.bounds import DEFAULT
    from pipelines.ocr import ENV, OcrLimits

    monkeypatch.delenv(ENV, raising=False)  # import_settings sets it, as the crawl does: restored after the test

    assert import_settings([]) == (DEFAULT, 120.0)  # settings/base.py, as `scrapy crawl` reads them
    limits, timeout = import_settings(["PAGE_MAX_CHARS=5000", "DOCUMENT_TIMEOUT_S=30", "OCR_MAX_PAGES=3"])
    assert (limits.page_max_chars, timeout, OcrLimits.from_env().max_pages) == (5000, 30.0, 3)
    assert OcrLimits.from_env().timeout == 18.0  # OCR_TIMEOUT_S capped at 0.6 x DOCUMENT_TIMEOUT_S, as in the crawl

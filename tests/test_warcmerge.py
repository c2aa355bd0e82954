"""`nianbao warc-merge` (crawler/distributed/warcmerge.py): a worker's WARC files copied into the archive's
WARC directory, every `warc_records` row checked against the record at its offset, rows rewritten."""

from __future__ import annotations

import shutil

import pytest

from crawler.distributed.warcmerge import MergeError, merge
from pipelines import store
from tests.test_warc import PAGE, extension, fetch, warc_files


@pytest.fixture
def worker(tmp_path):
    """A worker's WARC directory (two responses) and the archive holding its rows."""
    ext = extension(tmp_path / "worker", WARC_DIR=str(tmp_path / "worker" / "warc"))
    for i in range(2):
        fetch(ext, f"http://www.x.gov.cn/nb/t{i}.html", PAGE.encode("gbk") + bytes([i]))
    ext.closed()
    db_path = tmp_path / "archive" / "archive.db"
    db_path.parent.mkdir()
    db = store.open_archive(db_path)
    store.log_captures(db, ext.crawler.warc_rows)
    db.close()
    return db_path, tmp_path / "worker" / "warc"


def test_merge_copies_checks_and_rewrites_rows(worker):
    db_path, src = worker
    (name,) = [p.name for p in warc_files(src)]
    result = merge(db_path, [src], subdir="worker-a")
    assert result.copied == [name] and result.rows == 2
    assert (db_path.parent / "warc" / "worker-a" / name).read_bytes() == (src / name).read_bytes()
    db = store.open_archive(db_path)
    assert {r[0] for r in db.execute("select warc_file from warc_records")} == {f"worker-a/{name}"}
    db.close()


def test_same_name_other_content_is_refused(worker):
    db_path, src = worker
    (path,) = warc_files(src)
    (db_path.parent / "warc").mkdir()
    shutil.copy(path, db_path.parent / "warc" / path.name)
    with (db_path.parent / "warc" / path.name).open("ab") as fh:
        fh.write(b"\0")
    with pytest.raises(MergeError, match="other content"):
        merge(db_path, [src])


@pytest.mark.parametrize("shift", [1, 100])
def test_a_row_without_its_record_is_refused(worker, shift):
    db_path, src = worker
    db = store.open_archive(db_path)
    db.execute("update warc_records set offset = offset + ? where id = (select max(id) from warc_records)", [shift])
    db.conn.commit()
    db.close()
    with pytest.raises(MergeError, match="no record"):
        merge(db_path, [src])

"""Every phone and fax of the contact passage (`reports.contact_phones`, `contact_faxes`): extracted,
stored, migrated into old archives (NULL there) and filled by `nianbao reprocess`. The phrasing ×
number form × separator × fax arrangement × trap matrix is bench/metadata_classes.py `phones`
(asserted case by case in tests/test_metadata_classes.py)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from crawler.commands.reprocess import reprocess
from pipelines.metadata import extract_metadata
from pipelines.normalize import normalize_text
from pipelines.process import process
from pipelines.records import Fetched
from pipelines.store import open_archive, save_report
from tests.test_reprocess_quick import _build

HEAD = "青山县审计局2023年政府信息公开工作年度报告\n一、总体情况\n2023年，我局主动公开信息120条。\n"


def _meta(passage: str):
    meta = extract_metadata("", normalize_text(HEAD + passage + "\n网站运维电话：0566-2567602 邮编：247000\n"))
    return meta.contact_phone, json.loads(meta.contact_phones), json.loads(meta.contact_faxes)


@pytest.mark.parametrize(("passage", "phone", "phones", "faxes"), [
    ("如对本报告有疑问，请与县审计局办公室联系。联系电话：0517-86541234、13912345678；传真：0517-86541235。",
     "0517-86541234", ["0517-86541234", "13912345678"], ["0517-86541235"]),
    ("如对本报告有疑问，请联系：咨询电话：0517-86541234转8001；投诉电话：0517-86549999。",
     "0517-86541234-8001", ["0517-86541234-8001", "0517-86549999"], []),
    ("联系方式：电话/传真 0517-86541234，地址：青山县人民路88号。",
     "0517-86541234", ["0517-86541234"], ["0517-86541234"]),
    ("如有疑问，请联系县审计局，传真：0517-86541235，电话：0517-86541234（工作日8:30-17:30），邮编：223100。",
     "0517-86541234", ["0517-86541234"], ["0517-86541235"]),
    # only a fax is printed: no number to call
    ("如对本报告有疑问，请与县审计局联系，传真：0517-86541235，邮政编码：223100。", None, [], ["0517-86541235"]),
    # numbers of the passage without a phone label (a count, a 文号) are never phones
    ("如对本报告有疑问，请与县审计局联系。本年度接听咨询86541234次，青审发〔2023〕8654123号。", None, [], []),
])
def test_every_phone_and_fax_of_the_passage(passage, phone, phones, faxes):
    assert _meta(passage) == (phone, phones, faxes)


def test_no_contact_passage_is_an_empty_list_not_null():
    """[] = read and none printed; NULL is kept for rows a parser older than these columns wrote."""
    meta = extract_metadata("", HEAD)
    assert (meta.contact_phone, meta.contact_phones, meta.contact_faxes) == (None, "[]", "[]")


def test_process_and_store_keep_every_phone(db):
    html = ("<html><head><title>青山县审计局2023年政府信息公开工作年度报告</title></head><body><div class='content'>"
            "<h1>青山县审计局2023年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>" + "本年度，我局认真落实条例。" * 20
            + "</p><p>如对本报告有疑问，请与青山县审计局办公室联系（电话：0517-86541234或13912345678，"
            "传真：0517-86541235，邮编：223100）。</p><p>青山县审计局</p><p>2024年1月15日</p></div></body></html>")
    report = process(Fetched(url="http://sj.qs.gov.cn/nb/1.html", html=html, title="青山县审计局2023年政府信息公开工作年度报告"))
    assert report.contact_phones == '["0517-86541234", "13912345678"]'
    _, rid = save_report(db, report, None)
    row = db.execute("select contact_phone, contact_phones, contact_faxes from reports where id = ?", [rid]).fetchone()
    assert row == ("0517-86541234", '["0517-86541234", "13912345678"]', '["0517-86541235"]')


def test_an_old_archive_migrates_in_place_with_null_lists(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("create table reports (id integer primary key, url text, title text, contact_phone text)")
    conn.execute("insert into reports (url, title, contact_phone) values ('http://x.gov.cn/a.html', 't', '0517-86541234')")
    conn.commit()
    conn.close()
    db = open_archive(path)
    row = db.execute("select contact_phone, contact_phones, contact_faxes from reports").fetchone()
    assert row == ("0517-86541234", None, None)  # not guessed from contact_phone: it may have had company


def test_reprocess_fills_the_lists_of_an_older_archive(tmp_path):
    db_path = _build(tmp_path)
    db = open_archive(db_path)
    filled = {r[0]: (r[1], r[2]) for r in db.execute("select id, contact_phones, contact_phone from reports")}
    db.execute("update reports set contact_phones = null, contact_faxes = null")  # rows of an older parser
    db.close()
    lines: list[str] = []
    summary = reprocess(db_path, out=lines.append)
    assert len(summary.changed) == len(filled)
    assert all("contact_phones" in line for line in lines if line.startswith("report "))
    db = open_archive(db_path)
    again = {r[0]: (r[1], r[2]) for r in db.execute("select id, contact_phones, contact_phone from reports")}
    assert again == filled
    for phones, first in again.values():
        assert (json.loads(phones) or [None])[0] == first

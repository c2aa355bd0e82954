"""Descriptions of every archive table and column: the one source for the data dictionary shipped
with exports, datasette's metadata and the README section. Tables and columns come from
`pipelines.store.TABLES`; tests fail when a column has no description here.

    python -m pipelines.schema_docs --write   # regenerate crawler/datasette/metadata.yml and docs/schema.md
    python -m pipelines.schema_docs --check   # exit 1 when either is out of date (tests/test_docs.py too)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from pipelines.store import TABLES

ROOT = Path(__file__).resolve().parent.parent
DATASETTE_DIR = ROOT / "crawler" / "datasette"  # package data: the wheel carries it for `nianbao serve`
CANNED_YML = DATASETTE_DIR / "canned.yml"
METADATA_YML = DATASETTE_DIR / "metadata.yml"
SCHEMA_MD = ROOT / "docs" / "schema.md"
# search indexes (pipelines/search.py): not in TABLES, described once here
INDEX_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "reports_words": ("FTS5 word index (default tokenizer, contentless: columns read NULL) over reports' text "
                      "segmented by jieba with U+200B between words; rowid = reports.id. MATCH with "
                      "pipelines.words.fts_query or datasette's box; snippets from reports.body_text.",
                      {"title": "reports.title, segmented (indexed, not stored)",
                       "agency": "reports.agency, segmented (indexed, not stored)",
                       "body_text": "reports.body_text, segmented (indexed, not stored)"}),
    "reports_words_pending": ("Reports whose words are not indexed yet, with the values the index still holds "
                              "for them (filled by triggers on reports, emptied when the archive is opened for "
                              "writing).", {"report_id": "reports.id", "indexed": "1: the index holds the values below",
                                            "title": "indexed title", "agency": "indexed agency",
                                            "body_text": "indexed body_text"}),
    "reports_words_meta": ("The word index's segmenter version (pipelines.words.VERSION); a change re-indexes.",
                           {"key": "'segmenter'", "value": "version"}),
    "reports_fts": ("FTS5 trigram index over reports (external content = reports, no copy of the text; kept current by "
                    "triggers): LIKE/GLOB on its columns for any substring of 3+ characters, MATCH for 3-character "
                    "tokens and phrases (`MATCH '\"信息处理费\"'`); rowid = reports.id.",
                    {"title": "reports.title", "agency": "reports.agency", "body_text": "reports.body_text"}),
}

TABLE_DOCS: dict[str, str] = {
    "reports": "One row per distinct report (same content at several URLs is one report).",
    "report_urls": "Every URL (page, attachment, or file:// of a local import) where a report was seen.",
    "report_cells": "Every number of the three statistical tables, under the canonical keys of the official format. "
                    "A view (writable) over the compact store cell_keys + cell_values (docs/data-path.md).",
    "report_checks": "Consistency checks per report: R1 勾稽关系, R2 (七)总计, R3 总计 column, R4 复议/诉讼 总计. "
                     "A view (writable) over the compact store check_keys + check_values (docs/data-path.md).",
    "crawl_runs": "One row per crawl (or local import) with its counts and finish reason.",
    "fetch_log": "Every HTTP response and fetch error of every crawl.",
    "portal_health": "Each portal's health in each crawl: status, main failure class, pages, reports, empty runs (nianbao health).",
    "portal_lists": "Each portal's 年报 list URLs (pages that answered as lists); a known list gone makes the crawl site-changed.",
    "portal_health_parts": "Distributed workers' shares of a pass's portal health, merged by `nianbao writer` into portal_health.",
    "rejected_pages": "Pages that looked like reports but are not, with the reason.",
    "portals": "Portals crawled (from the portal CSV).",
    "divisions": "Administrative divisions (GB/T 2260, 2024): provinces, prefectures, counties.",
    "report_regions": "Each report's division, level (省/市/县/乡), kind (政府/部门) and legal deadline.",
    "report_index": "View: reports with their region, deadline and lateness; the table to browse and facet.",
    "agency_years": "Reports per agency, division and year, kept current by triggers on every write (the coverage "
                    "listings read it instead of grouping every report; pipelines/store/coverage_totals.py).",
    "region_years": "agency_years summed per region (province, city, county, level, kind) and year, kept by triggers "
                    "on agency_years (coverage_by_region and late reports by province read it).",
    "region_agencies": "agency_years rows per region and agency, kept by triggers on agency_years (the agencies "
                       "of each region without reading every agency-year row).",
    "report_cell_totals": "View: every cell key's sum and counts per report year, kept current on every write "
                          "(table cell_year_totals): whole-archive aggregates without reading every cell "
                          "(docs/data-path.md).",
    "report_versions": "Earlier contents of revised reports (the row in reports is always the newest version).",
    "report_minhash": "MinHash signature of each report's current content (near-duplicate detection).",
    "report_lsh": "LSH buckets of the MinHash signatures: reports sharing a bucket are near-duplicate candidates.",
    "http_validators": "ETag, Last-Modified and body hash of every archived page or attachment, for conditional re-crawls.",
    "warc_records": "Where each HTTP capture lies in the WARC files (WARC_DIR), linked to its report.",
    "stream_applied": "Messages of distributed workers already written by `nianbao writer` (exactly-once writes).",
}

COLUMN_DOCS: dict[str, dict[str, str]] = {
    "reports": {
        "id": "primary key",
        "url": "URL where the report was first archived (page, attachment, or file:// for imports)",
        "title": "title as published",
        "agency": "publishing agency (机关)",
        "year": "the report's subject year (统计期限), not the publication year",
        "published_at": "ISO 8601 publication time: the page's 发布时间, else the signature date",
        "signature_date": "date under the closing signature",
        "contact_phone": "phone from the 如对本报告有任何疑问… sentence (the first of contact_phones)",
        "contact_address": "postal address from the contact sentence",
        "contact_postcode": "postcode from the contact sentence",
        "contact_email": "e-mail from the contact sentence",
        "template": "official format detected from the table labels: 2019 (〔2019〕60号) or 2021 (〔2021〕30号)",
        "source_kind": "what the report was read from: html, pdf, docx, doc, xls, txt, image",
        "portal": "portal name (portals.name), or local-import",
        "region_code": "6-digit division code of the portal's government (from the portal CSV)",
        "index_no": "索引号 from the page's metadata block",
        "doc_no": "文号 from the page's metadata block",
        "body_text": "cleaned body text, Simplified script, portal chrome removed (full-text indexed)",
        "needs_ocr": "1 when the document is a scan (image-only PDF, image) that OCR has not read",
        "cells_count": "number of table cells read",
        "nulls_count": "cells printed blank, —, / or - (value NULL)",
        "checks_failed": "number of failing consistency checks (report_checks.ok = 0)",
        "table_flags": "notes of the table parser (doubled digits, shifted columns, …)",
        "table_errors": "table parser errors; the report is kept",
        "contact_phones": "every number to call printed in the contact passage (联系/咨询/投诉电话, 电话/传真, "
                          "mobiles), JSON array in printed order, normalised like contact_phone; [] when none; "
                          "NULL in rows written before this column (`nianbao reprocess` fills it)",
        "contact_faxes": "every fax number of the contact passage (传真, and 电话/传真 numbers, which are both), "
                         "JSON array; [] when none; NULL in rows written before this column",
        "bounds_hit": "bounds this document hit (docs/hostile-input.md), each with its setting and what was kept; "
                      "NULL when none",
        "content_hash": "hash of body text and cells: identical content is one report",
        "first_seen": "UTC time the report was first archived",
        "last_seen": "UTC time the report was last seen",
        "first_run_id": "crawl_runs.id of the first sighting",
        "last_run_id": "crawl_runs.id of the last sighting",
        "version": "1 for a report never revised; n after n-1 revisions (earlier ones in report_versions)",
        "agency_source": "where agency came from: title, document title, preamble, signature, page field, "
                         "compiled by, contact (docs/documents.md Metadata)",
        "published_source": "where published_at came from: meta pubdate, page 发布时间, linking page, signature date …",
        "metadata_flags": "metadata ambiguities, '; '-joined: two 发布时间 that disagree (all kept), a 来源 field "
                          "naming another body",
        "parser_version": "PARSER_VERSION of the parsers that produced this row (nianbao reprocess updates it)",
        "ocr_engine": "OCR engine and version that read this scan (e.g. rapidocr 3.10.0); NULL when not OCR'd",
        "ocr_model": "OCR models that read this scan (re-read scans when a better model comes)",
        "ocr_confidence": "mean engine confidence (0-1) over the numbers OCR read",
    },
    "report_urls": {
        "report_id": "reports.id",
        "url": "URL as fetched (file:///… for a local import)",
        "canonical_url": "URL normalised for deduplication",
        "kind": "page, attachment or file",
        "portal": "portal it was found on",
        "page_url": "for an attachment: the page that linked it",
        "first_seen": "UTC time first seen at this URL",
        "last_seen": "UTC time last seen at this URL",
        "gone_at": "UTC time a crawl found this URL gone from the portal (404/410 or soft 404); the report stays",
        "gone_run_id": "crawl_runs.id of the crawl that found it gone",
        "gone_status": "404, 410 or soft404",
    },
    "report_cells": {
        "report_id": "reports.id",
        "table_name": "one of 主动公开政府信息情况, 收到和处理政府信息公开申请情况, 政府信息公开行政复议、行政诉讼情况",
        "row_label": "canonical row key (nested headings joined by /; '' for the 复议/诉讼 table)",
        "col_label": "canonical column key (atomic: 本年增/减 contains a literal /)",
        "value": "the number (unit suffix stripped); NULL for blank, —, / or ambiguous cells",
        "raw": "cell text exactly as printed",
        "unit": "万元 when the cell or its header prints it",
        "flag": "null_marker, doubled_digits, 'ambiguous: <why>', blank_row (a row printed blank: NULL), ragged_row "
                "(kept: every one-cell shift of a ragged row agrees), row_unsure (NULL: PDF text values between two rows), "
                "ocr (read from a scan), ocr_unreadable (NULL: OCR unsure) … (docs/tables.md)",
    },
    "report_checks": {
        "report_id": "reports.id",
        "rule": "R1 勾稽关系, R2 (七)总计 = result rows, R3 总计 = applicant columns, R4 复议/诉讼 总计; D1/D2 across years",
        "scope": "the column (R1/R2), row (R3) or group (R4) checked",
        "expected": "left-hand side of the rule",
        "actual": "right-hand side of the rule",
        "ok": "1 when the rule holds",
    },
    "crawl_runs": {
        "id": "primary key",
        "started_at": "UTC start time",
        "finished_at": "UTC end time (NULL if the process was killed)",
        "spider": "portals, or import for nianbao import",
        "args": "spider arguments as JSON",
        "portals": "number of portals in the run",
        "pages": "responses received",
        "bytes": "bytes downloaded",
        "not_modified": "HTTP 304 answers (unchanged since the last crawl)",
        "reports_new": "reports archived for the first time",
        "reports_updated": "reports whose content changed at a known URL",
        "reports_unchanged": "reports seen again with the same content",
        "rejected": "look-alike pages rejected",
        "errors": "fetch errors",
        "finish_reason": "finished, shutdown (interrupted), closespider_* …",
        "run_key": "a distributed worker's run id on the stream (NULL for single-process crawls)",
        "worker": "host:pid of the distributed worker that ran the crawl (NULL for single-process crawls)",
        "warc_dir": "host:directory where the worker's WARC files are until `nianbao warc-merge` brings them here",
    },
    "portal_lists": {
        "portal": "portal name",
        "url": "a page of the portal that answered 200 as a list of reports (not a pager page)",
        "first_run_id": "crawl_runs.id of the first crawl that saw it as a list",
        "last_run_id": "crawl_runs.id of the latest crawl that saw it as a list",
        "last_seen_at": "UTC time of that crawl's health record",
        "gone_at": "UTC time it was found answering 404/410 or a soft 404 (then the portal's run is site-changed)",
        "gone_run_id": "crawl_runs.id of that crawl",
        "gone_status": "404, 410 or soft404",
    },
    "portal_health_parts": {
        "pass_key": "the pass (<prefix>:<NIANBAO_PASS>:<spider>) the worker crawled",
        "run_id": "crawl_runs.id of the worker's run",
        "portals": "JSON list of the portals the worker was given",
        "health": "JSON of the worker's per-portal counts (crawler/health.py PortalHealth.to_dict)",
        "received_at": "UTC time the writer received it",
    },
    "portal_health": {
        "run_id": "crawl_runs.id",
        "portal": "portal name",
        "status": "ok, degraded (reports but failed requests), no-report, site-changed, unreachable",
        "failure": "main failure class: dns, refused, timeout, tls, http4xx, http5xx, waf, soft404, offsite-redirect …",
        "pages": "pages fetched for this portal",
        "reports_new": "reports archived for the first time",
        "reports_seen": "reports found again (unchanged or updated)",
        "failures": "JSON {failure class: count}; robots (robots.txt refusals) are polite skips, not errors",
        "examples": "JSON {failure class: one URL and detail}",
        "hosts_down": "JSON list of hosts whose circuit opened (their other requests dropped)",
        "gone": "known report URLs found gone in this crawl",
        "consecutive_empty": "crawls in a row without a report found or seen, this one included",
        "last_good_run": "crawl_runs.id of the latest crawl with status ok",
        "checked_at": "UTC time",
    },
    "fetch_log": {
        "id": "primary key",
        "run_id": "crawl_runs.id",
        "url": "URL requested",
        "portal": "portal name",
        "kind": "column, next, report, attachment, page, robots",
        "status": "HTTP status (NULL for network errors)",
        "bytes": "response size",
        "content_type": "Content-Type header",
        "error": "error text, NULL on success",
        "referer": "page that linked the URL",
        "fetched_at": "UTC time",
    },
    "rejected_pages": {
        "id": "primary key",
        "run_id": "crawl_runs.id",
        "url": "URL of the page or file",
        "portal": "portal name",
        "title": "title of the page",
        "reason": "why it is not a report",
        "seen_at": "UTC time",
    },
    "portals": {
        "name": "portal name (unique)",
        "start_url": "where its crawl starts",
        "render": "1 when its lists need a browser",
        "region_code": "6-digit division code of its government",
        "last_run_id": "crawl_runs.id of its last crawl",
    },
    "divisions": {
        "code": "6-digit GB/T 2260 code",
        "name": "name (北京市, 常熟市, 海淀区)",
        "level": "province, prefecture or county",
        "parent_code": "code of the enclosing division",
        "full_name": "names from the province down, joined by /",
    },
    "report_regions": {
        "report_id": "reports.id",
        "code": "division code (the county for a township)",
        "province": "province (省级)",
        "city": "prefecture-level city; the municipality itself for 直辖市 districts",
        "county": "county-level division (县/区/县级市)",
        "level": "省, 市, 县 or 乡 (乡镇/街道 from the agency name)",
        "kind": "政府 (a government's own report, incl. its 办公室/办公厅) or 部门 (a department's)",
        "township": "乡镇/街道 name when level = 乡",
        "deadline": "legal deadline (条例第四十九条): 部门 year+1-01-31, governments year+1-03-31",
        "days_late": "published_at − deadline in days (> 0: late; NULL: date unknown)",
        "agency_canonical": "reports.agency from its own division down: names of the divisions above it dropped "
                            "(淮安市洪泽区人民政府 → 洪泽区人民政府); groups one body's years, unique with code",
    },
    "report_versions": {
        "id": "primary key",
        "report_id": "reports.id of the report (which now holds a later version)",
        "version": "this version's number (1 = first archived)",
        "content_hash": "content hash of this version; seeing it again counts as unchanged",
        "similarity": "estimated Jaccard similarity (MinHash) to the version that replaced it",
        "url": "URL where this version was first archived",
        "title": "title of this version",
        "published_at": "publication time of this version",
        "body_text": "body text of this version",
        "cells": "this version's report_cells rows as JSON",
        "checks": "this version's report_checks rows as JSON",
        "first_seen": "UTC time this version was first archived",
        "last_seen": "UTC time this version was last seen (an unrevised mirror may keep serving it)",
        "first_run_id": "crawl_runs.id that first archived this version",
        "replaced_at": "UTC time a newer version replaced it",
        "replaced_run_id": "crawl_runs.id of the replacing crawl",
    },
    "report_minhash": {
        "report_id": "reports.id",
        "signature": "128 MinHash values (little-endian uint32) over character 4-grams and table cells",
    },
    "report_lsh": {
        "bucket": "band number and hash of that band of the signature (16 bands of 8 values)",
        "report_id": "reports.id",
    },
    "http_validators": {
        "url": "URL as fetched",
        "kind": "link kind that led to it: column, next, report, page or attachment",
        "etag": "ETag header of the last full response (sent as If-None-Match)",
        "last_modified": "Last-Modified header of the last full response (sent as If-Modified-Since)",
        "sha256": "sha256 of the last full response body (same bytes without validators = unchanged)",
        "report_id": "reports.id the document belongs to",
        "last_status": "HTTP status of the last fetch: 200, or 304 not modified",
        "first_seen": "UTC time first archived",
        "last_seen": "UTC time last fetched",
        "last_run_id": "crawl_runs.id of the last fetch",
        "is_report": "1 when the page was a report candidate (never skipped on 304 unless archived)",
        "memo": "zlib-compressed JSON of the page's title, metadata and links, followed again after a 304",
    },
    "warc_records": {
        "id": "primary key",
        "run_id": "crawl_runs.id",
        "url": "URL of the capture",
        "warc_file": "file name in WARC_DIR (default: warc/ beside the archive)",
        "offset": "byte offset of the record in the file (gzip member start)",
        "length": "compressed length of the record",
        "record_type": "response, or revisit (a 304, or the same payload as the last capture)",
        "record_id": "WARC-Record-ID",
        "digest": "WARC-Payload-Digest (sha1, base32)",
        "status": "HTTP status",
        "kind": "column, next, report, attachment, page",
        "fetched_at": "WARC-Date",
        "report_id": "reports.id when the capture is an archived page or attachment",
    },
    "stream_applied": {
        "msg_id": "id of a stream message already written (a redelivered message is skipped)",
        "run_id": "crawl_runs.id of the worker run that sent it",
        "kind": "message kind: run_start, report, rejected, fetches, memos, not_modified, captures, run_finish",
        "applied_at": "UTC time it was written",
    },
    "agency_years": {
        "agency": "reports.agency ('' = none)", "division_code": "report_regions.division_code ('' = none)",
        "year": "report year (0 = unknown)", "province": "as in report_regions", "city": "as in report_regions",
        "county": "as in report_regions", "level": "as in report_regions", "kind": "as in report_regions",
        "reports": "reports of this agency, division and year", "late": "of them, published after the deadline "
        "(days_late > 0)", "undated": "of them, lateness unknown (no 发布时间 or no region row)",
        "checked": "of them, with checks_failed known", "failing": "of them, with checks_failed > 0",
    },
    "region_years": {
        "province": "as in agency_years", "city": "as in agency_years", "county": "as in agency_years",
        "level": "as in agency_years", "kind": "as in agency_years", "year": "report year (0 = unknown)",
        "reports": "reports of this region and year", "late": "of them, late (days_late > 0)",
        "undated": "of them, lateness unknown", "checked": "of them, with checks_failed known",
        "failing": "of them, with checks_failed > 0",
    },
    "region_agencies": {
        "province": "as in agency_years", "city": "as in agency_years", "county": "as in agency_years",
        "agency": "agency_years.agency ('' = none)", "rows": "agency_years rows of this agency in this region",
    },
    "report_cell_totals": {
        "year": "report year (NULL: unknown)", "table_name": "as in report_cells", "row_label": "as in report_cells",
        "col_label": "as in report_cells", "reports": "reports of that year with this cell",
        "values_count": "of them, cells with a number (value not NULL)",
        "value_sum": "sum of the values (NULL when none has a number, like SQL sum())",
    },
    "report_index": {
        "id": "reports.id", "agency": "publishing agency", "year": "subject year", "title": "title",
        "published_at": "publication time", "deadline": "legal deadline", "days_late": "days after the deadline",
        "late": "1 late, 0 on time, NULL unknown", "template": "2019 or 2021", "checks_failed": "failing checks",
        "cells_count": "cells read", "nulls_count": "blank cells", "source_kind": "html, pdf, …",
        "province": "province", "city": "city", "county": "county", "township": "township", "level": "省/市/县/乡",
        "kind": "政府/部门", "division_code": "division code", "region_code": "portal's region code",
        "portal": "portal", "url": "report URL",
    },
}

FACETS: dict[str, list[str]] = {
    # four facets: one row above the data; city, county, kind, template are offered as suggested facets
    "report_index": ["province", "year", "level", "late"],
    "reports": ["year", "template", "checks_failed", "source_kind", "portal"],
    "report_cells": ["table_name", "flag"],
    "report_checks": ["rule", "ok"],
    "report_regions": ["province", "level", "kind"],
}


def documented_tables() -> dict[str, dict[str, Any]]:
    """TABLES plus the views, with their column lists."""
    tables = {name: list(spec["columns"]) for name, spec in TABLES.items()}
    tables["report_index"] = list(COLUMN_DOCS["report_index"])
    tables["report_cell_totals"] = list(COLUMN_DOCS["report_cell_totals"])
    tables["agency_years"] = list(COLUMN_DOCS["agency_years"])
    tables["region_years"] = list(COLUMN_DOCS["region_years"])
    tables["region_agencies"] = list(COLUMN_DOCS["region_agencies"])
    return {name: {"description": TABLE_DOCS.get(name, ""), "columns": {c: COLUMN_DOCS.get(name, {}).get(c, "")
                                                                      for c in cols}} for name, cols in tables.items()}


def undocumented() -> list[str]:
    return [f"{t}.{c}" for t, spec in documented_tables().items() for c, d in spec["columns"].items() if not d] + [
        t for t, spec in documented_tables().items() if not spec["description"]]


def render_markdown() -> str:
    out = ["# Data dictionary", ""]
    for name, spec in documented_tables().items():
        out += [f"### `{name}`", "", spec["description"], "", "| column | meaning |", "|---|---|"]
        out += ["| `" + c + "` | " + d.replace("|", "\\|") + " |" for c, d in spec["columns"].items()]
        out.append("")
    return "\n".join(out)


def build_metadata() -> dict[str, Any]:
    canned = yaml.safe_load(CANNED_YML.read_text(encoding="utf-8"))
    tables: dict[str, Any] = {}
    for name, spec in documented_tables().items():
        entry: dict[str, Any] = {"description": spec["description"], "columns": spec["columns"]}
        if name in FACETS:
            entry["facets"] = FACETS[name]
        if name in ("reports", "report_index"):
            entry.update(fts_table="reports_words", fts_pk="id", sort_desc="year")  # the word index
        tables[name] = entry
    for fts in ("reports_fts", "reports_words"):
        for suffix in ("", "_data", "_idx", "_docsize", "_config", "_content"):
            tables[fts + suffix] = {"hidden": True}
    tables["reports_words_pending"] = {"hidden": True}
    tables["reports_words_meta"] = {"hidden": True}
    for store_table in ("cell_keys", "cell_values", "cell_year_totals", "check_keys", "check_values"):  # storage behind report_cells, report_cell_totals
        tables[store_table] = {"hidden": True}
    db = {"description": canned.get("database_description", ""), "tables": tables, "queries": canned["queries"]}
    return {k: v for k, v in canned.items() if k not in ("queries", "database_description")} | {
        "databases": {"*": db}}


def metadata_for(db_name: str) -> dict[str, Any]:
    """The metadata with the database key datasette will use for a file (its stem)."""
    meta = build_metadata()
    meta["databases"] = {db_name: meta["databases"]["*"]}
    if "description_html" in meta:
        meta["description_html"] = meta["description_html"].replace("/archive/", f"/{db_name}/")
    return meta


def metadata_yaml() -> str:
    header = "# Generated by `python -m pipelines.schema_docs --write` from pipelines/schema_docs.py and\n" \
             "# crawler/datasette/canned.yml; `nianbao serve` regenerates it for the database it serves.\n"
    return header + yaml.safe_dump(metadata_for("archive"), allow_unicode=True, sort_keys=False, width=120)


def schema_page() -> str:
    """docs/schema.md: the one description of the archive's tables, views and search indexes."""
    body = render_markdown().replace("# Data dictionary", "", 1).strip()
    out = ["# Archive schema", "",
           "<!-- Generated by `python -m pipelines.schema_docs --write` from pipelines/schema_docs.py and the",
           "     schema definition (pipelines/store/schema.py). Do not edit: tests/test_docs.py fails on drift. -->", "",
           "One SQLite file (WAL mode). Tables and columns are a public interface: later versions add, never",
           "rename or drop. Every write of a report (row, URLs, cells, checks, region, words) is one transaction.",
           "The same text is `data_dictionary.md` in every snapshot and the column descriptions in datasette.",
           "", "## Tables and views", "", body.replace("### `", "### `"), "", "## Search indexes", ""]
    for name, (desc, cols) in INDEX_DOCS.items():
        out += [f"### `{name}`", "", desc, "", "| column | meaning |", "|---|---|"]
        out += [f"| `{c}` | {d} |" for c, d in cols.items()]
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite crawler/datasette/metadata.yml and docs/schema.md")
    parser.add_argument("--check", action="store_true", help="exit 1 when crawler/datasette/metadata.yml or docs/schema.md "
                                                            "differs from what --write would write")
    args = parser.parse_args(argv)
    missing = undocumented()
    if missing:
        print("undocumented: " + ", ".join(missing), file=sys.stderr)
        return 1
    if args.write:
        METADATA_YML.write_text(metadata_yaml(), encoding="utf-8")
        SCHEMA_MD.write_text(schema_page(), encoding="utf-8")
    elif args.check:
        stale = [str(p.relative_to(ROOT)) for p, text in ((METADATA_YML, metadata_yaml()), (SCHEMA_MD, schema_page()))
                 if not p.is_file() or p.read_text(encoding="utf-8") != text]
        if stale:
            print("out of date (run python -m pipelines.schema_docs --write): " + ", ".join(stale), file=sys.stderr)
            return 1
    else:
        print(render_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())

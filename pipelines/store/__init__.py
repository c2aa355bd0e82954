"""The archive: one SQLite file written with sqlite-utils, by one writer.

    schema    tables, indexes, migrations (`ensure_schema`), `open_archive`, `transaction`
    reports   the report writer with versions (`save_report`)
    memos     conditional-request validators and page memos (`mark_seen`, `remember_pages`)
    runs      crawl runs, fetch log, rejections, portals
    captures  WARC capture rows and their links to reports

`from pipelines.store import X` keeps working for every name below.
"""

from pipelines.store.captures import link_captures, log_captures
from pipelines.store.memos import mark_seen, remember_pages
from pipelines.store.reports import REPORT_FIELDS, save_report, write_region
from pipelines.store.runs import (
    finish_run,
    log_fetches,
    progress_run,
    record_rejected,
    start_run,
    upsert_portals,
)
from pipelines.store.schema import (
    INDEXES,
    SCHEMA_VERSION,
    TABLES,
    ensure_schema,
    now_iso,
    open_archive,
    transaction,
)

__all__ = [
    "INDEXES", "REPORT_FIELDS", "SCHEMA_VERSION", "TABLES", "ensure_schema", "finish_run", "link_captures",
    "log_captures", "log_fetches", "mark_seen", "now_iso", "open_archive", "progress_run", "record_rejected", "remember_pages",
    "save_report", "start_run", "transaction", "upsert_portals", "write_region",
]

"""Datasette plugin: a readable report page at /-/report/<id> with its three tables rebuilt from
report_cells in the official layout (rows and columns of pipelines/data/report-format.json for the
report's template), the consistency checks, region and deadline, and every URL; plus links from
report titles in table views."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from pipelines.figures import failing_rules

FORMAT = json.loads((files("pipelines") / "data" / "report-format.json").read_text(encoding="utf-8"))
TABLE_ORDER = ["主动公开政府信息情况", "收到和处理政府信息公开申请情况", "政府信息公开行政复议、行政诉讼情况"]
NESTED_COLUMNS = {"收到和处理政府信息公开申请情况", "政府信息公开行政复议、行政诉讼情况"}  # table 1 labels are atomic


def header_rows(cols: list[str], nested: bool) -> list[list[dict[str, Any]]]:
    """Column headers with colspans/rowspans from '/'-joined labels (法人或其他组织/商业企业)."""
    paths = [c.split("/") if nested else [c] for c in cols]
    depth = max((len(p) for p in paths), default=1)
    rows: list[list[dict[str, Any]]] = []
    for level in range(depth):
        row, i = [], 0
        while i < len(paths):
            p = paths[i]
            if len(p) <= level:
                i += 1
                continue
            j = i + 1
            while j < len(paths) and len(paths[j]) > level and paths[j][: level + 1] == p[: level + 1] \
                    and len(p) > level + 1:
                j += 1
            row.append({"text": p[level], "colspan": j - i, "rowspan": depth - level if len(p) == level + 1 else 1})
            i = j
        rows.append(row)
    return rows


def body_rows(rows: list[str], cols: list[str], cells: dict[tuple[str, str], dict[str, Any]],
              template_cells: set[tuple[str, str]], table: str = "",
              failing: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Row labels as nested headings (三、本年度办理结果 › (三)不予公开 › 1.属于国家秘密) and their values."""
    out, seen = [], set()
    for row in rows:
        parts = row.split("/") if row else [""]
        for depth in range(len(parts) - 1):
            prefix = "/".join(parts[: depth + 1])
            if prefix not in seen:
                seen.add(prefix)
                out.append({"heading": True, "label": parts[depth], "depth": depth, "values": []})
        values = []
        for col in cols:
            cell = cells.get((row, col))
            in_template = (row, col) in template_cells or not template_cells
            fails = failing_rules(table, row, col, failing) if failing else []
            values.append({"cell": cell, "blank": not in_template, "fails": fails})
        out.append({"heading": False, "label": parts[-1], "depth": len(parts) - 1, "values": values})
    return out


def build_tables(template: str | None, cells: list[dict[str, Any]],
                 failing: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    by_table: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for c in cells:
        by_table.setdefault(c["table_name"], {})[(c["row_label"], c["col_label"])] = c
    spec = FORMAT.get(template or "") or {}
    tables = []
    for name in [*TABLE_ORDER, *sorted(set(by_table) - set(TABLE_ORDER))]:
        table_cells = by_table.get(name, {})
        if name in spec:
            rows, cols = list(spec[name]["rows"]), list(spec[name]["cols"])
            template_cells = {tuple(x) for x in spec[name]["cells"]}
        else:
            rows, cols, template_cells = [], [], set()
        for row, col in table_cells:  # labels outside the template are shown too
            if row not in rows:
                rows.append(row)
            if col not in cols:
                cols.append(col)
        if name == "政府信息公开行政复议、行政诉讼情况" and not rows:
            rows = [""]
        if not table_cells and not spec:
            continue
        tables.append({"name": name, "cols": cols, "header": header_rows(cols, name in NESTED_COLUMNS),
                       "rows": body_rows(rows, cols, table_cells, template_cells, name, failing),
                       "count": len(table_cells)})
    return tables


def _database(datasette, request):
    name = request.args.get("db")
    if name:
        return datasette.get_database(name)
    names = [n for n in datasette.databases if n != "_internal"]
    if not names:
        raise NotFound("no database")
    return datasette.get_database(names[0])


async def report_view(datasette, request):
    db = _database(datasette, request)
    report_id = int(request.url_vars["id"])
    reports = (await db.execute("select * from reports where id = ?", [report_id])).rows
    if not reports:
        raise NotFound(f"report {report_id} not found")
    report = dict(reports[0])
    region = None
    if "report_regions" in await db.table_names():
        found = (await db.execute("select * from report_regions where report_id = ?", [report_id])).rows
        region = dict(found[0]) if found else None
    cells = [dict(r) for r in (await db.execute(
        "select table_name, row_label, col_label, value, raw, unit, flag from report_cells where report_id = ?",
        [report_id])).rows]
    checks = [dict(r) for r in (await db.execute(
        "select rule, scope, expected, actual, ok from report_checks where report_id = ? order by ok, rule, scope",
        [report_id])).rows]
    urls = [dict(r) for r in (await db.execute(
        "select url, kind, portal, page_url, first_seen, last_seen from report_urls where report_id = ?",
        [report_id])).rows]
    failing = [c for c in checks if not c["ok"]]
    context = {"report": report, "region": region, "tables": build_tables(report.get("template"), cells, failing),
               "checks": checks, "failing": [c for c in checks if not c["ok"]], "report_urls": urls,
               "database": db.name, "cells_total": len(cells)}
    return Response.html(await datasette.render_template("report.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/report/(?P<id>\d+)$", report_view)]


@hookimpl
def render_cell(value, column, table, database, datasette):
    if column == "report_view" and isinstance(value, str) and value.startswith("/-/report/"):
        return Markup(f'<a href="{escape(value)}?db={escape(database)}">report tables</a>')
    return None


@hookimpl
def extra_body_script(template, database, table, view_name, datasette):
    """In reports/report_index tables, link each row to its report view (next to the id)."""
    if view_name != "table" or table not in ("reports", "report_index"):
        return ""
    return (
        "document.querySelectorAll('table.rows-and-columns tbody tr').forEach(function (tr) {"
        " var td = tr.querySelector('td.col-id'); if (!td) return;"
        " var id = td.textContent.trim(); if (!/^\\d+$/.test(id)) return;"
        " var a = document.createElement('a'); a.href = '/-/report/' + id + '?db=" + str(database) + "';"
        " a.textContent = 'tables'; a.title = 'the report with its three tables'; a.className = 'report-link';"
        " td.appendChild(document.createTextNode(' ')); td.appendChild(a); });"
    )

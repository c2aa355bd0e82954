"""Pictures of the archive as inline SVG, drawn here in Python: no JavaScript, no CDN, no asset files,
so the same markup works offline in datasette (`/-/figures`) and in the e-mailable one-file
dashboard (`nianbao report`).

- `coverage_svg`: regions × years, each cell the share of the region's agencies with that year's report;
- `timeliness_svg`: median days late (published_at − legal deadline) by level and year;
- `trends_svg`: requests, corrections and lawsuits summed by report year;
- `report_tables_html`: one report's three tables, cells of failing checks marked.

Every function takes a plain `sqlite3.Connection` (datasette's `execute_fn` gives one).
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from pipelines.spec import T1, T2, T2_CARRIED, T2_NEW, T2_NEXT, T2_TOTAL, T3

FORMAT = json.loads((Path(__file__).parent / "data" / "report-format.json").read_text(encoding="utf-8"))
TABLE_ORDER = [T1, T2, T3]
LEVELS = ["省", "市", "县", "乡"]
LEVEL_COLOURS = {"省": "#1b9e77", "市": "#d95f02", "县": "#7570b3", "乡": "#e7298a", None: "#999999"}
MAX_ROWS = 40  # regions in the coverage grid; the rest are counted in a note
MAX_YEARS = 15
REQUESTS = (T2, "一、本年新收政府信息公开申请数量", ("总计",))
CORRECTIONS = (T3, "", ("行政复议/结果纠正", "行政诉讼/未经复议直接起诉/结果纠正", "行政诉讼/复议后起诉/结果纠正"))
LAWSUITS = (T3, "", ("行政诉讼/未经复议直接起诉/总计", "行政诉讼/复议后起诉/总计"))
REVIEWS = (T3, "", ("行政复议/总计",))
FONT = "font-family=\"'WenQuanYi Zen Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif\""


def _svg(width: int, height: int, body: list[str], label: str, kind: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="figure figure-{kind}" role="img" aria-label="{escape(label)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" {FONT} font-size="12">'
            f'<title>{escape(label)}</title>' + "".join(body) + "</svg>")


def _text(x: float, y: float, s: Any, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {extra}>{escape(str(s))}</text>'


def _empty(kind: str, label: str, why: str) -> str:
    return _svg(420, 40, [_text(8, 24, why, extra='class="empty"')], label, kind)


def _green(share: float) -> str:
    """White (0) → dark green (1)."""
    lo, hi = (247, 252, 245), (0, 109, 44)
    r, g, b = (round(a + (b - a) * share) for a, b in zip(lo, hi, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


# -- coverage ---------------------------------------------------------------------------------------

@dataclass
class Coverage:
    level: str
    years: list[int]
    rows: list[tuple[str, int, dict[int, int]]]  # region, agencies, {year: agencies with a report}
    more: int  # regions left out (MAX_ROWS)


def coverage(conn: sqlite3.Connection, level: str = "province") -> Coverage:
    keys = {"province": ["g.province"], "city": ["g.province", "g.city"],
            "county": ["g.province", "g.city", "g.county"]}[level]
    key = " || ' / ' || ".join(f"coalesce({k}, '?')" for k in keys)
    base = "from reports r join report_regions g on g.report_id = r.id where r.year is not null and g.province is not null"
    totals = {region: n for region, n in conn.execute(
        f"select {key}, count(distinct r.agency) {base} group by 1")}
    per_year: dict[str, dict[int, int]] = defaultdict(dict)
    for region, year, n in conn.execute(f"select {key}, r.year, count(distinct r.agency) {base} group by 1, 2"):
        per_year[region][int(year)] = n
    years = sorted({y for d in per_year.values() for y in d})[-MAX_YEARS:]
    if years:
        years = list(range(years[0], years[-1] + 1))
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = [(region, n, per_year[region]) for region, n in ranked[:MAX_ROWS]]
    rows.sort(key=lambda r: r[0])
    return Coverage(level, years, rows, max(0, len(ranked) - MAX_ROWS))


def coverage_svg(conn: sqlite3.Connection, level: str = "province") -> str:
    cov = coverage(conn, level)
    label = f"Coverage by {level}: share of agencies with each year's report"
    if not cov.rows or not cov.years:
        return _empty("coverage", label, "no reports with a region and a year yet")
    cw, ch, left, top = 44, 20, max(120, 13 * max(len(r[0]) for r in cov.rows) + 60), 34
    width = left + cw * len(cov.years) + 20
    height = top + ch * len(cov.rows) + (40 if cov.more else 24)
    body = [_text(left + i * cw + cw / 2, top - 8, y, "middle", 'class="year"') for i, y in enumerate(cov.years)]
    body.append(_text(left - 8, top - 8, "agencies", "end", 'fill="#666"'))
    for j, (region, n, by_year) in enumerate(cov.rows):
        y0 = top + j * ch
        body.append(_text(8, y0 + 14, region, extra='class="region"'))
        body.append(_text(left - 8, y0 + 14, n, "end", 'fill="#666"'))
        for i, year in enumerate(cov.years):
            k = by_year.get(year, 0)
            share = k / n if n else 0.0
            tip = f"{region} {year}: {k} of {n} agencies ({share:.0%})"
            body.append(f'<rect class="cell" data-share="{share:.3f}" x="{left + i * cw}" y="{y0}" width="{cw - 2}" '
                        f'height="{ch - 2}" fill="{_green(share)}" stroke="#ddd"><title>{escape(tip)}</title></rect>')
            colour = "#fff" if share > 0.55 else "#333"
            body.append(_text(left + i * cw + (cw - 2) / 2, y0 + 13, f"{share:.0%}", "middle",
                              f'font-size="10" fill="{colour}" pointer-events="none"'))
    if cov.more:
        body.append(_text(8, height - 10, f"… and {cov.more} more regions (the {MAX_ROWS} with most agencies shown)",
                          extra='fill="#666"'))
    return _svg(width, height, body, label, "coverage")


# -- timeliness -------------------------------------------------------------------------------------

@dataclass
class Timeliness:
    years: list[int]
    cells: dict[tuple[str | None, int], tuple[int, int, float]]  # (level, year) → (reports, late, median days)


def timeliness(conn: sqlite3.Connection) -> Timeliness:
    days: dict[tuple[str | None, int], list[int]] = defaultdict(list)
    for level, year, d in conn.execute(
            "select g.level, r.year, g.days_late from reports r join report_regions g on g.report_id = r.id "
            "where r.year is not null and g.days_late is not null"):
        days[(level, int(year))].append(int(d))
    seen = sorted({y for _, y in days})
    years = list(range(max(seen[0], seen[-1] - MAX_YEARS + 1), seen[-1] + 1)) if seen else []
    cells = {k: (len(v), sum(1 for d in v if d > 0), float(statistics.median(v))) for k, v in days.items()
             if k[1] in years}
    return Timeliness(years, cells)


def timeliness_svg(conn: sqlite3.Connection) -> str:
    t = timeliness(conn)
    label = "Timeliness: median days after the legal deadline, by level and year"
    if not t.cells:
        return _empty("timeliness", label, "no report with a known publication date and deadline yet")
    levels = [lv for lv in [*LEVELS, None] if any(k[0] == lv for k in t.cells)]
    medians = [c[2] for c in t.cells.values()]
    hi, lo = max(0.0, *medians), min(0.0, *medians)
    span = (hi - lo) or 1.0
    bw, gap, left, top, plot_h = 16, 14, 60, 30, 200
    group_w = bw * len(levels) + gap
    width = max(420, left + group_w * len(t.years) + 20)
    height = top + plot_h + 60
    zero_y = top + plot_h * hi / span
    body = [f'<line x1="{left}" x2="{width - 10}" y1="{zero_y:.1f}" y2="{zero_y:.1f}" stroke="#333"/>',
            _text(left - 6, zero_y + 4, "0", "end"),
            _text(left - 6, top + 4, f"{hi:+.0f}", "end"), _text(left - 6, top + plot_h + 4, f"{lo:+.0f}", "end"),
            _text(8, 14, "days late (median; above 0: after the deadline)", extra='fill="#666"')]
    for i, year in enumerate(t.years):
        x0 = left + i * group_w + gap / 2
        body.append(_text(x0 + bw * len(levels) / 2, top + plot_h + 18, year, "middle", 'class="year"'))
        for j, level in enumerate(levels):
            cell = t.cells.get((level, year))
            if not cell:
                continue
            n, late, med = cell
            y = top + plot_h * (hi - max(med, 0)) / span
            h = max(1.0, plot_h * abs(med) / span)
            tip = f"{level or '?'}级 {year}: median {med:+.0f} days, {late} of {n} reports late"
            body.append(f'<rect class="bar" data-level="{escape(level or "?")}" data-median="{med:.1f}" '
                        f'x="{x0 + j * bw:.1f}" y="{y:.1f}" width="{bw - 2}" height="{h:.1f}" '
                        f'fill="{LEVEL_COLOURS[level]}"><title>{escape(tip)}</title></rect>')
    for j, level in enumerate(levels):  # legend
        x = left + j * 70
        body.append(f'<rect x="{x}" y="{height - 22}" width="12" height="12" fill="{LEVEL_COLOURS[level]}"/>')
        body.append(_text(x + 16, height - 12, f"{level or '?'}级", extra='class="legend"'))
    return _svg(width, height, body, label, "timeliness")


# -- trends -----------------------------------------------------------------------------------------

def _sum_by_year(conn: sqlite3.Connection, key: tuple[str, str, Sequence[str]]) -> dict[int, float]:
    table, row, cols = key
    marks = ",".join("?" * len(cols))
    return {int(y): v for y, v in conn.execute(  # per-year totals kept on write (pipelines/store/totals.py)
        f"select year, sum(value_sum) from report_cell_totals where table_name = ? and row_label = ? "
        f"and col_label in ({marks}) and year is not null and value_sum is not null group by year",
        [table, row, *cols])}


def trends(conn: sqlite3.Connection) -> dict[str, dict[int, float]]:
    return {"requests (新收申请)": _sum_by_year(conn, REQUESTS),
            "reviews (行政复议)": _sum_by_year(conn, REVIEWS),
            "lawsuits (行政诉讼)": _sum_by_year(conn, LAWSUITS),
            "corrected (结果纠正)": _sum_by_year(conn, CORRECTIONS)}


def trends_svg(conn: sqlite3.Connection) -> str:
    series = trends(conn)
    label = "Trends by report year: requests, administrative reviews, lawsuits, corrections"
    seen = sorted({y for s in series.values() for y in s})
    if not seen:
        return _empty("trends", label, "no table cells yet")
    years = list(range(max(seen[0], seen[-1] - MAX_YEARS + 1), seen[-1] + 1))
    pw, ph, pad = 230, 150, 46
    width, height = pad + (pw + pad) * len(series), ph + 80
    body: list[str] = []
    for k, (name, values) in enumerate(series.items()):
        x0, y0 = pad + k * (pw + pad), 30
        body.append(_text(x0, 16, name, extra='class="series-title" font-weight="bold"'))
        top = max([v for y, v in values.items() if y in years] or [0]) or 1
        body.append(f'<line x1="{x0}" x2="{x0 + pw}" y1="{y0 + ph}" y2="{y0 + ph}" stroke="#333"/>')
        body.append(_text(x0 - 4, y0 + 4, f"{top:g}", "end", 'font-size="10"'))
        body.append(_text(x0 - 4, y0 + ph + 4, "0", "end", 'font-size="10"'))
        step = pw / max(1, len(years) - 1)
        pts = []
        for i, year in enumerate(years):
            x = x0 + (i * step if len(years) > 1 else pw / 2)
            body.append(_text(x, y0 + ph + 16, year, "middle", 'font-size="10" class="year"'))
            if year in values:
                y = y0 + ph - ph * values[year] / top
                pts.append(f"{x:.1f},{y:.1f}")
                body.append(f'<circle class="point" data-series="{escape(name)}" data-year="{year}" '
                            f'data-value="{values[year]:g}" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#3366cc">'
                            f'<title>{escape(f"{name} {year}: {values[year]:g}")}</title></circle>')
                body.append(_text(x, y - 8, f"{values[year]:g}", "middle", 'font-size="10"'))
        if len(pts) > 1:
            body.insert(len(body) - 2 * len(pts), f'<polyline fill="none" stroke="#3366cc" stroke-width="2" '
                                                  f'points="{" ".join(pts)}"/>')
    return _svg(width, height, body, label, "trends")


# -- one report's tables, failing checks marked ----------------------------------------------------------

def failing_rules(table: str, row: str, col: str, failing: Sequence[dict[str, Any]]) -> list[str]:
    """The failing checks (R1–R4, D1, D2) a cell takes part in (pipelines/checks.py defines them)."""
    out = []
    for c in failing:
        rule, scope = c["rule"], c["scope"]
        hit = ((rule == "R1" and table == T2 and col == scope and row in (T2_NEW, T2_CARRIED, T2_TOTAL, T2_NEXT))
               or (rule == "R2" and table == T2 and col == scope)
               or (rule == "R3" and table == T2 and row == scope)
               or (rule == "R4" and table == T3 and col.startswith(scope + "/"))
               or (rule == "D1" and table == T2 and col == scope and row == T2_CARRIED)
               or (rule == "D2" and table == T1 and row == scope and col == "上一年项目数量"))
        if hit and rule not in out:
            out.append(rule)
    return out


def _number(v: float | None) -> str:
    if v is None:
        return "—"
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def report_tables_html(conn: sqlite3.Connection, report_id: int) -> str:
    """The report's three tables as HTML (rows and columns of its template; failing-check cells marked)."""
    report = conn.execute("select id, agency, year, title, template from reports where id = ?", [report_id]).fetchone()
    if report is None:
        return ""
    cells = {(t, r, c): (v, raw, flag) for t, r, c, v, raw, flag in conn.execute(
        "select table_name, row_label, col_label, value, raw, flag from report_cells where report_id = ?", [report_id])}
    failing = [{"rule": r, "scope": s, "expected": e, "actual": a} for r, s, e, a in conn.execute(
        "select rule, scope, expected, actual from report_checks where report_id = ? and ok = 0 order by rule, scope",
        [report_id])]
    spec = FORMAT.get(report[4] or "") or {}
    out = [f'<section class="report" data-report="{report_id}"><h3>{escape(report[3] or report[1] or "")} '
           f'<small>(report {report_id}, {len(failing)} failing checks)</small></h3>']
    for name in TABLE_ORDER:
        keys = [k for k in cells if k[0] == name]
        rows = list(spec.get(name, {}).get("rows", [])) or sorted({k[1] for k in keys})
        cols = list(spec.get(name, {}).get("cols", [])) or sorted({k[2] for k in keys})
        if name == T3 and not rows:
            rows = [""]
        if not keys and not spec:
            continue
        head = "".join(f"<th>{escape(c)}</th>" for c in cols)
        body = []
        for r in rows:
            tds = []
            for c in cols:
                v = cells.get((name, r, c))
                rules = failing_rules(name, r, c, failing)
                cls = ["num"] + (["failed"] if rules else []) + (["flagged"] if v and v[2] else [])
                tip = (f"fails {', '.join(rules)}; " if rules else "") + (f"raw: {v[1]}" if v else "not read")
                tds.append(f'<td class="{" ".join(cls)}" title="{escape(tip)}"'
                           f'{" data-fails=" + chr(34) + ",".join(rules) + chr(34) if rules else ""}>'
                           f'{_number(v[0]) if v else ""}</td>')
            body.append(f"<tr><th>{escape(r.replace('/', ' › ') or '—')}</th>{''.join(tds)}</tr>")
        out.append(f'<h4>{escape(name)}</h4><table class="report-table" data-table="{escape(name)}">'
                   f'<thead><tr><th></th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')
    if failing:
        out.append("<ul class='failing'>" + "".join(
            f"<li>{escape(c['rule'])} {escape(c['scope'])}: expected {_number(c['expected'])}, "
            f"actual {_number(c['actual'])}</li>" for c in failing) + "</ul>")
    out.append("</section>")
    return "".join(out)


CSS = """
body { font-family: 'WenQuanYi Zen Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.5em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc; }
.figure { max-width: 100%; height: auto; display: block; margin: 0.5em 0; }
figure { margin: 0 0 1.5em; overflow-x: auto; } figcaption { color: #555; font-size: 0.9em; }
table.report-table { border-collapse: collapse; font-size: 0.8em; margin: 0.3em 0 1em; }
table.report-table th, table.report-table td { border: 1px solid #bbb; padding: 1px 5px; }
table.report-table thead th { background: #eef; }
table.report-table tbody th { text-align: left; font-weight: normal; background: #fafafa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.failed { background: #f8c9c9; outline: 2px solid #c00; }
td.flagged { background: #fff3c4; }
ul.failing { color: #b00; }
.summary td, .summary th { padding: 2px 10px; text-align: left; }
"""

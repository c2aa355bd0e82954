"""`nianbao report`: the archive's pictures in one self-contained HTML file (inline SVG and CSS, no
script, no external resource) that can be e-mailed or opened offline."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from pipelines import figures

MAX_REPORTS = 10  # reports with failing checks whose tables are included


def summary(conn: sqlite3.Connection) -> dict[str, int | str]:
    one = conn.execute(
        """select count(*), count(distinct r.agency), min(r.year), max(r.year),
                  sum(r.checks_failed > 0), sum(g.days_late > 0), count(distinct g.province)
           from reports r left join report_regions g on g.report_id = r.id""").fetchone()
    names = ["reports", "agencies", "first year", "last year", "reports failing checks", "reports published late",
             "provinces"]
    return {k: (v if v is not None else "—") for k, v in zip(names, one, strict=True)}


def render(conn: sqlite3.Connection, title: str = "政府信息公开工作年度报告 archive") -> str:
    s = summary(conn)
    failing = [r[0] for r in conn.execute(
        "select id from reports where checks_failed > 0 order by checks_failed desc, year desc, id limit ?",
        [MAX_REPORTS])]
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title><style>{figures.CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>Generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} by <code>nianbao report</code>.</p>",
        "<table class='summary'>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
                                            for k, v in s.items()) + "</table>",
        "<h2 id='coverage'>Coverage</h2>",
        "<figure>" + figures.coverage_svg(conn, "province") + "<figcaption>Share of the agencies archived in each "
        "province that have a report for each year (an agency counts once it has any report).</figcaption></figure>",
        "<figure>" + figures.coverage_svg(conn, "city") + "<figcaption>The same by city.</figcaption></figure>",
        "<figure>" + figures.coverage_svg(conn, "county") + "<figcaption>The same by county.</figcaption></figure>",
        "<h2 id='timeliness'>Timeliness</h2>",
        "<figure>" + figures.timeliness_svg(conn) + "<figcaption>Median days between the legal deadline "
        "(部门 year+1-01-31, governments year+1-03-31) and publication, by level and report year.</figcaption></figure>",
        "<h2 id='trends'>Trends</h2>",
        "<figure>" + figures.trends_svg(conn) + "<figcaption>Sums over the archived reports of each year: "
        "一、本年新收政府信息公开申请数量 (总计), 行政复议 总计, 行政诉讼 总计, 结果纠正 (复议 and 诉讼).</figcaption></figure>",
        f"<h2 id='failing'>Reports failing checks ({len(failing)} shown)</h2>",
    ]
    parts += [figures.report_tables_html(conn, rid) for rid in failing] or ["<p>None.</p>"]
    parts.append("</body></html>")
    return "\n".join(parts)


def write(conn: sqlite3.Connection, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(conn), encoding="utf-8")
    return out

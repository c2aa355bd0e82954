"""A synthetic county portal for throughput benchmarks: realistic page sizes and link counts.

Home → 12 columns → paginated lists (20 items a page) → articles; one column is the 年报
column whose articles are report pages built from the bundled seeds. Every page carries a nav
menu of ~300 links and footer chrome, like real portals.
"""

from __future__ import annotations

import html
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds"
COLUMNS = ["政务要闻", "部门动态", "乡镇动态", "通知公告", "政策文件", "政策解读", "人事信息", "财政信息",
           "规划计划", "应急管理", "政务服务", "政府信息公开年报"]


def _page(title: str, body: str, nav: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}-某某县人民政府</title>'
        '<script>var _hmt=_hmt||[];(function(){var hm=document.createElement("script");})();</script></head>'
        f'<body><div class="top">无障碍浏览 长者专版</div><div class="nav"><ul>{nav}</ul></div>'
        f'<div class="crumb">当前位置：首页 &gt; {html.escape(title[:10])}</div><div class="main">{body}</div>'
        '<div class="footer"><p>主办单位：某某县人民政府办公室 承办单位：某某县大数据中心</p>'
        '<p>豫ICP备05012345号-1 豫公网安备41032902000123号 网站标识码：4103290001</p></div></body></html>'
    )


def build(root: Path, *, articles_per_column: int = 120, per_page: int = 20) -> dict[str, int]:
    """Write the site under root; return page counts by kind."""
    root.mkdir(parents=True, exist_ok=True)
    nav = "".join(f'<li><a href="/c{c}/index.html">{html.escape(name)}</a></li>' for c, name in enumerate(COLUMNS))
    nav += "".join(f'<li><a href="/zt/zt{i}/index.html">专题专栏{i}</a></li>' for i in range(300))
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("0*.txt"))]
    counts = {"list": 0, "article": 0, "report": 0}
    home = "".join(f'<a href="/c{c}/index.html">{html.escape(n)}</a>' for c, n in enumerate(COLUMNS))
    (root / "index.html").write_text(_page("首页", home, nav), encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /search/\n", encoding="utf-8")
    for c, name in enumerate(COLUMNS):
        col = root / f"c{c}"
        col.mkdir(exist_ok=True)
        is_nb = name.endswith("年报")
        total = 10 if is_nb else articles_per_column
        pages = (total + per_page - 1) // per_page
        for p in range(pages):
            items = []
            for i in range(p * per_page, min(total, (p + 1) * per_page)):
                if is_nb:
                    title = f"某某县第{i}部门{2019 + i % 5}年政府信息公开工作年度报告"
                    body = "".join(f"<p>{html.escape(line)}</p>" for line in seeds[i % len(seeds)].splitlines())
                    counts["report"] += 1
                else:
                    title = f"{name}：关于某某县第{i}项工作的通知"
                    body = "<p>" + "为进一步做好相关工作，现将有关事项通知如下。" * 60 + "</p>"
                    counts["article"] += 1
                (col / f"t{i}.html").write_text(_page(title, f"<h1>{html.escape(title)}</h1>{body}", nav),
                                                encoding="utf-8")
                items.append(f'<li><a href="t{i}.html" title="{html.escape(title)}">{html.escape(title[:20])}</a>'
                             f"<span>2021-01-{i % 28 + 1:02d}</span></li>")
            pager = f'<a href="index_{p + 1}.html">下一页</a>' if p + 1 < pages else ""
            name_p = "index.html" if p == 0 else f"index_{p}.html"
            (col / name_p).write_text(_page(name, f'<ul class="list">{"".join(items)}</ul>{pager}', nav),
                                      encoding="utf-8")
            counts["list"] += 1
    return counts


def build_topics(root: Path, count: int = 300) -> None:
    """The 专题专栏 pages the nav menu links to: small pages, as on real portals."""
    for i in range(count):
        d = root / "zt" / f"zt{i}"
        d.mkdir(parents=True, exist_ok=True)
        (d / "index.html").write_text(
            f'<html><head><meta charset="utf-8"><title>专题专栏{i}</title></head><body><h1>专题专栏{i}</h1>'
            f'<p>{"专题内容。" * 40}</p><a href="/index.html">首页</a></body></html>', encoding="utf-8")

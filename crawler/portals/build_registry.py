"""Build crawler/portals/registry.csv, the bundled list of real portals, from the sources in sources/.

    .venv/bin/python -m crawler.portals.build_registry            # rewrites crawler/portals/registry.csv
    .venv/bin/python -m crawler.portals.build_registry --check    # exit 1 if registry.csv is out of date

Sources (see sources/README.md for provenance): `divisions_2024.csv` (GB/T 2260 codes, CC0),
`gov_portals_registry.csv` (portal URL per division, probe results, 政务公开 entry links) and
`report-url-samples.csv` (real 年报 URLs; their columns become extra entry URLs). Fixes by hand go into
`sources/overrides.csv` (same columns as the output; non-empty cells win), never into registry.csv.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).parent
SOURCES = HERE / "sources"
OUTPUT = HERE / "registry.csv"
COLUMNS = ["name", "start_url", "render", "region_code", "level", "parent_code", "division", "entry_urls",
           "access_method", "suspect", "suspect_reason", "source", "checked_at", "note"]
# Hong Kong, Macao, Taiwan: no 政府信息公开条例 reports.
_SKIP_PREFIX = ("71", "81", "82")
_NB_SLUG = re.compile(r"nb|ndbg|nianbao", re.I)
_DATE_DIR = re.compile(r"^(?:\d{4}|\d{6}|\d{4}-\d{2}-\d{2}|\d{8})$")
_HANWEB_ART = re.compile(r"^/art/\d{4}/\d{1,2}/\d{1,2}/art_(\d+)_\d+\.html$")


def column_of(url: str) -> str | None:
    """The list column a sample report URL sits in, where the URL pattern reveals it (else None)."""
    parts = urlsplit(url)
    if parts.path.endswith(".jsp") or parts.path.endswith("/"):
        return url  # a column already, or Zhejiang's xxgkAnnualReport.jsp module
    m = _HANWEB_ART.match(parts.path)
    if m:  # Hanweb JCMS article → its column page
        return urlunsplit((parts.scheme, parts.netloc, f"/col/col{m.group(1)}/index.html", "", ""))
    segments = parts.path.split("/")[1:-1]
    while segments and (_DATE_DIR.match(segments[-1]) or segments[-1] in ("content", "art", "show")):
        segments.pop()
    if not any(_NB_SLUG.search(s) for s in segments):
        return None
    return urlunsplit((parts.scheme, parts.netloc, "/" + "/".join(segments) + "/", "", ""))


def _read(name: str) -> list[dict[str, str]]:
    path = SOURCES / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def build() -> list[dict[str, str]]:
    divisions = {d["code"]: d for d in _read("divisions_2024.csv")}
    portals = _read("gov_portals_registry.csv")
    samples: dict[str, list[str]] = defaultdict(list)
    for s in _read("report-url-samples.csv"):
        col = column_of(s["url"])
        if col and s["division_code"]:
            samples[s["division_code"]].append(col)
    hosts = Counter(p["portal_host"] for p in portals if p["portal_host"])
    names = Counter(p["portal_name"] for p in portals)
    rows = []
    for p in portals:
        code = p["code"]
        if not p["portal_url"] or code.startswith(_SKIP_PREFIX):
            continue
        start = p["access_final_url"] if p["access_method"] == "protocol-switch" and p["access_final_url"] else p["portal_url"]
        division = divisions.get(code, {})
        full = (division.get("full_name") or p["full_name"]).replace("/", "")
        name = p["portal_name"] if names[p["portal_name"]] == 1 else full + "人民政府"
        reasons = []
        if p["quality_flag"].startswith("SUSPECT"):
            reasons.append(p["quality_flag"].removeprefix("SUSPECT: "))
        elif hosts[p["portal_host"]] > 1:
            reasons.append(f"host {p['portal_host']} shared with another division")
        if not p["portal_host"].endswith(".gov.cn"):
            reasons.append("host is not *.gov.cn")
        if p["access_method"] == "none":
            reasons.append("automated fetch failed upstream (WAF/412/521); rendered with a browser")
        entries = [u for u in [p["xxgk_entry_url"], *samples.get(code, [])] if u and u != start]
        rows.append({
            "name": name, "start_url": start, "render": "true" if p["access_method"] == "none" else "false",
            "region_code": code or p["parent_code"], "level": p["level"], "parent_code": p["parent_code"],
            "division": full, "entry_urls": " ".join(dict.fromkeys(entries)),
            "access_method": p["access_method"] or "unknown",
            "suspect": "1" if any(r for r in reasons if "browser" not in r) else "0",
            "suspect_reason": "; ".join(reasons), "source": "gov_portals_registry.csv (anyi-econ + areacodes)",
            "checked_at": p["access_checked_at"], "note": p["match_note"],
        })
    _apply_overrides(rows)
    return rows


def _apply_overrides(rows: list[dict[str, str]]) -> None:
    by_code = {r["region_code"]: r for r in rows if r["level"] != "non-standard"}
    by_name = {r["name"]: r for r in rows}
    for o in _read("overrides.csv"):
        target = by_code.get(o.get("region_code", "")) or by_name.get(o.get("name", ""))
        if target is None:
            rows.append({c: o.get(c, "") for c in COLUMNS} | {"source": o.get("source") or "overrides.csv"})
            continue
        target.update({k: v for k, v in o.items() if k in COLUMNS and v})
        target["source"] += " + overrides.csv"


def render_csv(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render_csv(build())
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date: run .venv/bin/python -m crawler.portals.build_registry", file=sys.stderr)
            return 1
        print(f"{OUTPUT} is up to date")
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    rows = text.count("\n") - 1
    print(f"wrote {OUTPUT} ({rows} portals)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

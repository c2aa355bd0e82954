"""Datasette plugin: what a researcher sees first.

- The search box finds Chinese words: `escape_fts` (the SQL function datasette wraps around every
  search box query) is replaced by one that segments the query with jieba, the way the
  `reports_words` index was built (pipelines/words.py). Each term becomes the phrase of its words
  (`"词​语"`). The trigram index `reports_fts` (substrings) is searched with
  `?_fts_table=reports_fts` or `?_where=` and LIKE on its columns (docs/search.md).
  Without this plugin (plain `datasette -i`) the box still finds single words (诉讼, 复议, 公开) and
  words separated by spaces.
- The search box reads at most `BOX_CAP` matches: datasette's own `_search` filter (every match, then
  sorted, counted and faceted) becomes the newest `BOX_CAP` matches (highest report ids: the index walks
  them newest first and stops), which datasette then sorts, counts, facets and pages as usual. When more
  reports match, the page says so ("… only the newest 500 of more than 500 matching reports …").
- `report_index` opens with a few narrow columns (a redirect to `?_col=…`); "all columns" is one
  click away (`?_full=1`).
- Column descriptions move below the rows, folded into a <details>.
- `/-/figures` (`?db=NAME&level=province|city|county`): coverage grid, timeliness and trends as SVG
  drawn by pipelines/figures.py (no script, nothing loaded from elsewhere).
"""

from __future__ import annotations

import json
import re
import sqlite3
from urllib.parse import parse_qsl, quote, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.filters import FilterArguments
from datasette.utils import await_me_maybe
from datasette.utils.asgi import NotFound, Response

BRIEF_TABLE = "report_index"
BRIEF_COLUMNS = ["id", "agency", "year", "level", "late", "days_late", "checks_failed"]
BOX_CAP = 500  # the search box reads at most this many matches, newest first (as nianbao search ranks 500)
# datasette's search filter (datasette/filters.py `search_filters`): `pk in (select rowid from fts where … match …)`
_SEARCH_CLAUSE = re.compile(r"(?P<pk>\S+) in \((?P<sub>select rowid from (?P<fts>\S+) where \S+ match "
                            r"(?:escape_fts\(:search(?:_\d+)?\)|:search(?:_\d+)?))\)")


def escape_fts(query: str) -> str:
    """Each term the phrase of its words, all required; terms without a word (punctuation) are left out,
    as `nianbao search` leaves them out (pipelines.words.fts_query); '""' (no match) when none is left."""
    from pipelines.words import fts_phrase, words

    return " AND ".join(fts_phrase(term) for term in query.split() if words(term)) or '""'


@hookimpl(trylast=True)  # after datasette's own prepare_connection, so this escape_fts wins
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, escape_fts)


@hookimpl
def startup(datasette):
    """Load jieba's dictionary while the server starts, not on the first search (about a second)."""

    async def warm() -> None:
        import asyncio

        from pipelines.words import tokenizer

        await asyncio.get_running_loop().run_in_executor(None, tokenizer)

    return warm


def _is_datasette_search(result) -> bool:
    return (getattr(result, "__module__", "") == "datasette.filters"
            and getattr(result, "__qualname__", "") == "search_filters.<locals>.inner")


@hookimpl(hookwrapper=True)
def filters_from_request(request, database, table, datasette):
    """Replace datasette's `_search` filter by the same filter over the newest BOX_CAP matches."""
    outcome = yield
    results = outcome.get_result()
    if any(_is_datasette_search(r) for r in results):
        outcome.force_result([bounded_search(r, datasette, database) if _is_datasette_search(r) else r
                              for r in results])


def bounded_search(search_filter, datasette, database):
    """datasette's search filter, each `pk in (select rowid from fts where … match …)` replaced by the ids of
    its newest BOX_CAP matches (read once here, passed as a JSON list: the page's rows, count, facets and
    facet suggestions then read those ids instead of asking the index again, once per query)."""

    async def inner() -> FilterArguments | None:
        found = await await_me_maybe(search_filter)
        if not found or not found.where_clauses:
            return found
        db = datasette.get_database(database)
        clauses, params, capped = [], dict(found.params), False
        for i, clause in enumerate(found.where_clauses):
            m = _SEARCH_CLAUSE.fullmatch(clause)
            if m is None:  # not the form this plugin knows: kept as it is (every match read)
                clauses.append(clause)
                continue
            try:
                ids = [r[0] for r in await db.execute(f"{m['sub']} order by rowid desc limit {BOX_CAP + 1}",
                                                      found.params)]
            except (sqlite3.DatabaseError, QueryInterrupted):  # FTS syntax error, time limit: datasette's own
                clauses.append(clause)                          # query reports it as usual
                continue
            capped = capped or len(ids) > BOX_CAP
            name = f"search_ids_{i}"
            params[name] = json.dumps(ids[:BOX_CAP])
            clauses.append(f"{m['pk']} in (select value from json_each(:{name}))")
        descriptions = list(found.human_descriptions)
        if capped:  # the page heading: "500 rows where search matches "诉讼" (only the newest …)"
            note = (f"(only the newest {BOX_CAP:,} of more than {BOX_CAP:,} matching reports: "
                    "ranked over all, the canned query search or nianbao search)")
            descriptions = [*descriptions[:-1], f"{descriptions[-1]} {note}"] if descriptions else [note]
        context = {**found.extra_context, "search_capped": capped, "search_cap": BOX_CAP}
        return FilterArguments(clauses, params, descriptions, context)

    return inner


def _brief_redirect(scope) -> str | None:
    """The narrow-columns URL for a plain HTML visit of report_index, else None."""
    if scope.get("type") != "http" or scope.get("method") != "GET":
        return None
    path = scope.get("path", "")
    parts = path.strip("/").split("/")
    if len(parts) != 2 or parts[1] != BRIEF_TABLE:
        return None
    args = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if any(k in ("_col", "_nocol", "_full") for k, _ in args):
        return None
    return quote(path) + "?" + urlencode([("_col", c) for c in BRIEF_COLUMNS] + args)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def brief_report_index(scope, receive, send):
            target = _brief_redirect(scope)
            if target is None:
                await app(scope, receive, send)
                return
            await send({"type": "http.response.start", "status": 302,
                        "headers": [(b"location", target.encode("latin-1")), (b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"see " + target.encode("latin-1")})

        return brief_report_index

    return wrap


_MOVE_DESCRIPTIONS = """
(function () {
  var dl = document.querySelector('dl.column-descriptions'); if (!dl) return;
  var details = document.createElement('details'); details.className = 'column-descriptions-folded';
  var summary = document.createElement('summary'); summary.textContent = 'Column descriptions';
  details.appendChild(summary); dl.parentNode.removeChild(dl); details.appendChild(dl);
  var anchor = document.querySelector('.table-wrapper') || document.querySelector('table.rows-and-columns');
  var after = anchor ? (anchor.closest('.table-wrapper') || anchor) : null;
  if (after && after.parentNode) { after.parentNode.insertBefore(details, after.nextSibling); }
  else { document.querySelector('section.content, .content, body').appendChild(details); }
})();
"""


def _full_link(database: str) -> str:
    base = f"/{database}/{BRIEF_TABLE}"
    return f"""
(function () {{
  var params = new URLSearchParams(location.search);
  var brief = params.has('_col');
  params.delete('_col'); params.delete('_nocol'); params.delete('_next');
  if (brief) params.set('_full', '1'); else params.delete('_full');
  var a = document.createElement('a'); a.className = 'columns-toggle';
  a.href = '{base}?' + params.toString();
  a.textContent = brief ? 'Show all columns' : 'Show fewer columns';
  var p = document.createElement('p'); p.appendChild(a);
  var where = document.querySelector('p.export-links');
  if (where) where.parentNode.insertBefore(p, where);
}})();
"""


@hookimpl
def extra_body_script(template, database, table, view_name, datasette):
    if view_name != "table":
        return ""
    script = _MOVE_DESCRIPTIONS
    if table == BRIEF_TABLE:
        script += _full_link(database)
    return script


async def figures_view(datasette, request):
    from pipelines import figures

    name = request.args.get("db") or next((n for n in datasette.databases if n != "_internal"), None)
    if name is None or name not in datasette.databases:
        raise NotFound("no such database")
    level = request.args.get("level") or "province"
    if level not in ("province", "city", "county"):
        raise NotFound("level is province, city or county")
    db = datasette.get_database(name)
    svgs = await db.execute_fn(lambda conn: {
        "coverage": figures.coverage_svg(conn, level), "timeliness": figures.timeliness_svg(conn),
        "trends": figures.trends_svg(conn)})
    context = {"database": name, "level": level, "css": figures.CSS.replace("body {", ".figures-body {"), **svgs}
    return Response.html(await datasette.render_template("figures.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/figures$", figures_view)]


@hookimpl
def menu_links(datasette, actor, request):
    return [{"href": "/-/figures", "label": "Figures"}]

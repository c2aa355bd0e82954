"""URL hygiene for the crawl frontier: strip session ids, cut infinite-URL traps. Pure functions."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SESSION_PATH = re.compile(r";(?:jsessionid|sid|phpsessid)=[^/?#]*", re.I)
_SESSION_KEYS = {"jsessionid", "phpsessid", "sid", "sessionid", "aspsessionid", "session_id", "sessid", "_t", "t_"}
# Calendar widgets, sort orders and print/share views multiply one list into endless URLs.
_CALENDAR_KEYS = {"date", "day", "month", "calendar", "cal", "rq", "riqi", "startdate", "enddate", "start_date",
                  "end_date", "begindate", "time_from", "time_to"}
_VIEW_KEYS = {"sort", "order", "orderby", "sortby", "print", "share", "fontsize", "lang", "style", "skin", "view"}
_DATE_VALUE = re.compile(r"^\d{4}-\d{1,2}(?:-\d{1,2})?$|^\d{8}$")
MAX_URL_LENGTH = 400
MAX_PATH_DEPTH = 14
MAX_QUERY_PARAMS = 10


def clean_url(url: str) -> str:
    """The URL without session ids (`;jsessionid=…`, `?sid=…`) and fragment."""
    parts = urlsplit(url)
    path = _SESSION_PATH.sub("", parts.path)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in pairs if k.lower() not in _SESSION_KEYS]
    new_query = parts.query if len(query) == len(pairs) else urlencode(query, safe="/:,")
    return urlunsplit((parts.scheme, parts.netloc, path, new_query, ""))


def trap_reason(url: str) -> str | None:
    """Why a URL looks like an infinite-URL trap (calendar, repeating path, view variants), or None."""
    if len(url) > MAX_URL_LENGTH:
        return "URL too long"
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > MAX_PATH_DEPTH:
        return "path too deep"
    if _repeats(segments):
        return "repeating path segments"
    query = parse_qsl(parts.query, keep_blank_values=True)
    if len(query) > MAX_QUERY_PARAMS:
        return "too many query parameters"
    keys = {k.lower() for k, _ in query}
    if keys & _CALENDAR_KEYS or any(_DATE_VALUE.match(v) for _, v in query):
        return "calendar/date parameter"
    if keys & _VIEW_KEYS:
        return "sort/print/view variant"
    return None


def _repeats(segments: list[str]) -> bool:
    """A segment three times, or a run of segments repeated back to back (/a/b/a/b/)."""
    if any(segments.count(s) >= 3 for s in set(segments)):
        return True
    n = len(segments)
    for size in range(1, n // 2 + 1):
        for i in range(n - 2 * size + 1):
            if segments[i:i + size] == segments[i + size:i + 2 * size] and not all(s.isdigit() for s in segments[i:i + size]):
                return True
    return False

"""Browser rendering helpers for `render=true` portals (scrapy-playwright)."""

from __future__ import annotations

_BLOCKED = {"image", "media", "font", "stylesheet"}


def abort_request(request) -> bool:
    """Do not download images, fonts, media or CSS while rendering a list page."""
    return request.resource_type in _BLOCKED

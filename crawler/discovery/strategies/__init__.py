"""List mechanics of the CMS families found on government portals, one class per family."""

from __future__ import annotations

from crawler.discovery.strategies.hanweb import HanwebDatastore, PageNumPager
from crawler.discovery.strategies.jsonlist import JsonList
from crawler.discovery.strategies.refresh import ShellRedirect
from crawler.discovery.strategies.trs import TrsPager

CMS_STRATEGIES = [TrsPager(), HanwebDatastore(), PageNumPager(), JsonList(), ShellRedirect()]

__all__ = ["CMS_STRATEGIES", "HanwebDatastore", "JsonList", "PageNumPager", "ShellRedirect", "TrsPager"]

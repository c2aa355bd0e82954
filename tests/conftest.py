"""Test tiers. Quick tier: `pytest -m "not e2e"` (pure functions and saved responses, seconds).
Slow tier (`e2e`): real crawls over loopback servers, browsers, Redis, kill loops.

Modules listed here are e2e as a whole; single tests elsewhere carry `@pytest.mark.e2e`.
"""

from __future__ import annotations

import pytest

E2E_MODULES = {
    "test_cli_crawl_live",
    "test_cli_demo",
    "test_datasette_browser",
    "test_demo_crawl",
    "test_discovery_crawl",
    "test_discovery_render",
    "test_incremental",
    "test_resume",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in E2E_MODULES:
            item.add_marker(pytest.mark.e2e)

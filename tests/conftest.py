"""Test tiers. Quick tier: `pytest -m "not e2e"` (pure functions and saved responses, seconds).
Slow tier (`e2e`): real crawls over loopback servers, browsers, Redis, kill loops.

Modules listed here are e2e as a whole; single tests elsewhere carry `@pytest.mark.e2e`.
"""

from __future__ import annotations

import pytest

from tests.serving import chromium

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


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium through Playwright, one a test module (tests/serving.py)."""
    with chromium() as b:
        yield b


@pytest.fixture
def viewport() -> dict[str, int]:
    """The `page` window; a module overrides this fixture for another size."""
    return {"width": 1400, "height": 1000}


@pytest.fixture
def page(browser, viewport):
    """A fresh browser context and page for one test."""
    context = browser.new_context(viewport=viewport)
    yield context.new_page()
    context.close()


@pytest.fixture
def db(tmp_path):
    """A new, empty archive (pipelines.store.open_archive) in the test's tmp dir."""
    from pipelines import store

    archive = store.open_archive(tmp_path / "a.db")
    yield archive
    archive.close()

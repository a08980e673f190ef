"""Fixtures for the browser tests: Playwright, and the demo notebook run once in JupyterLab.

Skipped, with the reason, where Playwright or chromium is missing (see chromium.missing()).
Screenshots land in test-artifacts/browser/ (gitignored): the page after the run, and each
widget after its check, so that a failure in CI can be looked at.
"""

import pytest

from .chromium import missing, playwright_session
from .demo_flow import REPO, run_demo

ARTIFACTS = REPO / "test-artifacts" / "browser"


@pytest.fixture(scope="session")
def playwright():
    reason = missing()
    if reason:
        pytest.skip(f"browser tests need Playwright and chromium: {reason}")
    with playwright_session() as session:
        yield session


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def demo_page(playwright, tmp_path_factory, artifacts):
    """The demo notebook after Run All in a normal JupyterLab: (page, problems of the run)."""
    folder = tmp_path_factory.mktemp("lab")
    with run_demo(playwright, folder, artifacts=artifacts) as (page, problems):
        yield page, problems


@pytest.fixture
def page(demo_page):
    return demo_page[0]

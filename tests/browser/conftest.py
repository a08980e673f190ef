"""Fixtures for the browser tests: Playwright, and the demo notebook run once in JupyterLab.

Skipped, with the reason, where Playwright or chromium is missing (see chromium.missing()).
Screenshots land in test-artifacts/browser/ (gitignored): the page after the run, and each
widget after its check, so that a failure in CI can be looked at.
"""

import pytest

from .chromium import missing, playwright_session
from .demo_flow import DEMO_NOTEBOOK, REPO, demo_lab

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
def lab(playwright, tmp_path_factory, artifacts):
    """One JupyterLab and chromium for a module's tests (demo_flow.DemoLab)."""
    folder = tmp_path_factory.mktemp("lab")
    with demo_lab(playwright, folder, artifacts=artifacts) as session:
        yield session


@pytest.fixture(scope="module")
def demo_page(lab):
    """The demo notebook after Run All in a normal JupyterLab: (page, problems of the run)."""
    return lab.run(DEMO_NOTEBOOK, page=lab.page)


@pytest.fixture
def page(demo_page):
    return demo_page[0]

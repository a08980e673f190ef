"""Headless Debian chromium driven by Playwright, for the browser tests and screenshots.

We use the system's chromium (`apt-get install chromium`), never `playwright install`
(which downloads a browser). `missing()` says, in one sentence, why the browser tests cannot
run here (no Playwright, no chromium), or returns None.

`open_browser(playwright, profile_dir)` starts chromium with a fresh profile, allows requests to
127.0.0.1 only (anything else is aborted and listed in `blocked`), and yields a page.

Read next: demo_flow.py.
"""

import contextlib
import os
import shutil
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# Flags verified on Debian's chromium (see RECIPES.md): no sandbox (root in containers), no
# GPU, and none of the background traffic a fresh profile would start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_PREFIXES = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:", "about:")


def chromium_path():
    """The chromium executable: $CHROMIUM if set, else Debian's; None if there is none."""
    candidates = [os.environ.get("CHROMIUM"), *CHROMIUM_CANDIDATES, shutil.which("chromium")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def missing():
    """Why the browser tests cannot run here (one sentence), or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    if chromium_path() is None:
        return "chromium is not installed (apt-get install chromium; or set $CHROMIUM)"
    return None


@contextlib.contextmanager
def playwright_session():
    """Playwright's driver; one per process (a second sync session inside it fails)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@contextlib.contextmanager
def open_browser(playwright, profile_dir, viewport=(1400, 1000)):
    """Yield (page, blocked): a page in headless chromium, and the list of blocked URLs."""
    blocked = []

    def block(route):
        blocked.append(route.request.url)
        route.abort()

    context = playwright.chromium.launch_persistent_context(
        str(profile_dir),
        executable_path=chromium_path(),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": viewport[0], "height": viewport[1]},
    )
    try:
        context.route(lambda url: not url.startswith(LOCAL_PREFIXES), block)
        page = context.pages[0] if context.pages else context.new_page()
        yield page, blocked
    finally:
        context.close()

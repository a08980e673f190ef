"""Retake the README's picture of the presentation app: docs/images/demo_app.png.

Starts the demo app (course/demo_app.py: Voila serving course/demo/) the way the browser
tests do (tests/browser/voila_server.py), opens the race page in headless chromium at a
projector's 1280 x 800, presses Play and pauses it, and saves the top of the page (title,
teacher's script folded, controls, the picture) once the
browser tests' checks of that page pass (a picture of a broken page never reaches the
README). Run by `make screenshots`; needs Playwright and chromium.
"""

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser import chromium  # noqa: E402
from tests.browser.demo_app_flow import open_page, page_failures  # noqa: E402
from tests.browser.voila_server import DemoApp  # noqa: E402
from tools.screenshots import small_png  # noqa: E402

TARGET = REPO / "docs" / "images" / "demo_app.png"
PAGE = "3_race"
VIEWPORT = (1280, 800)  # a common projector resolution


def main():
    reason = chromium.missing()
    if reason:
        raise SystemExit(f"cannot take the screenshot: {reason}")
    with tempfile.TemporaryDirectory(prefix="mt-demo-shot-") as tmp:
        with DemoApp(Path(tmp)) as app, chromium.playwright_session() as playwright:
            with chromium.open_browser(playwright, Path(tmp) / "profile", VIEWPORT) as (
                page,
                _,
            ):
                problems = open_page(page, app, PAGE)
                play = page.locator(".mt-race-play button").first
                play.click()
                page.wait_for_timeout(1500)  # a few frames into the race
                play.click()
                page.locator("h1").first.scroll_into_view_if_needed()  # Play scrolled down
                page.wait_for_timeout(300)
                problems += page_failures(page, PAGE)
                if problems:
                    raise SystemExit(
                        "not saving a picture of a broken page:\n" + "\n".join(problems)
                    )
                png = small_png(page.screenshot(animations="disabled"))
    TARGET.write_bytes(png)
    print(f"{TARGET.relative_to(REPO)}: {len(png) // 1024} KB")


if __name__ == "__main__":
    main()

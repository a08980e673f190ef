"""Take docs/images/zh_widget_demo.png: the Chinese widget demo in JupyterLab, as a learner
sees it. Part of `make screenshots`.

Runs lessons/zh/00_widgets_demo.ipynb in JupyterLab in headless chromium (the browser
tests' flow, tests/browser/demo_flow.py), checks that its widgets speak Chinese
(check_chinese), and saves one picture: the section on backpropagation, its text and the
backward stepper below it (buttons, graph legend and chain-rule panel in Chinese). Nothing
is written when a check fails.

Needs Playwright and chromium, like the browser tests (`apt-get install chromium`), and a
Chinese font for the page (`apt-get install fonts-noto-cjk`).
"""

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser import chromium  # noqa: E402
from tests.browser.demo_flow import ZH_DEMO_NOTEBOOK, check_chinese, demo_lab  # noqa: E402
from tools.screenshots import small_png  # noqa: E402

PICTURE = REPO / "docs" / "images" / "zh_widget_demo.png"
SECTION = "反向传播，一次一个节点"  # the heading of the markdown cell the picture starts at
VIEWPORT = (1500, 2400)


def section_picture(page):
    """PNG of the markdown cell titled SECTION down to the end of the stepper under it."""
    cell = page.locator(".jp-MarkdownCell", has_text=SECTION).first
    stepper = page.locator(".mt-stepper").first
    cell.scroll_into_view_if_needed()
    top, bottom = cell.bounding_box(), stepper.bounding_box()
    if top is None or bottom is None:
        raise SystemExit("the section or its stepper is not on the page")
    clip = {
        "x": top["x"],
        "y": top["y"],
        "width": max(top["width"], bottom["x"] + bottom["width"] - top["x"]),
        "height": bottom["y"] + bottom["height"] - top["y"],
    }
    return small_png(page.screenshot(clip=clip, full_page=True, animations="disabled"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PICTURE, help="where to save the PNG")
    args = parser.parse_args(argv)
    reason = chromium.missing()
    if reason:
        raise SystemExit(f"cannot take the screenshot: {reason}")
    with tempfile.TemporaryDirectory(prefix="mt-zh-screenshot-") as tmp:
        with chromium.playwright_session() as playwright:
            with demo_lab(playwright, tmp, viewport=VIEWPORT) as lab:
                page, problems = lab.run(ZH_DEMO_NOTEBOOK, folder="zh", hide_file_browser=True)
                problems += check_chinese(page)
                png = section_picture(page)
    if problems:
        raise SystemExit("not saving a picture of a broken demo:\n" + "\n".join(problems))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(png)
    print(f"{args.out}: {len(png) // 1024} KB")


if __name__ == "__main__":
    main()

"""Regenerate the README's pictures of the widgets: `make screenshots`.

Runs the widgets demo notebook (lessons/00_widgets_demo.ipynb) in JupyterLab in headless
chromium, the same flow as the browser tests (tests/browser/), and saves one cropped PNG per
widget into docs/images/: graph.png, stepper.png, race.png, monitor.png. The pictures are
taken right after Run All, so they show what a learner sees first; then the browser tests'
checks run, and nothing is written unless every check passes (a picture of a broken widget
never reaches the README).

Needs Playwright and chromium, like the browser tests (`apt-get install chromium`).
"""

import argparse
import io
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser import chromium  # noqa: E402
from tests.browser.demo_flow import run_checks, run_demo, wait_for_widgets  # noqa: E402

IMAGES = REPO / "docs" / "images"
# picture name -> (the widget's DOM class, which one on the page: 0 is the first)
SHOTS = {
    "graph": ("mt-graph", 1),  # after backward(): leaves with their .grad, freed buffers
    "stepper": ("mt-stepper", 1),  # the small network, a few steps into backward
    "race": ("mt-race", 0),  # SGD, momentum and Adam on the quadratic
    "monitor": ("mt-monitor", 0),  # a finished training run
}
VIEWPORT = (1700, 2600)  # tall and wide: every widget fits whole, nothing is squeezed
MAX_BYTES = 300_000


def small_png(png_bytes):
    """The screenshot as a 256-colour PNG: a fraction of the size, same look for UI pictures."""
    from PIL import Image

    image = Image.open(io.BytesIO(png_bytes)).convert("RGB")
    image = trimmed(image)
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def trimmed(image, margin=8):
    """`image` without the empty notebook background to the right and below the widget."""
    from PIL import Image, ImageChops

    background = Image.new(image.mode, image.size, image.getpixel((image.width - 1, 0)))
    box = ImageChops.difference(image, background).getbbox()
    if box is None:
        raise SystemExit("a widget's screenshot is empty: nothing but background")
    right, bottom = min(image.width, box[2] + margin), min(image.height, box[3] + margin)
    return image.crop((0, 0, right, bottom))


def take_pictures(page):
    pictures = {}
    for name, (css, index) in SHOTS.items():
        widgets = page.locator(f".{css}")
        if widgets.count() <= index:
            raise SystemExit(f"the demo notebook shows {widgets.count()} .{css}, need #{index}")
        widget = widgets.nth(index)
        widget.scroll_into_view_if_needed()
        pictures[name] = small_png(widget.screenshot(animations="disabled"))
    return pictures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=IMAGES, help="folder for the PNGs")
    args = parser.parse_args(argv)
    reason = chromium.missing()
    if reason:
        raise SystemExit(f"cannot take screenshots: {reason}")
    with tempfile.TemporaryDirectory(prefix="mt-screenshots-") as tmp:
        with chromium.playwright_session() as playwright:
            flow = run_demo(playwright, tmp, viewport=VIEWPORT, hide_file_browser=True)
            with flow as (page, problems):
                wait_for_widgets(page)
                pictures = take_pictures(page)
                for found in run_checks(page).values():
                    problems += found
    if problems:
        raise SystemExit("not saving pictures of broken widgets:\n" + "\n".join(problems))
    args.out.mkdir(parents=True, exist_ok=True)
    for name, png in pictures.items():
        path = args.out / f"{name}.png"
        path.write_bytes(png)
        note = "  (over 300 KB: crop it or lower the viewport)" if len(png) > MAX_BYTES else ""
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: "
              f"{len(png) // 1024} KB{note}")  # fmt: skip


if __name__ == "__main__":
    main()

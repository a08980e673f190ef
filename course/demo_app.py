"""The widgets as a presentation app for a classroom: `make demo` (or `python -m course.demo_app`).

    make demo                         http://127.0.0.1:8866/ , projector sizes
    python -m course.demo_app --port 9000
    make demo MINITENSOR_LANG=zh      the same pages in Simplified Chinese (course/demo/zh/);
    python -m course.demo_app --language zh   also: --language zh

Serves the notebooks in course/demo/ with Voila: each becomes a page that shows the
widget and the teacher's script above it, and no code cells. The pages are

    1_graph.ipynb     the computation graph of a small network, before and after backward()
    2_stepper.ipynb   backpropagation one node at a time, with a value used twice
    3_race.ipynb      SGD, Momentum and Adam racing on an ill-conditioned quadratic
    4_monitor.ipynb   a training run, live, with and without zero_grad()

Every control works as in JupyterLab: a kernel runs behind each open page. Sizes: every
page calls `apply_size()` first, which switches the widgets to the projector size
(widgets.set_presentation, ../widgets/common/style.py) unless the page's address ends in
`?size=normal` (a laptop screen) or `--size normal` was given here.

Language: `--language zh` (default: $MINITENSOR_LANG, else English) serves course/demo/zh/,
the same pages with the teacher's scripts and the pages' own buttons in Chinese, and sets
MINITENSOR_LANG for their kernels, so the widgets speak Chinese too
(../widgets/common/language.py).

Voila listens on 127.0.0.1 only: the app is for the teacher's own screen and projector.
Ctrl-C stops it.

Read next: demo/1_graph.ipynb (a page), ../lessons/teachers/README.md (what to say).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs

from widgets.common.language import LANGUAGES

DEMO = Path(__file__).resolve().parent / "demo"
PAGES = sorted(path.name for path in DEMO.glob("[0-9]_*.ipynb"))
SIZES = ("projector", "normal")
LANGUAGE_VARIABLE = "MINITENSOR_LANG"  # what --language sets for the pages' kernels
SIZE_VARIABLE = "MINITENSOR_DEMO_SIZE"  # what --size sets for the pages' kernels
DEFAULT_PORT = 8866


def wanted_size(environ=None):
    """'projector' or 'normal': the page address's ?size=, else $MINITENSOR_DEMO_SIZE.

    Voila puts the page's query string into the kernel's environment (QUERY_STRING)."""
    environ = os.environ if environ is None else environ
    asked = parse_qs(environ.get("QUERY_STRING", "")).get("size", [])
    size = asked[-1] if asked else environ.get(SIZE_VARIABLE, "projector")
    return size if size in SIZES else "projector"


def apply_size(environ=None):
    """Set the widgets' size for this page (see wanted_size); return it."""
    import widgets

    size = wanted_size(environ)
    widgets.set_presentation(size == "projector")
    return size


def demo_folder(language="en"):
    """The folder of the pages in `language`: course/demo/, or course/demo/zh/."""
    return DEMO if language == "en" else DEMO / language


def voila_command(port, root=DEMO):
    """The command that serves `root` with Voila on 127.0.0.1:`port`."""
    return [
        sys.executable, "-m", "voila", str(root),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={port}",
        "--ServerApp.port_retries=0",
        "--theme=light",
        "--VoilaConfiguration.show_tracebacks=True",  # a teacher sees what went wrong
    ]  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--size", choices=SIZES, default="projector",
                        help="widget size on every page (a page's ?size= still wins)")  # fmt: skip
    parser.add_argument("--language", choices=sorted(LANGUAGES),
                        default=os.environ.get(LANGUAGE_VARIABLE) or "en",
                        help="the pages' language (default: $MINITENSOR_LANG or en)")  # fmt: skip
    args = parser.parse_args(argv)
    root = demo_folder(args.language)
    base = f"http://127.0.0.1:{args.port}"
    print(f"The minitensor demo app: open {base}/ in your browser (Ctrl-C stops it).")
    for page in sorted(path.name for path in root.glob("[0-9]_*.ipynb")):
        print(f"  {base}/voila/render/{page}")
    print(f"Widgets at {args.size} size; add ?size=normal to a page's address for a laptop screen.")
    environment = {**os.environ, SIZE_VARIABLE: args.size, LANGUAGE_VARIABLE: args.language}
    try:
        return subprocess.call(voila_command(args.port, root), env=environment)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())

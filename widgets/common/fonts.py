"""Chinese in the matplotlib pictures (race, training monitor, momentum map): a CJK font.

    with picture_text(rc):        # rc: the picture's own sizes; inside, draw the figure
        ...

matplotlib's default font, DejaVu Sans, has no Chinese characters: each one would come out
as an empty box, with a "Glyph ... missing from font" warning. In Chinese, `picture_text`
puts the first installed font from CJK_FONTS in front of DejaVu Sans, for the drawing
inside the block only (an `rc_context`, so a learner's own plots keep their settings).
matplotlib falls back from one font of the list to the next glyph by glyph: Chinese comes
from the CJK font, the maths (λ, √, ², −) from whichever has it.

Without any CJK font the pictures are drawn in English (every other part of the widget
stays Chinese), and one warning says how to install a font: better English words than a
row of boxes.

Fonts installed after matplotlib built its font list (kept in its cache folder) are not
in that list; the system's font folders are searched once more before giving up.
The graph widget needs none of this: its SVG text is drawn by the browser, which finds a
Chinese font by itself (../graph/render.py only puts CJK names first in its font list).

Read next: translation.py (the words), ../optimizer_race/plot.py (a user).
"""

import warnings
from contextlib import contextmanager

import matplotlib as mpl
from matplotlib import font_manager

from .language import get_language, speaking
from .translation import _

# Simplified Chinese fonts by the name matplotlib knows them, most common first on
# Linux (Noto, Source Han, WenQuanYi), then Windows, then macOS.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "STHeiti",
    "Arial Unicode MS",
)
LATIN_FALLBACK = "DejaVu Sans"  # matplotlib's own font: always there


def install_hint():
    """How to install a Chinese font (Debian/Ubuntu's and conda-forge's package names)."""
    return _(
        "No Chinese font found for the widgets' pictures, so their text is drawn in English. "
        "Install one, then restart the kernel: `sudo apt-get install fonts-noto-cjk` "
        "(Debian/Ubuntu) or `conda install -c conda-forge font-ttf-noto-cjk` (conda)."
    )


_found = {}  # "font": the CJK font's name, or None; looked up once per process
_warned = False


def installed_fonts():
    """The names of the fonts matplotlib can use."""
    return set(font_manager.get_font_names())


def _add_fonts_installed_since_the_cache():
    """Add the system's font files that matplotlib's cached list does not know yet."""
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # a broken file: skip it
                continue


def cjk_font():
    """The name of an installed Chinese font (the first of CJK_FONTS found), or None."""
    if "font" not in _found:
        font = _first_installed()
        if font is None:
            _add_fonts_installed_since_the_cache()
            font = _first_installed()
        _found["font"] = font
    return _found["font"]


def _first_installed():
    names = installed_fonts()
    return next((name for name in CJK_FONTS if name in names), None)


def warn_no_font():
    """Say once per process that no Chinese font is installed, and how to install one."""
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(install_hint(), UserWarning, stacklevel=3)


@contextmanager
def picture_text(rc=None):
    """matplotlib settings `rc` plus, in Chinese, a CJK font; English without one."""
    rc = dict(rc or {})
    chinese = get_language() == "zh"
    font = cjk_font() if chinese else None
    if font is not None:
        rc["font.family"] = "sans-serif"
        rc["font.sans-serif"] = [font, LATIN_FALLBACK]
    with mpl.rc_context(rc):
        if chinese and font is None:
            warn_no_font()
            with speaking("en"):
                yield
        else:
            yield

"""The widgets' words in the learner's language: `_("English text", name=value)`.

    from ..common.translation import _
    _("step {number} of {total}", number=3, total=9)   # English, or Chinese after
                                                       # widgets.set_language("zh")

Every text a learner reads in a widget goes through `_`, looked up when the widget is
built or redrawn (not when the module is imported), so `set_language` changes every widget
made afterwards. The English text is the key of widgets/locale/zh/widgets.po; write it as a
plain string literal with `{fields}`, never an f-string, so that
tests/test_widgets_language.py can find every text in the code and check the catalogue.

Op names (MulBackward0), Python names (`.grad`, `lr=`) and minitensor's error messages
stay as they are in any language: they are what a learner types and searches for.

Read next: language.py (how the language is chosen), fonts.py (Chinese in pictures).
"""

from pathlib import Path

from .language import Catalogue, get_language

CATALOGUE_PATH = Path(__file__).resolve().parents[1] / "locale" / "zh" / "widgets.po"

_ = Catalogue(CATALOGUE_PATH)


def sentences(parts):
    """Sentences as one text: a space between them in English, none in Chinese (whose
    full stop "。" already takes the room of one)."""
    return ("" if get_language() == "zh" else " ").join(parts)

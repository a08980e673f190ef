"""Which language the course speaks (English or Simplified Chinese), and its translations.

    import widgets
    widgets.set_language("zh")     every widget made afterwards, every check message and
                                   hint, speaks Chinese; "en" switches back

The language is one setting, looked up in this order:

1. `set_language(...)`, when it was called in this Python process;
2. the environment variable `MINITENSOR_LANG` ("en" or "zh"): the grader sets it from the
   notebook's metadata, and a teacher can set it for a whole JupyterHub;
3. the notebook's metadata: Jupyter tells a kernel its notebook's path
   (`JPY_SESSION_NAME`), and the Chinese notebooks say `"lesson": {"language": "zh"}`
   there, so they speak Chinese without a line of code, wherever they are copied;
4. the notebook's folder: Jupyter starts a kernel in the folder of its notebook, so any
   notebook in a folder named zh (lessons/zh/, lessons/solutions/zh/) speaks Chinese
   (nbval and nbclient, which name no notebook, rely on this);
5. English.

Only the course speaks Chinese: minitensor's own error messages stay in English, as
PyTorch's do, since learners search the web for them.

Translations live in gettext catalogues (`.po` files, read with polib), one per part of the
course: widgets/locale/zh/widgets.po for the widgets, course/locale/zh/checks.po for the
exercise checks. The English text is the key:

    _ = Catalogue(Path(__file__).parent / "locale" / "zh" / "widgets.po")
    _("step {number} of {total}", number=3, total=9)   # "第 3 步,共 9 步" in Chinese

The English text is written once, in the code, with `{name}` fields; the catalogue gives the
Chinese with the same fields. A text missing from the catalogue is shown in English (the
tests make sure none is missing).
"""

import json
import os
from contextlib import contextmanager
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "简体中文 (Simplified Chinese)"}

_chosen = None  # set by set_language()


def _checked(code, where):
    if code not in LANGUAGES:
        raise ValueError(
            f"unknown language {code!r} in {where}; choose one of: "
            + ", ".join(f"{key!r} ({name})" for key, name in LANGUAGES.items())
        )
    return code


def set_language(code):
    """Speak `code` ("en" or "zh") from now on; None goes back to the default lookup."""
    global _chosen
    _chosen = None if code is None else _checked(code, "set_language()")


def _notebook_folder_language():
    """ "zh" when the kernel's notebook lies in a folder named zh (lessons/zh/...)."""
    session = os.environ.get("JPY_SESSION_NAME")
    folder = Path(session).parent if session else Path.cwd()
    return "zh" if folder.name == "zh" else None


_metadata_languages = {}  # notebook path -> its metadata's language (read once)


def _notebook_metadata_language():
    """The language in the kernel's notebook's metadata (`lesson.language`, which the
    Chinese notebooks carry), so that a copy moved out of lessons/zh/ still speaks Chinese.
    Jupyter names the notebook in JPY_SESSION_NAME; it is read once per kernel."""
    session = os.environ.get("JPY_SESSION_NAME")
    if not session or not session.endswith(".ipynb"):
        return None
    if session not in _metadata_languages:
        # an absolute path, or (older servers) one relative to the server's root: then the
        # notebook is the file of that name in the kernel's folder
        path = Path(session) if Path(session).is_absolute() else Path.cwd() / Path(session).name
        try:
            with open(path, encoding="utf-8") as file:
                lesson = json.load(file).get("metadata", {}).get("lesson", {})
            language = lesson.get("language") if isinstance(lesson, dict) else None
        except (OSError, ValueError, AttributeError):
            language = None  # unreadable, or not a notebook: the other clues decide
        _metadata_languages[session] = language if language in LANGUAGES else None
    return _metadata_languages[session]


def get_language():
    """The language the course speaks now: "en" or "zh" (see the module docstring)."""
    if _chosen is not None:
        return _chosen
    from_environment = os.environ.get("MINITENSOR_LANG")
    if from_environment:
        return _checked(from_environment, "the environment variable MINITENSOR_LANG")
    return _notebook_metadata_language() or _notebook_folder_language() or "en"


class Catalogue:
    """The Chinese of one `.po` file; calling it translates and fills in `{fields}`."""

    def __init__(self, path):
        self.path = Path(path)
        self._table = None  # English -> Chinese, read on first use

    def table(self):
        if self._table is None:
            import polib

            self._table = {
                entry.msgid: entry.msgstr
                for entry in polib.pofile(str(self.path))
                if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
            }
        return self._table

    def __call__(self, english, **fields):
        return self.text(get_language(), english, **fields)

    def text(self, language, english, **fields):
        """`english` in `language` (not the current setting), its {fields} filled in."""
        text = english
        if language == "zh":
            text = self.table().get(english, english)
        return text.format(**fields) if fields else text

    def in_language(self, language):
        """A `_` for one language, whatever the setting: the grader's threads each grade a
        notebook in its own language, so they cannot share the process-wide setting."""
        return lambda english, **fields: self.text(language, english, **fields)


@contextmanager
def speaking(code):
    """Speak `code` inside the block only (a picture drawn in English when no Chinese font
    is installed: see fonts.py), then whatever was chosen before."""
    global _chosen
    before = _chosen
    _chosen = _checked(code, "speaking()")
    try:
        yield
    finally:
        _chosen = before

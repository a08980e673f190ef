"""Bring widgets/locale/zh/widgets.po up to date with the code (run it from anywhere):

    python tools/update_widgets_catalogue.py

After you add or change a text in a widget (`_("...")`, see widgets/common/translation.py):
- every text of the code that the catalogue lacks is added, with an empty translation for
  you to fill in (tests/test_widgets_language.py fails until you do);
- every entry whose text the code no longer uses is removed (its old translation is
  printed, in case the English only changed a little and the Chinese can be reused);
- each entry's `#:` line says which files use it, and the entries follow the code's order.

It finds the texts the same way the tests do (texts_in_code, by reading the code), and
writes the file with polib, one line per text (no wrapping: easier to diff and to edit).
"""

import sys
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.test_widgets_language import texts_in_code  # noqa: E402
from widgets.common.translation import CATALOGUE_PATH  # noqa: E402


def _first_use(where):
    """("widgets/graph/model.py", 182) from ["widgets/graph/model.py:182", ...]."""
    path, line = where[0].rsplit(":", 1)
    return path, int(line)


def update(path=CATALOGUE_PATH):
    """Update the catalogue at `path`; return (texts added, entries removed)."""
    found, not_literal = texts_in_code()
    if not_literal:
        raise SystemExit("these calls of _ do not pass a plain string:\n" + "\n".join(not_literal))
    old = polib.pofile(str(path), wrapwidth=0)
    kept = {entry.msgid: entry for entry in old if not entry.obsolete}
    removed = [entry for entry in old if entry.msgid not in found or entry.obsolete]
    new = polib.POFile(wrapwidth=0)
    new.header, new.metadata = old.header, old.metadata
    added = []
    for text, where in sorted(found.items(), key=lambda item: _first_use(item[1])):
        entry = kept.get(text)
        if entry is None:
            entry = polib.POEntry(msgid=text, msgstr="")
            added.append(text)
        entry.occurrences = sorted({(w.rsplit(":", 1)[0], "") for w in where})
        new.append(entry)
    new.save(str(path))
    return added, removed


def main():
    added, removed = update()
    for text in added:
        print(f"added (translate it): {text}")
    for entry in removed:
        print(f"removed: {entry.msgid}\n   was: {entry.msgstr}")
    print(f"{CATALOGUE_PATH.relative_to(REPO)}: {len(added)} added, {len(removed)} removed")


if __name__ == "__main__":
    main()

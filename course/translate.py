"""The Chinese edition of the lessons: English source, Chinese in catalogues beside it.

A lesson is written once, in English (course/source/NN_topic.py). Its Chinese lives in a
gettext catalogue, course/locale/zh/lessons/NN_topic.po, that translators edit with any
.po editor (Poedit, Lokalize, a text editor). Each entry's msgid is one English *piece* of
the lesson, its msgstr the Chinese:

- a block of a markdown cell: the text between blank lines (a paragraph, a list, a heading,
  a table, a fenced code block with what lies inside it);
- a comment in a code cell: a run of whole-line comments at one indentation, or the comment
  at the end of a line of code. Code itself is shared: both editions run the same code.

The English text is the key, so a changed English paragraph finds no translation: `check`
names it, and `update` turns the old entry into a *fuzzy* one that shows the translator the
old English beside the new (gettext's `#| msgid`). The Chinese notebooks are built by
course/build.py from the English cells and this catalogue (lessons/zh/, lessons/solutions/zh/).

    python -m course.translate update [NN ...]   add new pieces, mark changed ones fuzzy
    python -m course.translate check  [NN ...]   exit 1 and name every missing or stale entry

Markers that tools read stay English in every edition: `### BEGIN SOLUTION`, `# YOUR CODE
HERE`, `# NBVAL_...`, `# noqa`, `# fmt: ...`, and cell headers.
"""

import argparse
import copy
import difflib
import io
import re
import sys
import tokenize
from pathlib import Path

COURSE = Path(__file__).resolve().parent
LOCALE = COURSE / "locale"
LANGUAGE = "zh"  # the one translation so far; the code does not assume it is the only one

# Comments that tools read, not people: never translated.
MARKER = re.compile(r"#\s*(##|YOUR CODE HERE|NBVAL_|noqa|fmt:|type:|pragma|minitensor only)")
FENCE = re.compile(r"^\s*(```|~~~)")


def catalogue_path(name, language=LANGUAGE):
    return LOCALE / language / "lessons" / f"{name}.po"


# ------------------------------------------------------------------ the pieces of a cell


def markdown_blocks(text):
    """The blocks of a markdown text: split at blank lines, except inside code fences."""
    blocks, current, fenced = [], [], False
    for line in text.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
        if not line.strip() and not fenced:
            if current:
                blocks.append("\n".join(current))
            current = []
        else:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def _comments(source):
    """[(row, column, text, whole_line)] for each comment of a code cell, rows from 0.

    tokenize knows which `#` begins a comment and which sits inside a string. A cell it
    cannot read (IPython syntax such as `%timeit`) falls back to whole-line comments only.
    """
    lines = source.split("\n")
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source + "\n").readline))
        found = [
            (t.start[0] - 1, t.start[1], t.string) for t in tokens if t.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        found = [
            (row, len(line) - len(line.lstrip()), line.strip())
            for row, line in enumerate(lines)
            if line.lstrip().startswith("#")
        ]
    return [
        (row, column, text, not lines[row][:column].strip())
        for row, column, text in found
        if not MARKER.match(text)
    ]


def _comment_groups(source):
    """Runs of whole-line comments (same indentation, adjacent rows) and end-of-line
    comments: [(first_row, last_row, column, whole_line, english)]."""
    groups = []
    for row, column, text, whole_line in _comments(source):
        body = text[1:].strip()
        previous = groups[-1] if groups else None
        if (
            whole_line
            and previous is not None
            and previous[3]
            and previous[1] == row - 1
            and previous[2] == column
            and body
        ):
            groups[-1] = (previous[0], row, column, True, previous[4] + "\n" + body)
        elif body:
            groups.append((row, row, column, whole_line, body))
    return groups


def pieces(cell):
    """The English pieces of a notebook cell that a translation replaces."""
    if cell.cell_type == "markdown":
        return markdown_blocks(cell.source)
    if cell.cell_type == "code":
        return [group[4] for group in _comment_groups(cell.source)]
    return []


def notebook_pieces(notebook):
    """Every piece of a notebook, in order, each once: [(piece, cell id)]."""
    seen, found = set(), []
    for cell in notebook.cells:
        for piece in pieces(cell):
            if piece not in seen:
                seen.add(piece)
                found.append((piece, cell.get("id", "")))
    return found


# ------------------------------------------------------------------ applying a catalogue


def _translated_code(source, table):
    lines = source.split("\n")
    # from the bottom up, so that rows above a replaced comment keep their numbers
    for first, last, column, whole_line, english in reversed(_comment_groups(source)):
        chinese = table[english].split("\n")
        if whole_line:
            indent = lines[first][:column]
            lines[first : last + 1] = [f"{indent}# {line}".rstrip() for line in chinese]
        else:
            lines[first] = lines[first][:column] + "# " + " ".join(chinese)
    return "\n".join(lines)


def translate_cell(cell, table):
    """A copy of `cell` with every piece replaced by table[piece] (KeyError if missing)."""
    cell = copy.deepcopy(cell)
    if cell.cell_type == "markdown":
        cell.source = "\n\n".join(table[block] for block in markdown_blocks(cell.source))
    elif cell.cell_type == "code":
        cell.source = _translated_code(cell.source, table)
    return cell


class MissingTranslation(KeyError):
    """A piece of a lesson that its catalogue does not translate (yet)."""


def translation_table(name, language=LANGUAGE):
    """English piece -> translation, from the lesson's catalogue (translated, not fuzzy)."""
    import polib

    path = catalogue_path(name, language)
    if not path.exists():
        return {}
    return {
        entry.msgid: entry.msgstr
        for entry in polib.pofile(str(path))
        if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
    }


def translate_notebook(notebook, name, language=LANGUAGE):
    """The notebook in `language`: every piece translated, code shared, metadata marked."""
    table = translation_table(name, language)
    missing = [piece for piece, _ in notebook_pieces(notebook) if piece not in table]
    if missing:
        raise MissingTranslation(
            f"{catalogue_path(name, language).relative_to(COURSE.parent)} lacks "
            f"{len(missing)} translation(s); run `python -m course.translate update {name[:2]}` "
            f"and translate them. The first: {missing[0]!r}"
        )
    translated = copy.deepcopy(notebook)
    translated.cells = [translate_cell(cell, table) for cell in notebook.cells]
    translated.metadata.setdefault("lesson", {})["language"] = language
    return translated


# ------------------------------------------------------------------ keeping catalogues current


def problems(name, notebook, language=LANGUAGE):
    """Sentences naming each missing, untranslated, fuzzy or stale entry of a catalogue."""
    import polib

    path = catalogue_path(name, language)
    where = path.relative_to(COURSE.parent)
    if not path.exists():
        return [f"{where} is missing"]
    entries = {entry.msgid: entry for entry in polib.pofile(str(path)) if not entry.obsolete}
    wanted = dict(notebook_pieces(notebook))
    found = []
    for piece in wanted:
        entry = entries.get(piece)
        if entry is None:
            found.append(f"{where}: no entry for {piece[:70]!r}")
        elif "fuzzy" in entry.flags:
            found.append(f"{where}: stale (fuzzy) translation of {piece[:70]!r}")
        elif not entry.msgstr:
            found.append(f"{where}: untranslated {piece[:70]!r}")
    found += [
        f"{where}: stale entry, no longer in the lesson: {m[:70]!r}"
        for m in entries
        if m not in wanted
    ]
    return found


def update(name, notebook, language=LANGUAGE):
    """Bring the catalogue in step with the lesson, in the lesson's order: a piece keeps its
    translation; a new piece gets an empty entry, or, when it looks like a piece that left
    the lesson (an edited paragraph), that piece's translation marked fuzzy, with the old
    English beside it (`#| msgid`) for the translator to compare. Entries of pieces that
    left the lesson are dropped."""
    import polib

    path = catalogue_path(name, language)
    old = {}
    if path.exists():
        old = {e.msgid: e for e in polib.pofile(str(path), wrapwidth=0) if not e.obsolete}
    current = notebook_pieces(notebook)
    left = [msgid for msgid in old if msgid not in dict(current)]
    catalogue = polib.POFile(wrapwidth=0)
    catalogue.metadata = {
        "Project-Id-Version": f"minitensor lessons {name}",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    for piece, cell_id in current:
        entry = polib.POEntry(msgid=piece, msgstr="", occurrences=[(cell_id, "")])
        if piece in old:
            entry.msgstr, entry.flags = old[piece].msgstr, list(old[piece].flags)
            entry.previous_msgid = old[piece].previous_msgid
            entry.tcomment = old[piece].tcomment
        else:
            similar = difflib.get_close_matches(piece, left, n=1, cutoff=0.6)
            if similar and old[similar[0]].msgstr:
                left.remove(similar[0])
                entry.msgstr, entry.flags = old[similar[0]].msgstr, ["fuzzy"]
                entry.previous_msgid = similar[0]
        catalogue.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    catalogue.save(str(path))
    return catalogue


# ------------------------------------------------------------------ the glossary

GLOSSARY = LOCALE / LANGUAGE / "glossary.tsv"
# What a term inside these is not prose: `code`, fenced code, $maths$, a link's address.
# In messages written as plain text (check messages, widget labels) also: {fields}, and
# "d loss/d w" (a derivative's notation).
NOT_PROSE = re.compile(
    r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\]\([^)]*\)|\{[^{}]*\}|\bd \w+ ?/ ?d\b", re.S
)
# A word touching code (x.grad, loss.backward(), momentum=0.9, loss = ..., d(loss),
# group['lr']) is a name, not a term: the lookarounds of _term_pattern skip it.
NAME_BEFORE = r"(?<![.\w=(\['])"
NAME_AFTER = r"(?![\w=(\[')]|\.\w| \+?= )"


def glossary(path=GLOSSARY):
    """[(english, chinese, must_contain, note)] from the glossary, longest English first."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            english, chinese, must, note = (line.split("\t") + ["", "", ""])[:4]
            rows.append((english, chinese, must or chinese, note))
    return sorted(rows, key=lambda row: -len(row[0]))


# How the Chinese edition quotes the seed post (../shared/seed): `> 原文《title》:“...”`.
QUOTE = "> 原文"

# After "leaves" these make it the verb (it leaves `.grad` alone, a group leaves out, it
# leaves Adam's alone, leaves the model in training mode), not the plural of "leaf".
VERB_OBJECT = r"(?!\s+(?:`|(?:out|alone|the|a|an|it|them|its|their)\b|\w+'s\b))"


def _term_pattern(english):
    """`leaf` matches leaf, leafs, leaves; `loss` matches loss, losses (whole words).
    "leaves" followed by an object (VERB_OBJECT) is the verb and does not count."""
    forms = [re.escape(english) + "(?:s|es)?"]
    if english.endswith("f"):
        forms.append(re.escape(english[:-1]) + "ves" + VERB_OBJECT)
    return re.compile(NAME_BEFORE + r"\b(?:" + "|".join(forms) + r")\b" + NAME_AFTER, re.I)


def glossary_problems(pairs, where, terms=None):
    """Sentences naming each translation that renders a glossary term otherwise.

    `pairs` are (english, translation). A term counts where the English uses it in prose;
    the translation must then hold the glossary's Chinese for it. Longer terms are matched
    first and their words taken out, so "gradient descent" is not also checked as "gradient".
    """
    terms = glossary() if terms is None else terms
    found = []
    for english, translation in pairs:
        if not translation or translation.startswith(QUOTE):
            continue  # the post's own words are quoted as written, whatever terms they use
        prose = NOT_PROSE.sub(" ", english)
        for term, chinese, must, _ in terms:
            pattern = _term_pattern(term)
            if pattern.search(prose):
                prose = pattern.sub(" ", prose)
                if must not in translation:
                    found.append(
                        f"{where}: {term!r} is {chinese} in the glossary, but the translation "
                        f"of {english[:60]!r} lacks {must}"
                    )
    return found


# The flag (`#, code-names`) a translator puts on an entry whose English uses a glossary
# word as a name in code (`loss` the variable, "leaves" the verb): the glossary skips it.
CODE_NAMES = "code-names"


def catalogue_pairs(path):
    """(msgid, msgstr) of every live entry of a .po file that the glossary applies to."""
    import polib

    return [
        (e.msgid, e.msgstr)
        for e in polib.pofile(str(path))
        if not e.obsolete and CODE_NAMES not in e.flags
    ]


def main(argv=None):
    from .build import fresh_instructor, lesson_names

    parser = argparse.ArgumentParser(
        prog="python -m course.translate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("action", choices=["update", "check"])
    parser.add_argument("lessons", nargs="*", help="lesson name prefixes, e.g. 02 (default: all)")
    args = parser.parse_args(argv)
    names = lesson_names(args.lessons)
    if args.action == "update":
        for name in names:
            catalogue = update(name, fresh_instructor(name))
            todo = len(catalogue.untranslated_entries()) + len(catalogue.fuzzy_entries())
            print(f"{catalogue_path(name).relative_to(COURSE.parent)}: {todo} to translate")
        return 0
    found = [p for name in names for p in problems(name, fresh_instructor(name))]
    for name in names:
        path = catalogue_path(name)
        if path.exists():
            found += glossary_problems(catalogue_pairs(path), path.relative_to(COURSE.parent))
    print("\n".join(found) if found else "every lesson catalogue is complete and current")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

"""Finding the submissions in a folder, and refusing what is not a plain notebook file.

    submissions/alice/02_graph_and_backward.ipynb      student = the first sub-folder
    submissions/bob_02_graph_and_backward.ipynb        student = the file name minus the lesson

Only regular files count: a symbolic link (say, to the instructor notebook), a FIFO (which
would hang whoever reads it), a device or anything larger than the size cap becomes a row
saying why, and is never opened. Files are opened without following links and checked
again once open, so a file swapped for a link between the two looks is refused too.

One submission per student and lesson is graded: the newest file (by modification time,
then by name); the others are listed in the summary as not graded.
"""

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024


class Refused(ValueError):
    """A submission that is not read: the message says why."""


@dataclass
class Submission:
    path: Path
    relative: str
    student: str
    lesson: str | None  # from the file name; the notebook's metadata may say otherwise
    mtime: float = 0.0
    problem: str | None = None  # why it cannot be read, found while walking
    superseded: list = field(default_factory=list)  # older copies of the same lesson


def lesson_from_name(filename, names):
    """The lesson whose name (or two-digit number) appears in a file name, else None."""
    for name in sorted(names, key=len, reverse=True):
        if name in filename:
            return name
    match = re.search(r"(?<!\d)(\d\d)(?!\d)", filename)
    if match:
        numbered = [name for name in names if name.startswith(match.group(1) + "_")]
        if len(numbered) == 1:
            return numbered[0]
    return None


def student_of(path, folder, lesson):
    """The student's name: the first sub-folder, else the file name without the lesson."""
    relative = Path(path).relative_to(folder)
    if len(relative.parts) > 1:
        return relative.parts[0]
    stem = relative.stem
    if lesson:
        stem = stem.replace(lesson, "")
    return stem.strip(" _-.") or relative.stem


def _walk(folder):
    """Every *.ipynb entry under folder (links not followed), with its lstat."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints" and not d.startswith("."))
        # a folder (or a link to one) named x.ipynb is reported too, not silently skipped
        names = set(files) | {d for d in dirs if d.endswith(".ipynb")}
        for name in sorted(n for n in names if n.endswith(".ipynb")):
            path = Path(root, name)
            yield path, os.lstat(path)


def _problem(info):
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link, not a notebook file: submit the file itself"
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file (a folder, a FIFO or a device)"
    if info.st_size > MAX_NOTEBOOK_BYTES:
        return f"it is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB"
    return None


def find(folder, lesson_names):
    """(graded, superseded): the submissions to grade, and the older copies left out."""
    folder = Path(folder)
    found = {}
    for path, info in _walk(folder):
        relative = str(path.relative_to(folder))
        lesson = lesson_from_name(path.name, lesson_names)
        student = student_of(path, folder, lesson)
        submission = Submission(path, relative, student, lesson, info.st_mtime, _problem(info))
        key = (student, lesson or relative)
        found.setdefault(key, []).append(submission)
    graded, superseded = [], []
    for copies in found.values():
        copies.sort(key=lambda s: (s.problem is None, s.mtime, s.relative), reverse=True)
        newest, older = copies[0], copies[1:]
        newest.superseded = [s.relative for s in older]
        graded.append(newest)
        superseded += older
    graded.sort(key=lambda s: (s.student, s.lesson or "", s.relative))
    return graded, superseded


def read(path):
    """The notebook (nbformat 4, sources as strings); raises Refused with the reason."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise Refused(f"could not open it ({error.strerror})") from None
    with os.fdopen(descriptor, "rb") as file:
        problem = _problem(os.fstat(file.fileno()))
        if problem:
            raise Refused(problem)
        data = file.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise Refused(f"it is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8")
        raw = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        why = "it is not valid notebook JSON (cut off, or not a notebook at all?)"
        raise Refused(why) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise Refused("it is not a notebook: it has no list of cells")
    try:  # as version 4, with each cell's source as one string, and valid as such
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:
        first = (str(error).splitlines() or [""])[0][:160]
        raise Refused(f"it is not a valid notebook ({type(error).__name__}: {first})") from None
    return notebook


def cell_source(cell):
    """A cell's source as one string (notebook files store it as a string or a list)."""
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""

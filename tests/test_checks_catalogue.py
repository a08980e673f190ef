"""The exercise checks in Simplified Chinese (course/locale/zh/checks.po).

- The catalogue is complete and current: every `_("...")` of course/checks/ and
  course/verdict.py has a translated, non-fuzzy entry, with the same {fields}; no entry is
  left over from a message that no longer exists; nothing shadows `_` where it is used.
- The language is looked up when a message is made: under MINITENSOR_LANG=zh or
  set_language("zh") a blank exercise says "not done" in Chinese, and the wrong-answer
  fixtures of tests/test_lessons.py get their message and both hint tiers in Chinese;
  English stays as it was (tests/test_lesson_answers.py checks its phrases).

The grader's side (a Chinese submission's gradebook) is in tests/test_grading.py.
"""

import ast
import re
from pathlib import Path

import polib
import pytest
from test_lesson_answers import WRONG, WRONG_ANSWERS, call_checks, define, namespace

import course.checks
from course.checks import CheckFailed, NotDone, attempt
from course.locale import CHECKS_CATALOGUE, checks_msgids, msgids
from widgets.common.language import set_language

COURSE = Path(course.checks.__file__).resolve().parent.parent
# A {field} of str.format, with its conversion and format spec: {got}, {x!r}, {loss:.4f}.
FIELD = re.compile(r"\{([A-Za-z_]\w*(?:![rsa])?(?::[^{}]*)?)\}")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def catalogue():
    return {entry.msgid: entry for entry in polib.pofile(str(CHECKS_CATALOGUE))}


@pytest.fixture
def chinese(monkeypatch):
    """The checks speak Chinese for one test, by the environment as the grader sets it."""
    monkeypatch.setenv("MINITENSOR_LANG", "zh")
    set_language(None)
    course.checks._failures.clear()
    yield
    course.checks._failures.clear()


# --------------------------------------------------------------------------- the catalogue


def test_every_check_message_is_in_the_catalogue_translated_and_not_fuzzy(catalogue):
    problems = []
    for text, where in checks_msgids().items():
        entry = catalogue.get(text)
        if entry is None:
            problems.append(f"missing ({where[0]}): {text!r}")
        elif not entry.msgstr or entry.obsolete or "fuzzy" in entry.flags:
            problems.append(f"untranslated or fuzzy ({where[0]}): {text!r}")
    assert problems == [], "\n".join(problems)


def test_the_catalogue_has_no_stale_entries(catalogue):
    used = checks_msgids()
    assert [text for text in catalogue if text not in used] == []


def test_translations_keep_the_fields_of_the_english(catalogue):
    wrong = [
        (text, entry.msgstr)
        for text, entry in catalogue.items()
        if set(FIELD.findall(text)) != set(FIELD.findall(entry.msgstr))
    ]
    assert wrong == []


def test_a_message_must_be_a_literal_so_the_catalogue_can_find_it():
    with pytest.raises(ValueError, match="literal"):
        msgids('_(f"you predicted {got}")')
    assert msgids('_("you predicted {got}", got=1)') == {"you predicted {got}": [1]}


def test_no_function_that_translates_rebinds_the_underscore():
    # `for _ in range(n)` or `a, _ = ...` would make `_` a local name in the whole function,
    # and its `_("...")` calls would fail at run time.
    shadowing = []
    for path in sorted((COURSE / "checks").glob("*.py")) + [COURSE / "verdict.py"]:
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef):
                continue
            nodes = list(ast.walk(function))
            binds = any(
                isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)
                for n in nodes
            )
            calls = any(
                isinstance(n, ast.Call) and getattr(n.func, "id", None) == "_" for n in nodes
            )
            if binds and calls:
                shadowing.append(f"{path.name}: {function.name}")
    assert shadowing == []


# --------------------------------------------------------------------------- the messages


def _not_done():
    def stub():
        raise NotImplementedError()

    with pytest.raises(NotDone) as failure:
        attempt("ex2", stub)
    return str(failure.value)


def test_a_blank_exercise_is_not_done_in_chinese_under_minitensor_lang(chinese):
    assert _not_done() == "练习 2：还没有完成，请替换 # YOUR CODE HERE 下面的那一行"


def test_set_language_switches_messages_already_imported_checks_make(monkeypatch):
    monkeypatch.delenv("MINITENSOR_LANG", raising=False)
    try:
        set_language("zh")
        assert _not_done().startswith("练习 2：还没有完成")
        set_language("en")
        assert _not_done() == "ex2: not done yet, replace the line under # YOUR CODE HERE"
    finally:
        set_language(None)


def test_english_is_unchanged_without_a_language(monkeypatch):
    monkeypatch.delenv("MINITENSOR_LANG", raising=False)
    set_language(None)
    assert _not_done() == "ex2: not done yet, replace the line under # YOUR CODE HERE"


def _failures_of(name, exercise, index):
    """The first two failures of a wrong-answer fixture (minitensor)."""
    course.checks._failures.clear()
    source, _phrases = WRONG_ANSWERS[name][exercise][index]
    failures = []
    for _tier in range(2):
        space = namespace(name, "minitensor")
        define(source, space)
        with pytest.raises(CheckFailed) as failure:
            call_checks(name, exercise, space)
        failures.append(failure.value)
    return failures


def test_a_wrong_shape_gets_the_chinese_message_and_hints(chinese):
    first, second = _failures_of("01_tensors", "ex1", 0)
    assert str(first) == (
        "练习 1：你预测的是 (3, 1)；mt.ones(3, 1) + mt.ones(4) 的形状是 (3, 4)\n"
        "提示：把两个形状从右边对齐：(3, 1) 和 (4,) 变成 (3, 1) 和 (1, 4)。"
    )
    assert str(second).endswith(
        "进一步提示：大小为 1 的维度会被拉伸到另一方的大小：行数为 max(3, 1)，列数为 max(1, 4)。"
    )


# The first wrong answer of every exercise (the rest take the same paths through fail()).
FIRST_OF_EACH = [(name, exercise, index) for name, exercise, index in WRONG if index == 0]


@pytest.mark.parametrize("name, exercise, index", FIRST_OF_EACH)
def test_a_wrong_answer_gets_its_message_and_both_hint_tiers_in_chinese(
    name, exercise, index, catalogue, monkeypatch
):
    monkeypatch.setenv("MINITENSOR_LANG", "en")
    _, english = _failures_of(name, exercise, index)
    monkeypatch.setenv("MINITENSOR_LANG", "zh")
    first, chinese = _failures_of(name, exercise, index)
    number = exercise.removeprefix("ex")
    assert str(first).startswith(f"练习 {number}："), str(first)
    assert "\n提示：" in str(first) and "\n进一步提示：" in str(chinese)
    assert CHINESE.search(chinese.what), chinese.what
    assert len(chinese.hints) == len(english.hints) == 2
    for hint, same_in_english in zip(chinese.hints, english.hints):
        # A hint is translated, unless it is code or a formula (the same in both).
        code = catalogue.get(same_in_english)
        assert hint != same_in_english or (code and code.msgstr == code.msgid), hint

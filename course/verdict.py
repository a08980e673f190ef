"""The verdict process: calls the official checks on a student's answers, one exercise at a time.

Run by the grader inside the sandbox, as a fresh interpreter in Python's isolated mode
(`python -I`: neither the notebook's folder, nor the current folder, nor user site-packages
are importable, and PYTHON* variables are ignored):

    python -I course/verdict.py < job.json        verdicts come back on standard output

The job (written by the grader, course/grade.py) holds the lesson's official check calls,
the prelude (the instructor notebook's imports), and the answers' runnable code
(course/answers.py). The order of events is what makes the verdict trustworthy:

1. Standard output is kept as the channel to the grader and replaced by /dev/null for
   everything else; the process makes itself non-dumpable, so its children (which run
   student code) can neither trace it nor open its memory or file descriptors.
2. The checks are imported and every check function is looked up now, before any student
   code exists in the process. The success and failure exception classes are kept too.
3. For each exercise a child process is forked. Only the child runs student code: it defines
   the answers (definitions only, see course/answers.py), calls the exercise's checks, and
   writes its verdict to a pipe of its own. Whatever the student's code does in the child,
   even to the checks, dies with the child: the next exercise starts from this untouched
   parent again.
4. The parent reads at most one verdict per child, for that child's exercise only, kills
   the child's whole process group, and writes one JSON line per exercise to the channel.

The messages speak the language of MINITENSOR_LANG, which the grader sets from the notebook's
metadata ("en" or "zh"): the checks' catalogue is read in step 2, before any student code.

A check passes only when every call of it returned normally; an exception, a timeout, a
child that dies or says nothing, all fail. The grader accepts a line only for the lesson's
known exercises.
"""

import ctypes
import importlib
import io
import json
import os
import select
import signal
import sys
import time
import traceback

# Bound now, before any student code: an answer that replaces json.dumps or os.write while
# its check runs must not change how the child reports (the scan flags such answers too).
_dumps, _write, _exit = json.dumps, os.write, os._exit

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_VERDICT_BYTES = 64 * 1024
PR_SET_DUMPABLE = 4
# The checks' translation of this file's own messages (course/checks/__init__.py); Trusted
# puts it in place. Until then: English.
_catalogue = [lambda english, **fields: english.format(**fields) if fields else english]


def _(english, **fields):
    """`english` with its {fields} filled in, in the language the checks speak."""
    return _catalogue[0](english, **fields)


def _make_undumpable():
    """Forbid ptrace and /proc/<pid>/mem access to this process by same-uid processes."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the sandbox is off there anyway


def _take_channel():
    """Keep stdout as the verdict channel; point fd 1 and 2 at /dev/null for everyone else."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = sys.stderr = io.StringIO()
    return channel


class Trusted:
    """The check functions and exception classes, looked up before any student code runs."""

    def __init__(self, exercises):
        checks = importlib.import_module("course.checks")
        self.check_failed = checks.CheckFailed
        if importlib.import_module("widgets.common.language").get_language() == "zh":
            checks._.table()  # the catalogue, read now: student code could break the reading
        _catalogue[0] = checks._
        self.functions = {}
        for exercise in exercises:
            for call in exercise["calls"]:
                module = importlib.import_module(call["module"])
                self.functions[(call["module"], call["function"])] = getattr(
                    module, call["function"]
                )


def _argument(spec, namespace):
    """A check's argument: a name the student defined, or a constant from the check cell."""
    kind, value = spec
    if kind == "name":
        if value not in namespace:
            raise NameError(
                _(
                    "name '{name}' is not defined: the check needs it (was the exercise "
                    "cell deleted or renamed, or is your definition among the lines that "
                    "were not run?)",
                    name=value,
                )
            )
        return namespace[value]
    return value


def _define(answers, namespace):
    """Run the answers' definitions, one statement at a time; return the errors as notes."""
    import ast

    notes = []
    for statement in ast.parse(answers).body:
        module = ast.Module(body=[statement], type_ignores=[])
        try:
            exec(compile(module, "<your answer cells>", "exec"), namespace)
        except Exception as error:
            notes.append(f"line {statement.lineno}: {type(error).__name__}: {error}")
    return notes


def _one_line(text, limit=2000):
    return " ".join(str(text).split())[:limit]


def _judge(exercise, job, trusted, namespace):
    """Inside the child: define the answers and call this exercise's checks."""
    notes = _define(job["answers"], namespace)
    printed = io.StringIO()
    sys.stdout = sys.stderr = printed
    try:
        for call in exercise["calls"]:
            function = trusted.functions[(call["module"], call["function"])]
            args = [_argument(spec, namespace) for spec in call["args"]]
            kwargs = {key: _argument(spec, namespace) for key, spec in call["kwargs"].items()}
            function(*args, **kwargs)
    except trusted.check_failed as error:
        return False, _one_line(error), notes
    except BaseException as error:  # the student's code raised: the check did not pass
        where = traceback.extract_tb(error.__traceback__)
        lines = [f.lineno for f in where if f.filename.startswith("<your")]
        line = _(" (line {number})", number=lines[0]) if lines else ""
        return False, _one_line(f"{type(error).__name__}: {error}{line}"), notes
    success = [line for line in printed.getvalue().splitlines() if line.startswith("✔")]
    return True, _one_line(success[-1] if success else _("passed")), notes


def _child(exercise, job, trusted, namespace, write_end):
    os.setpgid(0, 0)
    try:
        passed, message, notes = _judge(exercise, job, trusted, dict(namespace))
        verdict = {"passed": passed, "message": message, "notes": notes}
    except BaseException as error:
        verdict = {"passed": False, "message": _one_line(f"{type(error).__name__}: {error}")}
    data = _dumps(verdict).encode("utf-8")[: MAX_VERDICT_BYTES - 1] + b"\n"
    _write(write_end, data)
    _exit(0)


def _read_verdict(read_end, timeout):
    """The first line the child writes within `timeout` seconds, or None."""
    deadline = time.monotonic() + timeout
    data = b""
    while b"\n" not in data and len(data) < MAX_VERDICT_BYTES:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([read_end], [], [], left)[0]:
            return None, "timeout"
        chunk = os.read(read_end, MAX_VERDICT_BYTES)
        if not chunk:
            break
        data += chunk
    line = data.split(b"\n", 1)[0]
    try:
        verdict = json.loads(line)
        return verdict, None
    except ValueError:
        return None, "no verdict"


def _run_exercise(exercise, job, trusted, namespace, channel):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        channel.close()
        os.close(read_end)
        _child(exercise, job, trusted, namespace, write_end)
    try:
        os.setpgid(pid, pid)  # also here, so the kill below reaches a group in any case
    except OSError:
        pass
    os.close(write_end)
    verdict, problem = _read_verdict(read_end, job["timeout"])
    os.close(read_end)
    for target in (-pid, pid):  # the child's process group: it and whatever it started
        try:
            os.kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    os.waitpid(pid, 0)
    if problem == "timeout":
        verdict = {
            "passed": False,
            "message": _(
                "timed out: the check ran for more than {seconds} s (an endless loop in "
                "your code?)",
                seconds=job["timeout"],
            ),
        }
    elif verdict is None or not isinstance(verdict, dict):
        verdict = {"passed": False, "message": _("the check ended without a verdict")}
    line = {
        "exercise": exercise["id"],
        "passed": verdict.get("passed") is True,
        "message": _one_line(verdict.get("message", "")),
        "notes": [_one_line(n, 300) for n in verdict.get("notes", [])][:20],
    }
    channel.write(json.dumps(line) + "\n")
    channel.flush()


def main():
    job = json.loads(sys.stdin.read())
    channel = _take_channel()
    _make_undumpable()
    sys.path[:0] = [PROJECT]
    trusted = Trusted(job["exercises"])
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    _define(job["prelude"], namespace)  # the lesson's own imports: trusted code
    for exercise in job["exercises"]:
        _run_exercise(exercise, job, trusted, namespace, channel)
    channel.close()


if __name__ == "__main__":
    main()

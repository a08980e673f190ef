"""Run a student's notebook for feedback, inside the sandbox: `python -I course/feedback_run.py`.

The grader (course/grade.py) sends the notebook to run on standard input: the student's
cells with the official *visible* check cells put back (hidden tests are never sent). This
runs it in a fresh kernel in the sandbox's private work folder, every cell under the
per-cell time limit, and writes the executed notebook to standard output.

This run decides no grade: the verdicts come from course/verdict.py. What the student's code
does here can only change the student's own feedback notebook.
"""

import json
import os
import sys

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    sys.path[:0] = [PROJECT]
    import nbformat

    from course.execute import run_notebook

    request = json.loads(sys.stdin.read())
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)  # the kernel and its children write elsewhere than the channel
    notebook = nbformat.from_dict(request["notebook"])
    _, problem = run_notebook(notebook, os.getcwd(), cell_timeout=request["timeout"])
    channel.write(json.dumps({"notebook": notebook, "problem": problem}))
    channel.close()


if __name__ == "__main__":
    main()

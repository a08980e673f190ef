"""The lesson machinery: exercise checks and the notebook builder.

The notebooks themselves sit next to this file:

    NN_topic.ipynb             what a learner opens: exercises blank, no outputs
    solutions/NN_topic.ipynb   the instructor version: solutions, hidden tests, outputs
    source/NN_topic.py         what authors edit (cells in "# %%" percent format)

and the Python modules here are:

    checks/       `from lessons.checks.lesson02 import check_ex1`: what exercise cells call
    percent.py    reads a source file into notebook cells
    learner.py    makes the learner version of an instructor notebook (blanks solutions)
    execute.py    runs a notebook cell by cell, with a timeout per cell
    build.py      `python -m lessons.build`: source -> instructor (executed) -> learner

Grading a class's notebooks is the course package's job (course/grade.py). Read
lessons/README.md for the lesson index and how exercises and grading work.
"""

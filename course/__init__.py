"""The course machinery around the lessons: everything but the notebooks a learner opens.

Lessons, for authors:

    source/NN_topic.py   what authors edit ("# %%" cells; percent.py reads them)
    build.py             `python -m course.build`: source -> instructor notebook (executed,
                         lessons/solutions/) -> learner notebook (learner.py, lessons/)
    execute.py           runs a notebook cell by cell, with a time limit per cell
    checks/              what the exercise cells call: `from course.checks.lesson02 import ...`

Teaching, for teachers:

    grade.py             `python -m course.grade SUBMISSIONS`: sandboxed grading (read it
                         first: it says which file does each step)
    release.py           `make release`: the folder students receive
    demo_app.py, demo/   `make demo`: the widgets as a presentation app
    nbgrader_export.py   `make nbgrader`: the lessons as an nbgrader course
"""

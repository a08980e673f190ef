"""The course machinery around the lessons: grading submitted notebooks (grade.py and what it
uses), run by teachers, never by a learner's notebook.

Read grade.py first: it says what happens to a submission, and which file does each step.
"""

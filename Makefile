# Everyday commands for minitensor. Needs only python3 (with venv) and make.
#
#   make lab     set up .venv and open the lessons in JupyterLab
#   make test    set up .venv and run ruff, pytest and the lesson notebooks (nbval)
#   make bench   run the benchmarks
#   make lessons rebuild the lesson notebooks from course/source/ (English and Chinese)
#   make translate  update the Chinese catalogues after an English change (README, Contributing)
#   make release                   write release/: what students receive (no solutions)
#   make grade SUBMISSIONS=folder   grade submitted notebooks (sandboxed) into gradebook.csv
#   make fmt     format and auto-fix lint
#   make screenshots  retake the README's widget pictures (docs/images/; needs chromium),
#                     the Chinese demo's too (docs/images/zh_widget_demo.png)
#   make demo    the widgets as a presentation app (Voila, http://127.0.0.1:8866/);
#                make demo MINITENSOR_LANG=zh: in Simplified Chinese
#   make nbgrader COURSE=dir   write the lessons as an nbgrader course into dir
#
# Everything is installed into .venv in this folder; nothing touches the system Python.

VENV   := .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# nbval runs the instructor notebooks (lessons/solutions/, exercises solved) and the widget
# demo, in English and in Chinese (zh/). The learner versions (lessons/NN_*.ipynb) are left
# out on purpose: their exercise checks fail until the learner fills them in;
# tests/test_lessons*.py and tests/test_chinese_edition.py check those. The notebooks are
# run only once there is at least one of them.
NOTEBOOKS  := $(wildcard lessons/00_widgets_demo.ipynb lessons/solutions/*.ipynb \
                         lessons/zh/00_widgets_demo.ipynb lessons/solutions/zh/*.ipynb)
NBVAL_ARGS := $(NOTEBOOKS) --nbval-lax --nbval-current-env --nbval-cell-timeout=120 \
              --nbval-sanitize-with course/sanitize.cfg
PYTEST_ARGS := tests $(if $(NOTEBOOKS),$(NBVAL_ARGS)) -p no:cacheprovider

# Jupyter refuses to run as root without --allow-root (root is common in containers).
ifeq ($(shell id -u),0)
LAB_ARGS := --allow-root
endif

.PHONY: venv proxy lab test bench fmt gpu-check clean lessons translate release grade screenshots demo nbgrader

venv: $(STAMP)

# Create the virtual environment once.
$(PYTHON):
	python3 -m venv $(VENV)

# (Re)install when pyproject.toml changes, or when a top-level package appears (an editable
# install only knows the packages that existed when it was made). The "|" makes the venv an
# order-only prerequisite: its timestamp does not trigger a reinstall.
$(STAMP): pyproject.toml $(wildcard minitensor/__init__.py widgets/__init__.py course/__init__.py) | $(PYTHON)
	$(PYTHON) -m pip install --upgrade pip
	$(PYTHON) -m pip install -e ".[lab,test,teach]"
	touch $(STAMP)

lab: venv
	$(VENV)/bin/jupyter lab $(LAB_ARGS) lessons/

# JupyterHub's proxy for tests/test_jupyterhub.py comes from npm; without npm that test is
# skipped with the reason (CI installs npm).
PROXY := deploy/jupyterhub/node_modules/.bin/configurable-http-proxy
proxy:
	@if [ ! -x $(PROXY) ] && command -v npm >/dev/null 2>&1; then \
		npm ci --prefix deploy/jupyterhub --no-audit --no-fund; fi

# pytest fails the target on any failure, and also when it collects no tests (exit code 5).
test: venv proxy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PYTHON) -m pytest $(PYTEST_ARGS)

# Rebuild the lesson notebooks from course/source/ (see course/build.py).
lessons: venv
	$(PYTHON) -m course.build

# Bring the lessons' Chinese catalogues in step with their English, then list what is left.
translate: venv
	$(PYTHON) -m course.translate update
	$(PYTHON) -m course.translate check

# A class's workflow (README, "Grading"): release, collect into $(SUBMISSIONS)/<student>/,
# grade (each submission in its own bubblewrap sandbox), hand back $(FEEDBACK)/<student>/.
RELEASE     ?= release
SUBMISSIONS ?= submissions
GRADEBOOK   ?= gradebook.csv
FEEDBACK    ?= feedback
release: venv
	$(PYTHON) -m course.release $(RELEASE)

grade: venv
	$(PYTHON) -m course.grade $(SUBMISSIONS) --out $(GRADEBOOK) --feedback $(FEEDBACK) $(GRADE_ARGS)

# Teaching a class (README, "Teaching a class"): the presentation app on 127.0.0.1, and
# the lessons as an nbgrader course. DEMO_ARGS: e.g. --port 9000 --size normal --language zh
# (MINITENSOR_LANG=zh on make's command line does the same);
# LESSONS: lesson prefixes for the course, e.g. LESSONS="01 02" (default: all).
COURSE ?= nbgrader-course
demo: venv
	$(PYTHON) -m course.demo_app $(DEMO_ARGS)

nbgrader: venv
	$(PYTHON) -m course.nbgrader_export $(COURSE) $(LESSONS)

bench: venv
	$(PYTHON) -m benchmarks

fmt: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The demo notebook in JupyterLab in headless chromium, as the browser tests run it.
screenshots: venv
	$(PYTHON) tools/screenshots.py
	$(PYTHON) tools/demo_screenshot.py
	$(PYTHON) tools/zh_screenshot.py

gpu-check:
	bash benchmarks/gpu_check.sh

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis test-artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

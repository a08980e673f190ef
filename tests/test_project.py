"""The project files agree with each other and with the README.

README.md's quickstart, the Makefile, CI's script (.ci/run), pyproject.toml and
environment.yml are all written by hand; these tests catch them drifting apart. Each check is
a small function that returns what is wrong, so the tests at the bottom can also show that a
broken file would be caught.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent

# PyPI name -> conda-forge name, where the two differ.
CONDA_NAMES = {"graphviz": "python-graphviz", "matplotlib": "matplotlib-base"}

# "pip install minitensor" (also with flags or extras) installs an unrelated PyPI project.
BARE_PIP_INSTALL = re.compile(r"pip3? install\s+(?:-\S+\s+)*minitensor(?![\w-])")


def read(name):
    return (ROOT / name).read_text(encoding="utf-8")


def load_pyproject():
    return tomllib.loads(read("pyproject.toml"))


def load_environment():
    return yaml.safe_load(read("environment.yml"))


def split_requirement(spec):
    """'numpy>=2.0' -> ('numpy', '2.0'); 'graphviz' -> ('graphviz', None).

    Works for pip requirements and conda specs; an environment marker (after ';') is ignored.
    """
    spec = spec.split(";")[0].strip()
    match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(?:>=\s*(\S+))?", spec)
    if match is None:
        return spec, "not a plain 'name' or 'name>=version'"
    return match.group(1).lower(), match.group(2)


def conda_packages(environment):
    """{name: lower bound or None} for the conda packages, leaving out the nested pip list."""
    specs = [spec for spec in environment["dependencies"] if isinstance(spec, str)]
    return dict(split_requirement(spec) for spec in specs)


def conda_mismatches(pyproject, environment):
    """What a conda user would miss: runtime and lesson dependencies, bounds, Python, `dot`."""
    project = pyproject["project"]
    conda = conda_packages(environment)
    problems = []
    for requirement in project["dependencies"] + project["optional-dependencies"]["lab"]:
        name, bound = split_requirement(requirement)
        conda_name = CONDA_NAMES.get(name, name)
        if conda_name not in conda:
            problems.append(f"{requirement!r} has no {conda_name!r} in environment.yml")
        elif conda[conda_name] != bound:
            problems.append(
                f"{requirement!r} in pyproject.toml but {conda_name}>={conda[conda_name]} "
                "in environment.yml"
            )
    python_bound = project["requires-python"].removeprefix(">=")
    if conda.get("python") != python_bound:
        problems.append(f"environment.yml needs python>={python_bound}")
    if "graphviz" not in conda:
        problems.append("environment.yml lacks 'graphviz', the `dot` program")
    return problems


def section(markdown, heading):
    """The text under a '## heading', up to the next '## ' heading."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"README.md has no '## {heading}' section"
    return match.group(1)


def quickstart_commands(readme):
    """The commands in the first code block of the README's Quickstart section."""
    block = re.search(r"```\w*\n(.*?)```", section(readme, "Quickstart"), re.S)
    assert block, "README.md's Quickstart has no code block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def makefile_targets(makefile):
    """Names of the explicit rule targets (`name:` at the start of a line, not `name := ...`)."""
    targets = set()
    for line in re.findall(r"^([\w.\- ]+?)\s*:(?!=)", makefile, re.M):
        targets.update(line.split())
    return targets


def script_commands(script):
    """The non-blank, non-comment lines of a shell script, stripped."""
    lines = (line.strip() for line in script.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


# --- the real files ------------------------------------------------------------------------


def test_environment_yml_has_a_conda_equivalent_for_every_pyproject_dependency():
    assert conda_mismatches(load_pyproject(), load_environment()) == []


def test_environment_yml_installs_the_project_itself_with_pip():
    dependencies = load_environment()["dependencies"]
    pip_lists = [spec["pip"] for spec in dependencies if isinstance(spec, dict)]
    assert pip_lists == [["-e ."]]


def test_pyproject_has_no_upper_pins():
    project = load_pyproject()["project"]
    requirements = project["dependencies"] + sum(project["optional-dependencies"].values(), [])
    pinned = [r for r in requirements if re.search(r"<|==|~=", r.split(";")[0])]
    assert pinned == []


def test_readme_quickstart_is_make_lab_and_make_test():
    assert quickstart_commands(read("README.md")) == ["make lab", "make test"]


def test_every_quickstart_command_is_a_makefile_target():
    targets = makefile_targets(read("Makefile"))
    for command in quickstart_commands(read("README.md")):
        assert command.split()[1] in targets, f"Makefile has no target for {command!r}"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("target", ["venv", "lab", "test", "bench", "fmt", "gpu-check", "clean"])
def test_make_knows_the_target(target):
    # -n prints the commands without running them; an unknown target or a broken Makefile fails.
    result = subprocess.run(["make", "-n", "-C", str(ROOT), target], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


def test_ci_runs_exactly_the_readme_test_command_last():
    readme_test = [c for c in quickstart_commands(read("README.md")) if c.startswith("make test")]
    assert readme_test == ["make test"]
    assert script_commands(read(".ci/run"))[-1] == readme_test[0]


def test_ci_script_is_executable_and_stops_on_errors():
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
    assert "set -euo pipefail" in script_commands(read(".ci/run"))


def test_distribution_name_is_not_the_unrelated_pypi_minitensor():
    assert load_pyproject()["project"]["name"] != "minitensor"


def test_readme_never_says_pip_install_minitensor():
    assert BARE_PIP_INSTALL.findall(read("README.md")) == []


def test_sanitize_file_makes_graphviz_versions_and_addresses_compare_equal():
    from nbval.plugin import get_sanitize_patterns  # the parser `make test` uses

    patterns = get_sanitize_patterns(read("course/sanitize.cfg"))

    def sanitize(text):
        for regex, replace in patterns:
            text = re.sub(regex, replace, text)
        return text

    old = "<!-- Generated by graphviz version 2.43.0 (0)\n -->\n<!-- Title: %3 Pages: 1 -->"
    new = "<!-- Generated by graphviz version 12.2.1 (0)\n -->\n<!-- Title: %0 Pages: 1 -->"
    assert sanitize(old) == sanitize(new)
    assert sanitize("<Tensor at 0x7f3a2b>") == sanitize("<Tensor at 0x55d0c1ff>")


# --- the checks above catch broken files --------------------------------------------------


def test_conda_check_reports_a_missing_package_a_wrong_bound_and_no_dot():
    environment = load_environment()
    environment["dependencies"] = [
        "numpy>=1.26" if spec == "numpy>=2.0" else spec
        for spec in environment["dependencies"]
        if spec not in ("python-graphviz", "graphviz")
    ]
    problems = "\n".join(conda_mismatches(load_pyproject(), environment))
    assert "'python-graphviz'" in problems
    assert "numpy>=1.26" in problems
    assert "`dot` program" in problems


def test_quickstart_and_ci_checks_see_a_different_test_command():
    readme = "## Quickstart\n\n```sh\nmake lab\npytest\n```\n\n## Next\n"
    assert quickstart_commands(readme) == ["make lab", "pytest"]
    assert script_commands("#!/bin/bash\nmake venv\nmake test  # all\n")[-1] != "make test"


def test_makefile_parser_ignores_variables_and_finds_targets():
    assert makefile_targets("A := 1\nB = 2\n.PHONY: x\nx y: a\n\t@echo\n") == {".PHONY", "x", "y"}


@pytest.mark.parametrize(
    "text, bad",
    [
        ("pip install minitensor", True),
        ("pip install -U minitensor[lab]", True),
        ("pip install -e .", False),
        ('pip install -e ".[gpu]"', False),
        ("pip install minitensor-edu", False),
    ],
)
def test_bare_pip_install_check(text, bad):
    assert bool(BARE_PIP_INSTALL.search(text)) is bad


def test_pre_commit_runs_the_same_ruff_checks_as_make_test():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    entries = [hook["entry"] for repo in config["repos"] for hook in repo["hooks"]]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for command in ("ruff check", "ruff format"):
        assert f"$(VENV)/bin/{command}" in makefile  # what `make test` runs
        assert any(entry.startswith(f".venv/bin/{command}") for entry in entries), entries

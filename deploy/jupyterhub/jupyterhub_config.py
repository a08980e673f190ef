"""JupyterHub for a class: every student gets their own copy of the lessons on first login,
and minitensor is installed once, for everyone.

    jupyterhub -f deploy/jupyterhub/jupyterhub_config.py        a plain JupyterHub
    The Littlest JupyterHub: copy this file and first_login.py into
    /opt/tljh/config/jupyterhub_config.d/ and run `tljh-config reload` (README.md)

What it sets, and only that (the authenticator, HTTPS and the address are the site's
choice: TLJH's `tljh-config`, or your own lines below):

- before a student's server starts, `first_login.copy_for_spawner` copies the learner
  notebooks from $MINITENSOR_LESSONS (default /opt/minitensor/lessons, what `make release`
  writes) into ~/lessons, once; later logins find their own work untouched;
- each server opens JupyterLab at the lesson index, in the student's home folder;
- the same Python for everyone: the hub's environment, where minitensor was installed.

tests/test_jupyterhub.py runs this file for real: it loads it with the test's own lines on
top (a test authenticator, one folder per student, ports on 127.0.0.1).

Read next: first_login.py, README.md.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from first_login import FOLDER, copy_for_spawner  # noqa: E402

c = get_config()  # noqa: F821 - provided by JupyterHub when it reads this file

LESSONS = Path(os.environ.get("MINITENSOR_LESSONS", "/opt/minitensor/lessons"))


def give_lessons(spawner):
    copy_for_spawner(spawner, LESSONS)


c.Spawner.pre_spawn_hook = give_lessons
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = f"/lab/tree/{FOLDER}/README.md"
# Let the student's kernels find the course's Python (where minitensor is installed), and
# the site's cap on threads, so 40 students' NumPy does not fight over every core.
c.Spawner.env_keep = ["PATH", "PYTHONPATH", "VIRTUAL_ENV", "CONDA_ROOT", "CONDA_DEFAULT_ENV",
                      "LANG", "LC_ALL", "JUPYTERHUB_SINGLEUSER_APP"]  # fmt: skip
c.Spawner.environment = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
# Lessons run in well under a minute; a server that starts slowly is a problem to report.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60

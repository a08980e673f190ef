"""Give a student their own copy of the learner notebooks, the first time they log in.

    copy_lessons(lessons, home)           copies lessons/ to home/lessons/ unless it exists
    python first_login.py LESSONS HOME    the same from a shell (Kubernetes' postStart hook)

The copy is made once: when `home/lessons` exists nothing is touched, so a student's work
survives every later login, a restart of their server, and an update of the course. (To
give a student a fresh copy, rename their folder; the next login makes a new one.)

`LESSONS` is the `lessons/` folder of the installed course (`make release` writes it: the
learner notebooks with blank exercises, the lesson index, no solutions; zh/ the same in
Chinese). Only notebooks and the READMEs are copied; the checks they import come from the
package installed once for everyone.

jupyterhub_config.py calls `copy_for_spawner` before each server starts (a JupyterHub
pre_spawn_hook, run by the hub). When the hub runs as root and the student is a system
user, the copy is then given to the student. (The Littlest JupyterHub creates a student's
account only after this hook, with `useradd --create-home`, which copies /etc/skel: there,
put the lessons into /etc/skel/lessons, see README.md.)

Read next: jupyterhub_config.py, README.md.
"""

import os
import shutil
import sys
from pathlib import Path

COPIED = ("*.ipynb", "README.md", "zh/*.ipynb", "zh/README.md")  # zh/: the Chinese edition
FOLDER = "lessons"  # the student's copy: ~/lessons


def copy_lessons(lessons, home):
    """Copy the notebooks of `lessons` into `home`/lessons; return that folder, or None
    when it already existed (then nothing is changed)."""
    target = Path(home) / FOLDER
    if target.exists():
        return None
    files = sorted({path for pattern in COPIED for path in Path(lessons).glob(pattern)})
    if not any(path.suffix == ".ipynb" for path in files):
        raise FileNotFoundError(f"no lesson notebooks in {lessons}: run `make release` first")
    partial = target.with_name(f".{FOLDER}-copying")  # never a half-made ~/lessons
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for path in files:
        copied = partial / path.relative_to(lessons)
        copied.parent.mkdir(exist_ok=True)
        shutil.copy2(path, copied)
    partial.rename(target)
    return target


def give_to(folder, username):
    """Make `folder` (and what is in it) belong to the system user `username`."""
    import pwd

    account = pwd.getpwnam(username)
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, account.pw_uid, account.pw_gid)


def copy_for_spawner(spawner, lessons):
    """JupyterHub's pre_spawn_hook: the student's copy, in the home their server will use."""
    name = spawner.user.name
    home = getattr(spawner, "home_dir", None)  # SimpleLocalProcessSpawner: one folder each
    system_user = not home
    if system_user:  # LocalProcessSpawner / SystemdSpawner: a real account per student
        import pwd

        try:
            home = pwd.getpwnam(name).pw_dir
        except KeyError:  # TLJH makes the account after this hook: /etc/skel copies then
            spawner.log.info("No system user %s yet: /etc/skel gives the first copy", name)
            return
    copied = copy_lessons(lessons, home)
    if copied is not None:
        spawner.log.info("Copied the lessons for %s into %s", name, copied)
        if system_user and os.geteuid() == 0:
            give_to(copied, name)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python first_login.py LESSONS_FOLDER HOME_FOLDER")
    made = copy_lessons(sys.argv[1], sys.argv[2])
    print(f"copied the lessons into {made}" if made else "the lessons were already there")

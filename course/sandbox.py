"""One sandbox per submission: bubblewrap (`bwrap`), the sandbox Flatpak uses.

Everything a submission runs (the feedback run of its notebook, the verdict process) runs
through `Sandbox.run`, in a new set of namespaces:

- a file system built from nothing: read-only binds of the system (/usr, the few /etc files
  a program needs), of Python and its packages, and of the project's packages
  (minitensor/, widgets/, lessons/ without solutions/ and source/, course/). Not there: the
  other submissions, the gradebook, the instructor notebooks, the teacher's $HOME;
- a private /tmp (a size-capped tmpfs) holding HOME and the work folder, gone afterwards;
- no network (a new network namespace with only loopback), a new PID namespace (everything
  started inside dies with it), a new session (no terminal to type into), an unprivileged
  uid (1000) without capabilities, and `--die-with-parent`;
- limits, set by `prlimit` before bwrap starts: address space (memory), file size (which
  also caps what the sandbox can write to its standard output and error, files here on the
  grader's side), open files, no core dumps; processes through a pids cgroup when the
  grader runs as root (root's RLIMIT_NPROC counts nothing), else through RLIMIT_NPROC;
- a wall-clock cap: past it the whole process group is killed.

`--no-sandbox` (Sandbox(enabled=False)) keeps the limits and the fresh isolated interpreter
but none of the namespaces: the submission can read and write what the teacher can.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
INSTALL_HINT = "sudo apt-get install bubblewrap  (Fedora: sudo dnf install bubblewrap)"
SANDBOX_UID = 1000
# The project's packages a submission may import. lessons/ (the instructor notebooks, the
# teachers' guides) is not there at all, and the lesson sources, which hold the solutions,
# are hidden inside course/.
VISIBLE_PACKAGES = ("minitensor", "widgets", "course")
HIDDEN_IN_PROJECT = ("course/source",)
ETC_FILES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "passwd",
    "group",
    "nsswitch.conf",
    "localtime",
    "fonts",
    "alternatives",
    "mime.types",
)


class SandboxUnavailable(RuntimeError):
    """bwrap is missing or cannot create namespaces here; the message says how to fix it."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandbox run."""

    memory_mb: int = 3072  # address space per process
    processes: int = 64
    file_mb: int = 32  # any one file, and each of standard output and error
    tmp_mb: int = 256  # the private /tmp
    open_files: int = 256


@dataclass
class Result:
    returncode: int  # negative: killed by that signal
    stdout: bytes
    stderr: bytes
    timed_out: bool
    seconds: float


def _python_paths():
    """Folders Python needs: its installation, the environment and their package folders."""
    paths = {sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.update(p for p in sys.path if p and ("-packages" in p or p.startswith(sys.base_prefix)))
    paths.add(os.path.dirname(os.path.realpath(sys.executable)))
    return sorted(p for p in (os.path.realpath(p) for p in paths) if os.path.isdir(p))


def _outermost(paths):
    """Drop paths that lie inside another path of the list (one bind covers them)."""
    kept = []
    for path in sorted(paths, key=len):
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def _system_binds():
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for name in ETC_FILES:
        if os.path.exists(f"/etc/{name}"):
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return args


def _project_binds():
    args = []
    for package in VISIBLE_PACKAGES:
        path = PROJECT / package
        if path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for hidden in HIDDEN_IN_PROJECT:
        if (PROJECT / hidden).is_dir():
            args += ["--tmpfs", str(PROJECT / hidden)]
    return args


def environment(extra=None):
    """The variables a sandboxed program sees, and nothing of the teacher's: ours, plus
    `extra` (the grader's own choices, such as MINITENSOR_LANG)."""
    return {
        "HOME": "/tmp/home",
        "PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": "/tmp",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/home/.config/matplotlib",
        "IPYTHONDIR": "/tmp/home/.ipython",
        "JUPYTER_CONFIG_DIR": "/tmp/home/.jupyter",
        "JUPYTER_DATA_DIR": "/tmp/home/.local/share/jupyter",
        "JUPYTER_RUNTIME_DIR": "/tmp/home/.local/share/jupyter/runtime",
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        # one thread per numerical library: a class is graded in parallel already
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
        **(extra or {}),
    }


class _ProcessCap:
    """A pids cgroup for one run, when the grader is root and cgroups are writable."""

    ROOTS = ("/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup")

    def __init__(self, processes):
        self.path = None
        if os.geteuid() != 0:
            return  # RLIMIT_NPROC works for an ordinary user
        for root in self.ROOTS:
            candidate = Path(root) / f"minitensor-grade-{uuid.uuid4().hex[:12]}"
            try:
                candidate.mkdir()
            except OSError:
                continue
            try:
                (candidate / "pids.max").write_text(str(processes))
                self.path = candidate
                return
            except OSError:
                candidate.rmdir()

    def wrap(self, argv):
        if self.path is None:
            return argv
        procs = self.path / "cgroup.procs"
        return ["/bin/sh", "-c", f'echo $$ > "{procs}" && exec "$@"', "sh", *argv]

    def remove(self):
        if self.path is None:
            return
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.02)  # the last processes are still being reaped


class Sandbox:
    """Runs commands for one submission, sandboxed (or not, with enabled=False)."""

    def __init__(self, limits=Limits(), enabled=True):
        self.limits, self.enabled = limits, enabled
        self.process_limit = "none"

    # -------------------------------------------------------------- building the command

    def _bwrap(self, extra=None):
        size = str(self.limits.tmp_mb * 1024 * 1024)
        args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session"]
        args += ["--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID)]
        if os.geteuid() == 0:
            args += ["--cap-drop", "ALL"]
        # /tmp first: a project (or Python) that lives under /tmp is bound on top of it
        args += ["--dev", "/dev", "--proc", "/proc", "--size", size, "--tmpfs", "/tmp"]
        args += ["--dir", "/tmp/home", "--dir", "/tmp/work", "--chdir", "/tmp/work"]
        args += _system_binds()
        for path in _outermost(_python_paths()):
            args += ["--ro-bind", path, path]
        args += _project_binds()
        args += ["--clearenv"]
        for key, value in environment(extra).items():
            args += ["--setenv", key, value]
        return args

    def _prlimit(self, cap):
        limits = self.limits
        args = [
            "prlimit",
            f"--as={limits.memory_mb * 1024 * 1024}",
            f"--fsize={limits.file_mb * 1024 * 1024}",
            f"--nofile={limits.open_files}",
            "--core=0",
        ]
        if cap.path is None and os.geteuid() != 0:
            args.append(f"--nproc={limits.processes}")
            self.process_limit = f"RLIMIT_NPROC {limits.processes}"
        elif cap.path is not None:
            self.process_limit = f"pids cgroup {limits.processes}"
        return [*args, "--"]

    def command(self, argv, cap, extra=None):
        """The full command line for `argv` (a list) inside the sandbox, with the variables
        `extra` set there too."""
        inner = [*self._bwrap(extra), "--", *argv] if self.enabled else list(argv)
        return cap.wrap([*self._prlimit(cap), *inner])

    # -------------------------------------------------------------- running

    def run(self, argv, stdin=b"", wall_seconds=600, extra=None):
        """Run argv with `stdin` bytes as its input and the variables `extra` (a dict) added
        to its environment; never raises on what the command does."""
        cap = _ProcessCap(self.limits.processes)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="minitensor-grade-") as private:
            out_path, err_path = Path(private, "stdout"), Path(private, "stderr")
            env = environment(extra) if not self.enabled else {"PATH": os.environ.get("PATH", "")}
            cwd = private if not self.enabled else None
            if not self.enabled:
                Path(private, "home").mkdir()
                env = {**env, **_unsandboxed_dirs(private)}
            with open(out_path, "wb") as out, open(err_path, "wb") as err:
                process = subprocess.Popen(
                    self.command(argv, cap, extra),
                    stdin=subprocess.PIPE,
                    stdout=out,
                    stderr=err,
                    cwd=cwd,
                    env=env,
                    start_new_session=True,
                )
                timed_out = False
                try:
                    process.communicate(stdin, timeout=wall_seconds)
                except subprocess.TimeoutExpired:
                    timed_out = True
                finally:
                    _kill_group(process)
            cap.remove()
            read = self.limits.file_mb * 1024 * 1024
            return Result(
                process.returncode,
                out_path.read_bytes()[:read],
                err_path.read_bytes()[:read],
                timed_out,
                time.perf_counter() - start,
            )


def _unsandboxed_dirs(private):
    """Without a sandbox, point HOME and friends at a private folder all the same."""
    home = os.path.join(private, "home")
    return {
        key: value.replace("/tmp/home", home).replace("/tmp", private)
        for key, value in environment().items()
        if "/tmp" in value
    }


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def check_available():
    """Raise SandboxUnavailable, saying why and how to fix it, unless bwrap works here."""
    if shutil.which("bwrap") is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, so submissions cannot be sandboxed.\n"
            f"Install it: {INSTALL_HINT}\n"
            "Or grade without a sandbox, trusting the code you run: --no-sandbox"
        )
    if shutil.which("prlimit") is None:
        raise SandboxUnavailable("prlimit (util-linux) is missing: sudo apt-get install util-linux")
    probe = Sandbox().run([sys.executable, "-I", "-c", "print('ok')"], wall_seconds=60)
    if probe.stdout.strip() != b"ok":
        reason = probe.stderr.decode("utf-8", "replace").strip()[-500:] or "no output"
        raise SandboxUnavailable(
            "bubblewrap is installed but cannot create a sandbox here "
            f"(exit code {probe.returncode}): {reason}\n"
            "It needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1"
            " on Debian; inside Docker, run the container with --privileged or a seccomp "
            "profile that allows clone/unshare).\n"
            "Or grade without a sandbox, trusting the code you run: --no-sandbox"
        )

"""Start and stop a throw-away JupyterLab server for the browser tests.

    with JupyterLab(root_dir) as lab:
        page.goto(lab.url("lab/tree/demo.ipynb"))

The server listens on 127.0.0.1 on a free port, with a random token, and reads nothing of
the user's own Jupyter setup: its config, runtime, data, settings and IPython directories
are fresh folders under `root_dir`. It never looks for news or updates. It runs in its own
process group, and `stop()` ends that group (the server and every kernel it started).

`disabled_extensions=[...]` turns lab extensions off through labconfig/page_config.json
(what `jupyter labextension disable` writes): the negative control disables the widget
manager this way.

Read next: chromium.py.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

WIDGET_MANAGER = "@jupyter-widgets/jupyterlab-manager"
SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JupyterLab:
    """One JupyterLab server serving `root_dir`; a context manager."""

    def __init__(self, root_dir, disabled_extensions=(), start_timeout=60):
        self.root_dir = Path(root_dir)
        self.disabled_extensions = list(disabled_extensions)
        self.start_timeout = start_timeout
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.process = None
        self.log_path = self.root_dir / "jupyterlab.log"

    def url(self, path=""):
        """The address of `path` on this server, token included."""
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def _environment(self):
        home = self.root_dir / ".jupyter-home"
        env = dict(os.environ)
        for variable, folder in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("JUPYTER_DATA_DIR", "data"),  # no user kernelspecs: the kernel is this Python
            ("JUPYTERLAB_SETTINGS_DIR", "settings"),
            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
            ("IPYTHONDIR", "ipython"),
        ]:
            (home / folder).mkdir(parents=True, exist_ok=True)
            env[variable] = str(home / folder)
        env.pop("JUPYTER_PATH", None)
        env.pop("JUPYTER_CONFIG_PATH", None)
        env["PYTHONUNBUFFERED"] = "1"
        env["MPLBACKEND"] = "Agg"
        # No "get notified about news?" toast over the notebook; every cell in the page (not
        # only those near the viewport), so what is off-screen can be found and scrolled to.
        for plugin, values in SETTINGS.items():
            package, name = plugin.split(":")
            path = home / "settings" / package / f"{name}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        if self.disabled_extensions:
            labconfig = home / "config" / "labconfig"
            labconfig.mkdir(parents=True, exist_ok=True)
            disabled = {name: True for name in self.disabled_extensions}
            (labconfig / "page_config.json").write_text(
                json.dumps({"disabledExtensions": disabled})
            )
        return env

    def command(self):
        """The server's command line."""
        return [
            sys.executable, "-m", "jupyterlab",
            "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            "--allow-root",  # as root (containers, CI) Jupyter exits without it
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",  # never asks PyPI for extensions
        ]  # fmt: skip

    def status_url(self):
        """An address that answers 200 once the server is ready."""
        return f"http://127.0.0.1:{self.port}/api/status?token={self.token}"

    def start(self):
        command = self.command()
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=self.root_dir,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends kernels too
        )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self):
        deadline = time.monotonic() + self.start_timeout
        status = self.status_url()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                name, code = type(self).__name__, self.process.returncode
                raise RuntimeError(f"{name} exited with code {code}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(status, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        self.stop()
        name = type(self).__name__
        raise RuntimeError(
            f"{name} did not answer within {self.start_timeout} s:\n{self.log_tail()}"
        )

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self):
        """End the server's process group: SIGTERM, then SIGKILL after a few seconds."""
        if self.process is None:
            return
        group = self.process.pid  # start_new_session: the group id is the server's pid
        try:
            os.killpg(group, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        try:  # a kernel may outlive the server by a moment
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process = None
        self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

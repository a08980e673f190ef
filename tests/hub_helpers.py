"""A throw-away JupyterHub for tests/test_jupyterhub.py, and the REST and kernel clients.

    with Hub(folder, lessons) as hub:
        hub.api("POST", "/hub/api/users/alice")            as the teacher (a service token)
        token = hub.login("alice")                           a student logs in (password)
        run_code(hub, "alice", token, ["1 + 1"])             code in that student's kernel

The hub reads the repository's deploy/jupyterhub/jupyterhub_config.py and, on top of it,
only what a test machine needs: a test authenticator with one shared password
(DummyAuthenticator), one folder per student under `folder`/homes (SimpleLocalProcessSpawner:
every server runs as this test's user), free ports on 127.0.0.1 for the hub, its API and
the proxy, and a service token for the teacher. The proxy (configurable-http-proxy, from
npm) is looked up by `proxy_command()`.

Stopping: the hub (in its own process group) is asked to stop with SIGTERM, which stops
the proxy and every student's server; then every process group this test saw (the hub's,
each server's) gets SIGKILL in case something was left.

Read next: test_jupyterhub.py.
"""

import asyncio
import concurrent.futures
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HUB_CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
LOCAL_PROXY = ROOT / "deploy" / "jupyterhub" / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "class-password"  # the test authenticator's one password


def proxy_command():
    """configurable-http-proxy: the one `npm ci --prefix deploy/jupyterhub` installs, else
    one on PATH; None when there is neither (or no node to run it)."""
    if shutil.which("node") is None:
        return None
    if LOCAL_PROXY.exists():
        return str(LOCAL_PROXY)
    return shutil.which("configurable-http-proxy")


def free_ports(count):
    """`count` distinct free TCP ports on 127.0.0.1."""
    import socket

    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


TEST_CONFIG = """
# The repository's configuration, then only what this test machine needs.
load_subconfig({config!r})

c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {folder!r} + "/proxy.pid"
c.JupyterHub.db_url = "sqlite:///" + {folder!r} + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {folder!r} + "/cookie_secret"
c.JupyterHub.pid_file = {folder!r} + "/jupyterhub.pid"
c.JupyterHub.cleanup_servers = True

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allowed_users = {{"alice", "bob"}}

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {folder!r} + "/homes/{{username}}"
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [{python!r}, "-m", "jupyterhub.singleuser"]
# As root (CI) Jupyter servers refuse to start without it.
c.Spawner.args = ["--allow-root"] if {root} else []

c.JupyterHub.services = [{{"name": "teacher", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{
    "name": "teacher",
    "scopes": ["admin:users", "admin:servers", "admin:server_state", "tokens"],
    "services": ["teacher"],
}}]
"""


class Hub:
    """One JupyterHub serving `folder`; a context manager (see the module docstring)."""

    def __init__(self, folder, lessons, proxy, start_timeout=60):
        self.folder = Path(folder)
        self.lessons = Path(lessons)
        self.proxy = proxy
        self.start_timeout = start_timeout
        self.port, self.hub_port, self.proxy_port = free_ports(3)
        self.token = secrets.token_hex(16)
        self.process = None
        self.groups = set()  # process groups to make sure of at the end
        self.log_path = self.folder / "jupyterhub.log"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def write_config(self):
        config = self.folder / "test_config.py"
        config.write_text(TEST_CONFIG.format(
            config=str(HUB_CONFIG), port=self.port, hub_port=self.hub_port,
            proxy_port=self.proxy_port, proxy=self.proxy, folder=str(self.folder),
            password=PASSWORD, python=sys.executable, root=os.geteuid() == 0,
            token=self.token,
        ))  # fmt: skip
        return config

    def start(self):
        config = self.write_config()
        env = dict(os.environ)
        env["MINITENSOR_LESSONS"] = str(self.lessons)
        # the course's Python for every student: this one, with the repository importable
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR"):
            env[name] = str(self.folder / "jupyter" / name.lower())
        env["IPYTHONDIR"] = str(self.folder / "ipython")
        env["MPLBACKEND"] = "Agg"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=self.folder, env=env, stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.groups.add(self.process.pid)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()  # never leave a hub behind, whatever went wrong
            raise
        return self

    def _wait_until_ready(self):
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterHub exited:\n{self.log_tail()}")
            try:  # the proxy answers 404/503 until the hub has added its route
                if self.api("GET", "/hub/api/", expect=None)[0] == 200:
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"JupyterHub did not answer within {self.start_timeout} s")

    def log_tail(self, lines=60):
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # ---------------------------------------------------------------- REST

    def api(self, method, path, body=None, token=None, expect=(200, 201, 202, 204)):
        """(status, JSON or None) of a request through the proxy; raises on other codes."""
        request = urllib.request.Request(
            self.url + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {token or self.token}",
                     "Content-Type": "application/json"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        if expect is not None and status not in expect:
            raise AssertionError(f"{method} {path}: HTTP {status}: {text[:500]!r}")
        try:
            return status, json.loads(text) if text.strip() else None
        except ValueError:  # an error page, not JSON
            return status, text.decode(errors="replace")

    def login(self, name, password=PASSWORD):
        """Log `name` in with the password, over the REST API; return their new token."""
        body = {"auth": {"username": name, "password": password}, "note": "test login"}
        request = urllib.request.Request(
            f"{self.url}/hub/api/users/{name}/tokens", method="POST",
            data=json.dumps(body).encode(), headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["token"]

    def start_server(self, name, token, timeout=90):
        """Start `name`'s server with their own token and wait until it answers."""
        self.api("POST", f"/hub/api/users/{name}/server", token=token)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _, user = self.api("GET", f"/hub/api/users/{name}")
            server = user["servers"].get("", {})
            if server.get("ready"):
                pid = server.get("state", {}).get("pid")
                if pid:
                    self.groups.add(os.getpgid(pid))
                return server
            time.sleep(0.5)
        raise TimeoutError(f"{name}'s server was not ready in {timeout} s:\n{self.log_tail()}")

    def stop_server(self, name, timeout=30):
        self.api("DELETE", f"/hub/api/users/{name}/server")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _, user = self.api("GET", f"/hub/api/users/{name}")
            if "" not in user["servers"]:
                return
            time.sleep(0.5)
        raise TimeoutError(f"{name}'s server did not stop in {timeout} s")

    # ---------------------------------------------------------------- stopping

    def stop(self):
        if self.process is None:
            return
        proxy_pid = self.folder / "proxy.pid"  # the proxy runs in a group of its own
        if proxy_pid.exists():
            self.groups.add(int(proxy_pid.read_text().strip()))
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # the hub stops proxy and servers
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            pass
        for group in self.groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.process.wait(timeout=10)
        self.process = None
        self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


# -------------------------------------------------------------------- the kernel API


def run_code(hub, name, token, cells, timeout=120):
    """Run `cells` (code strings) in a new kernel of `name`'s server, through the proxy.

    Returns one (status, text) per cell: status "ok" or "error"; text is the printed
    output, or "ename: evalue" for an error. The kernel is shut down afterwards."""
    base = f"/user/{name}/api/kernels"
    _, kernel = hub.api("POST", base, body={"name": "python3"}, token=token)
    try:
        url = f"ws://127.0.0.1:{hub.port}{base}/{kernel['id']}/channels"
        # In a thread of its own: this thread may already run an event loop (Playwright's,
        # when the browser tests ran first in the same pytest process).
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, _execute_all(url, token, cells, timeout)).result()
    finally:
        hub.api("DELETE", f"{base}/{kernel['id']}", token=token)


async def _execute_all(url, token, cells, timeout):
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    request = HTTPRequest(url, headers={"Authorization": f"token {token}"})
    connection = await asyncio.wait_for(websocket_connect(request), timeout)
    session = uuid.uuid4().hex
    results = []
    try:
        for code in cells:
            results.append(await asyncio.wait_for(_execute(connection, session, code), timeout))
    finally:
        connection.close()
    return results


async def _execute(connection, session, code):
    """Send one execute_request; collect its output until the kernel is idle again."""
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "username": "test", "session": session,
              "msg_type": "execute_request", "version": "5.3"}  # fmt: skip
    content = {"code": code, "silent": False, "store_history": True,
               "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}  # fmt: skip
    message = {"header": header, "parent_header": {}, "metadata": {}, "content": content,
               "channel": "shell", "buffers": []}  # fmt: skip
    await connection.write_message(json.dumps(message))
    status, text, idle = "ok", [], False
    while not idle:
        raw = await connection.read_message()
        if raw is None:
            raise ConnectionError("the kernel's websocket closed")
        if isinstance(raw, bytes):
            continue  # binary messages (widget buffers) are not ours to read
        reply = json.loads(raw)
        if reply.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, body = reply["msg_type"], reply["content"]
        if kind == "stream":
            text.append(body["text"])
        elif kind == "error":
            status = "error"
            text.append(f"{body['ename']}: {body['evalue']}")
        elif kind == "status" and body["execution_state"] == "idle":
            idle = True
    return status, "".join(text)

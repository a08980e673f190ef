"""Start and stop the demo app (Voila serving course/demo/) for the browser tests.

    with DemoApp(folder) as app:
        page.goto(app.url("voila/render/3_race.ipynb"))

The same command as `make demo` (course.demo_app.voila_command), on a free port of
127.0.0.1, with the same throw-away Jupyter folders and process-group handling as the
tests' JupyterLab (lab_server.py): stop() ends Voila and every page's kernel.

Read next: demo_app_flow.py.
"""

from course.demo_app import DEMO, voila_command

from .lab_server import JupyterLab


class DemoApp(JupyterLab):
    """Voila serving the demo pages; `root_dir` holds its log and Jupyter folders."""

    def __init__(self, root_dir, pages=DEMO, start_timeout=60):
        super().__init__(root_dir, start_timeout=start_timeout)
        self.pages = pages
        self.log_path = self.root_dir / "voila.log"

    def command(self):
        return voila_command(self.port, self.pages)

    def status_url(self):
        return f"http://127.0.0.1:{self.port}/"

    def url(self, path=""):
        return f"http://127.0.0.1:{self.port}/{path}"

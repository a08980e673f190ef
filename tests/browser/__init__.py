"""Real-browser tests: JupyterLab + headless chromium driven by Playwright.

Read lab_server.py (starting and stopping JupyterLab), chromium.py (the browser),
demo_flow.py (what a user does in the demo notebook, and the checks), then
test_widgets_browser.py.
"""

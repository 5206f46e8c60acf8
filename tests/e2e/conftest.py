"""Real-browser tests: Playwright drives Debian's Chromium against the app served on 127.0.0.1."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root in CI
    "--disable-background-networking",  # the machine has no network beyond localhost
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run the README's test command, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def serve(make_app):
    """``serve(**settings)``: the app with CSRF and rate limits on (and any other settings), served by
    a real HTTP server on a free port; returns (app, base URL)."""
    servers = []

    def start(**overrides):
        app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True, SERVER_NAME=None, **overrides)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return app, f"http://127.0.0.1:{server.server_port}"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def live_server(serve):
    return serve()


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def page(request, browser):
    """A fresh browser context in Japanese, with and without JavaScript. Console errors (a blocked
    script, a CSP violation) fail the test."""
    context = browser.new_context(java_script_enabled=request.param, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []

    def on_console(message):
        # A form sent back with errors answers 422 by design; anything else is a real problem.
        if message.type == "error" and "status of 422" not in message.text:
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.javascript = request.param
    yield page
    context.close()
    assert errors == []

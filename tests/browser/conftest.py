"""Browser tests: Playwright drives Debian's Chromium against a live server in a thread.

They skip when Chromium is absent, unless REQUIRE_BROWSER=1 (CI), where that fails.
"""

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
expect.set_options(timeout=15_000)
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def live_server(app):
    """The test app served over HTTP on a free local port."""
    app.config["DEMO_MODE"] = True
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "accounts"]).exit_code == 0
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(params=list(VIEWPORTS))
def screen(request, browser):
    """A fresh browser page at a desktop or a phone viewport."""
    context = browser.new_context(
        viewport=VIEWPORTS[request.param],
        locale="zh-CN",
        is_mobile=request.param == "phone",
        has_touch=request.param == "phone",
    )
    page = context.new_page()
    # Generous: CI shares two cores between the server, Chromium and the database.
    page.set_default_timeout(20_000)
    page.viewport_name = request.param
    yield page
    context.close()

"""End-to-end fixtures: Debian's Chromium driven by Playwright against a live server.

The browser is the system one (/usr/bin/chromium, installed by .ci/run), never a
Playwright download. Where it is missing the tests skip with the reason, except when
JICENG_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.conftest import build_territory

CHROMIUM = os.environ.get("JICENG_CHROMIUM", "/usr/bin/chromium")
# The user guide's pictures are refreshed only on request
# (`JICENG_SCREENSHOTS=docs/screenshots make test`), so an ordinary run leaves the
# checkout clean; otherwise the screenshots are still taken, into a scratch folder.
SCREENSHOTS = Path(
    os.environ.get("JICENG_SCREENSHOTS") or Path(tempfile.gettempdir()) / "jiceng-screenshots"
)

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to
# run inside one unless told that this thread is not really async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        message = f"Debian Chromium not found at {CHROMIUM}; .ci/run installs it"
        if os.environ.get("JICENG_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
    )
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def e2e_territory(transactional_db):
    return build_territory()


@pytest.fixture
def phone_page(chromium):
    """A phone-sized page (360×780), as a grid worker or resident holds it."""
    context = chromium.new_context(
        viewport={"width": 360, "height": 780}, locale="zh-CN", device_scale_factor=2
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desk_page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    """Screenshots double as the user guide's pictures (docs/user-guide)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")

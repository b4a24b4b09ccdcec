"""Shared pytest fixtures: a real Chromium (Debian's) driven by Playwright for page tests."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's async-safety
# check would otherwise refuse ORM calls made by the test while a browser is open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    """Give every transactional test (browser tests included) a serialized rollback.

    Such tests flush the tables when they end, including the rows that data migrations
    seeded (metric catalogue, scheme types, programme templates). Serialized rollback
    reloads those rows before each of them, whatever ran before; ordinary tests roll back
    their transaction and never lose them.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = item.get_closest_marker("browser") is not None or (
            marker is not None and marker.kwargs.get("transaction")
        )
        if transactional:
            item.add_marker(
                pytest.mark.django_db(transaction=True, serialized_rollback=True), append=False
            )


@pytest.fixture(autouse=True)
def _english_off(settings):
    """Run every test in the default language (Vietnamese) unless a test switches."""
    settings.LANGUAGE_CODE = "vi"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser-deps`.")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="binhyen-chromium-")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, live_server):
    """A fresh desktop-sized page; ``page.base`` is the live server URL."""
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.base = live_server.url
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A fresh phone-sized page (390×844), as most commune officers use."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.base = live_server.url
    yield pg
    context.close()


def browser_login(pg, username: str, password: str) -> None:
    """Sign in through the real login form."""
    pg.goto(f"{pg.base}/accounts/login/")
    pg.fill("input[name=username]", username)
    pg.fill("input[name=password]", password)
    pg.click("main button[type=submit]")
    pg.wait_for_load_state("networkidle")

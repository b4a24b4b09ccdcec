"""Shared pytest fixtures: a real Chromium (Debian's) driven by Playwright for page tests."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest
from hypothesis import settings as hypothesis_settings

# Timing is measured by the benchmarks, never asserted by tests: a slow example on a busy
# machine is not a failure (hypothesis' default deadline is 200 ms per example).
hypothesis_settings.register_profile("binhyen", deadline=None, print_blob=True)
hypothesis_settings.load_profile("binhyen")

# Playwright's sync API runs an event loop in the test thread; Django's async-safety
# check would otherwise refuse ORM calls made by the test while a browser is open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_RECREATED_BY_FLUSH = {"contenttypes.contenttype", "auth.permission"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def _seed_snapshot(django_db_setup, django_db_blocker) -> str:
    """Serialize the freshly migrated test database: the rows data migrations seeded."""
    from django.db import connection

    with django_db_blocker.unblock():
        rows = json.loads(connection.creation.serialize_db_to_string())
    # Content types and permissions are recreated by the flush itself (post_migrate).
    kept = [row for row in rows if row["model"] not in _RECREATED_BY_FLUSH]
    return json.dumps(kept)


@pytest.fixture(autouse=True)
def _reseed_after_flush(request):
    """Reload the seeded rows before every transactional test (browser tests included).

    A transactional test flushes every table when it ends, including the metric catalogue,
    scheme types and programme templates that data migrations seeded; the tests after it
    would otherwise run against an empty catalogue. Saving by primary key makes the reload
    harmless when the rows are still there.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    snapshot = request.getfixturevalue("_seed_snapshot")
    request.getfixturevalue("transactional_db")
    from django.db import connection

    connection.creation.deserialize_db_from_string(snapshot)


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


# Fixtures through which a test reaches a database (directly or through its own fixtures).
_DB_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


def _uses_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    return bool(_DB_FIXTURES & set(getattr(item, "fixturenames", ())))


def _second_engine_skips(item: pytest.Item) -> bool:
    return item.get_closest_marker("engine_independent") is not None or not _uses_database(item)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the second engine's run (``make pytest-pg`` sets ``SECOND_ENGINE_RUN=1``), leave out
    what cannot differ from the SQLite run: the tests that never reach a database
    (pytest-django refuses them any access) and those marked ``engine_independent`` (what
    they check is decided by templates and permissions; the authorization matrix still asks
    every URL on both engines). The PostgreSQL run spends its time on what it can change."""
    if os.environ.get("SECOND_ENGINE_RUN") != "1":
        return
    kept: list[pytest.Item] = []
    left: list[pytest.Item] = []
    for item in items:
        (left if _second_engine_skips(item) else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept

"""In a real browser: the top menu fits on one line at 1,280 px (Vietnamese and English) for
the role that sees the most entries, and works with the keyboard on a phone."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import PASSWORD, scene, user_with_role
from binhyen.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("BINHYEN_SCREENSHOTS", "")


@pytest.fixture
def chief(settings):
    settings.OTP_REQUIRED_ROLES = []
    s = scene()
    user_with_role(
        Role.COMMUNE_CHIEF, s.commune, username="truong_nav", full_name="Nguyễn Thị Phương Thảo"
    )
    return s


def _rows(pg) -> int:
    """How many lines the items of the top menu take (1: it fits)."""
    return pg.evaluate(
        """() => new Set(Array.from(
            document.querySelectorAll('#nav-main > .navbar-nav > .nav-item')
          ).map(el => Math.round(el.getBoundingClientRect().top))).size"""
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_menu_fits_on_one_line_at_1280(page, chief, language):
    browser_login(page, "truong_nav", PASSWORD)
    if language == "en":
        page.get_by_test_id("lang-en").click()
    page.goto(f"{page.base}/")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/nav-{language}.png")
    assert page.evaluate("document.querySelector('nav.navbar').getBoundingClientRect().height") < 70
    assert _rows(page) == 1
    # and nothing sticks out on the right
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    right = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('#nav-main .nav-item'))"
        ".map(el => el.getBoundingClientRect().right))"
    )
    assert right <= 1280


def test_the_menu_works_with_the_keyboard_on_a_phone(phone_page, chief):
    pg = phone_page
    browser_login(pg, "truong_nav", PASSWORD)
    pg.goto(f"{pg.base}/")
    toggler = pg.locator(".navbar-toggler")
    toggler.focus()
    pg.keyboard.press("Enter")
    movement = pg.get_by_test_id("nav-movement")
    expect(movement).to_be_visible()
    movement.focus()
    pg.keyboard.press("Enter")
    first = pg.locator("[data-testid=nav-movement] + .dropdown-menu .dropdown-item").first
    expect(first).to_be_visible()
    pg.keyboard.press("ArrowDown")
    focused = pg.evaluate("document.activeElement.classList.contains('dropdown-item')")
    assert focused
    if SHOTS:
        pg.screenshot(path=f"{SHOTS}/nav-phone.png", full_page=False)
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= pg.viewport_size["width"]

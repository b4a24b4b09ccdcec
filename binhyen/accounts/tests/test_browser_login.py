"""Sign-in through the real form in Chromium, on a phone-sized screen."""

from __future__ import annotations

import pytest

from binhyen.accounts.tests.factories import PASSWORD, scene
from binhyen.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_commune_officer_signs_in_on_a_phone(phone_page):
    # given a commune officer
    officer = scene().commune_officer
    pg = phone_page
    # when they type a wrong password
    browser_login(pg, officer.username, "mat-khau-sai")
    # then the form says so in Vietnamese and keeps them on the sign-in page
    error = pg.get_by_test_id("form-errors")
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in error.inner_text()
    assert "/accounts/login/" in pg.url
    # when they type the right one
    browser_login(pg, officer.username, PASSWORD)
    # then they land on the home page, greeted by name
    assert pg.url == f"{pg.base}/"
    assert officer.full_name in pg.locator("main").inner_text()

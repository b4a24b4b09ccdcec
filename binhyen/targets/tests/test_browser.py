"""In a real browser: a province sets a target, allocates it by population and reads the
communes' progress; screenshots of the pages on a phone and a desktop."""

from __future__ import annotations

import os
import re
from datetime import date

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from binhyen.accounts.tests.factories import PASSWORD
from binhyen.community.tests.factories import scheme
from binhyen.conftest import browser_login
from binhyen.targets.models import Target
from binhyen.targets.tests.factories import scene, this_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(pg, name: str) -> None:
    """Save a screenshot when TARGETS_SCREENSHOTS names a folder (for a human look)."""
    folder = os.environ.get("TARGETS_SCREENSHOTS")
    if folder:
        pg.screenshot(path=f"{folder}/{name}.png", full_page=True)


def _sign_in(pg, user) -> None:
    device = TOTPDevice.objects.get_or_create(user=user, name="điện thoại", confirmed=True)[0]
    # A second sign-in within the same 30 s step would reuse a code the device refuses.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    browser_login(pg, user.username, PASSWORD)
    expect(pg).to_have_url(re.compile(r"/accounts/otp/verify/"))
    pg.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    pg.get_by_test_id("otp-form").locator("button[type=submit]").click()


def test_province_sets_allocates_and_reads_progress(page, phone_page):
    s = scene(populations=(30000, 30000))
    year = this_year()
    for i in range(9):
        scheme(s.officer, [s.communes[0]], name=f"Tổ tự quản A{i}", founded_on=date(year, 2, i + 1))
    for i in range(3):
        scheme(s.officer, [s.communes[1]], name=f"Tổ tự quản B{i}", founded_on=date(year, 3, i + 1))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(page, s.officer)
    page.goto(f"{page.base}/targets/u/{s.province.code}/")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    page.get_by_test_id("target-new").first.click()
    page.fill("input[name=name]", "Xây dựng mới 12 mô hình tự quản")
    page.select_option("select[name=metric]", "schemes_active")
    page.select_option("select[name=kind]", "increase")
    page.fill("input[name=value]", "12")
    page.fill("input[name=period]", str(year))
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xây dựng mới 12 mô hình tự quản")
    expect(page.get_by_test_id("target-progress")).to_contain_text("đạt 100 %")
    form = page.get_by_test_id("allocate-form")
    form.locator("select[name=method]").select_option("population")
    form.locator("button[type=submit]").click()
    table = page.get_by_test_id("children-table")
    expect(table.get_by_role("row", name=re.compile("Xã Số 1"))).to_contain_text(
        "đạt 150 % — vượt chỉ tiêu"
    )
    expect(table.get_by_role("row", name=re.compile("Xã Số 2"))).to_contain_text("đạt 50 %")
    _shot(page, "targets-target-desktop")
    page.goto(f"{page.base}/targets/u/{s.province.code}/?year={year}")
    expect(page.get_by_test_id("target-cards")).to_contain_text("12")
    _shot(page, "targets-unit-desktop")
    assert Target.objects.filter(parent__isnull=False).count() == 2
    # the province dashboard shows the target card (through the indicators' target sources)
    page.goto(f"{page.base}/indicators/u/{s.province.code}/?period={year}")
    expect(page.get_by_test_id("target-card-schemes_active")).to_contain_text("đạt 100 %")
    _shot(page, "targets-dashboard-desktop")
    assert not errors
    # the same pages on a phone
    _sign_in(phone_page, s.officer)
    target = Target.objects.get(parent__isnull=True)
    phone_page.goto(f"{phone_page.base}/targets/t/{target.pk}/")
    expect(phone_page.get_by_test_id("children-table")).to_contain_text("vượt chỉ tiêu")
    _shot(phone_page, "targets-target-phone")
    phone_page.goto(f"{phone_page.base}/targets/u/{s.province.code}/?year={year}")
    _shot(phone_page, "targets-unit-phone")
    phone_page.goto(f"{phone_page.base}/indicators/u/{s.province.code}/?period={year}")
    expect(phone_page.get_by_test_id("target-card-schemes_active")).to_be_visible()
    _shot(phone_page, "targets-dashboard-phone")
    phone_page.goto(f"{phone_page.base}/targets/u/{s.province.code}/?year={year}")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390

"""Reminding a late commune in a real browser: the province clicks, the officer sees the bell."""

from __future__ import annotations

import os

import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import PASSWORD, user_with_role
from binhyen.conftest import browser_login
from binhyen.indicators.tests.factories import MetricFactory, form_with
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(pg, name: str) -> None:
    """Save a screenshot when INDICATORS_SCREENSHOTS names a folder (for a human look)."""
    folder = os.environ.get("INDICATORS_SCREENSHOTS")
    if folder:
        pg.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_remind_a_late_commune_and_the_officer_sees_it(page, settings):
    # given a province whose commune has not sent its monthly report, and its officer
    settings.OTP_REQUIRED_ROLES = []
    page.set_default_timeout(30_000)  # a loaded test machine is slow to serve the first page
    province = ProvinceFactory(code="95", name="Tỉnh Bình Yên")
    commune = CommuneFactory(code="95001", name="Xã Hòa Bình", parent=province)
    form_with([MetricFactory(code="b_tips", capture_kinds=["commune"])], code="b_monthly")
    officer = user_with_role(Role.COMMUNE_OFFICER, commune, username="cbxa")
    reviewer = user_with_role(Role.PROVINCE_OFFICER, province, username="cbtinh")

    # when the province officer opens completeness and reminds every late unit (confirming)
    browser_login(page, reviewer.username, PASSWORD)
    page.goto(f"{page.base}/indicators/completeness/b_monthly/95/2025M07/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("remind-all").click()
    page.wait_for_load_state("networkidle")
    # then the page says one unit was reminded and when
    assert "Đã nhắc 1 đơn vị (1 cán bộ nhận thông báo)." in page.content()
    assert page.get_by_test_id("reminded-at").count() == 1
    _shot(page, "completeness-reminded")

    # when the commune officer signs in
    page.context.clear_cookies()
    browser_login(page, officer.username, PASSWORD)
    # then the bell counts one, and the list opens the report to fill
    assert page.get_by_test_id("notification-count").inner_text().startswith("1")
    page.get_by_test_id("notification-bell").click()
    page.wait_for_load_state("networkidle")
    assert "Nhắc nộp báo cáo" in page.content()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        _shot(page, f"notifications-{width}")
    page.get_by_test_id("notification-open").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/indicators/reports/b_monthly/95001/2025M07/")
    assert page.get_by_test_id("notification-count").count() == 0

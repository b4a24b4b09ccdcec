"""In a real browser: a commune chief opens a case, records a review and closes the case."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import cast

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import PASSWORD, user_with_role
from binhyen.conftest import browser_login
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, VillageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/binhyen-cases"  # noqa: S108 (screenshots to look at, not test data)


def test_chief_opens_reviews_and_closes_a_case(page, phone_page):
    # given a commune with a village and its police chief
    province = cast(OrgUnit, ProvinceFactory(code="24", name="Tỉnh Bắc Ninh"))
    commune = cast(OrgUnit, CommuneFactory(code="07840", name="Xã Hiệp Hòa", parent=province))
    VillageFactory(parent=commune, name="Thôn Cấm", code="07840-T001")
    user_with_role(Role.COMMUNE_CHIEF, commune, username="truong_hh")
    for pg in (page, phone_page):
        # The shared test machine may be slow: wait longer than the default for each step.
        pg.set_default_timeout(60_000)
        pg.set_default_navigation_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(page, "truong_hh", PASSWORD)
    today = timezone.localdate()

    # when they open a case from the menu
    page.get_by_test_id("nav-cases").click()
    expect(page).to_have_url(re.compile(r"/cases/$"))
    page.screenshot(path=f"{SHOTS}-list-empty.png", full_page=True)
    page.get_by_test_id("case-new").first.click()
    page.select_option("#id_case_type", index=1)
    page.fill("#id_full_name", "Trần Văn Nam")
    page.fill("#id_birth_year", "1988")
    page.fill("#id_identity_number", "024088004321")
    page.select_option("#id_home_village", label="Thôn Cấm")
    page.fill("#id_judgment_number", "12/2021/HS-ST")
    page.fill("#id_judgment_date", "2021-03-02")
    page.fill("#id_release_date", (today - timedelta(days=40)).isoformat())
    page.fill("#id_opened_on", (today - timedelta(days=35)).isoformat())
    page.check("input[name=needs][value=job]")
    page.screenshot(path=f"{SHOTS}-form.png", full_page=True)
    page.get_by_test_id("case-save").click()

    # then the case shows with the identity number masked
    expect(page.get_by_test_id("case-name")).to_have_text("Trần Văn Nam")
    expect(page.get_by_test_id("identity")).to_have_text("•••••••••321")
    expect(page.get_by_test_id("purpose")).to_contain_text("49/2020/NĐ-CP")

    # when they record a review and close the case
    review = page.get_by_test_id("review-form")
    review.locator("summary").click()
    review.locator("textarea[name=summary]").fill("Đã gặp, giới thiệu việc làm")
    review.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("review-row")).to_contain_text("Đã gặp, giới thiệu việc làm")
    page.get_by_test_id("reveal-identity").click()
    expect(page.get_by_test_id("identity")).to_have_text("024088004321")
    page.screenshot(path=f"{SHOTS}-detail.png", full_page=True)
    close = page.get_by_test_id("close-form")
    close.locator("summary").click()
    close.locator("select[name=reason]").select_option("settled")
    close.get_by_role("button", name="Lưu").click()

    # then the case is closed and its access history shows the reveal
    expect(page.get_by_test_id("case-status")).to_have_text("Đã kết thúc")
    page.get_by_test_id("history-link").click()
    expect(page.get_by_test_id("history")).to_contain_text("Xem trường nhạy cảm")
    page.screenshot(path=f"{SHOTS}-history.png", full_page=True)
    assert errors == []

    # and on a phone the case page and the list read well
    browser_login(phone_page, "truong_hh", PASSWORD)
    phone_page.goto(f"{phone_page.base}/cases/")
    expect(phone_page.get_by_test_id("case-list")).to_contain_text("Trần Văn Nam")
    phone_page.screenshot(path=f"{SHOTS}-phone-list.png", full_page=True)
    phone_page.get_by_test_id("case-list").get_by_role("link").first.click()
    expect(phone_page.get_by_test_id("case-status")).to_have_text("Đã kết thúc")
    phone_page.screenshot(path=f"{SHOTS}-phone-detail.png", full_page=True)

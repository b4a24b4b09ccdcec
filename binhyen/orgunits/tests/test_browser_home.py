"""In a real browser: the home is a to-do list for a commune officer and a province officer."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import PASSWORD, user_with_role
from binhyen.conftest import browser_login
from binhyen.indicators.tests.factories import MetricFactory, form_with
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("BINHYEN_SCREENSHOTS", "")


@pytest.fixture
def w(settings):
    settings.OTP_REQUIRED_ROLES = []
    country()
    province = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    commune = CommuneFactory(code="07840", name="Xã Lương Phong", parent=province)
    CommuneFactory(code="07900", name="Xã Lương Sơn", parent=province)
    form_with([MetricFactory(code="t_home_m")], code="t_home")
    from binhyen.tips.tests.factories import make_tip

    make_tip(commune)
    return {
        "officer": user_with_role(Role.COMMUNE_OFFICER, commune, username="canbo_home"),
        "province": user_with_role(Role.PROVINCE_OFFICER, province, username="tinh_home"),
    }


def _no_horizontal_overflow(pg) -> None:
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= pg.viewport_size["width"]


@pytest.mark.parametrize("which", ["page", "phone_page"])
def test_the_commune_officer_sees_reports_and_tips_to_act_on(request, which, w):
    pg = request.getfixturevalue(which)
    # given a commune officer whose commune owes reports and has a tip nobody took
    browser_login(pg, "canbo_home", PASSWORD)
    # when they open the home
    pg.goto(f"{pg.base}/")
    todo = pg.get_by_test_id("todo")
    # then the to-do list comes before their units, each item a link with its count
    expect(todo.get_by_role("heading", name="Việc cần làm")).to_be_visible()
    mine = todo.locator('[data-key="indicators.send"]', has_text="Biểu t_home")
    expect(mine.first).to_be_visible()
    expect(todo.locator('[data-key="tips.unclaimed"]')).to_contain_text("1 tin chưa có người nhận")
    expect(mine.first).to_contain_text("hạn ")
    _no_horizontal_overflow(pg)
    if SHOTS:
        pg.screenshot(path=f"{SHOTS}/home-commune-{which}.png", full_page=True)
    # and the tip item opens the inbox filtered the same way
    todo.locator('[data-key="tips.unclaimed"] a').click()
    expect(pg).to_have_url(f"{pg.base}/tips/inbox/?unclaimed=on")


@pytest.mark.parametrize("which", ["page", "phone_page"])
def test_the_province_officer_sees_which_communes_are_late(request, which, w):
    pg = request.getfixturevalue(which)
    # given a province whose two communes have not sent last month's report
    browser_login(pg, "tinh_home", PASSWORD)
    pg.goto(f"{pg.base}/")
    late = pg.get_by_test_id("todo").locator(
        '[data-key="indicators.children_late"]', has_text="Biểu t_home"
    )
    # then the late communes are counted, with a link to completeness filtered to them
    expect(late).to_contain_text("2 đơn vị chưa gửi")
    expect(late).to_contain_text("Quá hạn")
    _no_horizontal_overflow(pg)
    if SHOTS:
        pg.screenshot(path=f"{SHOTS}/home-province-{which}.png", full_page=True)
    late.locator("a").click()
    expect(pg.get_by_test_id("completeness-table")).to_contain_text("Xã Lương Sơn")
    expect(pg.get_by_test_id("filter-late")).to_have_attribute("aria-current", "true")
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"]
    if SHOTS:
        pg.screenshot(path=f"{SHOTS}/completeness-late-{which}.png", full_page=True)

"""In a real browser: a commune officer finds their commune without typing diacritics."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import PASSWORD, user_with_role
from binhyen.conftest import browser_login
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, VillageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer_with_commune():
    province = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    commune = CommuneFactory(
        code="07840",
        name="Xã Lương Phong",
        parent=province,
        population=12500,
        latitude=21.3,
        longitude=105.9,
    )
    VillageFactory(parent=commune, name="Thôn Đông", latitude=21.31, longitude=105.91)
    VillageFactory(parent=commune, name="Thôn Tây")
    CommuneFactory(code="07900", name="Xã Lương Sơn", parent=province)
    return user_with_role(Role.COMMUNE_OFFICER, commune, username="canbo_luongphong")


def _collect_errors(pg) -> list[str]:
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_picker_finds_commune_without_diacritics(page, officer_with_commune):
    # given a commune officer signed in on the home page
    errors = _collect_errors(page)
    browser_login(page, "canbo_luongphong", PASSWORD)
    page.goto(f"{page.base}/")
    # when they type the commune's name without diacritics and pick the match
    page.locator("[data-picker-input]").fill("luong phong")
    option = page.locator("[data-picker-option]", has_text="Xã Lương Phong")
    expect(option).to_be_visible()
    expect(page.locator("[data-picker-option]", has_text="Xã Lương Sơn")).to_have_count(0)
    option.click()
    # then the unit page shows breadcrumbs, facts, its villages and the map
    expect(page).to_have_url(re.compile(r"/units/07840/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xã Lương Phong")
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("Tỉnh Bắc Ninh")
    expect(page.get_by_test_id("unit-facts")).to_contain_text("07840")
    children = page.get_by_test_id("unit-children")
    expect(children).to_contain_text("Thôn Đông")
    expect(children).to_contain_text("Thôn Tây")
    expect(page.locator("#unit-map .leaflet-interactive")).to_have_count(2)
    expect(page.locator("#unit-map .map-label").first).to_be_visible()
    expect(page.get_by_test_id("map-legend")).to_contain_text("Xã Lương Phong")
    expect(page.get_by_test_id("map-no-tiles")).to_contain_text("Chưa cấu hình bản đồ nền")
    assert errors == []


def test_phone_keyboard_picker_and_children_search(phone_page, officer_with_commune):
    # given the officer on a phone
    pg = phone_page
    errors = _collect_errors(pg)
    browser_login(pg, "canbo_luongphong", PASSWORD)
    pg.goto(f"{pg.base}/")
    # when they type, press the down arrow and Enter
    box = pg.locator("[data-picker-input]")
    box.fill("thon dong")
    expect(pg.locator("[data-picker-option]").first).to_contain_text("Thôn Đông")
    box.press("ArrowDown")
    expect(pg.locator("[data-picker-option]").first).to_be_focused()
    pg.keyboard.press("Enter")
    # then the village page opens; back on the commune the children search filters in place
    expect(pg.get_by_role("heading", level=1)).to_have_text("Thôn Đông")
    pg.get_by_test_id("breadcrumbs").get_by_role("link", name="Xã Lương Phong").click()
    pg.get_by_placeholder("Tìm theo tên (không dấu cũng được) hoặc mã").fill("tay")
    table = pg.locator("#children-table")
    expect(table).not_to_contain_text("Thôn Đông")
    expect(table).to_contain_text("Thôn Tây")
    assert errors == []

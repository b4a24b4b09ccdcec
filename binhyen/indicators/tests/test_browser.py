# mypy: disable-error-code="arg-type, list-item, union-attr"
"""The report workflow in a real browser: enter and submit, return with a comment, fix and
resubmit, approve (locked). The province officer passes the real TOTP check."""

from __future__ import annotations

import os
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import PASSWORD, user_with_role
from binhyen.conftest import browser_login
from binhyen.indicators.models import Submission, SubmissionStatus
from binhyen.indicators.tests.factories import MetricFactory, form_with, put, rule
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(pg, name: str) -> None:
    """Save a screenshot when INDICATORS_SCREENSHOTS names a folder (for a human look)."""
    folder = os.environ.get("INDICATORS_SCREENSHOTS")
    if folder:
        pg.screenshot(path=f"{folder}/{name}.png", full_page=True)


def _values(pg, tips: str, valuable: str) -> None:
    pg.get_by_label(re.compile("^Tin báo")).fill(tips)
    pg.get_by_label(re.compile("^Tin có giá trị")).fill(valuable)


def test_report_workflow(page, browser, live_server):
    # given a commune officer, a province officer with an authenticator, and a monthly form
    province = ProvinceFactory(code="95", name="Tỉnh Bình Yên")
    commune = CommuneFactory(code="95001", name="Xã Hòa Bình", parent=province)
    tips = MetricFactory(code="t_tips", name="Tin báo tiếp nhận", capture_kinds=["commune"])
    valuable = MetricFactory(code="t_valuable", name="Tin có giá trị", capture_kinds=["commune"])
    form_with([tips, valuable], code="t_monthly")
    rule("t_valuable_le_tips", valuable, "le", tips)
    officer = user_with_role(Role.COMMUNE_OFFICER, commune, username="cbxa")
    reviewer = user_with_role(Role.PROVINCE_OFFICER, province, username="cbtinh")
    device = TOTPDevice.objects.create(user=reviewer, name="app", confirmed=True)
    url = f"{page.base}/indicators/reports/t_monthly/95001/2025M07/"

    # when the commune officer enters values, sees the rule warning live, fixes and submits
    browser_login(page, officer.username, PASSWORD)
    page.goto(url)
    _values(page, "3", "5")
    assert "t_valuable_le_tips" in page.locator(".js-rule-box").inner_text()
    page.get_by_label(re.compile("^Tin có giá trị")).fill("2")
    assert page.locator(".js-rule-box").is_hidden()
    page.get_by_test_id("save").click()
    page.wait_for_load_state("networkidle")
    assert "Đã lưu nháp" in page.content()
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("status").inner_text() == "Đã gửi, chờ duyệt"

    # then the province officer (after TOTP) returns it with a comment
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    other = ctx.new_page()
    other.set_default_timeout(10_000)
    other.base = live_server.url
    browser_login(other, reviewer.username, PASSWORD)
    assert "/accounts/otp/verify/" in other.url
    other.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    other.locator("form:has(input[name=kind][value=totp]) button[type=submit]").click()
    other.wait_for_load_state("networkidle")
    other.goto(f"{other.base}/indicators/reports/")
    other.get_by_test_id("review-queue").get_by_text("Xã Hòa Bình").click()
    _shot(other, "review_phone")
    other.fill("#comment", "Kiểm tra lại số tin báo")
    other.get_by_test_id("return").click()
    other.wait_for_load_state("networkidle")
    assert other.get_by_test_id("status").inner_text() == "Bị trả lại"

    # when the commune sees the comment, fixes a value and resubmits
    page.reload()
    assert "Kiểm tra lại số tin báo" in page.get_by_test_id("review-comment").inner_text()
    _shot(page, "returned_desktop")
    page.get_by_label(re.compile("^Tin báo")).fill("4")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")

    # then the province approves and the report is locked for the commune
    other.reload()
    other.get_by_test_id("approve").click()
    other.wait_for_load_state("networkidle")
    assert other.get_by_test_id("status").inner_text() == "Đã duyệt (khóa)"
    other.goto(f"{other.base}/indicators/completeness/t_monthly/95/2025M07/")
    assert "1/1" in other.get_by_test_id("completeness-total").inner_text()
    ctx.close()

    page.reload()
    assert page.get_by_label(re.compile("^Tin báo")).is_disabled()
    assert page.get_by_test_id("locked-note").is_visible()
    sub = Submission.objects.get()
    assert sub.status == SubmissionStatus.APPROVED
    assert {v.value for v in sub.orgunit.data_values.all()} == {4.0, 2.0}


def test_dashboard_renders_charts_and_map_without_tiles(page, settings):
    # given a province dashboard with two placed communes, one with a figure, and no tile server
    settings.INDICATORS_DASHBOARD_METRICS = ["t_cases"]
    settings.MAP_TILE_URL = ""
    province = ProvinceFactory(code="96")
    communes = [
        CommuneFactory(code=f"9600{i}", name=name, parent=province, latitude=lat, longitude=lon)
        for i, (name, lat, lon) in enumerate(
            (("Xã Đông Sơn", 21.0, 105.8), ("Xã Tây Hồ", 21.2, 105.9))
        )
    ]
    cases = MetricFactory(code="t_cases", name="Vụ việc", capture_kinds=["commune"])
    put(cases, communes[0], "2025M07", 12)
    officer = user_with_role(Role.COMMUNE_OFFICER, province, username="xem")
    browser_login(page, officer.username, PASSWORD)
    # when the dashboard is opened
    page.goto(f"{page.base}/indicators/u/96/?period=2025M07")
    page.wait_for_selector(".js-trend svg")
    page.wait_for_selector("#children-map .leaflet-interactive")
    # then each commune is a labelled point, with a legend and a note about the missing base map
    assert page.locator("#children-map .leaflet-interactive").count() == 2
    labels = page.locator("#children-map .map-label").all_inner_texts()
    assert sorted(labels) == ["Xã Tây Hồ", "Xã Đông Sơn"]
    legend = page.get_by_test_id("map-legend")
    assert legend.is_visible() and "Cao" in legend.inner_text() and "Vụ việc" in legend.inner_text()
    assert "Chưa cấu hình bản đồ nền" in page.get_by_test_id("map-no-tiles").inner_text()
    folder = os.environ.get("INDICATORS_SCREENSHOTS")
    if folder:
        page.locator("#children-map").scroll_into_view_if_needed()
        page.screenshot(path=f"{folder}/dashboard-1280.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.locator("#children-map").scroll_into_view_if_needed()
        page.screenshot(path=f"{folder}/dashboard-390.png", full_page=True)

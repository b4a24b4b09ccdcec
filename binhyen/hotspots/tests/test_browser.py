"""In a real browser: a province officer (with TOTP) follows a commune's transformation plan."""

from __future__ import annotations

import importlib
import re
from datetime import date

import pytest
from django.apps import apps as django_apps
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from binhyen.accounts.tests.factories import PASSWORD
from binhyen.conftest import browser_login
from binhyen.hotspots import services
from binhyen.hotspots.models import PlanTask
from binhyen.hotspots.tests.factories import designate, province_scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed_catalogue() -> None:
    """Put back the metrics and categories this app's migration seeds.

    A transactional test starts after earlier transactional tests flushed the database,
    which also removes rows that migrations created; the migration is idempotent.
    """
    migration = importlib.import_module("binhyen.hotspots.migrations.0002_catalogue")
    migration.forward(django_apps, None)


def test_province_officer_follows_a_transformation_plan(page):
    # given a commune on the transformation list with an overdue task
    seed_catalogue()
    s = province_scene()
    designation = designate(s.officer, s.communes[0])
    services.plan_task_create(
        actor=s.officer,
        designation=designation,
        title="Xóa tụ điểm cờ bạc",
        owner="Công an xã",
        deadline=date(2024, 6, 30),
    )
    device = TOTPDevice.objects.create(user=s.officer, name="điện thoại", confirmed=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # when the province officer signs in with password and a TOTP code
    browser_login(page, s.officer.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/otp/verify/"))
    page.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    page.get_by_test_id("otp-form").locator("button[type=submit]").click()
    # and opens the hotspot board
    page.goto(f"{page.base}/hotspots/board/?year=2024")
    overdue = page.get_by_test_id("overdue-tasks")
    expect(overdue).to_contain_text("Xóa tụ điểm cờ bạc")
    expect(page.get_by_test_id("board-totals")).to_contain_text("0/1")
    # then follows the commune's plan: adds a task and records progress on the late one
    overdue.get_by_role("link", name="Xã Số 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xã Số 1")
    plan = page.get_by_test_id("plan")
    expect(plan).to_contain_text("Quá hạn")
    form = page.get_by_test_id("task-form")
    form.locator("input[name=title]").fill("Lắp 5 camera tại tụ điểm")
    form.locator("input[name=owner]").fill("Công an xã Số 1")
    form.locator("input[name=deadline]").fill("2099-12-31")
    form.locator("button[type=submit]").click()
    expect(plan).to_contain_text("Lắp 5 camera tại tụ điểm")
    plan.get_by_role("row", name=re.compile("Xóa tụ điểm cờ bạc")).get_by_role("link").click()
    report = page.get_by_test_id("report-form")
    report.locator("input[name=progress]").fill("100")
    report.locator("select[name=status]").select_option("done")
    report.locator("input[name=completed_on]").fill("2024-08-15")
    report.locator("textarea[name=evidence]").fill("Đã xóa tụ điểm, 12 hộ cam kết")
    report.locator("button[type=submit]").click()
    expect(page.get_by_test_id("plan")).not_to_contain_text("Quá hạn")
    task = PlanTask.objects.get(title="Xóa tụ điểm cờ bạc")
    assert (task.progress, task.status, task.completed_on) == (100, "done", date(2024, 8, 15))
    assert PlanTask.objects.count() == 2
    assert errors == []

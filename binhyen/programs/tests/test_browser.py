"""In a real browser: a commune officer, a province verifier and a province decider take a
file from enrolment to recognition."""

from __future__ import annotations

import io
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image
from playwright.sync_api import expect

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import PASSWORD, scene, user_with_role
from binhyen.conftest import browser_login
from binhyen.programs.models import Enrollment, EnrollmentStatus
from binhyen.programs.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 120, 60)).save(buffer, format="PNG")
    return {"name": "bien-ban.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def _sign_in_with_totp(page, user) -> None:
    device = TOTPDevice.objects.create(user=user, name="điện thoại", confirmed=True)
    browser_login(page, user.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/otp/verify/"))
    page.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    page.get_by_test_id("otp-form").locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def _sign_out(page) -> None:
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_load_state("networkidle")


def test_enrol_self_assess_verify_and_recognise(page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # given a programme with two rules and one evidence item, and a commune meeting the rules
    s = scene()
    admin = f.ministry_admin()
    f.metric("crimes")
    f.metric("serious_crimes")
    criteria = f.default_criteria()[:3]
    program = f.program(admin, code="trinh-duyet", criteria=criteria)
    f.crimes_data(s.commune, crimes_now=8, crimes_before=10, serious=0)
    decider = user_with_role(Role.PROVINCE_OFFICER, s.province, username="lanhdao")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())

    # the commune officer enrols the commune and sees 2/3 met before doing anything
    browser_login(page, s.commune_officer.username, PASSWORD)
    page.goto(f"{page.base}/programs/{program.code}/?period=2025")
    enrol = page.get_by_test_id("enrol-form")
    enrol.locator("select[name=unit]").select_option(s.commune.code)
    enrol.locator("select[name=period]").select_option("2025")
    enrol.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_test_id("progress-count")).to_have_text("2/3")
    # submitting now (confirmed) is refused, listing what is missing
    page.get_by_test_id("submit-file").click()
    expect(page.get_by_test_id("submit-missing")).to_contain_text("Chưa tự đánh giá")
    # it uploads its evidence and marks the criterion met: the count becomes 3/3 live
    card = page.get_by_test_id("criterion-3")
    card.get_by_test_id("evidence-form").locator("input[type=file]").set_input_files(_png())
    card.get_by_test_id("evidence-form").get_by_role("button", name="Tải lên").click()
    card = page.get_by_test_id("criterion-3")
    expect(card).to_contain_text("bien-ban.png")
    card.locator("select[name=self_met]").select_option("1")
    card.get_by_test_id("assess-form").get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("progress-count")).to_have_text("3/3")
    page.get_by_test_id("submit-file").click()
    expect(page.get_by_test_id("file-status")).to_have_text("Đã nộp, chờ thẩm định")
    _sign_out(page)

    # the province verifier agrees with every criterion and closes the verification
    _sign_in_with_totp(page, s.province_officer)
    enrollment = Enrollment.objects.get(program=program, unit=s.commune)
    page.goto(f"{page.base}/programs/files/{enrollment.pk}/")
    page.get_by_test_id("open-verify").click()
    for code in ("1", "2", "3"):
        block = page.get_by_test_id(f"verify-{code}")
        block.get_by_text("Đồng ý", exact=True).click()
        block.get_by_role("button", name="Ghi ý kiến").click()
        expect(page.get_by_test_id(f"verify-{code}")).to_contain_text("Thẩm định: Đạt")
    page.get_by_test_id("finish-form").locator("textarea").fill("Hồ sơ đầy đủ, số liệu khớp.")
    page.get_by_test_id("finish-form").get_by_role("button").click()
    expect(page.get_by_test_id("file-status")).to_have_text("Đã thẩm định, chờ quyết định")
    _sign_out(page)

    # the province decider records the decision with its number, date and signer
    _sign_in_with_totp(page, decider)
    page.goto(f"{page.base}/programs/files/{enrollment.pk}/")
    page.get_by_test_id("open-decide").click()
    form = page.get_by_test_id("decision-form")
    form.locator("input[name=number]").fill("88/QĐ-UBND")
    form.locator("input[name=issued_on]").fill("2025-12-15")
    form.locator("input[name=issuing_body]").fill("Ủy ban nhân dân tỉnh Bắc Ninh")
    form.locator("input[name=signer]").fill("Nguyễn Văn Ký")
    form.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quyết định số 88/QĐ-UBND")
    page.get_by_role("link", name=s.commune.name).click()
    expect(page.get_by_test_id("file-status")).to_have_text("Được công nhận")
    timeline = page.get_by_test_id("timeline")
    for step in ("Đơn vị đăng ký", "Nộp hồ sơ", "Hoàn thành thẩm định", "Quyết định"):
        expect(timeline).to_contain_text(step)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.RECOGNISED
    assert errors == []


def _builtin_programmes() -> None:
    """The built-in programmes as the migrations ship them (a transactional test flushes)."""
    import importlib

    from django.apps import apps

    for name in ("0002_builtin_templates", "0004_model_commune_set"):
        importlib.import_module(f"binhyen.programs.migrations.{name}").forward(apps, None)


@pytest.mark.parametrize("size", ["phone_page", "page"])
def test_only_usable_programmes_offer_enrolment_and_the_model_commune_enrols(request, size):
    pg = request.getfixturevalue(size)
    # given the built-in programmes and a commune officer
    _builtin_programmes()
    s = scene()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(pg, s.commune_officer.username, PASSWORD)
    # when they open the list: the model ward police waits for its criteria, no enrolment
    pg.goto(f"{pg.base}/programs/")
    ward = pg.get_by_test_id("program-list").locator(".card", has_text="Công an phường điển hình")
    expect(ward.get_by_test_id("awaiting-set")).to_contain_text("chờ Bộ Công an")
    expect(ward.get_by_role("link", name="Chi tiết", exact=True)).to_be_visible()
    ward.get_by_role("link", name="Chi tiết", exact=True).click()
    expect(pg.get_by_test_id("not-usable")).to_contain_text("Bộ Công an")
    expect(pg.get_by_test_id("enrol-form")).to_have_count(0)
    # and the model commune, with its shipped set, can be enrolled for 2025
    pg.goto(f"{pg.base}/programs/xa-dien-hinh/?period=2025")
    enrol = pg.get_by_test_id("enrol-form")
    enrol.locator("select[name=unit]").select_option(s.commune.code)
    enrol.locator("select[name=period]").select_option("2025")
    enrol.get_by_role("button", name="Đăng ký").click()
    expect(pg.get_by_test_id("progress-count")).to_contain_text("/34")
    assert Enrollment.objects.get(program__code="xa-dien-hinh", unit=s.commune).period == "2025"
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"]
    assert errors == []

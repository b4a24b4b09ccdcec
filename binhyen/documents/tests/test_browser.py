"""In a real browser: a commune chief drafts, edits, issues and downloads the 6-month report
(Word and PDF); the province officer compiles the province's report pack."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from binhyen.accounts.tests.factories import PASSWORD, scene
from binhyen.conftest import browser_login
from binhyen.documents.models import IssuedDocument
from binhyen.documents.tests.test_services import text_of
from binhyen.indicators.models import Metric
from binhyen.indicators.tests.factories import put

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice missing: make setup"),
]


def download(page, click) -> bytes:
    with page.expect_download() as info:
        click()
    return Path(info.value.path()).read_bytes()


def test_chief_issues_the_6_month_report_and_province_compiles_a_pack(page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    s = scene()
    sessions = Metric.objects.get(code="outreach_sessions")
    put(sessions, s.commune, "2026M02", 6)
    put(sessions, s.commune, "2025M02", 4)
    page.set_default_timeout(60_000)  # a PDF is made by LibreOffice while the page waits
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # the commune chief drafts the 6-month report
    browser_login(page, s.commune_chief.username, PASSWORD)
    page.get_by_test_id("nav-documents").click()
    page.get_by_test_id("draft-new").first.click()
    page.select_option("select[name=template]", "bao-cao-phong-trao-xa")
    page.select_option("select[name=unit]", s.commune.code)
    page.fill("input[name=period]", "2026S1")
    page.get_by_test_id("draft-submit").click()
    expect(page.get_by_test_id("doc-status")).to_have_text("dự thảo")
    # edits the narrative
    form = page.get_by_test_id("narrative-form")
    form.locator("textarea[name=n_situation]").fill("Tình hình an ninh trật tự ổn định.")
    form.locator("textarea[name=n_plan]").fill("Tiếp tục tuyên truyền tại các thôn.")
    page.get_by_test_id("narrative-save").click()
    expect(page.get_by_test_id("narrative-form").locator("textarea[name=n_plan]")).to_have_value(
        "Tiếp tục tuyên truyền tại các thôn."
    )
    page.screenshot(path=str(tmp_path / "draft-desktop.png"), full_page=True)
    # issuing needs a number
    issue = page.get_by_test_id("issue-form")
    issue.locator("input[name=number]").fill("")
    page.get_by_test_id("issue-submit").click()
    expect(page.get_by_test_id("issue-form")).to_contain_text("Cần nhập số văn bản")
    page.get_by_test_id("issue-form").locator("input[name=number]").fill("25")
    page.get_by_test_id("issue-submit").click()
    expect(page.get_by_test_id("doc-status")).to_have_text("đã ban hành")
    doc = IssuedDocument.objects.get()
    assert doc.reference == "25/BC-CAX"
    # downloads Word
    page.get_by_test_id("render-docx").click()
    word = download(page, lambda: page.get_by_test_id("job-download").click())
    text = text_of(word)
    assert "Số: 25/BC-CAX" in text
    assert "Tình hình an ninh trật tự ổn định." in text
    assert "tăng 50 %" in text  # 6 sessions against 4 the same half of last year
    # and PDF
    page.go_back()
    page.reload()
    page.get_by_test_id("render-pdf").click()
    pdf = download(page, lambda: page.get_by_test_id("job-download").click())
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(pdf)
    pdf_text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Số: 25/BC-CAX" in pdf_text
    assert "Nơi nhận:" in pdf_text
    # the province officer compiles the province's pack
    device = TOTPDevice.objects.create(user=s.province_officer, name="điện thoại", confirmed=True)
    page.context.clear_cookies()
    browser_login(page, s.province_officer.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/otp/verify/"))
    page.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    page.get_by_test_id("otp-form").locator("button[type=submit]").click()
    page.goto(f"{page.base}/documents/pack/")
    page.select_option("select[name=unit]", s.province.code)
    page.fill("input[name=period]", "2026S1")
    page.get_by_test_id("pack-submit").click()
    pack = download(page, lambda: page.get_by_test_id("job-download").click())
    names = zipfile.ZipFile(io.BytesIO(pack)).namelist()
    assert "xa-con-thieu-bao-cao.xlsx" in names
    assert any(n.endswith(".pdf") for n in names)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base}/documents/{doc.pk}/")
    page.screenshot(path=str(tmp_path / "issued-phone.png"), full_page=True)
    assert not errors

"""Browser flow: a citizen on a phone and a commune officer, through the real pages."""

from __future__ import annotations

import pytest

from binhyen.accounts.tests.factories import PASSWORD, scene
from binhyen.conftest import browser_login
from binhyen.tips.models import Status, Tip
from binhyen.tips.tests.factories import jpeg_with_gps


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_citizen_and_officer_round_trip(phone_page, page):
    s = scene()
    citizen = phone_page
    # given a citizen on a phone-sized screen opening the form from the commune's QR code
    # (the first request of a fresh live server loads every URL and API route: allow it longer)
    citizen.goto(f"{citizen.base}/tips/new/?unit={s.village.code}", timeout=30_000)
    citizen.fill("textarea[name=description]", "Có người lạ dò xét nhà dân ở thôn Cấm lúc nửa đêm.")
    citizen.set_input_files(
        "input[name=attachments]",
        files=[{"name": "anh.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}],
    )
    citizen.wait_for_function("document.querySelector('input[name=pow_solution]').value !== ''")
    citizen.click("[data-testid=tip-submit]")
    # then a tracking code and a secret are shown once
    code = citizen.text_content("[data-testid=tracking-code]").strip()
    secret = citizen.text_content("[data-testid=secret]").strip()
    tip = Tip.objects.get(tracking_code=code)
    assert tip.is_anonymous and tip.media.count() == 1

    # when the officer claims and replies
    browser_login(page, s.commune_officer.username, PASSWORD)
    page.goto(f"{page.base}/tips/{tip.pk}/")
    page.click("[data-testid=claim]")
    assert "Đang xử lý" in page.text_content("[data-testid=claim-banner]")
    page.fill("[data-testid=reply-body]", "Công an xã đã nhận tin và cử tổ tuần tra.")
    page.click("[data-testid=reply-submit]")

    # then the citizen reads the reply and adds information
    citizen.goto(f"{citizen.base}/tips/follow/")
    citizen.fill("input[name=code]", code)
    citizen.fill("input[name=secret]", secret)
    citizen.click("[data-testid=lookup-submit]")
    assert "cử tổ tuần tra" in citizen.text_content("[data-testid=public-thread]")
    citizen.fill("textarea[name=body]", "Xe máy màu đỏ, không biển số.")
    citizen.click("[data-testid=follow-submit]")
    assert "Xe máy màu đỏ" in citizen.text_content("[data-testid=public-thread]")

    # and the officer concludes with what was done
    page.goto(f"{page.base}/tips/{tip.pk}/")
    page.click("text=Kết luận")
    page.fill("[data-testid=conclude-outcome]", "Đã tuần tra, mời làm việc hai đối tượng khả nghi.")
    page.click("[data-testid=conclude-submit]")
    tip.refresh_from_db()
    assert tip.status == Status.RESOLVED and "tuần tra" in tip.outcome

"""In a real browser on a phone: a commune officer records a pledge and sees it counted."""

from __future__ import annotations

import re
from typing import cast

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import PASSWORD, user_with_role
from binhyen.community.tests import factories as f
from binhyen.conftest import browser_login
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.tests.factories import ProvinceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_records_a_pledge_on_a_phone(phone_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # given a commune with two villages and its officer signed in on a phone
    province = cast(OrgUnit, ProvinceFactory(code="24", name="Tỉnh Bắc Ninh"))
    commune = f.commune(province, code="07840", name="Xã Hiệp Hòa")
    f.village(commune, name="Thôn Cấm")
    f.village(commune, name="Thôn Khánh")
    user_with_role(Role.COMMUNE_OFFICER, commune, username="canbo_hh")
    errors: list[str] = []
    phone_page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(phone_page, "canbo_hh", PASSWORD)
    # when they open the pledges, follow the empty state and fill in the form
    phone_page.goto(f"{phone_page.base}/community/pledges/")
    phone_page.get_by_test_id("empty").get_by_role("link").click()
    expect(phone_page).to_have_url(re.compile(r"/community/pledges/new/"))
    phone_page.select_option("#id_orgunit", label="Thôn Cấm (Thôn)")
    today = timezone.localdate()
    phone_page.fill("#id_signed_on", today.replace(month=1, day=10).isoformat())
    phone_page.fill("#id_signed_by", "Trưởng thôn Nguyễn Văn An")
    phone_page.get_by_role("button", name="Lưu", exact=True).click()
    # then the pledge page shows it, and the overview counts 1 of 2 villages
    expect(phone_page.get_by_test_id("pledge")).to_contain_text("Trưởng thôn Nguyễn Văn An")
    phone_page.goto(f"{phone_page.base}/community/?unit=07840")
    expect(phone_page.get_by_test_id("villages-pledged")).to_have_text("1/2")
    assert errors == []

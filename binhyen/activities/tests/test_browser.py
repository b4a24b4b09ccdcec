"""In a real browser on a phone-sized screen: a commune officer records an outreach session."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from binhyen.accounts.tests.factories import PASSWORD
from binhyen.activities.models import Activity
from binhyen.activities.tests.factories import commune_scene
from binhyen.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_commune_officer_records_outreach_on_a_phone(phone_page):
    # given a commune officer signed in on a phone
    s = commune_scene(villages=3)
    pg = phone_page
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(pg, s.officer.username, PASSWORD)
    # when they open the activity log and choose to record an outreach session
    pg.goto(f"{pg.base}/activities/")
    pg.get_by_test_id("record-activity").click()
    pg.locator("[data-kind=outreach]").click()
    expect(pg).to_have_url(re.compile(r"/activities/new/outreach/"))
    # and fill in the short form with the phone's keyboard
    pg.fill("input[name=date]", "2025-03-07")
    pg.fill("input[name=topic]", "Phòng chống ma túy học đường")
    pg.fill("input[name=participants]", "65")
    pg.fill("input[name=leaflets]", "150")
    pg.get_by_label("Thôn 1").check()
    pg.get_by_label("Thôn 2").check()
    # the form fits the screen: nothing to scroll sideways
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    pg.get_by_test_id("save").click()
    # then the activity page confirms it with its numbers
    expect(pg).to_have_url(re.compile(r"/activities/\d+/$"))
    expect(pg.get_by_role("heading", level=1)).to_have_text("Phòng chống ma túy học đường")
    facts = pg.get_by_test_id("activity-facts")
    expect(facts).to_contain_text("65")
    expect(facts).to_contain_text("Thôn 1, Thôn 2")
    activity = Activity.objects.get()
    assert (activity.participants, activity.leaflets, activity.villages.count()) == (65, 150, 2)
    assert errors == []

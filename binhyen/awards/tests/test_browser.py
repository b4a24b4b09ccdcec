"""In a real browser: a proposal for the Minister's Bằng khen climbs from the commune chief
(phone) through the province (desktop) to the ministry (phone), which decides it."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from binhyen.accounts.tests.factories import PASSWORD
from binhyen.awards.models import CatalogueEntry, Proposal, ProposalStatus
from binhyen.awards.tests.factories import scene
from binhyen.conftest import DESKTOP, PHONE, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser, live_server, viewport, **kw):
    context = browser.new_context(viewport=viewport, locale="vi-VN", **kw)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.base = live_server.url
    return context, pg


def _sign_in(pg, user, *, otp: bool) -> None:
    if not otp:
        browser_login(pg, user.username, PASSWORD)
        return
    device = TOTPDevice.objects.get_or_create(user=user, name="điện thoại", confirmed=True)[0]
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    browser_login(pg, user.username, PASSWORD)
    expect(pg).to_have_url(re.compile(r"/accounts/otp/verify/"))
    pg.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    pg.get_by_test_id("otp-form").locator("button[type=submit]").click()


def test_a_proposal_climbs_from_the_commune_to_the_ministry(browser, live_server):
    s = scene(villages=2)
    form = CatalogueEntry.objects.get(province=None, code="bang-khen-bo-truong")
    errors: list[str] = []
    # given the commune chief on a phone drafting the proposal
    ctx, pg = _page(browser, live_server, PHONE, is_mobile=True, has_touch=True)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(pg, s.chief, otp=False)
    pg.goto(f"{pg.base}/awards/proposals/")
    expect(pg.get_by_test_id("empty-state")).to_be_visible()
    pg.get_by_test_id("proposal-new").click()
    pg.select_option("select[name=form]", str(form.pk))
    pg.fill("input[name=achievement]", "Phá chuyên án ma túy năm 2026")
    pg.get_by_test_id("awards-save").click()
    nominee = pg.get_by_test_id("nominee-form")
    nominee.locator("select[name=kind]").select_option("village")
    nominee.locator("input[name=unit]").fill(s.villages[0].code)
    pg.get_by_test_id("nominee-add").click()
    expect(pg.get_by_test_id("nominees")).to_contain_text(s.villages[0].name)
    pg.get_by_test_id("proposal-submit").click()
    expect(pg.get_by_test_id("proposal-at")).to_contain_text(s.province.name)
    ctx.close()
    # when the province, on a desktop, forwards it with a comment
    ctx, pg = _page(browser, live_server, DESKTOP)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(pg, s.province_officer, otp=True)
    pg.goto(f"{pg.base}/awards/proposals/?waiting=1")
    pg.get_by_test_id("proposal-list").get_by_role("link").first.click()
    pg.get_by_test_id("act").locator("input[name=comment]").first.fill("Đồng ý đề nghị")
    pg.get_by_test_id("proposal-forward").click()
    expect(pg.get_by_test_id("proposal-at")).to_contain_text(s.country.name)
    ctx.close()
    # then the ministry, on a phone, records the decision
    ctx, pg = _page(browser, live_server, PHONE, is_mobile=True, has_touch=True)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(pg, s.ministry, otp=True)
    proposal = Proposal.objects.get()
    pg.goto(f"{pg.base}/awards/proposals/{proposal.pk}/")
    decide = pg.get_by_test_id("decide-form")
    decide.locator("input[name=number]").fill("1234/QĐ-BCA")
    decide.locator("input[name=signer]").fill("Bộ trưởng")
    pg.get_by_test_id("proposal-decide").click()
    expect(pg.get_by_test_id("decision")).to_contain_text("1234/QĐ-BCA")
    expect(pg.get_by_test_id("history")).to_contain_text("Đồng ý đề nghị")
    ctx.close()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECIDED
    assert not errors

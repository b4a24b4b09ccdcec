"""In a real Chromium: the field app records offline and syncs exactly once (issue 17).

Service workers and IndexedDB are the browser's own; ``context.set_offline`` cuts the network.
"""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from playwright.sync_api import Page, expect

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import PASSWORD, user_with_role
from binhyen.activities.models import Activity, ActivityPhoto
from binhyen.community.models import Pledge
from binhyen.community.tests import factories as f
from binhyen.conftest import browser_login
from binhyen.core.models import IdempotencyRecord
from binhyen.orgunits import services as unit_services
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.tests.factories import ProvinceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    province = cast(OrgUnit, ProvinceFactory(code="06", name="Tỉnh Thái Nguyên"))
    commune = f.commune(province, code="01891", name="Xã Yên Thượng")
    village = f.village(commune, name="Thôn Nà Đon", households=120, population=480)
    f.village(commune, name="Thôn Bản Pjạc")
    officer = user_with_role(Role.COMMUNE_OFFICER, commune, username="canbo_yt")
    other = user_with_role(Role.COMMUNE_OFFICER, commune, username="canbo_khac")
    return {"commune": commune, "village": village, "officer": officer, "other": other}


def open_field(pg: Any) -> None:
    pg.goto(f"{pg.base}/field/")
    expect(pg.locator("body[data-ready='1']")).to_be_attached()
    pg.evaluate("navigator.serviceWorker.ready")
    # controlled by the worker once it has taken over (first visit: after a reload)
    if not pg.evaluate("!!navigator.serviceWorker.controller"):
        pg.reload()
        expect(pg.locator("body[data-ready='1']")).to_be_attached()


def idle_for_two_hours(pg: Any, user: Any) -> None:
    """The phone left unused for two hours since the user's last sign-in and last tap."""
    from datetime import timedelta

    from django.utils import timezone

    type(user).objects.filter(pk=user.pk).update(last_login=timezone.now() - timedelta(hours=3))
    pg.evaluate("localStorage.setItem('binhyen-field-last', String(Date.now() - 2 * 3600 * 1000))")


def record_activity(pg: Any, title: str, photo: bytes | None = None) -> None:
    pg.get_by_test_id("what").select_option("activity:patrol")
    pg.get_by_test_id("f-title").fill(title)
    pg.get_by_test_id("f-participants").fill("6")
    if photo is not None:
        pg.get_by_test_id("f-photo").set_input_files(
            {"name": "tuan-tra.jpg", "mimeType": "image/jpeg", "buffer": photo}
        )
    pg.get_by_test_id("save").click()
    expect(pg.get_by_test_id("message")).to_contain_text("Đã lưu")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_offline_entries_survive_a_reload_and_sync_exactly_once(world, request, size):
    pg: Page = request.getfixturevalue("phone_page" if size == "phone" else "page")
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    # given the officer signed in who opened the field app once with a signal
    browser_login(pg, "canbo_yt", PASSWORD)
    open_field(pg)
    # when they lose the signal and record three activities with a photo, and a pledge
    pg.context.set_offline(True)
    expect(pg.get_by_test_id("network")).to_have_attribute("data-state", "offline")
    for n in range(3):
        record_activity(pg, f"Tuần tra đêm {n}", photo=f.png_bytes(exif=True))
    pg.get_by_test_id("what").select_option("pledge")
    pg.get_by_test_id("f-unit").select_option(label="Thôn Nà Đon")
    pg.get_by_test_id("f-signer_kind").select_option("village")
    pg.get_by_test_id("f-signed_by").fill("Trưởng thôn Hoàng Văn Sơn")
    pg.get_by_test_id("save").click()
    expect(pg.get_by_test_id("waiting-count")).to_have_text("4")
    # and reload the page while still offline: the shell opens from the cache, entries kept
    pg.reload()
    expect(pg.locator("body[data-ready='1']")).to_be_attached()
    expect(pg.get_by_test_id("waiting-count")).to_have_text("4")
    assert Activity.objects.count() == 0
    # then back online, the outbox syncs: each entry stored exactly once
    pg.context.set_offline(False)
    pg.get_by_test_id("sync").click()
    expect(pg.get_by_test_id("waiting-count")).to_have_text("0")
    assert Activity.objects.filter(title__startswith="Tuần tra đêm").count() == 3
    assert ActivityPhoto.objects.count() == 3
    assert Pledge.objects.filter(signed_by="Trưởng thôn Hoàng Văn Sơn").count() == 1
    assert errors == []


def test_a_sync_cut_midway_and_retried_stores_each_entry_once(world, page):
    # given three activities waiting in the outbox
    browser_login(page, "canbo_yt", PASSWORD)
    open_field(page)
    page.context.set_offline(True)
    for n in range(3):
        record_activity(page, f"Hòa giải {n}")
    page.context.set_offline(False)
    # when the connection drops after the server stored the second entry (its answer lost)
    seen = {"n": 0}

    def cut(route):
        seen["n"] += 1
        if seen["n"] == 2:
            route.fetch()  # the server stores it; the answer never reaches the phone
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(re.compile(r".*/api/v1/activities$"), cut)
    page.evaluate("delete document.body.dataset.lastSync")
    page.get_by_test_id("sync").click()
    expect(page.locator("body[data-last-sync]")).to_be_attached()
    assert Activity.objects.filter(title__startswith="Hòa giải").count() >= 1
    page.unroute(re.compile(r".*/api/v1/activities$"))
    # and the outbox is sent again
    page.get_by_test_id("sync").click()
    expect(page.get_by_test_id("waiting-count")).to_have_text("0")
    # then every activity exists once, the lost answer having been replayed
    assert Activity.objects.filter(title__startswith="Hòa giải").count() == 3
    assert IdempotencyRecord.objects.filter(status=201).count() == 3


def test_a_village_edited_offline_and_online_shows_the_conflict(world, phone_page):
    pg = phone_page
    village = world["village"]
    # given the officer edits the village's households offline
    browser_login(pg, "canbo_yt", PASSWORD)
    open_field(pg)
    pg.context.set_offline(True)
    pg.get_by_test_id("what").select_option("village")
    pg.get_by_test_id("f-village").select_option(village.code)
    pg.get_by_test_id("f-households").fill("131")
    pg.get_by_test_id("save").click()
    # while another officer changes it online
    unit_services.orgunit_update(actor=world["other"], unit=village, households=125)
    # when the connection returns and the outbox syncs
    pg.context.set_offline(False)
    pg.get_by_test_id("sync").click()
    pg.get_by_test_id("tab-outbox").click()
    pg.get_by_test_id("choose").click()
    # then both versions are shown field by field, and nothing was overwritten
    conflict = pg.get_by_test_id("conflict")
    expect(conflict).to_contain_text("131")
    expect(conflict).to_contain_text("125")
    village.refresh_from_db()
    assert village.households == 125
    # and the value the officer chooses wins
    pg.get_by_test_id("pick-households-mine").check()
    pg.get_by_test_id("resolve").click()
    expect(pg.get_by_test_id("waiting-count")).to_have_text("0")
    village.refresh_from_db()
    assert village.households == 131


def test_logout_clears_the_offline_store_and_caches(world, page):
    # given an entry waiting on the device
    browser_login(page, "canbo_yt", PASSWORD)
    open_field(page)
    page.context.set_offline(True)
    record_activity(page, "Tuần tra sáng")
    page.context.set_offline(False)
    page.route(re.compile(r".*/api/v1/.*"), lambda route: route.abort())
    # when the officer logs out (and accepts losing the unsent entry)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    # then IndexedDB, the caches and the service worker are gone
    names = page.evaluate("indexedDB.databases().then(d => d.map(x => x.name))")
    assert "binhyen-field" not in names
    assert page.evaluate("caches.keys()") == []
    assert Activity.objects.count() == 0


def test_report_values_recorded_offline_are_saved_as_a_draft(world, phone_page):
    from binhyen.indicators.models import Submission
    from binhyen.indicators.tests.factories import MetricFactory, form_with

    # given a monthly report the commune fills
    metric = MetricFactory(code="t_patrols", name="Số lượt tuần tra")
    form_with([metric], code="t_monthly")
    pg = phone_page
    browser_login(pg, "canbo_yt", PASSWORD)
    open_field(pg)
    # when the officer types a value offline and syncs later
    pg.context.set_offline(True)
    pg.get_by_test_id("what").select_option("report:t_monthly")
    pg.get_by_test_id("f-cell0").fill("14")
    pg.get_by_test_id("save").click()
    expect(pg.get_by_test_id("waiting-count")).to_have_text("1")
    pg.context.set_offline(False)
    pg.get_by_test_id("sync").click()
    expect(pg.get_by_test_id("waiting-count")).to_have_text("0")
    # then the report holds the value as a draft (sending it up needs the report page)
    submission = Submission.objects.get(form__code="t_monthly", orgunit=world["commune"])
    assert submission.status == "draft"


def test_the_app_locks_after_the_idle_timeout_even_offline(world, phone_page, settings):
    pg = phone_page
    # given an officer with an entry waiting, offline
    browser_login(pg, "canbo_yt", PASSWORD)
    open_field(pg)
    pg.context.set_offline(True)
    record_activity(pg, "Tuần tra trưa")
    # when the phone was left unused longer than the idle timeout and the app is opened again
    idle_for_two_hours(pg, world["officer"])
    pg.reload()
    # then it is locked: nothing shown, the entry still kept on the device
    expect(pg.get_by_test_id("locked")).to_be_visible()
    expect(pg.get_by_test_id("outbox")).to_be_hidden()
    kept = pg.evaluate("BinhYenField.db.outbox.count()")
    assert kept == 1


def test_citizens_public_pages_install_no_service_worker(page):
    # when an anonymous visitor opens the login page, then no worker is registered
    page.goto(f"{page.base}/accounts/login/")
    page.wait_for_load_state("load")
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0


def test_signing_in_again_unlocks_the_app(world, page):
    # given the app locked after the idle timeout, with an entry waiting
    browser_login(page, "canbo_yt", PASSWORD)
    open_field(page)
    page.context.set_offline(True)
    record_activity(page, "Tuần tra chiều")
    idle_for_two_hours(page, world["officer"])
    page.reload()
    expect(page.get_by_test_id("locked")).to_be_visible()
    # when the officer, back online, signs in again from the lock screen
    page.context.set_offline(False)
    page.get_by_test_id("sign-in-again").click()
    page.fill("input[name=username]", "canbo_yt")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    # then the app opens again and sends the waiting entry (the badge reads 0 before the
    # outbox is counted, so wait for the sync the opening starts)
    expect(page.locator("body[data-ready='1']")).to_be_attached()
    expect(page.locator("body[data-last-sync]")).to_be_attached()
    expect(page.get_by_test_id("waiting-count")).to_have_text("0")
    assert Activity.objects.filter(title="Tuần tra chiều").count() == 1


def test_another_accounts_entries_are_neither_shown_nor_sent(world, page):
    # given an entry of the officer waiting on the device, and the session ended on the lock
    browser_login(page, "canbo_yt", PASSWORD)
    open_field(page)
    page.context.set_offline(True)
    record_activity(page, "Tuần tra của người khác")
    idle_for_two_hours(page, world["officer"])
    page.reload()
    page.context.set_offline(False)
    page.reload()
    page.get_by_test_id("sign-in-again").click()
    # when another officer signs in on the same phone
    page.fill("input[name=username]", "canbo_khac")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    # then the app says another account's entries wait, shows and sends nothing
    expect(page.get_by_test_id("message")).to_contain_text("tài khoản khác")
    expect(page.get_by_test_id("outbox")).to_be_hidden()
    assert Activity.objects.count() == 0


def test_a_new_version_is_offered_and_taken_on_request(world, page, monkeypatch):
    from binhyen.field import views

    # given the app installed at one version
    browser_login(page, "canbo_yt", PASSWORD)
    open_field(page)
    # when a new version is deployed and the app is opened again
    monkeypatch.setattr(views, "app_version", lambda: "a-new-version")
    page.reload()
    # then it offers the update, and taking it reloads the app under the new worker
    expect(page.get_by_test_id("update-prompt")).to_be_visible(timeout=20_000)
    with page.expect_event("load"):
        page.get_by_role("button", name="Cập nhật").click()
    expect(page.locator("body[data-ready='1']")).to_be_attached()
    script = page.evaluate("navigator.serviceWorker.controller.scriptURL")
    assert script.endswith("/sw.js")
    assert "a-new-version" in page.evaluate("fetch('/sw.js').then(r => r.text())")

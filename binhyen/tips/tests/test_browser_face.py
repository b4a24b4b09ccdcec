"""Browser checks of the tips pages' face: the citizen form and the inbox on a phone, the map
loaded only on demand, and the English inbox and tip page with no Vietnamese left but data."""

from __future__ import annotations

import os
import re

import pytest

from binhyen.accounts.tests.factories import PASSWORD, scene
from binhyen.conftest import browser_login
from binhyen.tips import services
from binhyen.tips.models import Category, Status
from binhyen.tips.tests.factories import make_tip

ARTIFACTS = "test-artifacts"
PHONE_WIDTH = 390
# Letters only Vietnamese uses (tone marks, ơ, ư, ă, đ …): an English page shows none of them
# outside data typed by people (marked data-user-text).
VIETNAMESE = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE
)
# Every text node and label-like attribute under <main>, except inside data-user-text.
SHOWN_TEXT_JS = """() => {
  const main = document.querySelector('main');
  const out = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('[data-user-text], script, style')) continue;
    if (n.textContent.trim()) out.push(n.textContent.trim());
  }
  for (const el of main.querySelectorAll('[placeholder], [aria-label], [title]')) {
    if (el.closest('[data-user-text]')) continue;
    for (const a of ['placeholder', 'aria-label', 'title']) {
      if (el.getAttribute(a)) out.push(el.getAttribute(a));
    }
  }
  return out;
}"""


def shot(pg, name: str) -> None:
    os.makedirs(ARTIFACTS, exist_ok=True)
    pg.screenshot(path=f"{ARTIFACTS}/{name}.png", full_page=True)


def vietnamese_left(pg) -> list[str]:
    return [text for text in pg.evaluate(SHOWN_TEXT_JS) if VIETNAMESE.search(text)]


def page_width(pg) -> int:
    return pg.evaluate("document.documentElement.scrollWidth")


def leaflet_requests(pg) -> int:
    return pg.evaluate(
        "performance.getEntriesByType('resource').filter(r => r.name.includes('/leaflet/')).length"
    )


def busy_tip(s):
    """A tip with a category, a take-over, an assignment, a reply, a note and a conclusion."""
    tip = make_tip(s.village, category_code="trom_cap", address_text="Ngõ 5, thôn Cấm")
    services.tip_claim(actor=s.commune_officer, tip=tip)
    services.tip_claim(actor=s.commune_chief, tip=tip, take_over=True)
    services.tip_assign(actor=s.commune_chief, tip=tip, assignee=s.commune_officer)
    services.tip_reply(actor=s.commune_officer, tip=tip, body="Công an xã đã nhận tin.")
    services.tip_note_add(actor=s.commune_officer, tip=tip, body="Đã cử tổ tuần tra.")
    services.tip_conclude(
        actor=s.commune_officer,
        tip=tip,
        status=Status.RESOLVED,
        outcome="Đã tuần tra, mời làm việc hai đối tượng.",
    )
    return tip


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_tip_form_fits_a_phone_and_loads_the_map_on_demand(phone_page, page):
    s = scene()
    pg = phone_page
    # given a citizen opening the form on a 390 px phone
    pg.goto(f"{pg.base}/tips/new/?unit={s.village.code}", timeout=30_000)
    pg.wait_for_selector("[data-testid=pin-map-open]:not([hidden])")
    # then nothing overflows sideways and no map code was fetched
    assert page_width(pg) <= PHONE_WIDTH
    assert leaflet_requests(pg) == 0
    assert pg.evaluate("typeof window.L") == "undefined"
    assert pg.is_visible("[data-testid=privacy-note]")
    shot(pg, "tip-form-phone")

    # when they ask for the map
    pg.click("[data-testid=pin-map-open]")
    # then Leaflet is loaded and the map is shown, still within the screen
    pg.wait_for_selector("[data-testid=pin-map].leaflet-container", state="visible")
    assert leaflet_requests(pg) >= 2
    assert page_width(pg) <= PHONE_WIDTH
    shot(pg, "tip-form-phone-map")

    # when they send it empty, the summary at the top links to the missing field
    pg.wait_for_function("document.querySelector('input[name=pow_solution]').value !== ''")
    pg.click("[data-testid=tip-submit]")
    summary = pg.locator("[data-testid=form-errors]")
    assert summary.locator("a[href='#id_description']").count() == 1
    assert page_width(pg) <= PHONE_WIDTH
    shot(pg, "tip-form-phone-errors")

    # when they describe what happened and send it
    pg.fill("textarea[name=description]", "Có người lạ dò xét nhà dân ở thôn Cấm lúc nửa đêm.")
    pg.wait_for_function("document.querySelector('input[name=pow_solution]').value !== ''")
    pg.click("[data-testid=tip-submit]")
    # then the receipt fits the phone and says the time left in Vietnamese
    pg.wait_for_selector("[data-testid=tracking-code]")
    assert page_width(pg) <= PHONE_WIDTH
    assert re.search(r"trong vòng \d+ giờ( \d+ phút)?\.", pg.text_content("main"))
    shot(pg, "tip-receipt-phone")

    # and on a desktop the form is a centred card
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{page.base}/tips/new/?unit={s.village.code}")
    assert leaflet_requests(page) == 0
    shot(page, "tip-form-desktop")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_inbox_fits_a_phone_with_filters_folded(phone_page, page):
    s = scene()
    busy_tip(s)
    for n in range(3):
        make_tip(s.commune, description=f"Tin thứ {n}: " + "rất dài " * 40)
    # given a commune officer on a 390 px phone
    browser_login(phone_page, s.commune_officer.username, PASSWORD)
    phone_page.goto(f"{phone_page.base}/tips/inbox/?status=all")
    # then the list fits the screen and the filters open from "Bộ lọc"
    assert phone_page.locator("[data-testid=inbox-item]").count() == 4
    assert page_width(phone_page) <= PHONE_WIDTH
    phone_page.goto(f"{phone_page.base}/tips/inbox/")
    assert not phone_page.is_visible("[data-testid=inbox-filters]")
    phone_page.click("[data-testid=inbox-filters-toggle]")
    phone_page.wait_for_selector("#inbox-filters.collapse.show")
    assert page_width(phone_page) <= PHONE_WIDTH
    shot(phone_page, "inbox-phone")

    # and on a desktop the filters are shown at once
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, s.commune_officer.username, PASSWORD)
    page.goto(f"{page.base}/tips/inbox/?status=all")
    assert page.is_visible("[data-testid=inbox-filters]")
    shot(page, "inbox-desktop")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_english_inbox_and_tip_page_show_no_vietnamese_but_data(page, phone_page):
    s = scene()
    tip = busy_tip(s)
    open_tip = make_tip(s.village, category_code="ma_tuy")
    services.tip_claim(actor=s.commune_officer, tip=open_tip)
    assert Category.objects.get(code="trom_cap").name_en
    for pg, size in ((page, "desktop"), (phone_page, "phone")):
        if size == "desktop":
            pg.set_viewport_size({"width": 1366, "height": 900})
        # given an officer whose interface is in English
        pg.context.add_cookies([{"name": "django_language", "value": "en", "url": pg.base}])
        browser_login(pg, s.commune_chief.username, PASSWORD)
        # when they open the inbox, a concluded tip and an open one
        for path, name in (
            ("/tips/inbox/?status=all", "inbox"),
            (f"/tips/{tip.pk}/", "tip"),
            (f"/tips/{open_tip.pk}/", "tip-open"),
        ):
            pg.goto(f"{pg.base}{path}")
            assert pg.evaluate("document.documentElement.lang").startswith("en")
            shot(pg, f"{name}-en-{size}")
            # then no Vietnamese is shown but what people typed
            assert vietnamese_left(pg) == [], (path, vietnamese_left(pg))
            if size == "phone":
                assert page_width(pg) <= PHONE_WIDTH, path
    # and the timeline reads in English
    page.goto(f"{page.base}/tips/{tip.pk}/")
    thread = page.text_content("[data-testid=thread]")
    assert "Took over the tip from" in thread
    assert "Assigned to" in thread
    assert "Concluded: " in thread

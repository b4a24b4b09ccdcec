"""In a real browser: a commune dashboard draws a lone month, shows guns and rounds apart, and
marks the unfinished month without comparing it (phone and desktop)."""

from __future__ import annotations

import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import PASSWORD, user_with_role
from binhyen.conftest import browser_login
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.indicators.tests.factories import put
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("BINHYEN_SCREENSHOTS", "")


@pytest.fixture
def w(settings):
    settings.OTP_REQUIRED_ROLES = []
    settings.INDICATORS_DASHBOARD_METRICS = ["weapons_surrendered", "crimes"]
    country()
    province = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    commune = CommuneFactory(code="07840", name="Xã Lương Phong", parent=province)
    now = Period.containing(PeriodKind.MONTH, timezone.localdate())
    last = now.previous()
    weapons = Metric.objects.get(code="weapons_surrendered")
    put(weapons, commune, last.code, 7, option="sung")
    put(weapons, commune, last.code, 72, option="dan")
    crimes = Metric.objects.get(code="crimes")
    put(crimes, commune, last.code, 50)
    put(crimes, commune, now.code, 2)
    user_with_role(Role.COMMUNE_OFFICER, commune, username="canbo_dash")
    return {"now": now, "last": last}


def _series(pg, metric: str) -> list[dict]:
    return pg.evaluate(
        """(code) => {
          const el = document.querySelector(`.js-trend[data-metric="${code}"]`);
          const chart = window.echarts.getInstanceByDom(el);
          return chart.getOption().series.map(s => ({
            name: s.name, data: s.data, showSymbol: s.showSymbol, connectNulls: s.connectNulls
          }));
        }""",
        metric,
    )


@pytest.mark.parametrize("which", ["page", "phone_page"])
def test_a_lone_month_is_drawn_and_kinds_are_apart(request, which, w):
    pg = request.getfixturevalue(which)
    browser_login(pg, "canbo_dash", PASSWORD)
    # when the commune dashboard of the last full month is opened
    pg.goto(f"{pg.base}/indicators/u/07840/?period={w['last'].code}")
    # then guns and rounds are two cards, with no total
    expect(pg.get_by_test_id("card-weapons_surrendered.sung")).to_contain_text("7")
    expect(pg.get_by_test_id("card-weapons_surrendered.dan")).to_contain_text("72")
    expect(pg.get_by_test_id("card-weapons_surrendered")).to_have_count(0)
    # and the lone month of weapons is a drawn point of each kind's line
    series = _series(pg, "weapons_surrendered")
    by_name = {s["name"]: s for s in series}
    assert 7 in by_name["Súng các loại"]["data"] and 72 in by_name["Đạn"]["data"]
    assert all(s["showSymbol"] for s in series)
    symbols = pg.locator('.js-trend[data-metric="weapons_surrendered"] svg path').count()
    assert symbols > 2
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= pg.viewport_size["width"]
    if SHOTS:
        pg.screenshot(path=f"{SHOTS}/dashboard-{which}.png", full_page=True)


@pytest.mark.parametrize("which", ["page", "phone_page"])
def test_the_unfinished_month_is_marked_and_not_compared(request, which, w):
    pg = request.getfixturevalue(which)
    browser_login(pg, "canbo_dash", PASSWORD)
    # when the current month is opened (2 crimes so far against 50 last month)
    pg.goto(f"{pg.base}/indicators/u/07840/?period={w['now'].code}")
    # then it is marked as going on, and neither compared nor flagged
    expect(pg.get_by_test_id("period-ongoing")).to_be_visible()
    expect(pg.get_by_test_id("card-crimes")).to_contain_text("2")
    expect(pg.get_by_test_id("metric-cards")).not_to_contain_text("so với kỳ trước")
    expect(pg.get_by_test_id("metric-cards")).not_to_contain_text("Thay đổi đáng kể")
    # and on the trend the unfinished month is a separate hollow point, not joined to the line
    series = _series(pg, "crimes")
    assert series[0]["data"][-1] is None and series[0]["data"][-2] == 50
    assert series[1]["data"][-1] == 2
    if SHOTS:
        pg.screenshot(path=f"{SHOTS}/dashboard-ongoing-{which}.png", full_page=True)

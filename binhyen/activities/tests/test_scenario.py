"""Scenario from the seeds (Công an xã Yên Thượng, 6 months of 2025):

"26 lượt tuyên truyền … tại 10 thôn, bản", "vận động giao nộp được 7 khẩu súng các loại, 72
viên đạn", "lắp đặt 2 camera giám sát", "5/10 thôn được đầu tư hệ thống điện thắp sáng".
The commune's records, entered through the services, give exactly these metrics, for the
commune and its province, and the unit dashboards show them.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from binhyen.accounts.tests.factories import login_verified
from binhyen.activities.models import ActivityKind, CameraOwnership
from binhyen.activities.services import ActivityInput
from binhyen.activities.tests.factories import commune_scene, outreach, record, surrender
from binhyen.indicators import selectors as ind_selectors
from binhyen.indicators.models import Metric
from binhyen.indicators.services import provider_values_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def yen_thuong():
    s = commune_scene(villages=10)
    villages = s.villages
    for i in range(26):
        day = date(2025, 1 + i % 6, 1 + i)
        village = villages[i % 10]
        if i % 2:
            # recorded by the village itself
            record(s.officer, outreach(village, date=day, participants=40))
        else:
            # recorded by the commune, naming the village reached
            record(s.officer, outreach(s.commune, date=day, participants=60, villages=[village]))
    record(s.officer, surrender(s.commune, [("sung", 4), ("dan", 50)], date=date(2025, 2, 10)))
    record(s.officer, surrender(villages[3], [("sung", 3), ("dan", 22)], date=date(2025, 5, 6)))
    record(
        s.officer,
        ActivityInput(
            kind=ActivityKind.CAMERA,
            unit=s.commune,
            date=date(2025, 4, 1),
            title="Lắp camera giám sát ngã ba",
            cameras=2,
            camera_ownership=CameraOwnership.PUBLIC,
            latitude=22.05,
            longitude=105.6,
        ),
    )
    record(
        s.officer,
        ActivityInput(
            kind=ActivityKind.LIGHTING,
            unit=s.commune,
            date=date(2025, 3, 15),
            title="Thắp sáng đường quê",
            light_points=40,
            lit_km=Decimal("3.5"),
            villages=villages[:3],
        ),
    )
    record(
        s.officer,
        ActivityInput(
            kind=ActivityKind.LIGHTING,
            unit=villages[4],
            date=date(2025, 6, 1),
            title="Thắp sáng đường thôn",
            light_points=15,
            lit_km=Decimal("1"),
            villages=[villages[3]],
        ),
    )
    # the village count comes from the administrative map's provider
    provider_values_sync(
        actor=None, metric=Metric.objects.get(code="villages"), period_code="2025M06"
    )
    return s


def _values(user, unit, period, codes, disaggregate=False):
    rows = ind_selectors.analytics(
        user=user,
        metric_codes=codes,
        unit_codes=[unit.code],
        period_codes=[period],
        compare=False,
        disaggregate=disaggregate,
    ).rows
    return {(r.metric, r.option): r.value for r in rows}


@pytest.mark.parametrize("level", ["commune", "province"])
def test_the_seed_figures_come_out_of_the_engine(yen_thuong, level):
    s = yen_thuong
    unit = getattr(s, level)
    user = s.province_officer
    # Given the seeded activities of Yên Thường
    # When the engine is asked for the year, the half year and June
    totals = _values(
        user,
        unit,
        "2025",
        ["outreach_sessions", "outreach_villages", "cameras_installed", "lit_villages"],
    )
    # Then the seed's figures come out at every level
    assert totals == {
        ("outreach_sessions", ""): 26,
        ("outreach_villages", ""): 10,
        ("cameras_installed", ""): 2,
        ("lit_villages", ""): 5,
    }
    weapons = _values(user, unit, "2025S1", ["weapons_surrendered"], disaggregate=True)
    assert weapons[("weapons_surrendered", "sung")] == 7
    assert weapons[("weapons_surrendered", "dan")] == 72
    half = _values(user, unit, "2025S1", ["outreach_sessions", "light_points", "lit_road_km"])
    assert half == {
        ("outreach_sessions", ""): 26,
        ("light_points", ""): 55,
        ("lit_road_km", ""): 4.5,
    }
    villages = _values(user, unit, "2025M06", ["villages"])
    assert villages[("villages", "")] == 10  # 5/10 villages lit


def _card(html: str, code: str) -> str:
    match = re.search(rf'data-testid="card-{re.escape(code)}">(.*?)</div>', html, re.S)
    assert match, code
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_the_dashboards_show_the_figures(yen_thuong, client):
    s = yen_thuong
    # Given the seeded activities
    # When the commune and the province officers open their dashboards
    # Then the cards show the seed's figures
    # the commune officer's dashboard
    client.force_login(s.officer)
    response = client.get(
        reverse("indicators:dashboard", args=[s.commune.code]), {"period": "2025"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "26" in _card(html, "outreach_sessions").split()
    # surrendered items are shown by kind (7 guns, 72 rounds), never added up
    assert "7" in _card(html, "weapons_surrendered.sung").split()
    assert "72" in _card(html, "weapons_surrendered.dan").split()
    assert "2" in _card(html, "cameras_installed").split()
    # the province officer's dashboard (second factor verified)
    client.logout()
    login_verified(client, s.province_officer)
    response = client.get(
        reverse("indicators:dashboard", args=[s.province.code]), {"period": "2025"}
    )
    assert response.status_code == 200
    assert "26" in _card(response.content.decode(), "outreach_sessions").split()

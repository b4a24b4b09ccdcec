"""Scenario: a province put 27 communes on its 2024 transformation list and issued 16
removal decisions. Its board shows "16/27" and 59.3 % (below the 60 % target), the
metrics say the same, and the areas still in force without a typical scheme are listed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from binhyen.accounts.tests.factories import login_verified
from binhyen.hotspots import selectors, services
from binhyen.hotspots.models import Regime
from binhyen.hotspots.tests.factories import designate, province_scene
from binhyen.indicators import selectors as ind_selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    s = SimpleNamespace(**vars(province_scene(communes=27)))
    s.designations = [
        designate(s.officer, c, decision_number=f"{i + 1}/QĐ-BCĐ") for i, c in enumerate(s.communes)
    ]
    for designation in s.designations[:16]:
        services.designation_remove(
            actor=s.officer,
            designation=designation,
            decision_number="120/QĐ-UBND",
            decision_date=date(2024, 12, 20),
            issuing_body="UBND tỉnh Bắc Ninh",
        )
    return s


def test_board_shows_16_of_27_and_59_3_percent(province):
    s = province
    # Given the seed's 27 designations, 16 removed
    # When the province officer reads the 2024 board
    board = selectors.board(
        user=s.officer, root=s.province, year=2024, regime=Regime.TRANSFORMATION
    )
    # Then it shows 16/27, 59.3 %, below the target, 11 in force
    figures = board.totals[0]
    assert (figures.removed, figures.designated) == (16, 27)
    assert figures.removed_pct == Decimal("59.3")
    assert figures.meets_removal_target is False
    assert figures.in_force == 11
    # the same numbers are ordinary metric values the engine returns
    rows = ind_selectors.analytics(
        user=s.officer,
        metric_codes=["hotspots_designated", "hotspots_removed"],
        unit_codes=[s.province.code],
        period_codes=["2024"],
        compare=False,
        disaggregate=True,
    ).rows
    values = {(r.metric, r.option): r.value for r in rows}
    assert values[("hotspots_designated", "transformation")] == 27
    assert values[("hotspots_removed", "transformation")] == 16


def test_board_page_in_both_languages(province, client):
    s = province
    # Given the province officer signed in
    login_verified(client, s.officer)
    # When the board page is opened in Vietnamese, then in English
    # Then each shows 16/27 with its own decimal mark
    url = reverse("hotspots:board")
    html = client.get(url, {"year": 2024}).content.decode()
    assert "16/27" in html
    assert "59,3%" in html  # Vietnamese decimal comma
    assert "chưa đạt 60%" in html
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = client.get(url, {"year": 2024}).content.decode()
    assert "16/27" in english
    assert "59.3%" in english


def test_areas_in_force_without_a_typical_scheme(province):
    pytest.importorskip(
        "binhyen.community.tests.factories", reason="the community app builds schemes"
    )
    from binhyen.community import services as community_services
    from binhyen.community.tests.factories import national_type, scheme

    # Given one area in force whose commune has a typical scheme
    s = province
    with_scheme = s.designations[20].orgunit
    scheme(s.officer, [with_scheme])
    community_services.scheme_type_typical_set(
        actor=s.officer, scheme_type=national_type(), province=s.province, typical=True
    )
    # When the areas lacking a scheme are listed
    # Then the other ten areas in force are listed, not that one
    lacking = selectors.lacking_scheme(user=s.officer, root=s.province)
    assert lacking is not None
    assert len(lacking) == 10
    assert with_scheme not in {d.orgunit for d in lacking}

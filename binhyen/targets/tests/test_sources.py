"""The targets source of ``indicators.target_sources``: plain values for readers below."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from binhyen.accounts.tests.factories import login_verified
from binhyen.indicators.target_sources import TargetSourceRegistry, target_sources
from binhyen.indicators.tests.factories import put
from binhyen.targets import services
from binhyen.targets.models import AllocationMethod
from binhyen.targets.sources import TargetsSource
from binhyen.targets.tests.factories import metric, scene, schemes_target, this_year

pytestmark = pytest.mark.django_db


def test_the_targets_source_is_registered():
    assert any(isinstance(s, TargetsSource) for s in target_sources.sources())


def test_figures_are_plain_values_of_visible_units_only():
    # Given a province target allocated to its communes, and a far commune's own target
    s = scene(populations=(30000, 30000))
    target = schemes_target(s.officer, s.province, 12)
    services.allocation_create(actor=s.officer, target=target, method=AllocationMethod.EQUAL)
    schemes_target(s.far_officer, s.far_commune, 2)
    year = this_year()
    # When the province officer asks for the province, its communes and the far commune
    found = target_sources.figures(
        user=s.officer,
        units=[s.province, *s.communes, s.far_commune],
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
    )
    # Then each visible unit has its target, the far commune nothing
    assert set(found) == {s.province.pk, *(c.pk for c in s.communes)}
    mine = found[s.province.pk][0]
    assert (mine.metric_code, mine.value, mine.comparison) == ("schemes_active", 12.0, "at_least")
    assert mine.url == reverse("targets:target", args=[target.pk])
    assert mine.label == "chưa có số liệu" and mine.light == "grey"


def test_values_pick_the_units_running_targets():
    s = scene()
    schemes_target(s.officer, s.province, 12)
    year = this_year()
    values = target_sources.values(units=[s.province, s.communes[0]], on=date(year, 6, 1))
    assert values == {s.province.pk: {"schemes_active": 12.0}}
    assert target_sources.values(units=[s.province], on=date(year + 1, 6, 1)) == {}


def test_an_empty_registry_answers_nothing():
    empty = TargetSourceRegistry()
    assert empty.figures(user=None, units=[], period_start=date.min, period_end=date.max) == {}
    assert empty.values(units=[object()], on=date(2026, 1, 1)) == {}


def test_dashboard_shows_target_cards_and_a_target_column(client):
    # Given a province target of crimes allocated to its communes, with data in one commune
    s = scene(populations=(30000, 30000))
    year = this_year()
    crimes = metric("crimes")
    target = services.target_create(
        actor=s.officer,
        unit=s.province,
        data=services.TargetInput(metric=crimes, kind="count", value=10, period=str(year)),
    )
    services.allocation_create(actor=s.officer, target=target, method=AllocationMethod.EQUAL)
    put(crimes, s.communes[0], f"{year}M01", 4)
    # When the officer opens the province dashboard on January, table metric crimes
    login_verified(client, s.officer)
    page = client.get(
        reverse("indicators:dashboard", args=[s.province.code]) + f"?period={year}M01&metric=crimes"
    )
    # Then a target card and the children's target column appear
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="target-cards"' in text
    assert 'data-testid="target-card-crimes"' in text
    assert text.count('data-testid="child-target"') == 2
    assert "đạt 80 %" in text  # 4 of the commune's 5


def test_hotspot_board_reads_the_provinces_own_transformation_targets(settings):
    from binhyen.hotspots import selectors as hotspots

    # Given the settings' defaults and a province that set 70 % / 90 % in its plan
    settings.HOTSPOTS_TRANSFORMATION_TARGET_PCT = 60
    settings.HOTSPOTS_NO_RELAPSE_TARGET_PCT = 85
    s = scene()
    year = this_year()

    def transformation(board):
        return next(f for f in board.totals if f.regime == "transformation")

    before = transformation(hotspots.board(user=s.officer, root=s.province, year=year))
    assert (before.removal_target, before.targets_from_plan) == (60, False)
    services.hotspot_targets_seed(
        actor=s.officer,
        province=s.province,
        year=year,
        defaults={"removed_pct": 70.0, "relapsed_pct": 10.0},
    )
    # When the province's board is built
    board = hotspots.board(user=s.officer, root=s.province, year=year)
    # Then its percentages are the plan's, and it says so
    mine = transformation(board)
    assert (mine.removal_target, mine.no_relapse_target, mine.targets_from_plan) == (70, 90, True)
    # And another province keeps the defaults
    other = transformation(hotspots.board(user=s.ministry, root=s.other_province, year=year))
    assert (other.removal_target, other.no_relapse_target) == (60, 85)

"""Hotspot reads: scope, filters, the board's figures from the engine, and its lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.http import Http404

from binhyen.hotspots import selectors, services
from binhyen.hotspots.models import Regime, TaskStatus
from binhyen.hotspots.tests.factories import designate, province_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    scene = SimpleNamespace(**vars(province_scene(communes=4)))
    c = scene.communes
    scene.active = designate(scene.officer, c[0])
    scene.removed = designate(scene.officer, c[1])
    services.designation_remove(
        actor=scene.officer,
        designation=scene.removed,
        decision_number="9",
        decision_date=date(2024, 12, 1),
        issuing_body="UBND tỉnh",
    )
    scene.relapsed = designate(scene.officer, c[2])
    services.designation_remove(
        actor=scene.officer,
        designation=scene.relapsed,
        decision_number="10",
        decision_date=date(2024, 12, 1),
        issuing_body="UBND tỉnh",
    )
    services.relapse_create(
        actor=scene.officer, designation=scene.relapsed, day=date(2025, 3, 1), description="x"
    )
    scene.drug = designate(scene.officer, c[3], regime=Regime.DRUG_AREA, drug_area_type="type_1")
    scene.far = designate(scene.far_officer, scene.far_commune)
    return scene


def test_list_is_scoped_and_filtered(s):
    # Given four designations in the province and one in another
    # Then each user lists only their scope, and the filters narrow it
    assert set(selectors.designation_list(user=s.officer)) == {
        s.active,
        s.removed,
        s.relapsed,
        s.drug,
    }
    assert set(selectors.designation_list(user=s.ministry)) == {
        s.active,
        s.removed,
        s.relapsed,
        s.drug,
        s.far,
    }
    assert list(selectors.designation_list(user=s.commune_officer)) == [s.active]
    assert list(selectors.designation_list(user=s.officer, regime=Regime.DRUG_AREA)) == [s.drug]
    assert set(selectors.designation_list(user=s.officer, status="active")) == {s.active, s.drug}
    assert set(selectors.designation_list(user=s.officer, status="removed")) == {
        s.removed,
        s.relapsed,
    }
    assert list(selectors.designation_list(user=s.officer, status="relapsed")) == [s.relapsed]
    assert list(selectors.designation_list(user=s.officer, q="xa so 2")) == [s.removed]


def test_get_is_404_outside_scope(s):
    # Given designations in and out of a user's scope
    # Then the ones outside answer 404 like a missing one
    assert selectors.designation_get(user=s.officer, pk=s.active.pk) == s.active
    with pytest.raises(Http404):
        selectors.designation_get(user=s.officer, pk=s.far.pk)
    with pytest.raises(Http404):
        selectors.designation_get(user=s.commune_officer, pk=s.removed.pk)


def test_board_figures_per_regime(s):
    # When the province officer opens the 2024 board
    board = selectors.board(user=s.officer, root=s.province, year=2024)
    figures = {f.regime: f for f in board.totals}
    transformation = figures[Regime.TRANSFORMATION]
    # Then each regime shows designated/removed/relapsed, percentages and targets
    assert (transformation.designated, transformation.removed, transformation.relapsed) == (3, 2, 1)
    assert transformation.removed_pct == Decimal("66.7")
    assert transformation.meets_removal_target is True
    assert transformation.no_relapse_pct == Decimal("50.0")
    assert transformation.meets_no_relapse_target is False
    assert figures[Regime.DRUG_AREA].designated == 1
    assert figures[Regime.DRUG_AREA].removal_target is None
    assert figures[Regime.MINISTRY_HOTSPOT].designated == 0
    assert board.rows == []


def test_the_ministry_board_has_a_row_per_province(s):
    # When the ministry opens the national board for one regime
    board = selectors.board(
        user=s.ministry, root=s.country, year=2024, regime=Regime.TRANSFORMATION
    )
    # Then the totals cover the country and each province has its row
    assert [f.designated for f in board.totals] == [4]
    rows = {r.unit.code: r.figures[0].designated for r in board.rows}
    assert rows == {"24": 3, "20": 1}


def test_board_is_404_outside_scope(s):
    # Given a province officer
    # Then another province's board is a 404
    with pytest.raises(Http404):
        selectors.board(user=s.officer, root=s.other_province, year=2024)


def test_targets_come_from_settings(s, settings):
    settings.HOTSPOTS_TRANSFORMATION_TARGET_PCT = 70
    # Given a removal target of 70 % in the settings
    # When the board is read
    board = selectors.board(
        user=s.officer, root=s.province, year=2024, regime=Regime.TRANSFORMATION
    )
    # Then it shows that target, and 66.7 % does not meet it
    assert board.totals[0].removal_target == 70
    assert board.totals[0].meets_removal_target is False


def test_overdue_tasks_of_areas_in_force(s):
    # Given a late task, a future one and a done one on an area in force,
    # and a late one on a removed area
    late = services.plan_task_create(
        actor=s.officer,
        designation=s.active,
        title="Lắp camera",
        owner="Công an xã",
        deadline=date(2024, 5, 1),
    )
    services.plan_task_create(
        actor=s.officer,
        designation=s.active,
        title="Sau này",
        owner="Xã",
        deadline=date(2099, 1, 1),
    )
    done = services.plan_task_create(
        actor=s.officer, designation=s.active, title="Xong", owner="Xã", deadline=date(2024, 5, 1)
    )
    services.plan_task_report(
        actor=s.officer,
        task=done,
        progress=100,
        status=TaskStatus.DONE,
        completed_on=date(2024, 4, 1),
        evidence="",
    )
    services.plan_task_create(
        actor=s.officer,
        designation=s.removed,
        title="Của địa bàn đã ra",
        owner="Xã",
        deadline=date(2024, 5, 1),
    )
    # Then only the late task of the area in force is overdue, and only in its province
    assert list(selectors.overdue_tasks(user=s.officer, root=s.province)) == [late]
    assert list(selectors.overdue_tasks(user=s.far_officer, root=s.other_province)) == []
    assert selectors.board(user=s.officer, root=s.province, year=2024).overdue_count == 1


def test_lacking_scheme_asks_the_community_selector(s, monkeypatch):
    import binhyen.community.selectors as community

    asked = {}

    def fake(*, unit_ids, on):
        asked["ids"] = set(unit_ids)
        return {s.active.orgunit_id}

    # Given the community selector says only the active area's commune has a typical scheme
    monkeypatch.setattr(community, "communes_with_active_typical_scheme", fake)
    # When the hotspots ask which areas lack one
    lacking = selectors.lacking_scheme(user=s.officer, root=s.province)
    # only areas in force are asked about; the one with a scheme is left out
    assert asked["ids"] == {s.active.orgunit_id, s.drug.orgunit_id}
    assert lacking == [s.drug]


def test_task_get_follows_the_designations_scope(s):
    # Given a task on the active designation
    task = services.plan_task_create(
        actor=s.officer,
        designation=s.active,
        title="Lắp đèn",
        owner="Xã",
        deadline=date(2025, 6, 1),
    )
    # Then its commune's officer reads it, another province's officer gets the same 404 as
    # for a task that does not exist
    assert selectors.task_get(user=s.commune_officer, pk=task.pk) == task
    with pytest.raises(Http404) as outside:
        selectors.task_get(user=s.far_officer, pk=task.pk)
    with pytest.raises(Http404) as missing:
        selectors.task_get(user=s.officer, pk=999_999)
    assert str(outside.value) == str(missing.value)


def test_manageable_communes_are_those_of_the_managers_scope(s):
    # Given a province officer and a commune officer
    # Then the officer may designate in every commune of the province; the commune officer
    # in none
    assert set(selectors.manageable_communes(user=s.officer)) == set(s.communes)
    assert list(selectors.manageable_communes(user=s.commune_officer)) == []
    assert list(selectors.manageable_communes(user=s.officer, q="so 3")) == [s.communes[2]]


def test_list_years_always_offers_this_year(s):
    # Given designations of 2024 in the scope
    years = selectors.list_years(user=s.officer)
    # Then 2024 is offered, and this year first
    assert 2024 in years
    assert years == sorted(years, reverse=True)
    assert years[0] >= 2024


def test_board_roots_are_the_outermost_units_of_the_scope(s):
    # Given a province officer, a commune officer and the ministry
    # Then each opens the board at the top of their own scope
    assert selectors.board_roots(user=s.officer) == [s.province]
    assert selectors.board_roots(user=s.commune_officer) == [s.communes[0]]
    assert selectors.board_roots(user=s.ministry) == [s.country]


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(1, 3, Decimal("33.3")), (2, 3, Decimal("66.7")), (1, 8, Decimal("12.5")), (0, 0, None)],
)
def test_percent_rounds_half_up_to_one_decimal(part, whole, expected):
    assert selectors.percent(part, whole) == expected


def test_list_by_current_commune_finds_designations_of_its_predecessor(s):
    # given a designation recorded on a pre-2025 commune merged into the first commune
    from binhyen.hotspots.models import Designation
    from binhyen.orgunits.models import Lineage, LineageKind
    from binhyen.orgunits.tests.factories import CommuneFactory

    old = CommuneFactory(
        parent=s.province, code="L07846", name="Xã Lương Phong", valid_to=date(2025, 6, 30)
    )
    Lineage.objects.create(
        predecessor=old,
        successor=s.communes[0],
        kind=LineageKind.MERGE,
        effective_date=date(2025, 7, 1),
    )
    past = Designation.objects.create(
        regime=Regime.TRANSFORMATION,
        orgunit=old,
        year=2024,
        decision_number="3/QĐ",
        decision_date=date(2024, 3, 1),
        issuing_body="Ban Chỉ đạo",
    )
    own = s.active
    # when the list is filtered by the current commune, then both show, the old one flagged
    rows = {d.pk: d for d in selectors.designation_list(user=s.officer, unit=s.communes[0])}
    assert set(rows) == {past.pk, own.pk}
    assert rows[past.pk].recorded_on_predecessor is True
    assert rows[own.pk].recorded_on_predecessor is False
    # and filtered by the old commune, only its own
    assert [d.pk for d in selectors.designation_list(user=s.officer, unit=old)] == [past.pk]

"""Selectors: scope (404 for missing and forbidden), search, published reads."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from binhyen.indicators.tests.factories import put
from binhyen.targets import selectors, services
from binhyen.targets.tests.factories import metric, plan, scene, schemes_target, this_year

pytestmark = pytest.mark.django_db


def test_missing_and_forbidden_look_the_same():
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    with pytest.raises(Http404) as forbidden:
        selectors.target_get(user=s.far_officer, pk=target.pk)
    with pytest.raises(Http404) as missing:
        selectors.target_get(user=s.far_officer, pk=target.pk + 1000)
    assert str(forbidden.value) == str(missing.value)


def test_children_see_their_allocated_targets_only():
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    services.allocation_create(actor=s.officer, target=target, method="equal")
    mine = selectors.target_list(user=s.chief, unit=s.communes[0])
    assert [t.value for t in mine] == [6.0]
    with pytest.raises(Http404):
        selectors.target_list(user=s.chief, unit=s.communes[1])
    detail = selectors.target_detail(user=s.chief, target=mine[0])
    assert detail.children == []


def test_plan_search_folds_diacritics_and_filters():
    s = scene()
    plan(s.officer, s.province, title="Chỉ thị về phòng, chống ma túy", kind="directive")
    plan(s.officer, s.province, number="3/NQ", title="Nghị quyết về an ninh", kind="resolution")
    assert selectors.plan_list(user=s.viewer, q="ma tuy").count() == 1
    assert selectors.plan_list(user=s.viewer, q="MA TÚY").count() == 1
    assert selectors.plan_list(user=s.viewer, kind="resolution").count() == 1
    assert selectors.plan_list(user=s.viewer, year=this_year() + 5).count() == 0
    assert selectors.plan_list(user=s.far_officer).count() == 0


def test_unit_target_values_prefer_the_units_own_target():
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    services.allocation_create(actor=s.officer, target=target, method="equal")
    assert selectors.unit_target_values(unit=s.communes[0]) == {"schemes_active": 6.0}
    schemes_target(s.chief, s.communes[0], 8)
    assert selectors.unit_target_values(unit=s.communes[0]) == {"schemes_active": 8.0}
    assert selectors.unit_target_values(unit=s.communes[0], on=date(2000, 1, 1)) == {}


def test_behind_lists_the_users_targets_that_are_red():
    s = scene()
    services.target_create(
        actor=s.officer,
        unit=s.province,
        data=services.TargetInput(
            metric=metric("cameras_installed"),
            kind="count",
            value=1000,
            period=str(this_year()),
        ),
    )
    put(metric("cameras_installed"), s.communes[0], f"{this_year()}M01", 1)
    late = selectors.behind(user=s.officer, today=date(this_year(), 12, 1))
    assert [p.target.value for p in late] == [1000.0]
    assert selectors.behind(user=s.far_officer, today=date(this_year(), 12, 1)) == []


def test_plan_list_by_current_commune_finds_plans_of_its_predecessor():
    # given a plan of a pre-2025 commune merged into the first commune
    from binhyen.orgunits.models import Lineage, LineageKind
    from binhyen.orgunits.tests.factories import CommuneFactory
    from binhyen.targets.models import Plan, PlanKind

    s = scene()
    old = CommuneFactory(
        parent=s.province, code="L07846", name="Xã Lương Phong", valid_to=date(2025, 6, 30)
    )
    Lineage.objects.create(
        predecessor=old,
        successor=s.communes[0],
        kind=LineageKind.MERGE,
        effective_date=date(2025, 7, 1),
    )
    past = Plan.objects.create(
        orgunit=old,
        kind=PlanKind.PLAN,
        number="1/KH",
        issued_on=date(2024, 1, 5),
        title="Kế hoạch 2024",
        title_folded="ke hoach 2024",
        period_start=date(2024, 1, 1),
        period_end=date(2025, 12, 31),
    )
    own = plan(s.officer, s.communes[0])
    # when filtered by the current commune, then both show and the old one is flagged
    rows = {p.pk: p for p in selectors.plan_list(user=s.officer, unit=s.communes[0])}
    assert set(rows) == {past.pk, own.pk}
    assert rows[past.pk].recorded_on_predecessor is True
    assert rows[own.pk].recorded_on_predecessor is False
    # and by the old commune, only its own
    assert [p.pk for p in selectors.plan_list(user=s.officer, unit=old)] == [past.pk]


def test_progress_targets_are_the_targets_the_orm_reads(django_assert_num_queries):
    # Given targets of two communes, one a rate with a denominator
    from binhyen.core.models import instances_from_rows
    from binhyen.orgunits.models import OrgUnit
    from binhyen.targets.models import Target, TargetKind

    s = scene()
    for unit in s.communes[:2]:
        for code, kind, extra in (
            ("cameras_installed", TargetKind.COUNT, {}),
            ("villages_pledged", TargetKind.RATE, {"denominator": metric("villages")}),
        ):
            services.target_create(
                actor=s.officer,
                unit=unit,
                data=services.TargetInput(
                    metric=metric(code), kind=kind, value=5, period="2025", **extra
                ),
            )
    # When they are read for a progress list, in an order of the caller's and in none
    read = selectors.progress_targets(Target.objects.order_by("-pk"))
    unordered = selectors.progress_targets(Target.objects.all())
    orm = list(Target.objects.order_by("-pk"))
    # Then they are the ORM's targets in the caller's order, field by field, loaded and not new
    assert read == orm
    assert sorted(t.pk for t in unordered) == sorted(t.pk for t in orm)
    shown = [
        f.attname for f in Target._meta.concrete_fields if f.attname in selectors._PROGRESS_FIELDS
    ]
    for mine, theirs in zip(read, orm, strict=True):
        assert [getattr(mine, n) for n in shown] == [getattr(theirs, n) for n in shown]
        assert mine._state.db == theirs._state.db and not mine._state.adding
        assert {"created_at", "updated_at", "name_folded", "created_by_id"} <= (
            mine.get_deferred_fields()
        )
    # and their unit, metric and denominator come without a query, shared
    with django_assert_num_queries(0):
        assert all(t.orgunit.pk == t.orgunit_id and t.metric.pk == t.metric_id for t in read)
        assert {t.denominator.code for t in read if t.denominator is not None} == {"villages"}
        assert len({id(t.metric) for t in read if t.metric.code == "cameras_installed"}) == 1
    # and a model with a post_init receiver (units) is built with it run on each instance
    names = ["id", "code", "parent_id"]
    units = instances_from_rows(
        OrgUnit,
        names,
        OrgUnit.objects.filter(pk=s.communes[0].pk).values_list(*names),
        db="default",
        related={"parent": ("parent_id", {s.province.pk: s.province})},
    )
    assert units == [s.communes[0]] and units[0].parent is s.province
    # (it saw the fields read: path and valid_to were not)
    assert units[0].__dict__["_structure"] == (None, s.province.pk, None)

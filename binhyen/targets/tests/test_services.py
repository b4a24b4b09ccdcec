"""Services: validation naming the field, permissions, versioned and audited allocations."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from binhyen.core.models import AuditEvent
from binhyen.core.tabular import BulkValidationError
from binhyen.orgunits.tests.factories import CommuneFactory
from binhyen.targets import selectors, services
from binhyen.targets.models import (
    Allocation,
    AllocationMethod,
    Campaign,
    Plan,
    PlanKind,
    Target,
    TargetKind,
    TargetSource,
)
from binhyen.targets.tests.factories import (
    metric,
    plan,
    plan_input,
    scene,
    schemes_target,
    this_year,
    weekly_metric,
)

pytestmark = pytest.mark.django_db


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_plan_is_recorded_with_search_column_and_audit():
    s = scene()
    kh = plan(s.officer, s.province, title="Kế hoạch Tuyên truyền phòng chống tội phạm")
    assert kh.title_folded.endswith("ke hoach tuyen truyen phong chong toi pham")
    assert AuditEvent.objects.filter(action="plan.create", object_id=str(kh.pk)).exists()


def test_plan_refuses_bad_input_naming_fields():
    s = scene()
    with pytest.raises(ValidationError) as exc:
        services.plan_create(
            actor=s.officer,
            unit=s.province,
            data=plan_input(
                number=" ",
                kind=PlanKind.COORDINATION,
                period_start=date(2026, 5, 1),
                period_end=date(2026, 1, 1),
            ),
        )
    errors = _messages(exc)
    assert {"number", "partners", "period_end"} <= set(errors)
    assert not Plan.objects.exists()


def test_plan_document_goes_through_the_upload_cleaner():
    from django.core.files.uploadedfile import SimpleUploadedFile

    s = scene()
    bad = SimpleUploadedFile("kh.pdf", b"#!/bin/sh\necho", "application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.plan_create(actor=s.officer, unit=s.province, data=plan_input(), upload=bad)
    assert "document" in _messages(exc)
    assert not Plan.objects.exists()


def test_plan_task_progress_is_checked():
    s = scene()
    kh = plan(s.officer, s.province)
    task = services.plan_task_add(
        actor=s.officer,
        plan=kh,
        description="Tổ chức ra quân",
        assignee="Phòng PV05",
        due_on=date(this_year(), 3, 1),
    )
    with pytest.raises(ValidationError) as exc:
        services.plan_task_update(actor=s.officer, task=task, progress=120)
    assert "progress" in _messages(exc)
    services.plan_task_update(actor=s.officer, task=task, progress=40, note="Đã ra quân 2 đợt")
    task.refresh_from_db()
    assert task.progress == 40


def test_rate_without_denominator_is_refused_naming_the_field():
    s = scene()
    with pytest.raises(ValidationError) as exc:
        services.target_create(
            actor=s.officer,
            unit=s.province,
            data=services.TargetInput(
                metric=metric("villages_pledged"),
                kind=TargetKind.RATE,
                value=70,
                period=str(this_year()),
            ),
        )
    message = _messages(exc)["denominator"][0]
    assert "mẫu số" in message and "villages_pledged" in message
    assert not Target.objects.exists()


def test_rate_with_denominator_is_accepted_and_bounded():
    s = scene()
    data = services.TargetInput(
        metric=metric("villages_pledged"),
        kind=TargetKind.RATE,
        value=70,
        period=str(this_year()),
        denominator=metric("villages"),
    )
    target = services.target_create(actor=s.officer, unit=s.province, data=data)
    assert target.denominator is not None
    with pytest.raises(ValidationError) as exc:
        services.target_update(actor=s.officer, target=target, value=170)
    assert "value" in _messages(exc)


@pytest.mark.parametrize(
    ("value", "field"),
    [("-3", "value"), ("mười hai", "value"), ("1.5", "value"), ("nan", "value")],
)
def test_bad_values_are_refused(value, field):
    s = scene()
    with pytest.raises(ValidationError) as exc:
        schemes_target(s.officer, s.province, value)
    assert field in _messages(exc)
    assert not Target.objects.exists()


def test_period_outside_the_plan_is_refused():
    s = scene()
    kh = plan(s.officer, s.province)
    with pytest.raises(ValidationError) as exc:
        schemes_target(s.officer, s.province, 12, plan=kh, period=str(this_year() + 1))
    assert "nằm ngoài thời gian của kế hoạch" in _messages(exc)["period"][0]


def test_a_target_shorter_than_the_metric_period_is_refused():
    s = scene()
    with pytest.raises(ValidationError) as exc:
        schemes_target(s.officer, s.province, 1, period=f"{this_year()}W05")
    assert "period" in _messages(exc)


def test_a_unit_sets_targets_only_where_it_manages():
    s = scene()
    with pytest.raises(PermissionDenied):
        schemes_target(s.chief, s.province, 12)
    with pytest.raises(PermissionDenied):
        schemes_target(s.viewer, s.province, 12)
    with pytest.raises(PermissionDenied):
        schemes_target(s.far_officer, s.province, 12)
    assert schemes_target(s.chief, s.communes[0], 8).source == TargetSource.OWN


def test_allocation_versions_keep_the_old_one_visible_and_are_audited():
    s = scene(populations=(10000, 30000))
    target = schemes_target(s.officer, s.province, 12)
    first = services.allocation_create(
        actor=s.officer, target=target, method=AllocationMethod.POPULATION
    )
    assert {sh.orgunit.code: sh.value for sh in first.shares.all()} == {
        s.communes[0].code: 3.0,
        s.communes[1].code: 9.0,
    }
    second = services.allocation_create(actor=s.officer, target=target, method="equal")
    first.refresh_from_db()
    assert (first.is_current, second.is_current, second.version) == (False, True, 2)
    assert sorted(Target.objects.filter(parent=target).values_list("value", flat=True)) == [6, 6]
    assert first.shares.count() == 2  # the old version stays visible
    events = AuditEvent.objects.filter(action="allocation.create").order_by("pk")
    assert events.count() == 2
    assert events.last().changes["before"]["version"] == 1


def test_allocation_by_households_and_largest_remainder():
    s = scene(populations=(10000, 10000, 10000))
    target = schemes_target(s.officer, s.province, 10)
    allocation = services.allocation_create(actor=s.officer, target=target, method="households")
    values = sorted(sh.value for sh in allocation.shares.all())
    assert values == [3.0, 3.0, 4.0] and sum(values) == 10


def test_manual_allocation_refuses_units_outside_the_subtree_and_bad_values():
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    with pytest.raises(ValidationError) as exc:
        services.allocation_create(
            actor=s.officer,
            target=target,
            method="manual",
            shares={s.far_commune.code: 3, s.communes[0].code: "-1", s.communes[1].code: "abc"},
        )
    problems = _messages(exc)["shares"]
    assert any(s.far_commune.code in p and "không phải đơn vị cấp dưới" in p for p in problems)
    assert len(problems) == 3
    assert not Allocation.objects.exists()


def test_rate_targets_are_given_unchanged_and_only_equally():
    s = scene()
    target = services.target_create(
        actor=s.officer,
        unit=s.province,
        data=services.TargetInput(
            metric=metric("villages_pledged"),
            kind=TargetKind.RATE,
            value=70,
            period=str(this_year()),
            denominator=metric("villages"),
        ),
    )
    with pytest.raises(ValidationError) as exc:
        services.allocation_create(actor=s.officer, target=target, method="population")
    assert "method" in _messages(exc)
    services.allocation_create(actor=s.officer, target=target, method="equal")
    assert set(Target.objects.filter(parent=target).values_list("value", flat=True)) == {70.0}


def test_last_year_method_needs_last_year_results():
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    with pytest.raises(ValidationError) as exc:
        services.allocation_create(actor=s.officer, target=target, method="last_year")
    assert "năm trước" in _messages(exc)["method"][0]


def test_parent_sees_shortfall_and_children_without_target():
    s = scene(populations=(10000, 10000, 10000))
    target = schemes_target(s.officer, s.province, 12)
    services.allocation_create(
        actor=s.officer,
        target=target,
        method="manual",
        shares={s.communes[0].code: 4, s.communes[1].code: 5},
    )
    detail = selectors.target_detail(user=s.officer, target=target)
    assert detail.allocated_total == 9 and detail.shortfall == 3
    assert [u.code for u in detail.without_target] == [s.communes[2].code]


def test_a_child_adds_its_own_target_above_the_allocation():
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    services.allocation_create(actor=s.officer, target=target, method="equal")
    own = schemes_target(s.chief, s.communes[0], 8)
    detail = selectors.target_detail(user=s.officer, target=target)
    row = next(r for r in detail.children if r.unit == s.communes[0])
    assert row.target.value == 6 and row.own == own and row.progress.target == own
    with pytest.raises(ValidationError):
        services.target_update(actor=s.chief, target=row.target, value=2)


def test_targets_import_is_all_or_nothing_with_row_errors():
    from binhyen.targets.excel import TargetRow

    s = scene()
    good = TargetRow(
        2,
        metric("schemes_active"),
        "schemes_active",
        "increase",
        "at_least",
        12,
        str(this_year()),
        "Mô hình mới",
        "",
        None,
        "",
    )
    bad = TargetRow(
        3,
        metric("villages_pledged"),
        "villages_pledged",
        "rate",
        "at_least",
        70,
        str(this_year()),
        "",
        "",
        None,
        "",
    )
    with pytest.raises(BulkValidationError) as exc:
        services.targets_import(actor=s.officer, unit=s.province, rows=[good, bad])
    assert [(e.row, e.field) for e in exc.value.row_errors] == [(3, "denominator")]
    assert not Target.objects.exists()
    assert len(services.targets_import(actor=s.officer, unit=s.province, rows=[good])) == 1


def test_allocation_import_reports_rows():
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    with pytest.raises(BulkValidationError) as exc:
        services.allocation_import(
            actor=s.officer,
            target=target,
            shares={s.communes[0].code: (2, 6), "99999": (3, 6), s.communes[1].code: (4, "x")},
        )
    assert [(e.row, e.field) for e in exc.value.row_errors] == [(3, "unit"), (4, "value")]
    allocation = services.allocation_import(
        actor=s.officer,
        target=target,
        shares={s.communes[0].code: (2, 7), s.communes[1].code: (3, 5)},
    )
    assert allocation.method == AllocationMethod.SHEET


def test_hotspot_targets_default_to_the_settings(settings):
    settings.HOTSPOTS_TRANSFORMATION_TARGET_PCT = 60
    settings.HOTSPOTS_NO_RELAPSE_TARGET_PCT = 85
    s = scene()
    made = services.hotspot_targets_seed(
        actor=s.officer,
        province=s.province,
        year=this_year(),
        defaults=selectors.hotspot_defaults(),
    )
    assert sorted((t.metric.code, t.comparison, t.value) for t in made) == [
        ("hotspots_relapsed", "at_most", 15.0),
        ("hotspots_removed", "at_least", 60.0),
    ]
    again = services.hotspot_targets_seed(
        actor=s.officer,
        province=s.province,
        year=this_year(),
        defaults=selectors.hotspot_defaults(),
    )
    assert again == []


def test_campaign_refuses_units_outside_and_metrics_of_another_period():
    s = scene()
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(
            actor=s.officer,
            unit=s.province,
            data=services.CampaignInput(
                name="Đợt cao điểm Tết",
                start=date(2026, 1, 5),
                end=date(2026, 2, 1),
                frequency="week",
                units=[s.communes[0], s.far_commune],
                tracked=[(metric("crimes"), 10), (weekly_metric(), -1)],
            ),
        )
    errors = _messages(exc)
    assert s.far_commune.code in errors["units"][0]
    assert len(errors["tracked"]) == 2
    assert not Campaign.objects.exists()


def test_campaign_close_keeps_the_summary_once():
    s = scene()
    campaign = services.campaign_create(
        actor=s.officer,
        unit=s.province,
        data=services.CampaignInput(
            name="Đợt cao điểm Tết",
            start=date(2026, 1, 5),
            end=date(2026, 2, 1),
            frequency="week",
            units=s.communes,
            tracked=[(weekly_metric(), 10)],
        ),
    )
    services.campaign_close(actor=s.officer, campaign=campaign, summary={"figures": []})
    with pytest.raises(ValidationError):
        services.campaign_close(actor=s.officer, campaign=campaign, summary={})


def test_commune_children_of_another_province_are_never_allocated():
    s = scene()
    target = schemes_target(s.officer, s.province, 12)
    CommuneFactory(parent=s.other_province)
    allocation = services.allocation_create(actor=s.officer, target=target, method="equal")
    assert {sh.orgunit.parent_id for sh in allocation.shares.all()} == {s.province.pk}

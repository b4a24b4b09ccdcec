"""Activity services: the rules of each kind, bad input refused whole, audit, metrics in step."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from binhyen.accounts.models import Role, RoleAssignment
from binhyen.activities import services
from binhyen.activities.models import Activity, ActivityKind, CameraOwnership, MediaChannel
from binhyen.activities.tests.factories import DAY, commune_scene, outreach, record, surrender
from binhyen.core.models import AuditEvent, PendingTask
from binhyen.indicators.models import DataValue, Metric, MetricSource
from binhyen.indicators.periods import parse_period
from binhyen.orgunits.tests.factories import VillageFactory

pytestmark = pytest.mark.django_db


def _values(code: str) -> dict[tuple[str, str, str], float]:
    return {
        (dv.orgunit.code, dv.period, dv.option): dv.value
        for dv in DataValue.objects.filter(metric__code=code).select_related("orgunit")
    }


def test_outreach_is_recorded_audited_and_published():
    # given a commune officer
    s = commune_scene()
    # when they record an outreach session reaching two villages
    activity = record(s.officer, outreach(s.commune, villages=s.villages[:2]))
    # then it is stored with its villages, audited once, and its numbers are published
    assert activity.recorded_by == s.officer
    assert set(activity.villages.all()) == set(s.villages[:2])
    assert (
        AuditEvent.objects.filter(action="activity.create", object_id=str(activity.pk)).count() == 1
    )
    assert _values("outreach_sessions") == {("07840", "2025M03", ""): 1.0}
    assert _values("outreach_participants") == {("07840", "2025M03", ""): 80.0}
    assert _values("leaflets") == {("07840", "2025M03", ""): 100.0}
    assert _values("outreach_villages") == {("07840", "2025", ""): 2.0}
    assert _values("activities_recorded") == {("07840", "2025M03", "outreach"): 1.0}


def test_every_kind_can_be_recorded():
    # given a commune officer and one valid input per kind
    s = commune_scene()
    village = s.villages[0]
    inputs = [
        outreach(s.commune),
        services.ActivityInput(
            kind=ActivityKind.MEDIA_POST,
            unit=s.commune,
            date=DAY,
            title="Tin",
            channel=MediaChannel.ZALO_GROUP,
            posts=3,
        ),
        surrender(s.commune, [("sung", 1)]),
        services.ActivityInput(
            kind=ActivityKind.CAMERA,
            unit=village,
            date=DAY,
            title="Camera",
            cameras=2,
            camera_ownership=CameraOwnership.HOUSEHOLD,
            latitude=21.0,
            longitude=105.8,
        ),
        services.ActivityInput(
            kind=ActivityKind.LIGHTING,
            unit=s.commune,
            date=DAY,
            title="Đèn",
            light_points=12,
            lit_km=Decimal("1.5"),
            villages=[village],
        ),
        services.ActivityInput(
            kind=ActivityKind.MEDIATION,
            unit=s.commune,
            date=DAY,
            title="Hòa giải",
            cases_resolved=2,
        ),
        services.ActivityInput(
            kind=ActivityKind.PATROL, unit=village, date=DAY, title="Tuần tra", participants=6
        ),
        services.ActivityInput(
            kind=ActivityKind.TRAINING,
            unit=s.commune,
            date=DAY,
            title="Tập huấn",
            topic="PCCC",
            participants=40,
        ),
        services.ActivityInput(
            kind=ActivityKind.VOLUNTEER,
            unit=s.commune,
            date=DAY,
            title="Dọn vệ sinh",
            participants=30,
        ),
    ]
    # when each is recorded
    for data in inputs:
        services.activity_create(actor=s.officer, data=data)
    # then all kinds are stored and counted by kind
    assert set(Activity.objects.values_list("kind", flat=True)) == set(ActivityKind.values)
    recorded = _values("activities_recorded")
    assert sum(recorded.values()) == len(inputs)
    assert _values("cameras_installed") == {("07840-T001", "2025M03", "household"): 2.0}
    assert _values("lit_road_km") == {("07840", "2025M03", ""): 1.5}
    assert _values("mediation_cases_resolved") == {("07840", "2025M03", ""): 2.0}
    assert _values("patrol_participants") == {("07840-T001", "2025M03", ""): 6.0}
    assert _values("media_posts") == {("07840", "2025M03", "zalo_group"): 3.0}


def _refused(actor, data, field: str, fragment: str = "") -> None:
    before_audit = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.activity_create(actor=actor, data=data)
    errors = caught.value.message_dict
    assert field in errors, errors
    if fragment:
        assert any(fragment in m for m in errors[field]), errors
    assert Activity.objects.count() == 0
    assert AuditEvent.objects.count() == before_audit
    assert not DataValue.objects.exists()


def test_negative_counts_are_refused_with_the_field_named():
    s = commune_scene()
    _refused(s.officer, outreach(s.commune, leaflets=-5), "leaflets", "0")
    _refused(s.officer, outreach(s.commune, participants=-1), "participants", "0")
    _refused(
        s.officer,
        services.ActivityInput(
            kind=ActivityKind.LIGHTING, unit=s.commune, date=DAY, title="x", lit_km=Decimal("-1")
        ),
        "lit_km",
    )


def test_future_dates_and_dates_before_the_unit_existed_are_refused():
    s = commune_scene()
    tomorrow = timezone.localdate() + timedelta(days=1)
    _refused(s.officer, outreach(s.commune, date=tomorrow), "date", "sau hôm nay")
    s.commune.valid_from = date(2025, 7, 1)
    s.commune.save()
    _refused(
        s.officer,
        outreach(s.commune, date=date(2025, 6, 30)),
        "date",
        "chỉ tồn tại từ ngày 01/07/2025",
    )
    _refused(s.officer, outreach(s.commune, date=date(1999, 12, 31)), "date", "2000")


def test_fields_of_another_kind_are_refused_not_dropped():
    s = commune_scene()
    _refused(s.officer, outreach(s.commune, cameras=3), "cameras", "không dùng cho")


def test_kind_rules():
    s = commune_scene()
    _refused(s.officer, outreach(s.commune, topic=""), "topic")
    _refused(
        s.officer,
        services.ActivityInput(
            kind=ActivityKind.CAMERA,
            unit=s.commune,
            date=DAY,
            title="x",
            cameras=1,
            camera_ownership="public",
            latitude=21.0,
        ),
        "longitude",
    )
    _refused(
        s.officer,
        services.ActivityInput(kind=ActivityKind.MEDIA_POST, unit=s.commune, date=DAY, title="x"),
        "channel",
    )
    _refused(s.officer, surrender(s.commune, []), "items", "ít nhất một")
    _refused(s.officer, surrender(s.commune, [("sung", 0)]), "items", "lớn hơn 0")
    _refused(s.officer, outreach(s.commune, items=[services.ItemInput("sung", 1)]), "items")


def test_villages_must_belong_to_the_commune():
    s = commune_scene()
    stranger = VillageFactory(parent=s.other_commune, name="Thôn Lạ")
    _refused(s.officer, outreach(s.commune, villages=[stranger]), "villages", "Thôn Lạ")


def test_outsiders_may_not_record():
    s = commune_scene()
    for actor in (s.other_officer, s.viewer, s.province_officer):
        with pytest.raises(PermissionDenied):
            services.activity_create(actor=actor, data=outreach(s.commune))
    assert Activity.objects.count() == 0


def test_update_moves_numbers_between_periods():
    # given an outreach session in March
    s = commune_scene()
    activity = record(s.officer, outreach(s.commune))
    # when its date is corrected to February
    services.activity_update(
        actor=s.officer, activity=activity, data=outreach(s.commune, date=date(2025, 2, 20))
    )
    # then March no longer counts it and February does
    assert _values("outreach_sessions") == {("07840", "2025M02", ""): 1.0}
    assert AuditEvent.objects.filter(action="activity.update").count() == 1


def test_update_moving_a_unit_republishes_both_units():
    # given an outreach session recorded by a village, by an officer of two communes
    s = commune_scene()
    RoleAssignment.objects.create(
        user=s.officer, role=Role.COMMUNE_OFFICER, orgunit=s.other_commune
    )
    activity = record(s.officer, outreach(s.villages[0]))
    assert _values("outreach_villages") == {("07840", "2025", ""): 1.0}
    # when the officer moves it to the neighbouring commune
    services.activity_update(actor=s.officer, activity=activity, data=outreach(s.other_commune))
    # then the village and its commune no longer count it, and the other commune does
    assert _values("outreach_sessions") == {("07900", "2025M03", ""): 1.0}
    assert _values("outreach_villages") == {}


def test_a_page_write_republishes_only_the_units_it_touches():
    # given a stored figure of another commune that no activity backs (left stale)
    s = commune_scene()
    metric = Metric.objects.get(code="outreach_sessions")
    month = parse_period("2025M03")
    stale = DataValue.objects.create(
        metric=metric,
        orgunit=s.other_commune,
        period=month.code,
        period_start=month.start,
        period_end=month.end,
        value=5,
        source=MetricSource.PROVIDER,
    )
    # when a village records an outreach session of that month
    record(s.officer, outreach(s.villages[0]))
    # then the village's figures and its commune's distinct villages are published at once
    assert _values("outreach_sessions")[("07840-T001", "2025M03", "")] == 1.0
    assert _values("outreach_villages") == {("07840", "2025", ""): 1.0}
    # and the other commune's value was neither read nor rewritten
    assert DataValue.objects.get(pk=stale.pk).value == 5
    # while the full re-publishing (the worker's and the daily job's) sets it right
    services.activities_metrics_sync(
        actor=None, touched=[services.Touched(ActivityKind.OUTREACH, DAY)]
    )
    assert not DataValue.objects.filter(pk=stale.pk).exists()


def test_publish_later_waits_for_the_commit_and_coalesces(django_capture_on_commit_callbacks):
    # given a commune officer sending two activities of one month (as an outbox does)
    s = commune_scene()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for _ in range(2):
            services.activity_create(actor=s.officer, data=outreach(s.commune), publish_later=True)
    # then nothing is published inside the transaction
    assert _values("outreach_sessions") == {}
    # when the transaction's follow-ups run (the test queue runs tasks at once)
    for callback in callbacks:
        callback()
    # then the month is re-published whole, counting both
    assert _values("outreach_sessions") == {("07840", "2025M03", ""): 2.0}
    assert not PendingTask.objects.exists()


def test_delete_removes_numbers():
    s = commune_scene()
    activity = record(s.officer, surrender(s.commune, [("sung", 2), ("dan", 10)]))
    assert _values("weapons_surrendered") == {
        ("07840", "2025M03", "sung"): 2.0,
        ("07840", "2025M03", "dan"): 10.0,
    }
    services.activity_delete(actor=s.officer, activity=activity)
    assert _values("weapons_surrendered") == {}
    assert not Activity.objects.exists()


def test_bulk_create_is_all_or_nothing():
    s = commune_scene()
    rows = [outreach(s.commune, row=2), outreach(s.commune, row=3, participants=-3)]
    with pytest.raises(services.BulkValidationError) as caught:
        services.activity_bulk_create(actor=s.officer, commune=s.commune, rows=rows)
    assert [(e.row, e.field) for e in caught.value.row_errors] == [(3, "participants")]
    assert not Activity.objects.exists()
    created = services.activity_bulk_create(actor=s.officer, commune=s.commune, rows=rows[:1])
    assert len(created) == 1
    assert AuditEvent.objects.filter(action="activity.import").count() == 1


@pytest.fixture
def scene_only():
    return commune_scene()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    field=st.sampled_from(["participants", "leaflets", "posters", "bulletin_boards"]),
    count=st.integers(min_value=-(10**6), max_value=10**6),
)
def test_any_negative_count_is_refused_and_any_other_accepted(scene_only, field, count):
    # given an outreach input with one count set to ``count``
    data = outreach(scene_only.commune, **{field: count})
    # when it is checked
    errors = services.activity_input_errors(data)
    # then only a negative count is an error, named by its field
    assert (field in errors) == (count < 0)
    assert set(errors) <= {field}

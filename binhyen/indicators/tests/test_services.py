# mypy: disable-error-code="arg-type, list-item, union-attr"
"""Writes: values (all or nothing, audited, locked), providers, catalogue, report workflow."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.core.models import AuditEvent
from binhyen.indicators import services
from binhyen.indicators.models import DataItem, DataValue, Metric, SubmissionStatus
from binhyen.indicators.services import ValueInput
from binhyen.indicators.tests.factories import MetricFactory, form_with, rule
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, VillageFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def setup():
    p = ProvinceFactory()
    c = CommuneFactory(parent=p)
    tips = MetricFactory(code="t_tips", capture_kinds=["commune"])
    valuable = MetricFactory(code="t_valuable", capture_kinds=["commune"])
    officer = user_with_role(Role.COMMUNE_OFFICER, c)
    reviewer = user_with_role(Role.PROVINCE_OFFICER, p)
    form = form_with([tips, valuable])
    rule("t_valuable_le_tips", valuable, "le", tips)
    return {
        "p": p,
        "c": c,
        "tips": tips,
        "valuable": valuable,
        "officer": officer,
        "reviewer": reviewer,
        "form": form,
    }


def test_values_are_saved_and_audited(setup):
    # given a commune officer / when two values are saved / then both exist and one audit event
    n = services.data_values_save(
        actor=setup["officer"],
        unit=setup["c"],
        period_code="2025M07",
        values=[ValueInput(setup["tips"], 5), ValueInput(setup["valuable"], 2)],
    )
    assert n == 2
    dv = DataValue.objects.get(metric=setup["tips"], orgunit=setup["c"])
    assert (dv.value, dv.period_start.isoformat(), dv.entered_by) == (
        5,
        "2025-07-01",
        setup["officer"],
    )
    event = AuditEvent.objects.get(action="data_value.save")
    assert event.changes["after"]["changes"]["t_tips"] == [None, 5.0]
    # when the same values are saved again / then nothing changes and nothing is audited
    assert (
        services.data_values_save(
            actor=setup["officer"],
            unit=setup["c"],
            period_code="2025M07",
            values=[ValueInput(setup["tips"], 5)],
        )
        == 0
    )
    assert AuditEvent.objects.filter(action="data_value.save").count() == 1


def test_one_bad_cell_saves_nothing_and_names_each_cell(setup):
    with pytest.raises(ValidationError) as exc:
        services.data_values_save(
            actor=setup["officer"],
            unit=setup["c"],
            period_code="2025M07",
            values=[
                ValueInput(setup["tips"], 5, ref="C5"),
                ValueInput(setup["valuable"], 2.5, ref="C6"),
                ValueInput(setup["tips"], -1, ref="C7"),
            ],
        )
    messages = exc.value.messages
    assert any(m.startswith("C6:") and "số nguyên" in m for m in messages)
    assert any(m.startswith("C7:") for m in messages)
    assert not DataValue.objects.exists()


def test_wrong_period_kind_or_unit_kind_is_refused(setup):
    village = VillageFactory(parent=setup["c"])
    with pytest.raises(ValidationError, match="Quý 3/2025"):
        services.data_values_save(
            actor=setup["officer"],
            unit=setup["c"],
            period_code="2025Q3",
            values=[ValueInput(setup["tips"], 1)],
        )
    with pytest.raises(ValidationError, match="không nhập ở cấp"):
        services.data_values_save(
            actor=setup["officer"],
            unit=village,
            period_code="2025M07",
            values=[ValueInput(setup["tips"], 1)],
        )
    with pytest.raises(ValidationError, match="2025M13"):
        services.data_values_save(
            actor=setup["officer"],
            unit=setup["c"],
            period_code="2025M13",
            values=[ValueInput(setup["tips"], 1)],
        )


def test_out_of_scope_or_viewer_cannot_enter(setup):
    other = CommuneFactory(parent=setup["p"])
    viewer = user_with_role(Role.VIEWER, setup["c"])
    for actor, unit in (
        (setup["officer"], other),
        (viewer, setup["c"]),
        (setup["reviewer"], setup["c"]),
    ):
        with pytest.raises(PermissionDenied):
            services.data_values_save(
                actor=actor, unit=unit, period_code="2025M07", values=[ValueInput(setup["tips"], 1)]
            )


def test_clearing_a_value_deletes_it(setup):
    args = {"actor": setup["officer"], "unit": setup["c"], "period_code": "2025M07"}
    services.data_values_save(**args, values=[ValueInput(setup["tips"], 3)])
    services.data_values_save(**args, values=[ValueInput(setup["tips"], None)])
    assert not DataValue.objects.exists()


def test_metric_create_needs_the_manage_permission(setup):
    admin = user_with_role(Role.SYSTEM_ADMIN, setup["p"])
    metric = services.metric_create(
        actor=admin, code="t_new", name="Mới", capture_kinds=["commune"]
    )
    assert metric.pk and AuditEvent.objects.filter(action="metric.create").exists()
    with pytest.raises(PermissionDenied):
        services.metric_create(
            actor=setup["officer"], code="t_new2", name="x", capture_kinds=["commune"]
        )
    with pytest.raises(ValidationError):
        services.metric_create(actor=admin, code="Bad Code", name="x", capture_kinds=["nowhere"])


def test_provider_sync_stores_village_counts(setup):
    # given a commune with two open villages and one closed / when the provider runs
    VillageFactory(parent=setup["c"])
    VillageFactory(parent=setup["c"])
    VillageFactory(parent=setup["c"], valid_to=datetime(2025, 1, 1).date())
    metric = Metric.objects.get(code="villages")
    assert services.provider_values_sync(actor=None, metric=metric, period_code="2025M07") >= 1
    # then the commune has 2; running again changes nothing
    assert DataValue.objects.get(metric=metric, orgunit=setup["c"]).value == 2
    assert DataValue.objects.get(metric=metric, orgunit=setup["c"]).source == "provider"
    assert services.provider_values_sync(actor=None, metric=metric, period_code="2025M07") == 0
    with pytest.raises(ValidationError):
        services.provider_values_sync(actor=None, metric=setup["tips"], period_code="2025M07")


def _fill(setup, tips=5, valuable=2):
    sub = services.submission_open(
        actor=setup["officer"], form=setup["form"], unit=setup["c"], period_code="2025M07"
    )
    result = services.submission_save_values(
        actor=setup["officer"],
        submission=sub,
        values=[ValueInput(setup["tips"], tips), ValueInput(setup["valuable"], valuable)],
    )
    return sub, result


def test_workflow_submit_return_resubmit_approve_lock_reopen(setup):
    sub, result = _fill(setup)
    assert result.changed == 2 and not result.warnings
    services.submission_submit(actor=setup["officer"], submission=sub)
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED and sub.first_submitted_at
    # submitted values are locked, through any write path
    with pytest.raises(ValidationError, match="khóa"):
        services.data_values_save(
            actor=setup["officer"],
            unit=setup["c"],
            period_code="2025M07",
            values=[ValueInput(setup["tips"], 9)],
        )
    with pytest.raises(ValidationError):
        services.submission_return(actor=setup["reviewer"], submission=sub, comment="  ")
    services.submission_return(actor=setup["reviewer"], submission=sub, comment="Sai số tin báo")
    sub.refresh_from_db()
    assert (sub.status, sub.comment) == (SubmissionStatus.RETURNED, "Sai số tin báo")
    services.submission_save_values(
        actor=setup["officer"], submission=sub, values=[ValueInput(setup["tips"], 6)]
    )
    services.submission_submit(actor=setup["officer"], submission=sub)
    services.submission_approve(actor=setup["reviewer"], submission=sub)
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.APPROVED and not sub.is_editable
    with pytest.raises(ValidationError):
        services.submission_save_values(
            actor=setup["officer"], submission=sub, values=[ValueInput(setup["tips"], 7)]
        )
    services.submission_reopen(actor=setup["reviewer"], submission=sub, comment="Bổ sung số liệu")
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.REOPENED
    actions = list(
        AuditEvent.objects.filter(object_type="indicators.Submission").values_list(
            "action", flat=True
        )
    )
    assert {
        "submission.submit",
        "submission.return",
        "submission.approve",
        "submission.reopen",
    } <= set(actions)


def test_only_the_parent_level_reviews(setup):
    sub, _r = _fill(setup)
    services.submission_submit(actor=setup["officer"], submission=sub)
    chief = user_with_role(Role.COMMUNE_CHIEF, setup["c"])
    for actor in (setup["officer"], chief):
        with pytest.raises(PermissionDenied):
            services.submission_approve(actor=actor, submission=sub)
    with pytest.raises(ValidationError):
        services.submission_reopen(actor=setup["reviewer"], submission=sub, comment="x")


def test_submit_needs_all_values_and_rules(setup):
    sub = services.submission_open(
        actor=setup["officer"], form=setup["form"], unit=setup["c"], period_code="2025M07"
    )
    services.submission_save_values(
        actor=setup["officer"], submission=sub, values=[ValueInput(setup["tips"], 1)]
    )
    with pytest.raises(ValidationError, match="Chưa nhập"):
        services.submission_submit(actor=setup["officer"], submission=sub)
    result = services.submission_save_values(
        actor=setup["officer"], submission=sub, values=[ValueInput(setup["valuable"], 3)]
    )
    assert result.warnings and "t_valuable_le_tips" in result.warnings[0]
    with pytest.raises(ValidationError, match="t_valuable_le_tips"):
        services.submission_submit(actor=setup["officer"], submission=sub)


def test_on_time_follows_the_deadline(setup, monkeypatch):
    from django.utils import timezone

    sub, _r = _fill(setup)
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 8, 17, 9, tzinfo=TZ))
    services.submission_submit(actor=setup["officer"], submission=sub)
    sub.refresh_from_db()
    assert sub.deadline.isoformat() == "2025-08-16"
    assert sub.on_time is False


def test_open_refuses_wrong_period_or_unit_kind(setup):
    with pytest.raises(ValidationError):
        services.submission_open(
            actor=setup["officer"], form=setup["form"], unit=setup["c"], period_code="2025"
        )
    village = VillageFactory(parent=setup["c"])
    with pytest.raises(ValidationError):
        services.submission_open(
            actor=setup["officer"], form=setup["form"], unit=village, period_code="2025M07"
        )


def test_capture_kinds_with_values_cannot_be_dropped(setup):
    # given values of a metric at communes / when an admin removes "commune" / then refused
    admin = user_with_role(Role.SYSTEM_ADMIN, setup["p"])
    metric = services.metric_create(
        actor=admin, code="t_kinds", name="x", capture_kinds=["commune", "village"]
    )
    services.data_values_save(
        actor=setup["officer"],
        unit=setup["c"],
        period_code="2025M07",
        values=[ValueInput(metric, 1)],
    )
    with pytest.raises(ValidationError, match="commune"):
        services.metric_update(actor=admin, metric=metric, capture_kinds=["village"])
    services.metric_update(actor=admin, metric=metric, capture_kinds=["commune"])
    metric.refresh_from_db()
    assert metric.capture_kinds == ["commune"]


def test_counting_cannot_change_once_items_exist(setup):
    # given a distinct provider metric whose only data is its items / when its counting
    # becomes quantity / then refused naming counting, the metric unchanged
    admin = user_with_role(Role.SYSTEM_ADMIN, setup["p"])
    metric = services.metric_create(
        actor=admin,
        code="t_distinct",
        name="x",
        counting="distinct",
        source="provider",
        provider_key="x.y",
        aggregation="last",
        capture_kinds=["commune"],
    )
    DataItem.objects.create(
        metric=metric,
        orgunit=setup["c"],
        period="2025M07",
        period_start="2025-07-01",
        period_end="2025-07-31",
        item="scheme:1",
    )
    with pytest.raises(ValidationError) as refused:
        services.metric_update(actor=admin, metric=metric, counting="quantity")
    assert "counting" in refused.value.message_dict
    metric.refresh_from_db()
    assert metric.counting == "distinct"


def test_sync_command_runs_the_providers(setup):
    from io import StringIO

    from django.core.management import CommandError, call_command

    # given a commune with one village
    VillageFactory(parent=setup["c"])
    out = StringIO()
    # when the command re-publishes July; then the villages metric is stored and reported
    call_command("indicators_metrics_sync", "--period", "2025M07", stdout=out)
    assert "villages 2025M07" in out.getvalue()
    assert DataValue.objects.get(metric__code="villages", orgunit=setup["c"]).value == 1
    # when the period does not exist; then the command refuses it by name
    with pytest.raises(CommandError, match="2025M13"):
        call_command("indicators_metrics_sync", "--period", "2025M13")


def test_a_provider_value_above_the_bound_is_refused_and_nothing_stored(setup, settings):
    # given a provider metric whose maximum is 1 and a commune with two villages
    VillageFactory(parent=setup["c"])
    VillageFactory(parent=setup["c"])
    metric = Metric.objects.get(code="villages")
    Metric.objects.filter(pk=metric.pk).update(max_value=1)
    metric.refresh_from_db()
    # when the provider runs; then a clear error names the limit, and nothing was stored
    with pytest.raises(ValidationError, match="không được lớn hơn 1"):
        services.provider_values_sync(actor=None, metric=metric, period_code="2025M07")
    assert not DataValue.objects.filter(metric=metric).exists()


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 99_999_999_999_999])
def test_saving_infinity_nan_or_an_absurd_number_is_refused_keeping_the_stored_value(setup, value):
    # given 7 stored; when a form or the API saves infinity, NaN or 10^14
    args = {"actor": setup["officer"], "unit": setup["c"], "period_code": "2025M07"}
    services.data_values_save(**args, values=[ValueInput(setup["tips"], 7)])
    with pytest.raises(ValidationError):
        services.data_values_save(**args, values=[ValueInput(setup["tips"], value)])
    # then 7 is still stored
    assert DataValue.objects.get(metric=setup["tips"]).value == 7

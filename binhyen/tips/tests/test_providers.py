"""The tip metrics reach the indicators engine through the provider."""

from __future__ import annotations

import pytest
from django.utils import timezone

from binhyen.accounts.tests.factories import scene
from binhyen.indicators.models import DataValue, Metric
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.tips import services
from binhyen.tips.models import Status
from binhyen.tips.providers import PROVIDER_KEY, TipCountsProvider
from binhyen.tips.tests.factories import make_tip

pytestmark = pytest.mark.django_db


def _month() -> Period:
    return Period.containing(PeriodKind.MONTH, timezone.localdate())


def test_catalogue_metrics_are_provided_by_tips():
    codes = set(Metric.objects.filter(provider_key=PROVIDER_KEY).values_list("code", flat=True))
    assert {"tips_received", "tips_valuable", "tips_concluded", "tips_on_time"} <= codes


def test_counts_per_commune_with_zeroes():
    s = scene()
    first = make_tip(s.commune)
    make_tip(s.commune)
    make_tip(s.sibling_commune)
    services.tip_mark_valuable(actor=s.commune_officer, tip=first, valuable=True)
    services.tip_conclude(
        actor=s.commune_officer,
        tip=first,
        status=Status.RESOLVED,
        outcome="Đã xử lý, lập biên bản.",
    )
    provider = TipCountsProvider()
    received = {
        v.orgunit_id: v.value for v in provider.values(metric_code="tips_received", period=_month())
    }
    assert received[s.commune.pk] == 2 and received[s.sibling_commune.pk] == 1
    assert received[s.far_commune.pk] == 0
    valuable = {
        v.orgunit_id: v.value for v in provider.values(metric_code="tips_valuable", period=_month())
    }
    assert valuable[s.commune.pk] == 1
    on_time = {
        v.orgunit_id: v.value for v in provider.values(metric_code="tips_on_time", period=_month())
    }
    assert on_time[s.commune.pk] == 1


def test_officer_actions_sync_the_published_numbers(django_capture_on_commit_callbacks):
    s = scene()
    tip = make_tip(s.commune)
    with django_capture_on_commit_callbacks(execute=True):
        services.tip_mark_valuable(actor=s.commune_officer, tip=tip, valuable=True)
    value = DataValue.objects.get(
        metric__code="tips_valuable", orgunit=s.commune, period=_month().code
    )
    assert value.value == 1


@pytest.mark.django_db(transaction=True)  # a real worker run commits and reconnects
def test_officer_actions_enqueue_one_pending_resync_per_metric_and_month(settings):
    # Given the database queue (no worker running) and two tips
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    s = scene()
    first, second = make_tip(s.commune), make_tip(s.commune)
    queued = DBTaskResult.objects.filter(task_path__endswith="provider_metric_sync")
    monthly = Metric.objects.filter(provider_key=PROVIDER_KEY, is_active=True, period_kind="month")
    # When an officer acts on both tips (each commits, then enqueues)
    services.tip_mark_valuable(actor=s.commune_officer, tip=first, valuable=True)
    services.tip_mark_valuable(actor=s.commune_officer, tip=second, valuable=True)
    # Then the requests synced nothing, and two intakes and two actions left one pending
    # re-sync per metric for this month
    assert not DataValue.objects.filter(metric__code="tips_valuable", orgunit=s.commune).exists()
    assert queued.count() == monthly.count()
    assert {tuple(t.args_kwargs["args"]) for t in queued} == {
        (m.code, _month().code) for m in monthly
    }
    # And once a worker has run them, the numbers are published and a new action enqueues again
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    value = DataValue.objects.get(
        metric__code="tips_valuable", orgunit=s.commune, period=_month().code
    )
    assert value.value == 2
    services.tip_mark_valuable(actor=s.commune_officer, tip=first, valuable=False)
    assert queued.filter(status="READY").count() == monthly.count()

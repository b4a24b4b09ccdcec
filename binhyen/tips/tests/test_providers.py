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

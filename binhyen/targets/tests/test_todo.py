"""The targets provider of the to-do home: behind, children without targets, reports due."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from binhyen.core.todo import Severity, todo_items, todo_providers
from binhyen.indicators.tests.factories import put
from binhyen.targets import services
from binhyen.targets.models import AllocationMethod
from binhyen.targets.tests.factories import metric, scene, weekly_metric
from binhyen.targets.todo import TargetsTodo

pytestmark = pytest.mark.django_db


def _items(user, key):
    return [i for i in TargetsTodo().items(user) if i.key == key]


def test_the_provider_is_registered():
    assert any(isinstance(p, TargetsTodo) for p in todo_providers.providers())


def test_nothing_to_do_yields_nothing():
    s = scene()
    assert list(TargetsTodo().items(s.officer)) == []
    assert list(TargetsTodo().items(s.viewer)) == []


def test_targets_behind_are_counted_with_a_link():
    # Given a commune target of 12 cameras this year with nothing done by today
    s = scene()
    today = timezone.localdate()
    if today.timetuple().tm_yday < 40:
        pytest.skip("too early in the year for a target to be behind")
    services.target_create(
        actor=s.chief,
        unit=s.communes[0],
        data=services.TargetInput(
            metric=metric("cameras_installed"), kind="count", value=12, period=str(today.year)
        ),
    )
    put(metric("cameras_installed"), s.communes[0], f"{today.year}M01", 1)
    # When the chief's to-do items are read
    [item] = _items(s.chief, "targets.behind")
    # Then one target is behind, linked to the commune's targets
    assert item.title == "1 chỉ tiêu chậm tiến độ" and item.count == 1
    assert item.url.startswith(reverse("targets:unit", args=[s.communes[0].code]))
    assert item in todo_items(s.chief)
    # And a user of another province sees nothing of it
    assert _items(s.far_officer, "targets.behind") == []


def test_children_without_a_target_are_counted_for_the_parent():
    # Given a province target allocated to one of its two communes only
    s = scene()
    year = timezone.localdate().year
    target = services.target_create(
        actor=s.officer,
        unit=s.province,
        data=services.TargetInput(
            metric=metric("cameras_installed"), kind="count", value=10, period=str(year)
        ),
    )
    [item] = _items(s.officer, "targets.unallocated")
    assert item.title == "2 đơn vị cấp dưới chưa được giao chỉ tiêu"
    assert item.url == reverse("targets:target", args=[target.pk])
    services.allocation_create(actor=s.officer, target=target, method=AllocationMethod.EQUAL)
    assert _items(s.officer, "targets.unallocated") == []
    # A viewer manages nothing: no item
    assert _items(s.viewer, "targets.unallocated") == []


def test_campaign_reports_late_and_due():
    # Given a weekly campaign that started two weeks ago, with the chief's commune in it
    s = scene()
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=2)
    campaign = services.campaign_create(
        actor=s.officer,
        unit=s.province,
        data=services.CampaignInput(
            name="Đợt cao điểm Tết",
            start=monday,
            end=monday + timedelta(days=27),
            frequency="week",
            units=s.communes,
            tracked=[(weekly_metric(), 40)],
        ),
    )
    # When the chief reads the to-do items
    items = _items(s.chief, "targets.campaign_report")
    # Then the two ended weeks are late and the running one is due, each linked to its form
    assert [i.severity for i in items] == [Severity.LATE, Severity.LATE, Severity.DUE]
    assert campaign.form is not None
    assert items[0].url.startswith(
        reverse("indicators:report", args=[campaign.form.code, s.communes[0].code, "x"])[:-2]
    )
    assert all("Đợt cao điểm Tết" in i.title for i in items)
    assert items[-1].due is not None and items[-1].due >= today
    # And a user whose unit is not in the campaign has nothing
    assert _items(s.far_officer, "targets.campaign_report") == []
    assert date.min < items[0].due < today

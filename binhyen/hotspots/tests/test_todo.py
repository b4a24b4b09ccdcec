"""The hotspot items of the to-do home: overdue plan tasks of areas in force, in scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from binhyen.accounts.tests.factories import UserFactory
from binhyen.core.todo import Severity
from binhyen.hotspots.models import PlanTask, TaskStatus
from binhyen.hotspots.tests.factories import designate, province_scene
from binhyen.hotspots.todo import HotspotTasksTodo

pytestmark = pytest.mark.django_db


def _task(designation, deadline, **extra):
    return PlanTask.objects.create(
        designation=designation, title="Lắp camera", owner="Công an xã", deadline=deadline, **extra
    )


@pytest.fixture
def w():
    p = province_scene()
    area = designate(p.officer, p.communes[0])
    late = timezone.localdate() - timedelta(days=10)
    _task(area, late)
    _task(area, late - timedelta(days=5))
    _task(area, late, status=TaskStatus.DONE, progress=100, completed_on=late)
    _task(area, timezone.localdate() + timedelta(days=30))
    return p, area, late


def test_the_commune_sees_its_overdue_tasks_linked_to_the_area(w):
    # given an area of the commune with two tasks past their deadline (one done, one not due)
    p, area, late = w
    # when the commune officer's items are listed
    items = list(HotspotTasksTodo().items(p.commune_officer))
    # then two overdue tasks, due at the oldest deadline, linked to the area
    assert [(i.count, i.severity, i.due) for i in items] == [
        (2, Severity.LATE, late - timedelta(days=5))
    ]
    assert items[0].url == f"/hotspots/{area.pk}/"


def test_the_province_sees_the_same_count_for_its_subtree(w):
    p, _area, _late = w
    items = list(HotspotTasksTodo().items(p.officer))
    assert [i.count for i in items] == [2]
    assert items[0].detail == p.province.name


def test_out_of_scope_and_empty_give_nothing(w):
    # given the area is in the first province
    p, _area, _late = w
    # when the other province's officer, a user without roles, and another commune's
    # officer list their items; then nothing
    assert list(HotspotTasksTodo().items(p.far_officer)) == []
    assert list(HotspotTasksTodo().items(UserFactory())) == []


def test_no_task_late_gives_nothing():
    p = province_scene()
    area = designate(p.officer, p.communes[1])
    _task(area, timezone.localdate() + timedelta(days=1))
    assert list(HotspotTasksTodo().items(p.officer)) == []

"""The targets demo: a plan, an allocated target with figures, a running campaign, once."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from binhyen.orgunits import demo as base_demo
from binhyen.orgunits.models import Subkind, UnitKind
from binhyen.orgunits.tests.factories import CommuneFactory, OrgUnitFactory, country
from binhyen.targets import demo, selectors
from binhyen.targets.models import Campaign, CampaignStatus, Plan, Target, TargetSource

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # Given the units the base demo needs (without the national import)
    province = OrgUnitFactory(
        code="24",
        name="Tỉnh Bắc Ninh",
        kind=UnitKind.PROVINCE,
        subkind=Subkind.TINH,
        parent=country(),
    )
    CommuneFactory(code="07840", name="Xã Hiệp Hòa", parent=province, population=30000)
    CommuneFactory(
        code="07210",
        name="Phường Bắc Giang",
        parent=province,
        subkind=Subkind.PHUONG,
        population=10000,
    )
    base_demo.load(io.StringIO())
    # When the targets demo loads twice
    first = demo.load(io.StringIO())
    second = demo.load(io.StringIO())
    # Then one plan, one province target allocated to both communes, one open campaign
    assert first == {"plans": 1, "targets": 1, "campaigns": 1}
    assert not any(second.values())
    assert Plan.objects.count() == 1
    assert Target.objects.filter(source=TargetSource.ALLOCATED).count() == 2
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.OPEN and campaign.units.count() == 2
    # And the province target shows progress once months have passed
    target = Target.objects.get(orgunit=province)
    judged = selectors.progress_of([target])[0]
    if timezone.localdate().month > 1:
        assert judged.actual == 80 * (timezone.localdate().month - 1)

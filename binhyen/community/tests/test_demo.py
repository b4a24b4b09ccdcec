"""The demo loads community records once, through the services, and never twice."""

from __future__ import annotations

import io

import pytest

from binhyen.community import demo
from binhyen.community.models import Pledge, Scheme, SecurityTeam, TeamMember
from binhyen.orgunits import demo as base_demo
from binhyen.orgunits.models import Subkind, UnitKind
from binhyen.orgunits.tests.factories import CommuneFactory, OrgUnitFactory, country

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent():
    # given the units the base demo needs (without the national import)
    province = OrgUnitFactory(
        code="24",
        name="Tỉnh Bắc Ninh",
        kind=UnitKind.PROVINCE,
        subkind=Subkind.TINH,
        parent=country(),
    )
    CommuneFactory(code="07840", name="Xã Hiệp Hòa", parent=province)
    CommuneFactory(code="07210", name="Phường Bắc Giang", parent=province, subkind=Subkind.PHUONG)
    base_demo.load(io.StringIO())
    # when the community demo loads twice
    first = demo.load(io.StringIO())
    second = demo.load(io.StringIO())
    # then the records exist once
    assert first["schemes"] == 14 and first["teams"] == 13 and first["pledges"] == 13
    assert first["members"] == 39 and first["typical"] == 5
    assert not any(second.values())
    assert Scheme.objects.count() == 14
    assert SecurityTeam.objects.count() == 13
    assert TeamMember.objects.count() == 39
    assert Pledge.objects.count() == 13

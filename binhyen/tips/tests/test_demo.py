"""The demo's tips show every state of the inbox, through the officers' own actions."""

from __future__ import annotations

import io

import pytest

from binhyen.orgunits import demo as base_demo
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country
from binhyen.tips import demo
from binhyen.tips.models import Status, Tip

pytestmark = pytest.mark.django_db


def test_demo_tips_cover_every_state_once():
    # Given the demo's units and users
    country()
    province = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    CommuneFactory(code="07840", name="Xã Hiệp Hòa", parent=province)
    CommuneFactory(code="07210", name="Phường Bắc Giang", parent=province)
    base_demo.load()
    # When the tips demo is loaded twice
    first = demo.load(io.StringIO())
    second = demo.load(io.StringIO())
    # Then the second load adds nothing
    assert first == {"tips": len(demo.TIPS) + len(demo.HANDLED)}
    assert second == {"tips": 0}
    # And the inbox holds every state, a valuable tip among the resolved
    assert set(Tip.objects.values_list("status", flat=True)) == set(Status.values)
    resolved = Tip.objects.get(status=Status.RESOLVED)
    assert resolved.is_valuable
    assert resolved.outcome
    duplicate = Tip.objects.get(status=Status.DUPLICATE)
    assert duplicate.duplicate_of is not None

"""The demo loads the seed figures through the services, and loading twice changes nothing."""

from __future__ import annotations

import pytest

from binhyen.activities import demo
from binhyen.activities.models import Activity
from binhyen.indicators.models import DataValue
from binhyen.orgunits import demo as base_demo
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent():
    # Given the demo's units and users
    country()
    province = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    CommuneFactory(code="07840", name="Xã Hiệp Hòa", parent=province)
    CommuneFactory(code="07210", name="Phường Bắc Giang", parent=province)
    base_demo.load()
    # When the demo is loaded twice
    # Then the second load adds nothing, and the numbers are published
    assert demo.load() == {"activities": 33}
    assert demo.load() == {"activities": 0}
    assert Activity.objects.filter(kind="outreach").count() == 26
    outreach_villages = DataValue.objects.get(metric__code="outreach_villages", period="2025")
    assert outreach_villages.value == 10

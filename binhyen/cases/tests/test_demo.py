"""The cases demo gives the commune chief two cases and the province only counts."""

from __future__ import annotations

from typing import Any

import pytest

from binhyen.accounts.models import User
from binhyen.cases import demo, selectors
from binhyen.orgunits import demo as base_demo
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_only_the_chief_sees_the_cases():
    country()
    province: Any = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    CommuneFactory(code="07840", name="Xã Hiệp Hòa", parent=province)
    CommuneFactory(code="07210", name="Phường Bắc Giang", parent=province)
    base_demo.load()
    assert demo.load() == {"cases": 2}
    assert demo.load() == {"cases": 0}
    chief = User.objects.get(username="demo_truong")
    assert selectors.case_list(user=chief).count() == 2
    assert not selectors.case_list(user=User.objects.get(username="demo_tinh")).exists()
    assert not selectors.case_list(user=User.objects.get(username="demo_canbo")).exists()

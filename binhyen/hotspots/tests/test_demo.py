"""The hotspot demo gives the province board "16/27" and loading twice changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from binhyen.accounts.models import User
from binhyen.hotspots import demo, selectors
from binhyen.hotspots.models import Designation, Regime
from binhyen.orgunits import demo as base_demo
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_shows_16_of_27():
    # Given a province with the demo's communes and users
    country()
    province: Any = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    CommuneFactory(code="07840", name="Xã Hiệp Hòa", parent=province)
    CommuneFactory(code="07210", name="Phường Bắc Giang", parent=province)
    for i in range(30):
        CommuneFactory(code=f"{7300 + i:05d}", parent=province)
    base_demo.load()
    # When the demo is loaded twice
    first = demo.load()
    # Then the second load adds nothing and the board reads 16 removed of 27
    assert first == {"designations": 28, "removals": 16, "tasks": 2, "responsibilities": 2}
    assert demo.load() == {"designations": 0, "removals": 0, "tasks": 0, "responsibilities": 0}
    officer = User.objects.get(username="demo_tinh")
    board = selectors.board(user=officer, root=province, year=2025, regime=Regime.TRANSFORMATION)
    assert (board.totals[0].removed, board.totals[0].designated) == (16, 27)
    assert board.totals[0].removed_pct == Decimal("59.3")
    assert Designation.objects.filter(regime=Regime.DRUG_AREA).count() == 1

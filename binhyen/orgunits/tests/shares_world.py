"""A small map with splits for the split-shares tests (not a test module)."""

from __future__ import annotations

from datetime import date
from typing import Any

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.orgunits.models import Lineage, LineageKind, Subkind, UnitKind
from binhyen.orgunits.tests.factories import CommuneFactory, OrgUnitFactory, ProvinceFactory

REFORM = date(2025, 7, 1)
CLOSED = date(2025, 6, 30)


def split(pred: Any, *succs: Any) -> None:
    for index, succ in enumerate(succs):
        Lineage.objects.create(
            predecessor=pred,
            successor=succ,
            kind=LineageKind.SPLIT,
            is_default=index == 0,
            effective_date=REFORM,
        )


def shares_world() -> dict[str, Any]:
    """Province 51 (S1, S2), province 52 (T); old commune P split into S1 + S2, old commune
    Q split into S2 + T (two provinces)."""
    a = ProvinceFactory(code="51", name="Tỉnh A")
    b = ProvinceFactory(code="52", name="Tỉnh B")
    old = ProvinceFactory(code="L51", name="Tỉnh cũ", valid_to=CLOSED)
    p = OrgUnitFactory(
        code="L51001",
        name="Xã Phú",
        kind=UnitKind.COMMUNE,
        subkind=Subkind.XA,
        parent=old,
        valid_to=CLOSED,
    )
    q = OrgUnitFactory(
        code="L51002",
        name="Xã Quý",
        kind=UnitKind.COMMUNE,
        subkind=Subkind.XA,
        parent=old,
        valid_to=CLOSED,
    )
    s1 = CommuneFactory(code="51001", name="Xã Sơn", parent=a, valid_from=REFORM)
    s2 = CommuneFactory(code="51002", name="Xã Tân", parent=a, valid_from=REFORM)
    t = CommuneFactory(code="52001", name="Xã Thái", parent=b, valid_from=REFORM)
    split(p, s1, s2)
    split(q, s2, t)
    return {
        "a": a,
        "b": b,
        "p": p,
        "q": q,
        "s1": s1,
        "s2": s2,
        "t": t,
        "officer": user_with_role(Role.PROVINCE_OFFICER, a),
        "officer_b": user_with_role(Role.PROVINCE_OFFICER, b),
        "chief": user_with_role(Role.COMMUNE_CHIEF, s1),
    }

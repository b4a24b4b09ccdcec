"""Builders for activity tests: a commune with villages, its officers, and activity inputs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from binhyen.accounts.models import Role, User
from binhyen.accounts.tests.factories import user_with_role
from binhyen.activities.models import Activity, ActivityKind
from binhyen.activities.services import ActivityInput, ItemInput, activity_create
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, VillageFactory

DAY = date(2025, 3, 5)


@dataclass
class Commune:
    province: Any
    commune: Any
    villages: list[Any]
    officer: User
    chief: User
    province_officer: User
    other_commune: Any
    other_officer: User
    viewer: User


def commune_scene(villages: int = 3, code: str = "07840") -> Commune:
    """A province with two communes; the first has ``villages`` villages and its officers."""
    province = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    commune = CommuneFactory(code=code, name="Xã Yên Thượng", parent=province)
    made = [
        VillageFactory(parent=commune, name=f"Thôn {i + 1}", code=f"{code}-T{i + 1:03d}")
        for i in range(villages)
    ]
    other = CommuneFactory(code="07900", name="Xã Bên Cạnh", parent=province)
    return Commune(
        province=province,
        commune=commune,
        villages=made,
        officer=user_with_role(Role.COMMUNE_OFFICER, commune, username="canbo"),
        chief=user_with_role(Role.COMMUNE_CHIEF, commune, username="truong"),
        province_officer=user_with_role(Role.PROVINCE_OFFICER, province, username="tinh"),
        other_commune=other,
        other_officer=user_with_role(Role.COMMUNE_OFFICER, other, username="canbo2"),
        viewer=user_with_role(Role.VIEWER, commune, username="xem"),
    )


def outreach(unit: OrgUnit, **overrides: Any) -> ActivityInput:
    values: dict[str, Any] = {
        "kind": ActivityKind.OUTREACH,
        "unit": unit,
        "date": DAY,
        "title": "Tuyên truyền phòng chống ma túy",
        "topic": "Phòng chống ma túy",
        "place": "Nhà văn hóa",
        "participants": 80,
        "leaflets": 100,
    }
    values.update(overrides)
    return ActivityInput(**values)


def surrender(unit: OrgUnit, items: list[tuple[str, int]], **overrides: Any) -> ActivityInput:
    values: dict[str, Any] = {
        "kind": ActivityKind.WEAPONS_SURRENDER,
        "unit": unit,
        "date": DAY,
        "title": "Vận động giao nộp vũ khí",
        "items": [ItemInput(item_kind=k, quantity=q) for k, q in items],
    }
    values.update(overrides)
    return ActivityInput(**values)


def record(actor: User, data: ActivityInput) -> Activity:
    return activity_create(actor=actor, data=data)

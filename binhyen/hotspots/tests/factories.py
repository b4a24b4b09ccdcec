"""Builders for hotspot tests: a province with communes, its officers, designation inputs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from binhyen.accounts.models import Role, User
from binhyen.accounts.tests.factories import user_with_role
from binhyen.hotspots.models import Designation, Regime
from binhyen.hotspots.services import DesignationInput, designation_create
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

DECIDED = date(2024, 3, 1)


@dataclass
class Province:
    country: Any
    province: Any
    communes: list[Any]
    other_province: Any
    far_commune: Any
    officer: User  # province officer
    ministry: User
    commune_officer: User
    commune_chief: User
    far_officer: User


def province_scene(communes: int = 3) -> Province:
    root = country()
    province = ProvinceFactory(code="24", name="Tỉnh Bắc Ninh")
    made = [
        CommuneFactory(parent=province, code=f"0{7800 + i}", name=f"Xã Số {i + 1}")
        for i in range(communes)
    ]
    other = ProvinceFactory(code="20", name="Tỉnh Lạng Sơn")
    far = CommuneFactory(parent=other, code="06100", name="Xã Xa")
    return Province(
        country=root,
        province=province,
        communes=made,
        other_province=other,
        far_commune=far,
        officer=user_with_role(Role.PROVINCE_OFFICER, province, username="tinh"),
        ministry=user_with_role(Role.MINISTRY_OFFICER, root, username="bo"),
        commune_officer=user_with_role(Role.COMMUNE_OFFICER, made[0], username="canbo"),
        commune_chief=user_with_role(Role.COMMUNE_CHIEF, made[0], username="truong"),
        far_officer=user_with_role(Role.PROVINCE_OFFICER, other, username="tinhxa"),
    )


def designation_input(unit: OrgUnit, **overrides: Any) -> DesignationInput:
    values: dict[str, Any] = {
        "regime": Regime.TRANSFORMATION,
        "unit": unit,
        "year": DECIDED.year,
        "decision_number": "15/QĐ-BCĐ",
        "decision_date": DECIDED,
        "issuing_body": "Ban Chỉ đạo 138 tỉnh",
    }
    values.update(overrides)
    return DesignationInput(**values)


def designate(actor: User, unit: OrgUnit, **overrides: Any) -> Designation:
    return designation_create(actor=actor, data=designation_input(unit, **overrides))

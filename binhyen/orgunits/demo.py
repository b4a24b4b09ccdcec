"""Demo data for `make run`: one province (Bắc Ninh) with users of every role and a commune
built from the seed article about Lương Phong (now part of Xã Hiệp Hòa since 01/07/2025).

Idempotent: every object is looked up by its natural key first, so a second run changes nothing.
Passwords and TOTP secrets here are for demonstration only and are printed by `demo_load`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any, TextIO

from django.db import transaction

from binhyen.accounts.models import Role, RoleAssignment, User
from binhyen.orgunits.models import ROOT_CODE, OrgUnit, Subkind, UnitKind

DEMO_PASSWORD = "BinhYen@2025"  # noqa: S105  (demo only, printed on screen)
PROVINCE_CODE = "24"  # Tỉnh Bắc Ninh (2025), which absorbed Tỉnh Bắc Giang
COMMUNE_CODE = "07840"  # Xã Hiệp Hòa (2025), successor of Xã Lương Phong
OTHER_COMMUNE_CODE = "07210"  # Phường Bắc Giang: another commune, for out-of-scope checks

# Villages of former Xã Lương Phong (seed article), now in Xã Hiệp Hòa.
VILLAGES = [
    "Thôn Cấm", "Thôn Khánh", "Thôn Tứ", "Thôn Giữa", "Thôn Đông", "Thôn Chớp", "Thôn Chùa",
    "Thôn Vân An", "Thôn Sơn Quả 1", "Thôn Sơn Quả 2", "Thôn Sơn Quả 3", "Thôn Sơn Quả 4",
    "Thôn Sơn Quả 5",
]  # fmt: skip
ESTABLISHMENTS = [
    ("Trung tâm nghiên cứu Đất và phân bón vùng trung du", Subkind.CO_QUAN, "Thôn Sơn Quả 2"),
]
OTHER_VILLAGES = ["Tổ dân phố số 1", "Tổ dân phố số 2"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    unit_code: str
    position: str


_U = DemoUser
DEMO_USERS = [
    _U("demo_admin", "Quản trị Hệ thống", Role.SYSTEM_ADMIN, ROOT_CODE, "Quản trị viên"),
    _U("demo_bo", "Trần Văn Bộ", Role.MINISTRY_OFFICER, ROOT_CODE, "Cán bộ Cục V05"),
    _U("demo_tinh", "Lê Thị Tỉnh", Role.PROVINCE_OFFICER, PROVINCE_CODE, "Cán bộ Phòng PV05"),
    _U("demo_xem", "Phạm Văn Xem", Role.VIEWER, PROVINCE_CODE, "Cán bộ theo dõi"),
    _U("demo_truong", "Dương Hồng Sơn", Role.COMMUNE_CHIEF, COMMUNE_CODE, "Trưởng Công an xã"),
    _U("demo_canbo", "Nguyễn Văn An", Role.COMMUNE_OFFICER, COMMUNE_CODE, "Cán bộ Công an xã"),
    _U(
        "demo_canbo2", "Hoàng Thị Bình", Role.COMMUNE_OFFICER, OTHER_COMMUNE_CODE,
        "Cán bộ Công an phường",
    ),
    _U(
        "demo_tobv", "Đỗ Văn Tổ", Role.VILLAGE_MEMBER, f"{COMMUNE_CODE}-T001",
        "Tổ trưởng Tổ bảo vệ ANTT",
    ),
]  # fmt: skip


def demo_totp_key(username: str) -> str:
    """Return a stable hex TOTP key for a demo user: re-running the demo keeps the same secret."""
    return hashlib.sha256(f"binhyen-demo-totp:{username}".encode()).hexdigest()[:40]


def totp_base32(hex_key: str) -> str:
    return base64.b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")


def _user(spec: DemoUser, units: dict[str, OrgUnit], admin: User | None) -> tuple[User, bool]:
    user, created = User.objects.get_or_create(
        username=spec.username,
        defaults={
            "full_name": spec.full_name,
            "position": spec.position,
            "email": f"{spec.username}@demo.binhyen.vn",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(
        user=user, role=spec.role, orgunit=units[spec.unit_code], defaults={"granted_by": admin}
    )
    return user, created


def _totp(user: User) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _, created = TOTPDevice.objects.get_or_create(
        user=user, name="demo", defaults={"key": demo_totp_key(user.username), "confirmed": True}
    )
    return created


def load(stdout: TextIO | Any = None) -> dict[str, int]:
    """Create the demo province data and users; return counts of what was created."""
    from binhyen.accounts.permissions import requires_two_factor
    from binhyen.orgunits.services import orgunit_create

    counts = {"users": 0, "units": 0, "devices": 0}
    missing = [
        c
        for c in (ROOT_CODE, PROVINCE_CODE, COMMUNE_CODE, OTHER_COMMUNE_CODE)
        if not OrgUnit.objects.filter(code=c).exists()
    ]
    if missing:
        raise RuntimeError(
            f"Administrative units missing ({', '.join(missing)}): "
            "run `manage.py orgunits_import` first."
        )

    with transaction.atomic():
        units = {
            u.code: u
            for u in OrgUnit.objects.filter(
                code__in=[ROOT_CODE, PROVINCE_CODE, COMMUNE_CODE, OTHER_COMMUNE_CODE]
            )
        }
        admin, created = _user(DEMO_USERS[0], units, None)
        counts["users"] += int(created)

        commune = units[COMMUNE_CODE]
        if commune.population is None:
            # Facts of the seed article's Xã Lương Phong, kept on the 2025 commune for the demo.
            OrgUnit.objects.filter(pk=commune.pk).update(population=18858, households=4300)
        existing = set(OrgUnit.objects.filter(parent=commune).values_list("name", flat=True))
        for name in VILLAGES:
            if name not in existing:
                orgunit_create(
                    actor=admin,
                    parent=commune,
                    kind=UnitKind.VILLAGE,
                    subkind=Subkind.THON,
                    name=name,
                )
                counts["units"] += 1
        for name, subkind, village in ESTABLISHMENTS:
            if name not in existing:
                orgunit_create(
                    actor=admin,
                    parent=commune,
                    kind=UnitKind.ESTABLISHMENT,
                    subkind=subkind,
                    name=name,
                    address=f"{village}, Xã Hiệp Hòa, Tỉnh Bắc Ninh",
                )
                counts["units"] += 1
        other = units[OTHER_COMMUNE_CODE]
        existing_other = set(OrgUnit.objects.filter(parent=other).values_list("name", flat=True))
        for name in OTHER_VILLAGES:
            if name not in existing_other:
                orgunit_create(
                    actor=admin,
                    parent=other,
                    kind=UnitKind.VILLAGE,
                    subkind=Subkind.TO_DAN_PHO,
                    name=name,
                )
                counts["units"] += 1

        units.update({u.code: u for u in OrgUnit.objects.filter(parent=commune)})
        for spec in DEMO_USERS[1:]:
            _, created = _user(spec, units, admin)
            counts["users"] += int(created)
        for spec in DEMO_USERS:
            user = User.objects.get(username=spec.username)
            if requires_two_factor(user):
                counts["devices"] += int(_totp(user))
    return counts

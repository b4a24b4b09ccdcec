"""Factories for users and role assignments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import factory

from binhyen.accounts.models import Role, RoleAssignment, User

PASSWORD = "mat-khau-thu-nghiem-2025"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.vn")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.COMMUNE_OFFICER
    orgunit = None


def user_with_role(role: str, unit, **kwargs) -> User:
    """Create a user holding ``role`` on ``unit``."""
    user: User = UserFactory(**kwargs)  # type: ignore[assignment]
    RoleAssignment.objects.create(user=user, role=role, orgunit=unit)
    return user


def login_verified(client, user):
    """Sign ``user`` in on a test client with a confirmed authenticator and a verified session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@dataclass
class Scene:
    """Two provinces; the first has two communes and a village. One user per typical role."""

    province: Any
    commune: Any
    village: Any
    sibling_commune: Any
    other_province: Any
    far_commune: Any
    province_officer: User
    commune_chief: User
    commune_officer: User
    village_member: User
    far_officer: User


def scene() -> Scene:
    from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, VillageFactory

    province = ProvinceFactory(name="Tỉnh Bắc Ninh")
    commune = CommuneFactory(parent=province, name="Xã Hiệp Hòa")
    village = VillageFactory(parent=commune, name="Thôn Cấm")
    sibling = CommuneFactory(parent=province, name="Phường Bắc Giang")
    other_province = ProvinceFactory(name="Tỉnh Lạng Sơn")
    far = CommuneFactory(parent=other_province, name="Xã Xa")
    return Scene(
        province=province,
        commune=commune,
        village=village,
        sibling_commune=sibling,
        other_province=other_province,
        far_commune=far,
        province_officer=user_with_role(Role.PROVINCE_OFFICER, province, username="tinh"),
        commune_chief=user_with_role(Role.COMMUNE_CHIEF, commune, username="truong"),
        commune_officer=user_with_role(Role.COMMUNE_OFFICER, commune, username="canbo"),
        village_member=user_with_role(Role.VILLAGE_MEMBER, village, username="tobv"),
        far_officer=user_with_role(Role.COMMUNE_OFFICER, far, username="canboxa"),
    )

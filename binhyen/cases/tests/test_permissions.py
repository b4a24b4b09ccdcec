import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.cases import permissions, services
from binhyen.cases.tests.factories import open_case

pytestmark = pytest.mark.django_db


def test_the_chief_role_counts_only_on_the_commune_itself(scene):
    case = open_case(scene.commune_chief, scene.commune)
    assert permissions.can_manage(scene.commune_chief, case)
    assert not permissions.can_read(scene.province_officer, case)
    # a "commune chief" role given on the province does not reach the commune's cases
    odd = user_with_role(Role.COMMUNE_CHIEF, scene.province, username="truong_tinh")
    assert not permissions.can_read(odd, case)


def test_an_assigned_user_loses_access_with_the_role(scene):
    case = open_case(scene.commune_chief, scene.commune)
    services.helper_assign(
        actor=scene.commune_chief, case=case, kind="officer", user=scene.commune_officer
    )
    assert permissions.can_read(scene.commune_officer, case)
    assert not permissions.can_manage(scene.commune_officer, case)
    assert not permissions.can_reveal(scene.commune_officer, case)
    scene.commune_officer.role_assignments.all().delete()
    scene.commune_officer.__dict__.pop("_binhyen_assignments", None)
    assert not permissions.can_read(scene.commune_officer, case)


def test_only_system_admins_add_national_types(scene):
    admin = user_with_role(Role.SYSTEM_ADMIN, scene.province.parent, username="qtht")
    assert permissions.can_configure_types(admin, None)
    assert not permissions.can_configure_types(scene.province_officer, None)
    assert permissions.can_configure_types(scene.province_officer, scene.province)
    assert not permissions.can_configure_types(scene.province_officer, scene.other_province)

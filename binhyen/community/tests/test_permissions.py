"""Who may change community records (built on the access model's roles)."""

from __future__ import annotations

import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.community import permissions

pytestmark = pytest.mark.django_db


def test_manage_follows_the_commune_of_the_unit(s):
    # Given officers of the commune, the province and elsewhere
    # Then only those covering the unit's commune may manage it
    assert permissions.can_manage(s.commune_officer, s.village)
    assert permissions.can_manage(s.commune_chief, s.commune)
    assert permissions.can_manage(s.province_officer, s.village)
    assert not permissions.can_manage(s.village_member, s.village)
    assert not permissions.can_manage(s.far_officer, s.village)
    assert not permissions.can_manage(s.province_officer, s.province)  # not a record unit


def test_grading_is_for_the_commune_chief(s):
    # Given the commune chief, an officer and the province officer
    # Then only the chief grades, and only a commune
    assert permissions.can_grade(s.commune_chief, s.commune)
    assert not permissions.can_grade(s.commune_officer, s.commune)
    assert not permissions.can_grade(s.commune_chief, s.village)
    assert not permissions.can_grade(s.province_officer, s.commune)


def test_catalogue_is_for_the_province_and_national_admins(s):
    # Given province officers, a commune chief and a system administrator
    # Then a province's catalogue is its officers', the national one the administrator's
    assert permissions.can_manage_catalogue(s.province_officer, s.province)
    assert not permissions.can_manage_catalogue(s.commune_chief, s.province)
    assert not permissions.can_manage_catalogue(s.province_officer, s.other_province)
    assert not permissions.can_manage_catalogue(s.province_officer, None)
    admin = user_with_role(Role.SYSTEM_ADMIN, s.province.parent)
    assert permissions.can_manage_catalogue(admin, None)


def test_viewers_and_anonymous_users_manage_nothing(s):
    # Given a viewer and an anonymous user
    from django.contrib.auth.models import AnonymousUser

    viewer = user_with_role(Role.VIEWER, s.province)
    # Then neither manages anything
    assert not permissions.can_manage_anywhere(viewer)
    assert not permissions.can_manage(AnonymousUser(), s.village)
    assert permissions.commune_of(s.province) is None

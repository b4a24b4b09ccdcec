"""Scoped reads: manageable users, units for the picker, the audit trail."""

from __future__ import annotations

from typing import Any

import pytest

from binhyen.accounts import selectors
from binhyen.accounts.models import Role, RoleAssignment
from binhyen.accounts.tests.factories import UserFactory, scene
from binhyen.core.services import audit_event_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    return scene()


def _names(users) -> set[str]:
    return {u.username for u in users}


def test_manageable_users_follow_the_scope(s):
    assert _names(selectors.users_manageable_by(s.commune_chief)) == {"truong", "canbo", "tobv"}
    assert _names(selectors.users_manageable_by(s.province_officer)) == {
        "tinh",
        "truong",
        "canbo",
        "tobv",
    }
    assert _names(selectors.users_manageable_by(s.commune_officer)) == set()


def test_a_role_outside_scope_removes_the_user_and_duplicates_do_not_appear(s):
    RoleAssignment.objects.create(user=s.commune_officer, role=Role.VIEWER, orgunit=s.village)
    RoleAssignment.objects.create(user=s.village_member, role=Role.VIEWER, orgunit=s.far_commune)
    users = list(selectors.users_manageable_by(s.commune_chief))
    assert sorted(u.username for u in users) == ["canbo", "truong"]


def test_superusers_are_managed_only_by_superusers(s):
    admin: Any = UserFactory(is_superuser=True)
    RoleAssignment.objects.create(user=admin, role=Role.VIEWER, orgunit=s.commune)
    assert "admin" not in _names(selectors.users_manageable_by(s.commune_chief))
    assert admin in selectors.users_manageable_by(admin)


def test_user_list_search(s):
    assert _names(selectors.user_list(s.province_officer, query="TRUONG")) == {"truong"}
    s.commune_officer.is_active = False
    s.commune_officer.save()
    assert _names(selectors.user_list(s.province_officer, active=False)) == {"canbo"}


def test_units_for_management_by_name_or_code(s):
    assert [u.code for u in selectors.units_for_management(s.commune_chief, "hiep hoa")] == [
        s.commune.code
    ]
    assert selectors.units_for_management(s.commune_chief, s.sibling_commune.code) == []
    assert selectors.units_for_management(s.commune_officer, "x") == []
    codes = [u.code for u in selectors.units_for_management(s.province_officer, "")]
    assert codes[0] == s.province.code


def test_audit_scope(s):
    # given events on units in and out of scope, and unit-less events about users
    inside = audit_event_record(actor=s.commune_officer, action="x", orgunit=s.village)
    outside = audit_event_record(actor=s.far_officer, action="x", orgunit=s.far_commune)
    about_officer = audit_event_record(actor=None, action="auth.login", obj=s.commune_officer)
    by_officer = audit_event_record(actor=s.commune_officer, action="api_token.created")
    about_far = audit_event_record(actor=None, action="auth.login", obj=s.far_officer)
    anonymous = audit_event_record(actor=None, action="auth.login_failed")
    # then the commune chief sees what concerns their commune and its people
    chief = set(selectors.audit_events_visible_to(s.commune_chief))
    assert {inside, about_officer, by_officer} <= chief
    assert not {outside, about_far, anonymous} & chief
    # a user without VIEW_AUDIT sees nothing, a superuser everything
    assert not selectors.audit_events_visible_to(s.commune_officer).exists()
    admin: Any = UserFactory(is_superuser=True)
    assert {inside, outside, about_far, anonymous} <= set(selectors.audit_events_visible_to(admin))


def test_audit_unit_filter_is_a_subtree(s):
    audit_event_record(actor=s.commune_chief, action="x", orgunit=s.village)
    audit_event_record(actor=s.commune_chief, action="y", orgunit=s.sibling_commune)
    events = selectors.audit_events_visible_to(s.province_officer, unit=s.commune)
    assert [e.action for e in events] == ["x"]

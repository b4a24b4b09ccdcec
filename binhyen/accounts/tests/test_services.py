"""Writes of the accounts app: every rule refuses with nothing saved, every success is audited."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from binhyen.accounts import services
from binhyen.accounts.models import ApiToken, Role, RoleAssignment, User
from binhyen.accounts.tests.factories import PASSWORD, UserFactory, scene, user_with_role
from binhyen.core.models import AuditEvent
from binhyen.orgunits.tests.factories import CommuneFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Cong-an-xa-2025!"


@pytest.fixture
def s():
    return scene()


def _create(actor, unit, **overrides):
    values = {
        "actor": actor,
        "username": "moi",
        "password": GOOD_PASSWORD,
        "full_name": "Nguyễn Thị Mới",
        "email": "moi@example.vn",
        "phone": "0912345678",
        "position": "Cán bộ",
        "role": Role.COMMUNE_OFFICER,
        "orgunit": unit,
    }
    values.update(overrides)
    return services.user_create(**values)


def _nothing_written(before_users: int, before_events: int) -> None:
    assert User.objects.count() == before_users
    assert AuditEvent.objects.count() == before_events


# --- user_create -----------------------------------------------------------------------------


def test_user_create_in_scope_grants_first_role_and_audits(s):
    # given a commune chief
    # when they create an officer in their own commune
    user = _create(s.commune_chief, s.commune)
    # then the user exists with a hashed password, one role granted by the chief, one event
    assert user.check_password(GOOD_PASSWORD)
    assert user.password != GOOD_PASSWORD
    assignment = RoleAssignment.objects.get(user=user)
    assert (assignment.role, assignment.orgunit, assignment.granted_by) == (
        Role.COMMUNE_OFFICER,
        s.commune,
        s.commune_chief,
    )
    event = AuditEvent.objects.get(action="user.created")
    assert event.orgunit == s.commune
    assert event.actor == s.commune_chief
    assert "password" not in str(event.changes)


def test_user_create_on_a_village_below_the_commune(s):
    # given a commune chief; when they create a security-team member on a village of the commune
    user = _create(s.commune_chief, s.village, role=Role.VILLAGE_MEMBER)
    # then it works: a role applies to the whole subtree
    assert user.role_assignments.get().orgunit == s.village


@pytest.mark.parametrize(
    ("actor_name", "unit_name"),
    [
        ("commune_chief", "sibling_commune"),
        ("commune_chief", "province"),
        ("province_officer", "far_commune"),
        ("commune_officer", "commune"),  # no MANAGE_USERS at all
    ],
)
def test_user_create_outside_scope_is_refused_and_nothing_saved(s, actor_name, unit_name):
    # given counts before
    users, events = User.objects.count(), AuditEvent.objects.count()
    # when a manager creates a user on a unit they do not manage
    with pytest.raises(PermissionDenied):
        _create(getattr(s, actor_name), getattr(s, unit_name))
    # then nothing is saved
    _nothing_written(users, events)


def test_user_create_refuses_a_role_above_the_managers_level(s):
    users, events = User.objects.count(), AuditEvent.objects.count()
    # when a commune chief tries to create another commune chief
    with pytest.raises(ValidationError) as exc:
        _create(s.commune_chief, s.commune, role=Role.COMMUNE_CHIEF)
    # then the error names the role field and nothing is saved
    assert "role" in exc.value.message_dict
    _nothing_written(users, events)


def test_user_create_validates_the_password(s):
    users, events = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        _create(s.commune_chief, s.commune, password="12345678")
    assert "password" in exc.value.message_dict
    _nothing_written(users, events)


def test_user_create_refuses_a_taken_username_ignoring_case(s):
    users, events = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        _create(s.commune_chief, s.commune, username="CANBO")
    assert "username" in exc.value.message_dict
    _nothing_written(users, events)


def test_user_create_refuses_a_closed_unit(s):
    # given a pre-2025 commune inside the province, closed on 2025-06-30
    closed = CommuneFactory(parent=s.province, valid_to=date(2025, 6, 30))
    users = User.objects.count()
    with pytest.raises(ValidationError) as exc:
        _create(s.province_officer, closed)
    assert "orgunit" in exc.value.message_dict
    assert User.objects.count() == users


def test_user_create_refuses_an_invalid_email(s):
    users, events = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        _create(s.commune_chief, s.commune, email="khong-phai-email")
    assert "email" in exc.value.message_dict
    _nothing_written(users, events)


# --- role_assignment_grant -------------------------------------------------------------------


def test_grant_adds_a_role_and_audits(s):
    # when the province officer gives the commune officer a viewer role on the sibling commune
    assignment = services.role_assignment_grant(
        actor=s.province_officer,
        user=s.commune_officer,
        role=Role.VIEWER,
        orgunit=s.sibling_commune,
    )
    # then the role exists and the event is filed on that unit
    assert assignment.granted_by == s.province_officer
    event = AuditEvent.objects.get(action="role.granted")
    assert event.orgunit == s.sibling_commune
    assert event.object_id == str(s.commune_officer.pk)


def test_grant_to_oneself_is_refused(s):
    before = RoleAssignment.objects.count()
    with pytest.raises(PermissionDenied):
        services.role_assignment_grant(
            actor=s.commune_chief, user=s.commune_chief, role=Role.VIEWER, orgunit=s.commune
        )
    assert RoleAssignment.objects.count() == before


def test_grant_to_a_user_with_a_role_outside_scope_is_refused(s):
    # given the commune officer also holds a role in another province
    RoleAssignment.objects.create(user=s.commune_officer, role=Role.VIEWER, orgunit=s.far_commune)
    before, events = RoleAssignment.objects.count(), AuditEvent.objects.count()
    # when the commune chief grants them something in the chief's own commune
    with pytest.raises(PermissionDenied):
        services.role_assignment_grant(
            actor=s.commune_chief, user=s.commune_officer, role=Role.VIEWER, orgunit=s.village
        )
    # then nothing changes
    assert (RoleAssignment.objects.count(), AuditEvent.objects.count()) == (before, events)


def test_grant_on_a_unit_outside_scope_is_refused(s):
    before = RoleAssignment.objects.count()
    with pytest.raises(PermissionDenied):
        services.role_assignment_grant(
            actor=s.commune_chief,
            user=s.commune_officer,
            role=Role.VIEWER,
            orgunit=s.sibling_commune,
        )
    assert RoleAssignment.objects.count() == before


def test_grant_of_a_role_above_the_managers_level_is_refused(s):
    before = RoleAssignment.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.role_assignment_grant(
            actor=s.commune_chief,
            user=s.commune_officer,
            role=Role.COMMUNE_CHIEF,
            orgunit=s.commune,
        )
    assert "role" in exc.value.message_dict
    assert RoleAssignment.objects.count() == before


def test_grant_of_an_existing_role_is_refused_with_a_clear_error(s):
    with pytest.raises(ValidationError) as exc:
        services.role_assignment_grant(
            actor=s.commune_chief,
            user=s.commune_officer,
            role=Role.COMMUNE_OFFICER,
            orgunit=s.commune,
        )
    assert "role" in exc.value.message_dict


def test_superuser_may_grant_anything_anywhere(s):
    admin: Any = UserFactory(is_superuser=True, is_staff=True)
    services.role_assignment_grant(
        actor=admin, user=s.far_officer, role=Role.MINISTRY_OFFICER, orgunit=s.other_province
    )
    assert s.far_officer.role_assignments.count() == 2


# --- role_assignment_revoke ------------------------------------------------------------------


def test_revoke_removes_a_role_and_audits(s):
    extra = RoleAssignment.objects.create(
        user=s.commune_officer, role=Role.VIEWER, orgunit=s.village
    )
    services.role_assignment_revoke(actor=s.commune_chief, assignment=extra)
    assert not RoleAssignment.objects.filter(pk=extra.pk).exists()
    event = AuditEvent.objects.get(action="role.revoked")
    assert event.changes["before"]["role"] == Role.VIEWER
    assert event.orgunit == s.village


def test_revoke_of_the_last_role_is_refused(s):
    only = s.commune_officer.role_assignments.get()
    with pytest.raises(ValidationError):
        services.role_assignment_revoke(actor=s.commune_chief, assignment=only)
    assert RoleAssignment.objects.filter(pk=only.pk).exists()
    assert not AuditEvent.objects.filter(action="role.revoked").exists()


def test_revoke_of_a_role_above_the_managers_level_is_refused(s):
    # given a second commune chief in the same commune
    other_chief = user_with_role(Role.COMMUNE_CHIEF, s.commune)
    RoleAssignment.objects.create(user=other_chief, role=Role.VIEWER, orgunit=s.commune)
    chief_role = other_chief.role_assignments.get(role=Role.COMMUNE_CHIEF)
    with pytest.raises(ValidationError):
        services.role_assignment_revoke(actor=s.commune_chief, assignment=chief_role)
    assert RoleAssignment.objects.filter(pk=chief_role.pk).exists()


def test_revoke_of_ones_own_role_is_refused(s):
    own = RoleAssignment.objects.create(user=s.commune_chief, role=Role.VIEWER, orgunit=s.commune)
    with pytest.raises(PermissionDenied):
        services.role_assignment_revoke(actor=s.commune_chief, assignment=own)
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_revoke_for_a_user_outside_scope_is_refused(s):
    extra = RoleAssignment.objects.create(user=s.far_officer, role=Role.VIEWER, orgunit=s.commune)
    with pytest.raises(PermissionDenied):
        services.role_assignment_revoke(actor=s.commune_chief, assignment=extra)
    assert RoleAssignment.objects.filter(pk=extra.pk).exists()


# --- user_set_active -------------------------------------------------------------------------


def test_deactivate_and_reactivate_are_audited(s):
    services.user_set_active(actor=s.commune_chief, user=s.commune_officer, is_active=False)
    s.commune_officer.refresh_from_db()
    assert s.commune_officer.is_active is False
    services.user_set_active(actor=s.commune_chief, user=s.commune_officer, is_active=True)
    s.commune_officer.refresh_from_db()
    assert s.commune_officer.is_active is True
    actions = list(
        AuditEvent.objects.filter(action__startswith="user.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["user.deactivated", "user.reactivated"]
    assert AuditEvent.objects.get(action="user.deactivated").orgunit == s.commune


def test_setting_the_same_status_changes_nothing(s):
    events = AuditEvent.objects.count()
    services.user_set_active(actor=s.commune_chief, user=s.commune_officer, is_active=True)
    assert AuditEvent.objects.count() == events


def test_deactivating_oneself_is_refused(s):
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=s.commune_chief, user=s.commune_chief, is_active=False)
    s.commune_chief.refresh_from_db()
    assert s.commune_chief.is_active


@pytest.mark.parametrize(("actor_name", "target_name"), [
    ("commune_chief", "far_officer"),
    ("commune_chief", "province_officer"),
    ("commune_officer", "village_member"),
])  # fmt: skip
def test_deactivating_a_user_outside_scope_is_refused(s, actor_name, target_name):
    target = getattr(s, target_name)
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=getattr(s, actor_name), user=target, is_active=False)
    target.refresh_from_db()
    assert target.is_active


def test_a_manager_cannot_lock_a_superuser(s):
    admin: Any = UserFactory(is_superuser=True)
    RoleAssignment.objects.create(user=admin, role=Role.VIEWER, orgunit=s.commune)
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=s.province_officer, user=admin, is_active=False)


# --- password --------------------------------------------------------------------------------


def test_password_change_validates_and_audits(s):
    with pytest.raises(ValidationError):
        services.user_password_change(actor=s.commune_officer, password="abc")
    s.commune_officer.refresh_from_db()
    assert s.commune_officer.check_password(PASSWORD)
    services.user_password_change(actor=s.commune_officer, password=GOOD_PASSWORD)
    s.commune_officer.refresh_from_db()
    assert s.commune_officer.check_password(GOOD_PASSWORD)
    assert AuditEvent.objects.filter(action="auth.password_changed").count() == 1


# --- API tokens ------------------------------------------------------------------------------


def test_token_create_stores_only_the_hash_and_prefix(s):
    token, raw = services.api_token_create(actor=s.commune_officer, name="Phần mềm thống kê")
    token.refresh_from_db()
    assert raw.startswith(f"by_{token.prefix}_")
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert all(raw not in value for value in stored)
    event = AuditEvent.objects.get(action="api_token.created")
    assert raw not in str(event.changes)


def test_token_create_needs_a_name_and_refuses_duplicates(s):
    with pytest.raises(ValidationError) as exc:
        services.api_token_create(actor=s.commune_officer, name="   ")
    assert "name" in exc.value.message_dict
    services.api_token_create(actor=s.commune_officer, name="A")
    with pytest.raises(ValidationError):
        services.api_token_create(actor=s.commune_officer, name="A")
    assert ApiToken.objects.count() == 1


def test_token_revoke_only_by_its_owner(s):
    token, _raw = services.api_token_create(actor=s.commune_officer, name="A")
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(actor=s.commune_chief, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None
    services.api_token_revoke(actor=s.commune_officer, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(ValidationError):
        services.api_token_revoke(actor=s.commune_officer, token=token)


# --- second factor ---------------------------------------------------------------------------


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


def test_totp_start_reuses_the_pending_device(s):
    first = services.totp_device_start(actor=s.province_officer)
    again = services.totp_device_start(actor=s.province_officer)
    assert first.pk == again.pk
    assert first.confirmed is False
    assert AuditEvent.objects.filter(action="otp.setup_started").count() == 1


def test_totp_confirm_with_a_wrong_code_counts_the_failure(s):
    device = services.totp_device_start(actor=s.province_officer)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    outcome = services.totp_device_confirm(actor=s.province_officer, device=device, code=wrong)
    assert not outcome.ok
    device.refresh_from_db()
    assert device.confirmed is False
    assert device.throttling_failure_count == 1
    assert AuditEvent.objects.filter(action="otp.setup_failed").count() == 1
    # and an immediate second try is throttled by the device itself
    again = services.totp_device_confirm(
        actor=s.province_officer, device=device, code=_code(device)
    )
    assert again.locked_until is not None


def test_totp_confirm_with_the_right_code_issues_backup_codes(s):
    device = services.totp_device_start(actor=s.province_officer)
    outcome = services.totp_device_confirm(
        actor=s.province_officer, device=device, code=_code(device)
    )
    assert outcome.ok
    assert len(outcome.backup_codes) == services.BACKUP_CODE_COUNT
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=s.province_officer).count() == 10
    assert AuditEvent.objects.filter(action="otp.device_confirmed").count() == 1
    with pytest.raises(ValidationError):
        services.totp_device_start(actor=s.province_officer)


def test_totp_confirm_of_someone_elses_device_is_refused(s):
    device = services.totp_device_start(actor=s.province_officer)
    with pytest.raises(PermissionDenied):
        services.totp_device_confirm(actor=s.commune_chief, device=device, code=_code(device))


def test_verify_accepts_the_current_code_and_rejects_a_replay(s):
    device = TOTPDevice.objects.create(user=s.province_officer, name="a", confirmed=True)
    code = _code(device)
    assert services.otp_code_verify(actor=s.province_officer, code=code).device == device
    # the same code cannot be used twice
    assert not services.otp_code_verify(actor=s.province_officer, code=code).ok
    assert AuditEvent.objects.filter(action="otp.verified").count() == 1
    assert AuditEvent.objects.filter(action="otp.verify_failed").count() == 1


def test_verify_is_throttled_after_a_failure(s):
    device = TOTPDevice.objects.create(user=s.province_officer, name="a", confirmed=True)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    assert not services.otp_code_verify(actor=s.province_officer, code=wrong).ok
    outcome = services.otp_code_verify(actor=s.province_officer, code=_code(device))
    assert not outcome.ok
    assert outcome.locked_until is not None
    assert AuditEvent.objects.filter(action="otp.throttled").count() == 1


def test_backup_codes_work_once_and_are_regenerated(s):
    TOTPDevice.objects.create(user=s.province_officer, name="a", confirmed=True)
    codes = services.otp_backup_codes_regenerate(actor=s.province_officer)
    outcome = services.otp_code_verify(actor=s.province_officer, code=codes[0].upper())
    assert isinstance(outcome.device, StaticDevice)
    new_codes = services.otp_backup_codes_regenerate(actor=s.province_officer)
    assert not set(codes) & set(new_codes)
    assert StaticToken.objects.filter(device__user=s.province_officer).count() == 10


def test_backup_codes_need_an_authenticator_first(s):
    with pytest.raises(ValidationError):
        services.otp_backup_codes_regenerate(actor=s.commune_officer)


def test_otp_reset_by_a_manager_removes_the_devices(s):
    second = user_with_role(Role.PROVINCE_OFFICER, s.province)
    TOTPDevice.objects.create(user=second, name="a", confirmed=True)
    services.otp_devices_reset(actor=s.province_officer, user=second)
    assert not TOTPDevice.objects.filter(user=second).exists()
    assert AuditEvent.objects.get(action="otp.reset").orgunit == s.province
    with pytest.raises(PermissionDenied):
        services.otp_devices_reset(actor=s.province_officer, user=s.province_officer)


# --- user_update -------------------------------------------------------------------------------


def test_user_update_changes_the_fields_given_and_records_only_the_changes(s):
    # given a commune officer / when their chief changes the position
    target = s.commune_officer
    services.user_update(actor=s.commune_chief, user=target, position=" Phó trưởng ")
    # then only the position changed, trimmed, and one event says what changed
    target.refresh_from_db()
    assert target.position == "Phó trưởng"
    event = AuditEvent.objects.get(action="user.updated")
    assert event.changes["after"] == {"position": "Phó trưởng"}
    assert event.orgunit == s.commune
    # when nothing changes, then no event is added
    services.user_update(actor=s.commune_chief, user=target, position="Phó trưởng")
    assert AuditEvent.objects.filter(action="user.updated").count() == 1


def test_user_update_refuses_unknown_fields_and_users_out_of_reach(s):
    with pytest.raises(ValidationError) as exc:
        services.user_update(actor=s.province_officer, user=s.commune_officer, username="x")
    assert "username" in exc.value.message_dict
    # a user of another province, and a manager above the actor, are out of reach
    with pytest.raises(PermissionDenied):
        services.user_update(actor=s.commune_chief, user=s.far_officer, position="x")
    with pytest.raises((PermissionDenied, ValidationError)):
        services.user_update(actor=s.commune_chief, user=s.province_officer, position="x")
    assert not AuditEvent.objects.filter(action="user.updated").exists()


def test_user_update_refuses_a_bad_email_and_saves_nothing(s):
    with pytest.raises(ValidationError) as exc:
        services.user_update(actor=s.commune_chief, user=s.commune_officer, email="x@")
    assert "email" in exc.value.message_dict
    s.commune_officer.refresh_from_db()
    assert s.commune_officer.email != "x@"

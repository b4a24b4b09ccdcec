"""Writes of the accounts app: users, role assignments, API tokens and the second factor.

Invariants:
- Every function here is the only way its change is made; each runs in one transaction and
  records exactly one ``AuditEvent`` (an outcome of a code check — success, failure or
  throttling — is also one event, committed even when the code was wrong so that the
  device's throttling counter survives).
- A manager acts only on units where they hold ``MANAGE_USERS``, grants only roles in
  ``permissions.grantable_roles(manager)``, never changes their own roles or status, and
  never touches a user holding a role outside their scope (``PermissionDenied``; views turn
  it into a 404 so existence does not leak).
- API token secrets are returned once to the caller and never stored: only the SHA-256 hash
  and a short prefix are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from binhyen.accounts import permissions, selectors
from binhyen.accounts.models import ApiToken, Role, RoleAssignment, User
from binhyen.accounts.tokens import generate_secret, hash_secret, prefix_of
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record, model_snapshot

# An OrgUnit instance. accounts sits below orgunits, so the type cannot be imported here.
OrgUnitT = Any

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"
USER_FIELDS = ["username", "full_name", "email", "phone", "position", "is_active"]


# --- Rules shared by the user-administration services -------------------------------------


def _require_manageable(actor: Actor, user: User) -> None:
    if not selectors.user_is_manageable_by(actor, user):
        raise PermissionDenied(_("Bạn không có quyền quản lý người dùng này."))


def _require_not_self(actor: Actor, user: User) -> None:
    if actor.pk == user.pk:
        raise PermissionDenied(_("Bạn không thể tự thay đổi vai trò hoặc trạng thái của mình."))


def _require_unit(actor: Actor, orgunit: OrgUnitT) -> None:
    if orgunit is None or not permissions.has_perm_on(actor, permissions.MANAGE_USERS, orgunit):
        raise PermissionDenied(_("Bạn không có quyền quản lý người dùng tại đơn vị này."))


def _check_grant(actor: Actor, role: str, orgunit: OrgUnitT) -> None:
    """Raise if ``actor`` may not grant ``role`` on ``orgunit`` (scope first, then role)."""
    _require_unit(actor, orgunit)
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    if role not in permissions.grantable_roles(actor):
        raise ValidationError(
            {"role": _("Bạn không được cấp vai trò “%(role)s”.") % {"role": Role(role).label}}
        )
    if orgunit.valid_to is not None:
        raise ValidationError(
            {
                "orgunit": _("Đơn vị %(code)s đã giải thể; hãy chọn một đơn vị đang hoạt động.")
                % {"code": orgunit.code}
            }
        )


def _require_roles_grantable(actor: Actor, roles: Iterable[str]) -> None:
    """Refuse to act on roles above the manager's level: no revoking what one cannot grant."""
    allowed = permissions.grantable_roles(actor)
    above = sorted(set(roles) - allowed)
    if above:
        raise ValidationError(
            _("Bạn không được thay đổi người dùng giữ vai trò “%(role)s”.")
            % {"role": Role(above[0]).label}
        )


def _primary_unit(user: User) -> OrgUnitT:
    """Return the outermost unit the user holds a role on; user events are filed there."""
    assignments = list(RoleAssignment.objects.filter(user=user).select_related("orgunit"))
    if not assignments:
        return None
    return min((a.orgunit for a in assignments), key=lambda u: (len(u.path), u.path))


# --- Users and roles -----------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    full_name: str,
    email: str = "",
    phone: str = "",
    position: str = "",
    role: str,
    orgunit: OrgUnitT,
) -> User:
    """Create a user with a first role on a unit inside the manager's scope.

    A user is never created without a role: a role-less account would be invisible to every
    scoped manager and could not be looked after.
    """
    _check_grant(actor, role, orgunit)
    username = (username or "").strip()
    if username and User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("Tên đăng nhập “%(username)s” đã được dùng.") % {"username": username}}
        )
    user = User(
        username=username,
        full_name=(full_name or "").strip(),
        email=(email or "").strip(),
        phone=(phone or "").strip(),
        position=(position or "").strip(),
        is_active=True,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean()
    user.save()
    assignment = RoleAssignment(user=user, role=role, orgunit=orgunit, granted_by=actor)
    assignment.full_clean()
    assignment.save()
    audit_event_record(
        actor=actor,
        action="user.created",
        obj=user,
        orgunit=orgunit,
        after={**model_snapshot(user, USER_FIELDS), "role": role, "orgunit": orgunit.code},
    )
    return user


@transaction.atomic
def role_assignment_grant(
    *, actor: Actor, user: User, role: str, orgunit: OrgUnitT
) -> RoleAssignment:
    """Grant ``role`` on ``orgunit`` to a user the manager already looks after."""
    _require_not_self(actor, user)
    _require_manageable(actor, user)
    _check_grant(actor, role, orgunit)
    if RoleAssignment.objects.filter(user=user, role=role, orgunit=orgunit).exists():
        raise ValidationError(
            {
                "role": _("Người dùng đã có vai trò “%(role)s” tại %(unit)s.")
                % {"role": Role(role).label, "unit": orgunit.name}
            }
        )
    assignment = RoleAssignment(user=user, role=role, orgunit=orgunit, granted_by=actor)
    assignment.full_clean()
    assignment.save()
    permissions.clear_cache(user)
    audit_event_record(
        actor=actor,
        action="role.granted",
        obj=user,
        orgunit=orgunit,
        after={"role": role, "orgunit": orgunit.code, "assignment": assignment.pk},
    )
    return assignment


@transaction.atomic
def role_assignment_revoke(*, actor: Actor, assignment: RoleAssignment) -> None:
    """Revoke one role; the last role cannot be revoked (deactivate the account instead)."""
    user = assignment.user
    _require_not_self(actor, user)
    _require_manageable(actor, user)
    _require_unit(actor, assignment.orgunit)
    _require_roles_grantable(actor, [assignment.role])
    if not RoleAssignment.objects.filter(user=user).exclude(pk=assignment.pk).exists():
        raise ValidationError(
            _(
                "Đây là vai trò cuối cùng của người dùng. Hãy khóa tài khoản thay vì thu hồi "
                "vai trò."
            )
        )
    before = {"role": assignment.role, "orgunit": assignment.orgunit.code}
    orgunit = assignment.orgunit
    assignment.delete()
    permissions.clear_cache(user)
    audit_event_record(actor=actor, action="role.revoked", obj=user, orgunit=orgunit, before=before)


@transaction.atomic
def user_set_active(*, actor: Actor, user: User, is_active: bool) -> User:
    """Lock or unlock an account; locking ends API access too (tokens of inactive users fail)."""
    _require_not_self(actor, user)
    _require_manageable(actor, user)
    _require_roles_grantable(
        actor, RoleAssignment.objects.filter(user=user).values_list("role", flat=True)
    )
    if user.is_active == is_active:
        return user
    before = {"is_active": user.is_active}
    user.is_active = is_active
    user.full_clean()
    user.save(update_fields=["is_active"])
    audit_event_record(
        actor=actor,
        action="user.reactivated" if is_active else "user.deactivated",
        obj=user,
        orgunit=_primary_unit(user),
        before=before,
        after={"is_active": is_active},
    )
    return user


@transaction.atomic
def user_password_change(*, actor: Actor, password: str) -> User:
    """Change the signed-in user's own password (validated by the configured validators)."""
    user: User = actor
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    user.set_password(password)
    user.full_clean()
    user.save(update_fields=["password"])
    audit_event_record(actor=actor, action="auth.password_changed", obj=user)
    return user


# --- API tokens ----------------------------------------------------------------------------


class NewApiToken(NamedTuple):
    """A token just created, and its secret (shown once, never stored)."""

    token: ApiToken
    raw: str


@transaction.atomic
def api_token_create(*, actor: Actor, name: str) -> NewApiToken:
    """Create a token for ``actor``; return it with the raw secret, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Hãy đặt tên cho mã truy cập.")})
    if ApiToken.objects.filter(user=actor, name=name, revoked_at__isnull=True).exists():
        raise ValidationError({"name": _("Bạn đã có mã truy cập tên “%(name)s”.") % {"name": name}})
    raw = generate_secret()
    token = ApiToken(user=actor, name=name, prefix=prefix_of(raw), key_hash=hash_secret(raw))
    token.full_clean()
    token.save()
    audit_event_record(
        actor=actor,
        action="api_token.created",
        obj=token,
        after={"name": token.name, "prefix": token.prefix},
    )
    return NewApiToken(token, raw)


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens; it stops working at once."""
    if token.user_id != actor.pk:
        raise PermissionDenied(_("Không tìm thấy mã truy cập."))
    if token.revoked_at is not None:
        raise ValidationError(_("Mã truy cập này đã bị thu hồi."))
    token.revoked_at = timezone.now()
    token.full_clean()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_event_record(
        actor=actor,
        action="api_token.revoked",
        obj=token,
        before={"name": token.name, "prefix": token.prefix},
    )
    return token


# --- Second factor (TOTP and backup codes) -------------------------------------------------


@dataclass(frozen=True)
class OtpOutcome:
    """Result of checking a code: the device that accepted it, or why none did."""

    device: Device | None = None
    locked_until: datetime | None = None
    backup_codes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.device is not None


def _normalise_code(code: str) -> str:
    return "".join((code or "").split()).lower()


def _replace_backup_codes(user: User) -> list[str]:
    """Give ``user`` a fresh set of backup codes; older codes stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def totp_device_start(*, actor: Actor) -> TOTPDevice:
    """Return the actor's pending (unconfirmed) authenticator, creating it on first call.

    Reusing the pending device keeps the QR code stable when the set-up page is reloaded.
    Refused once a confirmed device exists: replacing it needs the current second factor or
    a manager's reset, never just the password.
    """
    if selectors.has_confirmed_totp(actor):
        raise ValidationError(_("Bạn đã thiết lập ứng dụng xác thực."))
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("pk").first()
    if device is not None:
        return device
    device = TOTPDevice(user=actor, name=TOTP_DEVICE_NAME, confirmed=False)
    device.full_clean()
    device.save()
    audit_event_record(actor=actor, action="otp.setup_started", obj=actor)
    return device


def _locked_until(device: Device) -> datetime | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    locked = (info or {}).get("locked_until")
    return locked if isinstance(locked, datetime) else timezone.now()


@transaction.atomic
def totp_device_confirm(
    *, actor: Actor, device: TOTPDevice, code: str, ip_address: str | None = None
) -> OtpOutcome:
    """Confirm a pending authenticator with a code from it and issue the backup codes."""
    if device.user_id != actor.pk:
        raise PermissionDenied(_("Không tìm thấy thiết bị xác thực."))
    if device.confirmed:
        raise ValidationError(_("Thiết bị này đã được xác nhận."))
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    locked = _locked_until(device)
    if locked is not None:
        audit_event_record(actor=actor, action="otp.throttled", obj=actor, ip_address=ip_address)
        return OtpOutcome(locked_until=locked)
    if not device.verify_token(_normalise_code(code)):
        audit_event_record(actor=actor, action="otp.setup_failed", obj=actor, ip_address=ip_address)
        return OtpOutcome()
    device.confirmed = True
    device.full_clean()
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    codes = _replace_backup_codes(actor)
    audit_event_record(actor=actor, action="otp.device_confirmed", obj=actor, ip_address=ip_address)
    return OtpOutcome(device=device, backup_codes=codes)


@transaction.atomic
def otp_code_verify(*, actor: Actor, code: str, ip_address: str | None = None) -> OtpOutcome:
    """Check a code from the authenticator (6 digits) or a backup code against the actor's devices.

    The format chooses the device kind, so a backup code never counts as a failed
    authenticator attempt (and the reverse). Failures are committed: the devices' own
    exponential back-off (``verify_is_allowed``) is what rate-limits guessing.
    """
    code = _normalise_code(code)
    model: type[TOTPDevice] | type[StaticDevice] = (
        TOTPDevice if re.fullmatch(r"[0-9]{6}", code) else StaticDevice
    )
    devices = list(
        model.objects.filter(user=actor, confirmed=True).select_for_update().order_by("pk")
    )
    locked: list[datetime] = []
    attempted = False
    for device in devices:
        until = _locked_until(device)
        if until is not None:
            locked.append(until)
            continue
        attempted = True
        if device.verify_token(code):
            action = "otp.verified" if model is TOTPDevice else "otp.backup_code_used"
            audit_event_record(actor=actor, action=action, obj=actor, ip_address=ip_address)
            return OtpOutcome(device=device)
    if locked and not attempted:
        audit_event_record(actor=actor, action="otp.throttled", obj=actor, ip_address=ip_address)
        return OtpOutcome(locked_until=min(locked))
    audit_event_record(actor=actor, action="otp.verify_failed", obj=actor, ip_address=ip_address)
    return OtpOutcome()


@transaction.atomic
def otp_backup_codes_regenerate(*, actor: Actor) -> list[str]:
    """Replace the actor's backup codes (e.g. after using several); return the new ones once."""
    if not selectors.has_confirmed_totp(actor):
        raise ValidationError(_("Hãy thiết lập ứng dụng xác thực trước."))
    codes = _replace_backup_codes(actor)
    audit_event_record(actor=actor, action="otp.backup_codes_regenerated", obj=actor)
    return codes


@transaction.atomic
def otp_devices_reset(*, actor: Actor, user: User) -> None:
    """Remove a user's authenticator and backup codes (lost phone); they set up again at sign-in."""
    _require_not_self(actor, user)
    _require_manageable(actor, user)
    _require_roles_grantable(
        actor, RoleAssignment.objects.filter(user=user).values_list("role", flat=True)
    )
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    audit_event_record(
        actor=actor,
        action="otp.reset",
        obj=user,
        orgunit=_primary_unit(user),
        before={"devices": removed},
    )


# --- Profile of a managed user ---------------------------------------------------------------

USER_PROFILE_FIELDS = ["full_name", "email", "phone", "position"]


@transaction.atomic
def user_update(*, actor: Actor, user: User, **fields: str) -> User:
    """Change a managed user's name, e-mail, phone or position; fields left out keep theirs.

    The rules are those of locking an account: the user must be wholly inside the manager's
    scope and hold no role above what the manager may grant.
    """
    unknown = sorted(set(fields) - set(USER_PROFILE_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: _("Trường này không sửa được.")})
    _require_manageable(actor, user)
    _require_roles_grantable(
        actor, RoleAssignment.objects.filter(user=user).values_list("role", flat=True)
    )
    before = model_snapshot(user, list(fields))
    for name, value in fields.items():
        setattr(user, name, (value or "").strip())
    after = model_snapshot(user, list(fields))
    if before == after:
        return user
    user.full_clean()
    user.save(update_fields=list(fields))
    audit_event_record(
        actor=actor,
        action="user.updated",
        obj=user,
        orgunit=_primary_unit(user),
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return user

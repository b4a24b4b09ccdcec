"""REST twin of the user-administration and audit pages, under /api/v1/accounts.

Users and role assignments:
- Only a caller holding ``MANAGE_USERS`` somewhere reaches these endpoints; anybody else,
  and any user the caller may not manage (a role outside their scope, a superuser), gets
  the same 404 as a missing user. Lists and details use the same rule
  (``selectors.users_manageable_by``), so no listed user leads to a 404.
- Input is checked by the page's own forms (username, phone, e-mail, password rules, role
  and unit in scope), then one service is called; a refusal answers 400 naming the field
  (``unit``, ``role``, ``password``…) and nothing is saved. Acting on one's own roles or
  status answers 400 with the reason, as the page does. Revoking a user's last role answers
  409 (lock the account instead).

Audit trail: readable with ``VIEW_AUDIT`` somewhere (else 404), scoped exactly as the audit
page (``selectors.audit_events_visible_to``), filtered by unit (with its subtree), actor,
action prefix and day range, newest first, paginated with ``limit``/``offset``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from binhyen.accounts import permissions, selectors, services
from binhyen.accounts.forms import PHONE_RE, AuditFilterForm, RoleGrantForm, UserCreateForm
from binhyen.accounts.models import RoleAssignment, User
from binhyen.accounts.views import ACTION_LABELS
from binhyen.core.api_kit import api_user

router = Router(tags=["accounts"])

# Form field → API field, for errors found by the page forms or the services.
FIELD_NAMES = {
    "unit_code": "unit",
    "orgunit": "unit",
    "password1": "password",
    "password2": "password",
}


# --- schemas ---------------------------------------------------------------------------------


class AccountErrorOut(Schema):
    message: str
    field: str | None = None


class AccountRoleAssignmentOut(Schema):
    id: int
    role: str
    role_label: str
    unit_code: str
    unit_name: str
    granted_by: str
    created_at: datetime


class AccountUserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    phone: str
    position: str
    is_active: bool
    last_login: datetime | None
    date_joined: datetime
    roles: list[AccountRoleAssignmentOut]


class AccountUserPageOut(Schema):
    count: int
    items: list[AccountUserOut]


class AccountUserQuery(Schema):
    q: str = Field("", max_length=100, description="Part of the username, full name or e-mail")
    status: Literal["", "active", "inactive"] = ""
    limit: int = Field(50, ge=1, le=settings.API_PAGE_SIZE_MAX)
    offset: int = Field(0, ge=0, le=10_000_000)


class AccountUserIn(Schema):
    username: str = Field(..., max_length=150)
    full_name: str = Field(..., max_length=150)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)
    position: str = Field("", max_length=120)
    password: str = Field(..., max_length=128, description="Initial password")
    role: str = Field(..., max_length=32, description="First role, e.g. commune_officer")
    unit: str = Field(..., max_length=32, description="Code of the unit of the first role")


class AccountUserPatchIn(Schema):
    """Fields to change; a field left out keeps its value, an empty string clears it."""

    full_name: str | None = Field(None, max_length=150)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=20)
    position: str | None = Field(None, max_length=120)


class AccountActiveIn(Schema):
    is_active: bool = Field(..., description="false locks the account (its tokens stop working)")


class AccountRoleGrantIn(Schema):
    role: str = Field(..., max_length=32)
    unit: str = Field(..., max_length=32, description="Unit code")


class AuditEventOut(Schema):
    id: int
    created_at: datetime
    actor: str
    action: str
    action_label: str
    object_type: str
    object_id: str
    object_repr: str
    unit_code: str | None
    unit_name: str | None
    changes: dict[str, Any]


class AuditEventPageOut(Schema):
    count: int
    items: list[AuditEventOut]


class AuditQuery(Schema):
    unit: str = Field("", max_length=32, description="Unit code; its subtree is included")
    action: str = Field("", max_length=80, description="Action prefix, e.g. user. or auth.login")
    actor: str = Field("", max_length=150, description="Part of the actor's username")
    date_from: date | None = Field(None, description="First day (inclusive)")
    date_to: date | None = Field(None, description="Last day (inclusive)")
    limit: int = Field(50, ge=1, le=settings.API_PAGE_SIZE_MAX)
    offset: int = Field(0, ge=0, le=10_000_000)


ERRORS: dict[int, Any] = {400: AccountErrorOut, 401: AccountErrorOut, 404: AccountErrorOut}
MAX_ID = 2**63 - 1


# --- helpers ---------------------------------------------------------------------------------


def _require_manager(user: Any) -> None:
    if not permissions.has_perm_anywhere(user, permissions.MANAGE_USERS):
        raise Http404(_("Không tìm thấy."))


def _managed_user(manager: Any, pk: int) -> User:
    """Return a user ``manager`` may manage, with roles loaded; anybody else is a 404."""
    _require_manager(manager)
    if not 0 < pk <= MAX_ID:
        raise Http404(_("Không tìm thấy người dùng."))
    user = (
        selectors.users_manageable_by(manager)
        .filter(pk=pk)
        .prefetch_related(_assignments_prefetch())
        .first()
    )
    if user is None:
        raise Http404(_("Không tìm thấy người dùng."))
    return user


def _assignments_prefetch() -> Prefetch:
    return Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.select_related("orgunit", "granted_by").order_by(
            "orgunit__path", "role"
        ),
    )


def _assignment_out(a: RoleAssignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "role": a.role,
        "role_label": str(a.get_role_display()),
        "unit_code": a.orgunit.code,
        "unit_name": a.orgunit.name,
        "granted_by": a.granted_by.username if a.granted_by else "",
        "created_at": a.created_at,
    }


def _user_out(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "position": user.position,
        "is_active": user.is_active,
        "last_login": user.last_login,
        "date_joined": user.date_joined,
        "roles": [_assignment_out(a) for a in user.role_assignments.all()],
    }


def _reload(manager: Any, user: User) -> dict[str, Any]:
    fresh = User.objects.prefetch_related(_assignments_prefetch()).get(pk=user.pk)
    return _user_out(fresh)


def _form_refused(form: Any) -> ValidationError:
    """Return the form's errors as one ValidationError keyed by API field names."""
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        key = FIELD_NAMES.get(name, name) if name != "__all__" else "__all__"
        errors.setdefault(key, []).extend(messages)
    return ValidationError(errors)


def _service_refused(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({FIELD_NAMES.get(k, k): v for k, v in exc.message_dict.items()})


def _act(manager: Any, target: User, action: Any) -> Any:
    """Call one service for a managed user: self-refusals are 400, others 404 (as the page)."""
    try:
        return action()
    except PermissionDenied as exc:
        if target.pk == manager.pk:
            return Status(400, {"message": str(exc), "field": None})
        raise Http404(_("Không tìm thấy người dùng.")) from exc
    except ValidationError as exc:
        raise _service_refused(exc) from exc


# --- users -----------------------------------------------------------------------------------


@router.get(
    "/users",
    response={200: AccountUserPageOut, 401: AccountErrorOut, 404: AccountErrorOut},
    summary="Users you manage: search by username, name or e-mail; active or locked",
)
def user_list(request: HttpRequest, filters: Query[AccountUserQuery]) -> Any:
    manager = api_user(request)
    _require_manager(manager)
    active = {"active": True, "inactive": False}.get(filters.status)
    users = selectors.user_list(manager, query=filters.q, active=active)
    page = users.prefetch_related(_assignments_prefetch())[
        filters.offset : filters.offset + filters.limit
    ]
    return {"count": users.count(), "items": [_user_out(u) for u in page]}


@router.post(
    "/users",
    response={201: AccountUserOut, 422: AccountErrorOut, **ERRORS},
    summary="Create a user with a first role on a unit you manage",
)
def user_create(request: HttpRequest, payload: AccountUserIn) -> Any:
    manager = api_user(request)
    _require_manager(manager)
    data = payload.dict()
    form = UserCreateForm(
        {
            **data,
            "password1": data["password"],
            "password2": data["password"],
            "unit_code": data["unit"],
        },
        manager=manager,
    )
    if not form.is_valid():
        raise _form_refused(form)
    clean = form.cleaned_data
    try:
        user = services.user_create(
            actor=manager,
            username=clean["username"],
            password=clean["password1"],
            full_name=clean["full_name"],
            email=clean["email"],
            phone=clean["phone"],
            position=clean["position"],
            role=clean["role"],
            orgunit=form.unit,
        )
    except PermissionDenied as exc:
        raise Http404(_("Không tìm thấy.")) from exc
    except ValidationError as exc:
        raise _service_refused(exc) from exc
    return Status(201, _reload(manager, user))


@router.get(
    "/users/{user_id}",
    response={
        200: AccountUserOut,
        401: AccountErrorOut,
        404: AccountErrorOut,
        422: AccountErrorOut,
    },
    summary="One user you manage, with their roles",
)
def user_detail(request: HttpRequest, user_id: int) -> Any:
    return _user_out(_managed_user(api_user(request), user_id))


@router.patch(
    "/users/{user_id}",
    response={200: AccountUserOut, 422: AccountErrorOut, **ERRORS},
    summary="Change a user's name, e-mail, phone or position (only the fields sent)",
)
def user_update(request: HttpRequest, user_id: int, payload: AccountUserPatchIn) -> Any:
    manager = api_user(request)
    target = _managed_user(manager, user_id)
    fields = {k: (v or "").strip() for k, v in payload.dict(exclude_unset=True).items()}
    if fields.get("full_name") == "":
        raise ValidationError({"full_name": _("Họ và tên không được để trống.")})
    if fields.get("phone") and not PHONE_RE.match(fields["phone"]):
        raise ValidationError(
            {"phone": _("Số điện thoại chỉ gồm chữ số (có thể bắt đầu bằng +), từ 8 đến 20 ký tự.")}
        )
    if fields.get("email"):
        try:
            validate_email(fields["email"])
        except ValidationError as exc:
            raise ValidationError({"email": exc.messages}) from exc
    result = _act(
        manager, target, lambda: services.user_update(actor=manager, user=target, **fields)
    )
    return result if isinstance(result, Status) else _reload(manager, target)


@router.post(
    "/users/{user_id}/active",
    response={200: AccountUserOut, 422: AccountErrorOut, **ERRORS},
    summary="Lock (is_active false) or unlock an account",
)
def user_set_active(request: HttpRequest, user_id: int, payload: AccountActiveIn) -> Any:
    manager = api_user(request)
    target = _managed_user(manager, user_id)
    result = _act(
        manager,
        target,
        lambda: services.user_set_active(actor=manager, user=target, is_active=payload.is_active),
    )
    return result if isinstance(result, Status) else _reload(manager, target)


@router.post(
    "/users/{user_id}/otp-reset",
    response={200: AccountUserOut, 422: AccountErrorOut, **ERRORS},
    summary="Remove a user's second factor (lost phone); they set it up again at sign-in",
)
def user_otp_reset(request: HttpRequest, user_id: int) -> Any:
    manager = api_user(request)
    target = _managed_user(manager, user_id)
    result = _act(manager, target, lambda: services.otp_devices_reset(actor=manager, user=target))
    return result if isinstance(result, Status) else _reload(manager, target)


# --- role assignments ------------------------------------------------------------------------


@router.get(
    "/users/{user_id}/roles",
    response={
        200: list[AccountRoleAssignmentOut],
        401: AccountErrorOut,
        404: AccountErrorOut,
        422: AccountErrorOut,
    },
    summary="A managed user's role assignments",
)
def role_list(request: HttpRequest, user_id: int) -> Any:
    target = _managed_user(api_user(request), user_id)
    return [_assignment_out(a) for a in target.role_assignments.all()]


@router.post(
    "/users/{user_id}/roles",
    response={201: AccountRoleAssignmentOut, 422: AccountErrorOut, **ERRORS},
    summary="Grant a role on a unit you manage",
)
def role_grant(request: HttpRequest, user_id: int, payload: AccountRoleGrantIn) -> Any:
    manager = api_user(request)
    target = _managed_user(manager, user_id)
    form = RoleGrantForm({"role": payload.role, "unit_code": payload.unit}, manager=manager)
    if not form.is_valid():
        raise _form_refused(form)
    result = _act(
        manager,
        target,
        lambda: services.role_assignment_grant(
            actor=manager, user=target, role=form.cleaned_data["role"], orgunit=form.unit
        ),
    )
    if isinstance(result, Status):
        return result
    assignment = RoleAssignment.objects.select_related("orgunit", "granted_by").get(pk=result.pk)
    return Status(201, _assignment_out(assignment))


@router.delete(
    "/users/{user_id}/roles/{assignment_id}",
    response={204: None, 409: AccountErrorOut, 422: AccountErrorOut, **ERRORS},
    summary="Revoke one role (the last one cannot be revoked: lock the account instead)",
)
def role_revoke(request: HttpRequest, user_id: int, assignment_id: int) -> Any:
    manager = api_user(request)
    target = _managed_user(manager, user_id)
    assignment = next((a for a in target.role_assignments.all() if a.pk == assignment_id), None)
    if assignment is None:
        raise Http404(_("Không tìm thấy."))
    try:
        result = _act(
            manager,
            target,
            lambda: services.role_assignment_revoke(actor=manager, assignment=assignment),
        )
    except ValidationError as exc:
        if not RoleAssignment.objects.filter(user=target).exclude(pk=assignment.pk).exists():
            return Status(409, {"message": " ".join(exc.messages), "field": None})
        raise
    return result if isinstance(result, Status) else Status(204, None)


# --- audit trail -----------------------------------------------------------------------------


AUDIT_DAYS = (date(1900, 1, 1), date(2999, 12, 31))


def _within(day: date | None) -> date | None:
    """Bring a filter day into the years an event can have (no overflow at the far ends)."""
    return None if day is None else min(max(day, AUDIT_DAYS[0]), AUDIT_DAYS[1])


@router.get(
    "/audit",
    response={200: AuditEventPageOut, 422: AccountErrorOut, **ERRORS},
    summary="The audit trail you may read: filter by unit, actor, action and days",
)
def audit_list(request: HttpRequest, filters: Query[AuditQuery]) -> Any:
    """Newest first; ``unit`` outside your audit scope answers 400 naming ``unit``."""
    reader = api_user(request)
    if not permissions.has_perm_anywhere(reader, permissions.VIEW_AUDIT):
        raise Http404(_("Không tìm thấy."))
    raw = filters.dict(exclude={"limit", "offset"})
    form = AuditFilterForm(
        {k: (v.isoformat() if isinstance(v, date) else v) for k, v in raw.items() if v},
        reader=reader,
    )
    if not form.is_valid():
        raise _form_refused(form)
    data = form.cleaned_data
    events = selectors.audit_events_visible_to(
        reader,
        unit=form.unit_obj,
        action=data.get("action", ""),
        actor=data.get("actor", ""),
        date_from=_within(data.get("date_from")),
        date_to=_within(data.get("date_to")),
    )
    page = events[filters.offset : filters.offset + filters.limit]
    return {
        "count": events.count(),
        "items": [
            {
                "id": e.pk,
                "created_at": e.created_at,
                "actor": e.actor_label,
                "action": e.action,
                "action_label": str(ACTION_LABELS.get(e.action, e.action)),
                "object_type": e.object_type,
                "object_id": e.object_id,
                "object_repr": e.object_repr,
                "unit_code": e.orgunit.code if e.orgunit else None,
                "unit_name": e.orgunit.name if e.orgunit else None,
                "changes": e.changes if isinstance(e.changes, dict) else {"value": e.changes},
            }
            for e in page
        ],
    }

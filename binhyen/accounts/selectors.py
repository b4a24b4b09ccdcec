"""Reads of the accounts app, always scoped to the requesting user.

Invariants:
- A manager sees exactly the users they may manage: at least one role inside their
  MANAGE_USERS scope and none outside it (superusers see everyone). The list and the detail
  page use the same rule, so no listed user leads to a 404.
- The audit trail shows events filed on units inside the reader's VIEW_AUDIT scope, plus
  unit-less events (sign-ins, second factor, tokens) about or by users wholly inside that
  scope. Superusers see everything.
- ``OrgUnit`` is reached through the app registry: accounts sits below orgunits.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from binhyen.accounts import permissions
from binhyen.accounts.models import ApiToken, RoleAssignment, User
from binhyen.core.models import AuditEvent, WebhookDelivery, WebhookSubscription
from binhyen.core.search import text_search
from binhyen.core.text import fold

UNIT_LOOKUP_LIMIT = 20


def has_confirmed_totp(user: Any) -> bool:
    """Return True if ``user`` has a confirmed authenticator app (TOTP device)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def user_is_manageable_by(manager: Any, user: User) -> bool:
    """Return True if every role ``user`` holds lies inside ``manager``'s MANAGE_USERS scope.

    A user without any role, or a superuser, can be managed only by a superuser: a scoped
    manager would otherwise act on someone nobody below the top is responsible for.
    """
    if permissions.is_superadmin(manager):
        return True
    if user.is_superuser:
        return False
    paths = permissions.scope_paths(manager, permissions.MANAGE_USERS)
    if not paths:
        return False
    unit_paths = list(
        RoleAssignment.objects.filter(user=user).values_list("orgunit__path", flat=True)
    )
    return bool(unit_paths) and all(any(p.startswith(s) for s in paths) for p in unit_paths)


def _orgunit_model() -> Any:
    return apps.get_model("orgunits", "OrgUnit")


def _paths_q(paths: list[str], field: str = "orgunit__path") -> Q:
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def users_within(paths: list[str]) -> QuerySet[User]:
    """Users with at least one role under ``paths`` and none elsewhere (never superusers)."""
    if not paths:
        return User.objects.none()
    inside = _paths_q(paths)
    return (
        User.objects.filter(
            pk__in=RoleAssignment.objects.filter(inside).values("user_id"), is_superuser=False
        )
        .exclude(pk__in=RoleAssignment.objects.exclude(inside).values("user_id"))
        .order_by("username")
    )


def users_manageable_by(user: Any) -> QuerySet[User]:
    """Users ``user`` may manage (see the module invariants)."""
    if permissions.is_superadmin(user):
        return User.objects.order_by("username")
    return users_within(permissions.scope_paths(user, permissions.MANAGE_USERS))


def user_list(user: Any, *, query: str = "", active: bool | None = None) -> QuerySet[User]:
    """Manageable users matching ``query`` (username, full name or e-mail)."""
    users = users_manageable_by(user)
    query = (query or "").strip()
    if query:
        users = text_search(users, query, ["username", "full_name", "email"])
    if active is not None:
        users = users.filter(is_active=active)
    return users


def assignments_of(user: User) -> QuerySet[RoleAssignment]:
    """The user's role assignments with their units, outermost unit first."""
    return (
        RoleAssignment.objects.filter(user=user)
        .select_related("orgunit", "granted_by")
        .order_by("orgunit__path", "role")
    )


def api_tokens_of(user: Any) -> QuerySet[ApiToken]:
    """The user's own working tokens (revoked ones stay in the table for the audit trail)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def units_for_management(user: Any, query: str = "", limit: int = UNIT_LOOKUP_LIMIT) -> list[Any]:
    """Open units on which ``user`` may manage users, matching a code or a name (for the picker)."""
    units = _orgunit_model().objects.visible_to(user).current()
    if not permissions.is_superadmin(user):
        paths = permissions.scope_paths(user, permissions.MANAGE_USERS)
        if not paths:
            return []
        units = units.filter(_paths_q(paths, "path"))
    query = (query or "").strip()
    if query:
        units = units.filter(Q(code__istartswith=query) | Q(name_folded__contains=fold(query)))
    return list(units.order_by("level", "path")[:limit])


def manageable_unit_by_code(user: Any, code: str) -> Any:
    """Return the unit with ``code`` if ``user`` may manage users on it, else None."""
    code = (code or "").strip()
    if not code:
        return None
    unit = _orgunit_model().objects.visible_to(user).filter(code=code).first()
    if unit is None or not permissions.has_perm_on(user, permissions.MANAGE_USERS, unit):
        return None
    return unit


def audit_unit_by_code(user: Any, code: str) -> Any:
    """Return the unit with ``code`` if ``user`` may read its audit trail, else None."""
    code = (code or "").strip()
    if not code:
        return None
    unit = _orgunit_model().objects.visible_to(user).filter(code=code).first()
    if unit is None or not permissions.has_perm_on(user, permissions.VIEW_AUDIT, unit):
        return None
    return unit


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events_visible_to(
    user: Any,
    *,
    unit: Any = None,
    action: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events ``user`` may read, newest first, narrowed by the optional filters.

    ``unit`` limits to events filed on that unit's subtree; ``action`` matches a prefix
    (``user.`` finds every user event); ``actor`` matches part of the username; the dates are
    inclusive days in the site's time zone.
    """
    events = AuditEvent.objects.select_related("orgunit")
    if not permissions.is_superadmin(user):
        paths = permissions.scope_paths(user, permissions.VIEW_AUDIT)
        if not paths:
            return AuditEvent.objects.none()
        people = users_within(paths)
        people_ids = people.annotate(sid=Cast("pk", output_field=CharField())).values("sid")
        about_people = Q(orgunit__isnull=True) & (
            Q(object_type=User._meta.label, object_id__in=people_ids)
            | Q(actor_id__in=people.values("pk"))
        )
        events = events.filter(_paths_q(paths) | about_people)
    if unit is not None:
        events = events.filter(orgunit__path__startswith=unit.path)
    action = (action or "").strip()
    if action:
        events = events.filter(action__startswith=action)
    actor = (actor or "").strip()
    if actor:
        events = text_search(events, actor, ["actor_label"])
    if date_from is not None:
        events = events.filter(created_at__gte=_day_start(date_from))
    if date_to is not None:
        events = events.filter(created_at__lt=_day_start(date_to + timedelta(days=1)))
    return events.order_by("-created_at", "-id")


# --- integrations (webhooks) ---------------------------------------------------------------


def webhook_subscriptions_for(user: Any) -> QuerySet[WebhookSubscription]:
    """Every webhook for holders of ``MANAGE_INTEGRATIONS`` (national settings), none otherwise."""
    if not permissions.has_perm_anywhere(user, permissions.MANAGE_INTEGRATIONS):
        return WebhookSubscription.objects.none()
    return WebhookSubscription.objects.order_by("name", "id")


def webhook_deliveries_for(
    user: Any, subscription: WebhookSubscription
) -> QuerySet[WebhookDelivery]:
    """The deliveries of one subscription the user may manage, newest first, with attempts."""
    return (
        WebhookDelivery.objects.filter(
            subscription__in=webhook_subscriptions_for(user), subscription=subscription
        )
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-id")
    )


def webhook_delivery_for(user: Any, delivery_id: int) -> WebhookDelivery | None:
    return (
        WebhookDelivery.objects.filter(subscription__in=webhook_subscriptions_for(user))
        .filter(pk=delivery_id)
        .select_related("subscription")
        .first()
    )

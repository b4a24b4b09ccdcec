"""Notifications: messages to users inside the product, by e-mail where configured (ADR 0020).

A notification stores a message key and its parameters, not a frozen text: the app that
sends it registers the message once (``notification_messages.register`` in its
``AppConfig.ready()``), and the title and body are rendered in the reader's language when
the list, the to-do home or the e-mail is built.

Invariants:
- Parameters are names of units, forms and periods and dates: never personal data of tips,
  cases or citizens (docs/privacy.md). ``notifications_send`` refuses anything but short
  strings and numbers.
- A user reads and marks only their own notifications; anybody else's is a 404.
- E-mail leaves only through the task worker, after the sending transaction commits, and only
  when ``EMAIL_HOST`` is set; a recipient without an e-mail address is skipped. A notification
  is e-mailed at most once (``emailed_at``), so a repeated task sends nothing twice.
- The unread count costs one query per request, whatever the number of templates asking.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from binhyen.core.actors import Actor
from binhyen.core.formats import format_date, period_label
from binhyen.core.models import Notification, NotificationKind
from binhyen.core.services import audit_event_record
from binhyen.core.todo import Severity, TodoItem

logger = logging.getLogger(__name__)

PARAM_MAX_LENGTH = 200


@dataclass(frozen=True)
class Message:
    """A registered message: gettext-lazy templates filled with ``%(name)s`` parameters.

    Parameter names with a meaning: ``period`` (a period code, shown as its label) and names
    ending in ``_date`` (an ISO date, shown in the reader's date format).
    """

    title: Promise | str
    body: Promise | str


class MessageRegistry:
    """Messages by key (``<app>.<what>``); one process-wide registry filled at start-up."""

    def __init__(self) -> None:
        self._messages: dict[str, Message] = {}

    def register(self, key: str, message: Message) -> None:
        self._messages[key] = message

    def get(self, key: str) -> Message | None:
        return self._messages.get(key)


notification_messages = MessageRegistry()


def _shown(name: str, value: Any) -> Any:
    if name == "period" and isinstance(value, str):
        return period_label(value) or value
    if name.endswith("_date") and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    return value


def render(notification: Notification) -> tuple[str, str]:
    """Return the title and body of ``notification`` in the active language."""
    message = notification_messages.get(notification.message)
    if message is None:
        return _("Thông báo"), ""
    params = {k: _shown(k, v) for k, v in (notification.params or {}).items()}
    try:
        return str(message.title) % params, str(message.body) % params
    except (KeyError, TypeError, ValueError):  # a message changed under stored parameters
        return str(message.title), ""


# --- reads ----------------------------------------------------------------------------------


def notifications_for(user: Any) -> QuerySet[Notification]:
    """Return ``user``'s notifications, newest first (nobody else's, ever)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    """Return how many notifications ``user`` has not read; one query, cached on the user."""
    if not getattr(user, "is_authenticated", False):
        return 0
    cached = getattr(user, "_binhyen_unread_notifications", None)
    if cached is None:
        cached = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        user._binhyen_unread_notifications = cached
    return int(cached)


def unread_reminders(user: Any) -> int:
    """Return how many unread reminders ``user`` has (the to-do home's line)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(
        recipient=user, read_at__isnull=True, kind=NotificationKind.REMINDER
    ).count()


def notification_get(*, user: Any, pk: int) -> Notification:
    """Return ``user``'s notification ``pk``; anybody else's raises ``DoesNotExist`` (a 404)."""
    return notifications_for(user).get(pk=pk)


def last_sent(*, message: str, orgunit_ids: Iterable[int], match: dict[str, Any]) -> dict[int, Any]:
    """Return unit id → when ``message`` with parameters ``match`` was last sent about it."""
    rows = (
        Notification.objects.filter(message=message, orgunit_id__in=list(orgunit_ids))
        .filter(**{f"params__{k}": v for k, v in match.items()})
        .order_by("orgunit_id", "-created_at")
        .values_list("orgunit_id", "created_at")
    )
    found: dict[int, Any] = {}
    for unit_id, created in rows:
        found.setdefault(unit_id, created)
    return found


# --- writes ---------------------------------------------------------------------------------


def _clean_params(params: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValidationError(
                _("Tham số '%(k)s' của thông báo phải là chữ hoặc số.") % {"k": key}
            )
        if isinstance(value, str) and len(value) > PARAM_MAX_LENGTH:
            raise ValidationError(_("Tham số '%(k)s' của thông báo quá dài.") % {"k": key})
        cleaned[key] = value
    return cleaned


def notifications_send(
    *,
    recipients: Iterable[Any],
    message: str,
    params: dict[str, Any],
    link: str = "",
    orgunit: Any = None,
    kind: str = NotificationKind.REMINDER,
) -> list[Notification]:
    """Create one notification per recipient; e-mail them after commit where configured.

    Part of the calling service's write: it runs inside that service's transaction and the
    caller records the one audit event (with counts) for the whole action.
    """
    if notification_messages.get(message) is None:
        raise ValueError(f"unregistered notification message {message!r}")
    cleaned = _clean_params(params)
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            message=message,
            params=cleaned,
            link=link[:300],
            orgunit=orgunit,
        )
        for user in recipients
    ]
    for row in rows:
        row.full_clean(exclude=["recipient", "orgunit"])
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None]
    if ids and email_configured():
        ids_to_mail = [n.pk for n in created if n.recipient.email and n.pk is not None]
        if ids_to_mail:
            transaction.on_commit(lambda: notifications_email.enqueue(ids_to_mail))
    return created


@transaction.atomic
def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    """Mark one of ``actor``'s notifications read (reading twice changes nothing)."""
    if notification.recipient_id != actor.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
        audit_event_record(actor=actor, action="notification.read", obj=notification)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: Actor) -> int:
    """Mark every unread notification of ``actor`` read; return how many changed."""
    changed = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now(), updated_at=timezone.now()
    )
    if changed:
        audit_event_record(actor=actor, action="notification.read_all", after={"count": changed})
    return changed


# --- e-mail ---------------------------------------------------------------------------------


def email_configured() -> bool:
    """Return True when the deployment set ``EMAIL_HOST`` (else no e-mail is ever sent)."""
    return bool(getattr(settings, "EMAIL_HOST_CONFIGURED", False))


def _email_text(notification: Notification) -> tuple[str, str]:
    title, body = render(notification)
    link = notification.link
    if link:
        base = getattr(settings, "SITE_URL", "").rstrip("/")
        body = f"{body}\n\n{base}{link}" if body else f"{base}{link}"
    return title, body


@task()
def notifications_email(notification_ids: list[int]) -> int:
    """Send the e-mail of each notification not yet e-mailed; return how many were sent.

    Runs on a worker. A recipient without an address is skipped; a failed send is logged
    (without the address) and left for no retry: the notification is in the product anyway.
    """
    if not email_configured():
        return 0
    sent = 0
    rows = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient")
    with translation.override(settings.LANGUAGE_CODE):
        for notification in rows:
            address = notification.recipient.email
            if not address or not notification.recipient.is_active:
                continue
            subject, body = _email_text(notification)
            try:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
            except Exception:  # an unreachable server must not fail the rest
                logger.exception("notification %s: e-mail not sent", notification.pk)
                continue
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


# --- the to-do home -------------------------------------------------------------------------


class RemindersTodo:
    """The to-do home's line for unread reminders (one count query)."""

    key = "core.reminders"

    def items(self, user: Any) -> Iterable[TodoItem]:
        count = unread_reminders(user)
        if not count:
            return []
        return [
            TodoItem(
                key=self.key,
                title=ngettext("%(n)s lời nhắc chưa đọc", "%(n)s lời nhắc chưa đọc", count)
                % {"n": count},
                url=reverse("core:notifications"),
                count=count,
                severity=Severity.OPEN,
                group=_("Thông báo"),
            )
        ]

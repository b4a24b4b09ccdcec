"""Audit receivers for authentication events (login success, failure, logout).

Signals are used only because Django's auth views emit them; no business logic lives here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from binhyen.core.services import audit_event_record


def _ip(request: Any) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_event_record(actor=user, action="auth.login", obj=user, ip_address=_ip(request))


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_event_record(actor=user, action="auth.logout", obj=user, ip_address=_ip(request))


@receiver(user_login_failed)
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_event_record(
        actor=None,
        action="auth.login_failed",
        after={"username": username},
        ip_address=_ip(request),
    )

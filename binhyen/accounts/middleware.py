"""Enforce the second factor for roles that require it, before any page is served."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from binhyen.accounts.permissions import requires_two_factor

_ALWAYS_ALLOWED = ("/static/", "/media/", "/i18n/", "/healthz", "/api/")


class RequireTwoFactorMiddleware:
    """Redirect signed-in users who need TOTP to set it up or verify it.

    The API is excluded here because its own session authentication refuses unverified
    sessions (``VerifiedSessionAuth``); tokens are the non-interactive path.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_ALWAYS_ALLOWED)
            and requires_two_factor(user)
            and not user.is_verified()
        ):
            allowed = {
                reverse("accounts:otp_verify"),
                reverse("accounts:otp_setup"),
                reverse("accounts:logout"),
            }
            if request.path not in allowed:
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:otp_verify')}?{query}")
        return self.get_response(request)


__all__ = ["RequireTwoFactorMiddleware", "settings"]

"""Authentication for the REST API: bearer tokens or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from binhyen.accounts.models import ApiToken
from binhyen.accounts.permissions import requires_two_factor
from binhyen.accounts.tokens import hash_secret


def _user_for_token(raw: str) -> Any:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_secret(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        # Throttle the write: one update a minute per token is enough for "last used".
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer by_xxxx_...``"""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = _user_for_token(token)
        if user is not None:
            request.user = user
        return user


class TokenHeaderAuth(APIKeyHeader):
    """``X-API-Key: by_xxxx_...`` for clients that cannot set a bearer header."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        user = _user_for_token(key)
        if user is not None:
            request.user = user
        return user


class VerifiedSessionAuth(SessionAuth):
    """Session auth that also requires the second factor where the user's roles demand it."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if requires_two_factor(user) and not getattr(user, "is_verified", lambda: False)():
            return None
        return user


API_AUTH = [TokenAuth(), TokenHeaderAuth(), VerifiedSessionAuth()]

"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from binhyen.core.notifications import unread_count


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "DEBUG": settings.DEBUG,
    }


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count, computed only if a template shows it (one query, cached)."""
    user = getattr(request, "user", None)
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}

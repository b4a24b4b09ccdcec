"""Who may see the operations pages (schedule, queue, detailed health).

Operators of the deployment: active superusers and active staff users (the people who
sign in to Django's admin). Everyone else gets 404, like any page they may not see.
"""

from __future__ import annotations

from typing import Any


def can_view_operations(user: Any) -> bool:
    """Return True if ``user`` may see the operations status and the detailed health."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.is_staff)
    )

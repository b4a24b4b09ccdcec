"""Template filters over the access model, so that pages show only what the user may open.

Invariant: a link a filter hides is exactly a link whose target would answer 404 to the user;
the decision is ``binhyen.accounts.permissions``'s, never the template's.
"""

from __future__ import annotations

from typing import Any

from django import template

from binhyen.accounts import permissions

register = template.Library()


@register.filter
def holds(user: Any, perm: str) -> bool:
    """Return True if ``user`` holds ``perm`` on at least one unit: ``user|holds:"tips.triage"``."""
    return permissions.has_perm_anywhere(user, perm)

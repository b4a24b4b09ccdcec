"""Template filter for the navigation: show the cases menu only to who may open a case.

Invariant: the link is shown exactly when ``cases:list`` would not answer 404
(``binhyen.cases.permissions.can_use_cases``).
"""

from __future__ import annotations

from typing import Any

from django import template

from binhyen.cases import permissions

register = template.Library()


@register.filter
def uses_cases(user: Any) -> bool:
    """Return True if ``user`` is a case chief of a commune or assigned to a case."""
    return permissions.can_use_cases(user)

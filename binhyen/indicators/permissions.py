"""Who may do what with indicators; every rule is built on ``binhyen.accounts.permissions``.

- Reading numbers: the unit must be in ``OrgUnit.objects.visible_to(user)`` (selectors).
- Entering values and submitting a unit's report: ``ENTER_DATA`` on that unit, or, for a
  closed pre-reform unit, on a current unit its lineage reaches (history of one's scope,
  ``binhyen.orgunits.history.can_record``; the period must start in the unit's lifetime;
  province officers hold it for their province's pre-reform units only).
- Approving, returning and reopening a report: ``APPROVE_REPORTS`` on the *parent* of the
  submitting unit (the province approves its communes, the ministry its provinces), so
  nobody approves their own unit's report.
- Editing the catalogue (metrics, forms, rules): ``MANAGE_METRICS`` anywhere.
"""

from __future__ import annotations

from typing import Any

from binhyen.accounts import permissions as perms
from binhyen.orgunits import history


def can_enter_data(user: Any, unit: Any) -> bool:
    return history.can_record(user, perms.ENTER_DATA, unit)


def can_review(user: Any, unit: Any) -> bool:
    """Return True if ``user`` may approve, return or reopen reports of ``unit``."""
    parent = getattr(unit, "parent", None)
    if parent is None:
        return perms.is_superadmin(user)
    if getattr(unit, "valid_to", None) is not None:  # history: the parent as it is now
        return history.can_record(user, perms.APPROVE_REPORTS, parent)
    return perms.has_perm_on(user, perms.APPROVE_REPORTS, parent)


def can_manage_metrics(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.MANAGE_METRICS)


def can_enter_anywhere(user: Any) -> bool:
    if perms.has_perm_anywhere(user, perms.ENTER_DATA):
        return True
    return (
        perms.has_history_perm_anywhere(user, perms.ENTER_DATA)
        and history.recordable_predecessors(user, perms.ENTER_DATA).exists()
    )


def can_review_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.APPROVE_REPORTS)

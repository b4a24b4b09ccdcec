"""Who may do what in emulation and rewards; built on ``binhyen.accounts.permissions``.

The awards app adds no role: it reads the permissions the roles already carry.

- Reading: a drive, review, proposal or reward is read by whoever sees its unit
  (``OrgUnit.objects.visible_to``); a catalogue row by whoever sees its province (national
  rows: every user with a role). Anything else is answered as missing (404).
- ``MANAGE_COMMUNITY`` (commune chief and officer, province officer) or ``MANAGE_TARGETS``
  (ministry officer) on a unit launches its drives, records registrations, opens and fills
  its year-end review and drafts its reward proposals.
- Acting *at a level* (the chief deciding the commune's review, a level forwarding,
  returning or deciding a proposal, the upper level approving a review): ``DECIDE`` held on
  that very unit — a role on the province acts at the province, never in a commune's place.
- Catalogue: ``MANAGE_PROGRAMS`` held on the province edits its rows; national rows only
  from a role on the country (ministry officer, system admin).
- Tipster rewards: ``TRIAGE_TIPS`` on the tip's unit proposes one; the same permission on
  the proposer's unit hands it over at the counter.
"""

from __future__ import annotations

from typing import Any

from binhyen.accounts import permissions as perms


def _any(user: Any, unit: Any, *names: str) -> bool:
    return any(perms.has_perm_on(user, name, unit) for name in names)


def can_manage(user: Any, unit: Any) -> bool:
    """Return True if ``user`` may launch drives, review and draft proposals of ``unit``."""
    return _any(user, unit, perms.MANAGE_COMMUNITY, perms.MANAGE_TARGETS)


def can_manage_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.MANAGE_COMMUNITY) or perms.has_perm_anywhere(
        user, perms.MANAGE_TARGETS
    )


def acting_paths(user: Any) -> list[str]:
    """Return the unit paths where ``user`` acts as that level (``DECIDE`` held there)."""
    return [
        a.orgunit.path
        for a in perms._assignments(user)
        if perms.DECIDE in perms.ROLE_PERMISSIONS.get(a.role, ())
    ]


def can_act_at(user: Any, unit: Any) -> bool:
    """Return True if ``user`` acts for the level of ``unit`` (decides, forwards, approves)."""
    if unit is None:
        return False
    if perms.is_superadmin(user):
        return True
    return unit.path in acting_paths(user)


def can_edit_catalogue(user: Any, province: Any, country: Any) -> bool:
    """Return True if ``user`` may edit rows of ``province`` (None: the national rows)."""
    target = province if province is not None else country
    if target is None:
        return False
    if province is None:
        return perms.is_superadmin(user) or target.path in perms.scope_paths(
            user, perms.MANAGE_PROGRAMS
        )
    return perms.has_perm_on(user, perms.MANAGE_PROGRAMS, target)


def can_edit_catalogue_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.MANAGE_PROGRAMS)


def can_reward_tips(user: Any, unit: Any) -> bool:
    """Return True if ``user`` may propose a tipster's reward or hand one over at ``unit``."""
    return perms.has_perm_on(user, perms.TRIAGE_TIPS, unit)


def can_hand_over_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.TRIAGE_TIPS)

"""Who may read and do what with reintegration cases: the strictest rules of Bình Yên.

Built only on ``binhyen.accounts.permissions`` (rule 12 of its docstring):

- A case is visible only inside its commune, and only to
  * the commune chief: ``MANAGE_CASES`` held by a role assigned on that very commune (a role
    on the province or the country does not count, and superusers get nothing either), and
  * the users assigned to the case as officer or helper (an active ``Helper`` row with a
    ``user``), as long as they still hold a role on the commune or inside it.
- Everyone else (province, ministry, system administrators, other commune users) gets 404:
  they see the case figures through the indicators engine, never a case.
- Managing (assign, close, hand over, data-subject requests, export, access history) needs
  the chief; recording plan tasks, contacts, reviews and outcomes needs read access.
- Revealing the identity number or the judgment details needs ``REVEAL_CASE_FIELDS`` of the
  chief, or ``Helper.can_reveal`` granted by the chief; each reveal is logged.
- Accepting a handover needs ``MANAGE_CASES`` on the receiving commune.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from binhyen.accounts import permissions as perms
from binhyen.accounts.models import Role
from binhyen.orgunits.models import UnitKind

if TYPE_CHECKING:
    from binhyen.cases.models import Case
    from binhyen.orgunits.models import OrgUnit


def chief_paths(user: Any, perm: str = perms.MANAGE_CASES) -> set[str]:
    """Return the paths of the units on which ``user`` holds ``perm`` (no superuser shortcut)."""
    return set(perms.scope_paths(user, perm))


def is_chief(user: Any, unit: OrgUnit | None, perm: str = perms.MANAGE_CASES) -> bool:
    """Return True if ``user`` holds ``perm`` by a role assigned on the commune ``unit``."""
    return (
        unit is not None and unit.kind == UnitKind.COMMUNE and unit.path in chief_paths(user, perm)
    )


def works_in(user: Any, unit: OrgUnit) -> bool:
    """Return True if ``user`` holds a role on ``unit`` or on a unit inside it."""
    return any(path.startswith(unit.path) for path in perms.scope_paths(user, perms.VIEW_UNITS))


def can_read(user: Any, case: Case) -> bool:
    """Return True if ``user`` may open ``case`` (chief of its commune or assigned user)."""
    if is_chief(user, case.orgunit):
        return True
    if not works_in(user, case.orgunit):
        return False
    return case.helpers.filter(user=user, ended_on__isnull=True).exists()


def can_manage(user: Any, case: Case) -> bool:
    """Return True if ``user`` may manage ``case`` (the chief of its commune)."""
    return is_chief(user, case.orgunit)


def can_reveal(user: Any, case: Case) -> bool:
    """Return True if ``user`` may reveal the hidden fields of ``case``."""
    if is_chief(user, case.orgunit, perms.REVEAL_CASE_FIELDS):
        return True
    if not works_in(user, case.orgunit):
        return False
    return case.helpers.filter(user=user, ended_on__isnull=True, can_reveal=True).exists()


def can_use_cases(user: Any) -> bool:
    """Return True if ``user`` is a chief of some commune or assigned to some open case."""
    if chief_paths(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    from binhyen.cases.models import Helper

    return Helper.objects.filter(user=user, ended_on__isnull=True).exists()


def can_configure_types(user: Any, province: OrgUnit | None) -> bool:
    """Return True if ``user`` may add case types for ``province`` (None: national types)."""
    if province is None:
        return Role.SYSTEM_ADMIN in perms.roles_of(user)
    return perms.has_perm_on(user, perms.CONFIGURE_CASE_TYPES, province)

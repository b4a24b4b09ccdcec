"""Who may change community records; every rule is built on ``binhyen.accounts.permissions``.

- Reading: a record is readable when its unit is in ``OrgUnit.objects.visible_to(user)``; a
  scheme when *any* unit it covers is (``selectors``).
- Recording schemes, teams, members, trainings and pledges: ``MANAGE_COMMUNITY`` on the
  commune the record belongs to (a village's or establishment's parent commune). On a closed
  pre-reform commune it is enough to hold it on a current unit the commune's lineage reaches
  (history of one's scope, ``binhyen.orgunits.history.can_record``; the services check that
  the record's date falls in the unit's lifetime). A scheme
  covering several communes may be changed by whoever holds it on *any* covered commune, so
  each partner of a border cluster keeps it up to date.
- Grading teams and members: ``GRADE_TEAMS`` on the commune (the commune chief).
- The scheme-type catalogue and the grading rules of a province: ``MANAGE_COMMUNITY`` on the
  province itself (province officers). The national catalogue (types without a province):
  whoever edits the metric catalogue (``MANAGE_METRICS``: system administrators).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from binhyen.accounts import permissions as perms
from binhyen.orgunits import history
from binhyen.orgunits.models import OrgUnit, UnitKind


def commune_of(unit: OrgUnit) -> OrgUnit | None:
    """Return the commune a commune, village or establishment belongs to (None otherwise)."""
    if unit.kind == UnitKind.COMMUNE:
        return unit
    if unit.kind in (UnitKind.VILLAGE, UnitKind.ESTABLISHMENT):
        return unit.parent
    return None


def can_manage(user: Any, unit: OrgUnit) -> bool:
    """Return True if ``user`` may record community data for ``unit``'s commune."""
    commune = commune_of(unit)
    return commune is not None and history.can_record(user, perms.MANAGE_COMMUNITY, commune)


def can_manage_any(user: Any, units: Iterable[OrgUnit]) -> bool:
    """Return True if ``user`` may manage the commune of at least one of ``units``."""
    return any(can_manage(user, unit) for unit in units)


def can_manage_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.MANAGE_COMMUNITY)


def can_grade(user: Any, commune: OrgUnit) -> bool:
    """Return True if ``user`` may enter the annual grading of ``commune``'s teams."""
    return commune.kind == UnitKind.COMMUNE and history.can_record(user, perms.GRADE_TEAMS, commune)


def can_grade_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.GRADE_TEAMS)


def can_manage_catalogue(user: Any, province: OrgUnit | None) -> bool:
    """Return True if ``user`` may edit the scheme types and rules of ``province``.

    ``None`` is the national catalogue, kept by whoever keeps the metric catalogue.
    """
    if province is None:
        return perms.has_perm_anywhere(user, perms.MANAGE_METRICS)
    return province.kind == UnitKind.PROVINCE and perms.has_perm_on(
        user, perms.MANAGE_COMMUNITY, province
    )

"""Who may do what in a programme; every rule is built on ``binhyen.accounts.permissions``.

- Reading: a programme is readable by every signed-in user with a role when it is national
  (no owner), or when its owner unit is in scope or above a unit in scope (a commune sees its
  province's programmes). An enrolment is readable when its unit is in
  ``OrgUnit.objects.visible_to(user)``.
- Editing a programme and its criteria sets: ``MANAGE_PROGRAMS`` on the owner unit (the
  country root for national programmes).
- Enrolling and self-assessing: ``SELF_ASSESS`` on the enrolled unit. An upper level
  assigns a unit (enrols it) with ``VERIFY`` on the unit at the programme's verifier level.
- Verifying: ``VERIFY`` on the ancestor of the enrolled unit at ``Program.verifier_level``;
  deciding and withdrawing: ``DECIDE`` on the ancestor at ``Program.decider_level``. The
  levels lie above the enrolled unit (``Program.clean``), so nobody verifies their own file.
- Past cycles of a closed pre-reform unit (history): enrolling and self-assessing need
  ``SELF_ASSESS`` on the closed unit or on a current unit its lineage reaches
  (``binhyen.orgunits.history.can_record``). The verifying and deciding levels are the upper
  levels *as they are now*: those of the current unit the closed one's records continue in
  (its default successor), so the officers of today's province verify and decide the old
  commune's past files; the old province, closed too, holds no roles.
"""

from __future__ import annotations

from typing import Any

from binhyen.accounts import permissions as perms
from binhyen.orgunits import history
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.programs.models import Enrollment, Program


def national_root() -> OrgUnit | None:
    return OrgUnit.objects.filter(kind=UnitKind.COUNTRY, valid_to__isnull=True).first()


def owner_unit(program: Program) -> OrgUnit | None:
    """Return the unit that owns ``program`` (the country root for national ones)."""
    return program.owner if program.owner_id is not None else national_root()


def can_manage_owner(user: Any, owner: OrgUnit | None) -> bool:
    """Return True if ``user`` may keep programmes owned by ``owner`` (None: national)."""
    unit = owner if owner is not None else national_root()
    if unit is None:
        return perms.is_superadmin(user)
    return perms.has_perm_on(user, perms.MANAGE_PROGRAMS, unit)


def can_manage(user: Any, program: Program) -> bool:
    return can_manage_owner(user, program.owner if program.owner_id is not None else None)


def can_manage_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.MANAGE_PROGRAMS)


def level_unit(unit: OrgUnit, level: str) -> OrgUnit | None:
    """Return the ancestor of ``unit`` of kind ``level`` (commune, province or country)."""
    codes = unit.ancestor_codes
    if not codes:
        return None
    return OrgUnit.objects.filter(code__in=codes, kind=level).order_by("-level").first()


def upper_unit(unit: OrgUnit, level: str) -> OrgUnit | None:
    """Return the unit at ``level`` above ``unit`` as the map is now.

    An open unit: its ancestor of that kind. A closed unit: the same for the current unit
    its records continue in (its default successor; that unit itself when it is of the
    level, e.g. the new commune an old village went to).
    """
    if unit.valid_to is None:
        return level_unit(unit, level)
    reached = history.successors_of(unit, default_only=True)
    if not reached:
        return None
    if reached[0].kind == level:
        return reached[0]
    return level_unit(reached[0], level)


def verifier_unit(program: Program, unit: OrgUnit) -> OrgUnit | None:
    return upper_unit(unit, program.verifier_level)


def decider_unit(program: Program, unit: OrgUnit) -> OrgUnit | None:
    return upper_unit(unit, program.decider_level)


def can_self_assess(user: Any, unit: OrgUnit) -> bool:
    return history.can_record(user, perms.SELF_ASSESS, unit)


def can_assign(user: Any, program: Program, unit: OrgUnit) -> bool:
    """Return True if ``user`` may enrol ``unit`` from above (the verifying level)."""
    return perms.has_perm_on(user, perms.VERIFY, verifier_unit(program, unit))


def can_enrol(user: Any, program: Program, unit: OrgUnit) -> bool:
    return can_self_assess(user, unit) or can_assign(user, program, unit)


def can_verify(user: Any, enrollment: Enrollment) -> bool:
    return perms.has_perm_on(user, perms.VERIFY, verifier_unit(enrollment.program, enrollment.unit))


def can_decide(user: Any, enrollment: Enrollment) -> bool:
    return perms.has_perm_on(user, perms.DECIDE, decider_unit(enrollment.program, enrollment.unit))


def can_decide_at(user: Any, unit: OrgUnit | None) -> bool:
    return perms.has_perm_on(user, perms.DECIDE, unit)


def can_verify_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.VERIFY)


def can_decide_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.DECIDE)

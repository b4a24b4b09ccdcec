"""The whole access model of Bình Yên. Read this before touching any view or selector.

1. Deny by default. A signed-in user can do nothing until a ``RoleAssignment`` grants a
   role on a unit. Anonymous users reach only the login page and public pages that say so.
2. A role on a unit applies to that unit and its whole subtree (materialised ``path``).
   Several assignments add up; there is no "deny" rule.
3. Reads of pre-2025 units: a user who may read a 2025 unit may also read its lineage
   predecessors (and their subtrees), so history stays visible after the 2025 reform.
4. Which actions a role allows is the table ``ROLE_PERMISSIONS`` below; nothing else in
   the code decides it. Views call ``has_perm_on(user, perm, unit)``; selectors start from
   ``OrgUnit.objects.visible_to(user)``.
5. A missing object and a forbidden one give the same 404: existence never leaks.
6. Superusers are system administrators on the whole country (for Django's own admin).
7. Ministry, province and system-admin roles must pass TOTP two-factor authentication
   (``settings.OTP_REQUIRED_ROLES``) before any page or API call is served with a session.
8. Citizen tips: ``TRIAGE_TIPS`` (commune chief and officer on their commune's queue,
   province officer on the province queue and every commune below it) opens, claims,
   answers and concludes tips; ``VIEW_TIP_CONTACT`` (commune chief, province officer only)
   reveals a named tip's contact details, and every reveal is logged.
9. Community records: ``MANAGE_COMMUNITY`` (commune chief and officer, province officer)
   records schemes, security teams and pledges; a scheme covering several communes may be
   changed by whoever holds it on any of them. ``GRADE_TEAMS`` (commune chief) enters the
   annual grading of security teams and their members.
10. Recognition programmes: ``MANAGE_PROGRAMS`` (province and ministry officers, system
   admin) edits programmes owned by a unit in scope; ``SELF_ASSESS`` (commune chief and
   officer) enrols a unit, self-assesses and submits; ``VERIFY`` and ``DECIDE`` (commune
   chief, province and ministry officers) act on a file only when held on the unit at the
   programme's verifier/decider level (e.g. a commune chief verifies villages, never their
   own commune).
11. Integrations: ``MANAGE_INTEGRATIONS`` (system admin only) registers outbound webhooks,
   reads their delivery log and works the Zalo delivery queue (retry, discard). These are
   national settings: holding the permission on any unit is enough, every other user gets 404.
12. Reintegration cases (stricter than anything else, ``binhyen/cases/permissions.py``):
   ``MANAGE_CASES`` (commune chief) counts only when held on the case's commune itself, never
   through an ancestor and never for superusers; a commune user assigned to a case as its
   officer or helper reads and records on that case only. ``REVEAL_CASE_FIELDS`` (commune
   chief; or an assigned user the chief allows) reveals the identity number and judgment
   details, each reveal logged. ``CONFIGURE_CASE_TYPES`` (province officer, system admin)
   adds case types; province and ministry see case figures only, never a case.
13. Official documents: ``DRAFT_DOCUMENTS`` (commune chief and officer, province and ministry
   officers) drafts the unit's reports and edits their narrative; ``ISSUE_DOCUMENTS`` (commune
   chief, province and ministry officers) numbers and issues them; ``MANAGE_TEMPLATES``
   (province officer for the province's own versions, system admin on the country for the
   national ones) uploads Word templates. Reading a document follows its unit's scope.
15. Recording history (units closed by the 2025 reform): a permission held on a current
   unit may be used on the closed units whose lineage reaches it (and their old sub-units),
   for dates in their lifetime (``binhyen.orgunits.history.can_record``). A province officer
   also records the activities and report values of its province's pre-reform units
   (``HISTORY_PERMISSIONS``), so a province adopting the product can enter its past; on
   current units those stay with the commune.
14. Plans and targets: ``MANAGE_TARGETS`` (ministry and province officers, commune chief)
   records the unit's plans, sets its targets, allocates them to units below it and runs its
   peak campaigns; everyone who may read a unit reads its plans, targets and progress.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from binhyen.accounts.models import Role, RoleAssignment, User

VIEW_UNITS = "orgunits.view"
CHANGE_UNITS = "orgunits.change"  # create/edit villages and establishments, import them
MANAGE_USERS = "accounts.manage_users"  # create users and grant roles within scope
VIEW_AUDIT = "core.view_audit"
ENTER_DATA = "indicators.enter_data"  # enter report values and submit the unit's reports
APPROVE_REPORTS = "indicators.approve"  # approve/return/reopen reports of child units
MANAGE_METRICS = "indicators.manage_metrics"  # edit the metric catalogue, forms and rules
RECORD_ACTIVITIES = "activities.record"  # record, import and edit the unit's movement activities
MANAGE_HOTSPOTS = "hotspots.manage"  # designate hotspot areas, plans, removals and relapses
TRIAGE_TIPS = "tips.triage"  # open, claim, answer and conclude citizen tips of the unit
VIEW_TIP_CONTACT = "tips.view_contact"  # reveal a named tip's contact details (logged)
MANAGE_COMMUNITY = "community.manage"  # record schemes, security teams and pledges of the unit
GRADE_TEAMS = "community.grade_teams"  # enter the annual grading of security teams and members
MANAGE_PROGRAMS = "programs.manage"  # edit recognition programmes and their criteria sets
SELF_ASSESS = "programs.self_assess"  # enrol the unit, self-assess, upload evidence, submit
VERIFY = "programs.verify"  # verify submitted files of units below (at the programme's level)
DECIDE = "programs.decide"  # record recognition/classification decisions and withdrawals
MANAGE_INTEGRATIONS = "core.manage_integrations"  # outbound webhooks, Zalo delivery queue
MANAGE_CASES = "cases.manage"  # open, assign, close, hand over the commune's cases (own commune)
REVEAL_CASE_FIELDS = "cases.reveal"  # reveal a case's identity number and judgment (logged)
CONFIGURE_CASE_TYPES = "cases.configure_types"  # add case types for a province
DRAFT_DOCUMENTS = "documents.draft"  # draft the unit's documents, edit their narrative, render
ISSUE_DOCUMENTS = "documents.issue"  # number and issue the unit's documents
MANAGE_TEMPLATES = "documents.manage_templates"  # upload Word templates (province or national)
MANAGE_TARGETS = "targets.manage"  # plans, targets, allocations to the subtree, campaigns

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.MINISTRY_OFFICER: frozenset(
        {VIEW_UNITS, CHANGE_UNITS, VIEW_AUDIT, APPROVE_REPORTS, MANAGE_HOTSPOTS}
        | {MANAGE_PROGRAMS, VERIFY, DECIDE}
        | {DRAFT_DOCUMENTS, ISSUE_DOCUMENTS}
        | {MANAGE_TARGETS}
    ),
    Role.PROVINCE_OFFICER: frozenset(
        {VIEW_UNITS, CHANGE_UNITS, MANAGE_USERS, VIEW_AUDIT, APPROVE_REPORTS, MANAGE_HOTSPOTS}
        | {TRIAGE_TIPS, VIEW_TIP_CONTACT}
        | {MANAGE_COMMUNITY}
        | {MANAGE_PROGRAMS, VERIFY, DECIDE}
        | {CONFIGURE_CASE_TYPES}
        | {DRAFT_DOCUMENTS, ISSUE_DOCUMENTS, MANAGE_TEMPLATES}
        | {MANAGE_TARGETS}
    ),
    Role.COMMUNE_CHIEF: frozenset(
        {
            VIEW_UNITS,
            CHANGE_UNITS,
            MANAGE_USERS,
            VIEW_AUDIT,
            ENTER_DATA,
            APPROVE_REPORTS,
            RECORD_ACTIVITIES,
            TRIAGE_TIPS,
            VIEW_TIP_CONTACT,
            MANAGE_COMMUNITY,
            GRADE_TEAMS,
        }
        | {SELF_ASSESS, VERIFY, DECIDE}
        | {MANAGE_CASES, REVEAL_CASE_FIELDS}
        | {DRAFT_DOCUMENTS, ISSUE_DOCUMENTS}
        | {MANAGE_TARGETS}
    ),
    Role.COMMUNE_OFFICER: frozenset(
        {VIEW_UNITS, CHANGE_UNITS, ENTER_DATA, RECORD_ACTIVITIES, TRIAGE_TIPS}
        | {MANAGE_COMMUNITY}
        | {SELF_ASSESS}
        | {DRAFT_DOCUMENTS}
    ),
    Role.VILLAGE_MEMBER: frozenset({VIEW_UNITS}),
    Role.VIEWER: frozenset({VIEW_UNITS}),
    Role.SYSTEM_ADMIN: frozenset(
        {VIEW_UNITS, CHANGE_UNITS, MANAGE_USERS, VIEW_AUDIT, MANAGE_METRICS}
        | {MANAGE_PROGRAMS, MANAGE_INTEGRATIONS}
        | {CONFIGURE_CASE_TYPES}
        | {MANAGE_TEMPLATES}
    ),
}

# Permissions a role holds only for history: on the closed pre-reform units whose lineage
# reaches its scope, never on current units.
HISTORY_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PROVINCE_OFFICER: frozenset({RECORD_ACTIVITIES, ENTER_DATA}),
}

# Roles a manager may grant: never a role above their own level.
GRANTABLE_ROLES: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset(Role.values),
    Role.PROVINCE_OFFICER: frozenset(
        {
            Role.PROVINCE_OFFICER,
            Role.COMMUNE_CHIEF,
            Role.COMMUNE_OFFICER,
            Role.VILLAGE_MEMBER,
            Role.VIEWER,
        }
    ),
    Role.COMMUNE_CHIEF: frozenset({Role.COMMUNE_OFFICER, Role.VILLAGE_MEMBER, Role.VIEWER}),
}


def _assignments(user: Any) -> list[RoleAssignment]:
    """Return the user's assignments with their units, cached on the user object per request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_binhyen_assignments", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).select_related("orgunit"))
        user._binhyen_assignments = cached
    return cached


def clear_cache(user: Any) -> None:
    """Forget cached assignments (after a grant or revoke in the same request)."""
    for attr in ("_binhyen_assignments", "_binhyen_lineage_roots"):
        if hasattr(user, attr):
            delattr(user, attr)


def is_superadmin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def scope_paths(user: Any, perm: str = VIEW_UNITS) -> list[str]:
    """Return the unit paths under which ``user`` holds ``perm`` (deduplicated, outermost only)."""
    paths = sorted(
        {a.orgunit.path for a in _assignments(user) if perm in ROLE_PERMISSIONS.get(a.role, ())}
    )
    outermost: list[str] = []
    for path in paths:
        if not any(path.startswith(p) for p in outermost):
            outermost.append(path)
    return outermost


def history_scope_paths(user: Any, perm: str) -> list[str]:
    """Return the unit paths whose pre-reform history ``user`` may record with ``perm``.

    The scope of ``perm`` plus the units of roles holding it for history only
    (``HISTORY_PERMISSIONS``); deduplicated, outermost only.
    """
    paths = sorted(
        {
            a.orgunit.path
            for a in _assignments(user)
            if perm in ROLE_PERMISSIONS.get(a.role, ())
            or perm in HISTORY_PERMISSIONS.get(a.role, ())
        }
    )
    outermost: list[str] = []
    for path in paths:
        if not any(path.startswith(p) for p in outermost):
            outermost.append(path)
    return outermost


def has_history_perm_anywhere(user: Any, perm: str) -> bool:
    """Return True if ``user`` may record with ``perm`` on some unit, current or pre-reform."""
    return is_superadmin(user) or bool(history_scope_paths(user, perm))


def has_perm_on(user: Any, perm: str, unit: Any) -> bool:
    """Return True if ``user`` holds ``perm`` on ``unit`` (directly or through an ancestor)."""
    if unit is None:
        return False
    if is_superadmin(user):
        return True
    return any(unit.path.startswith(p) for p in scope_paths(user, perm))


def has_perm_anywhere(user: Any, perm: str) -> bool:
    """Return True if ``user`` holds ``perm`` on at least one unit."""
    return is_superadmin(user) or bool(scope_paths(user, perm))


def roles_of(user: Any) -> set[str]:
    return {a.role for a in _assignments(user)}


def grantable_roles(user: Any) -> set[str]:
    """Return the roles ``user`` may grant to others (within their own scope)."""
    if is_superadmin(user):
        return set(Role.values)
    granted: set[str] = set()
    for role in roles_of(user):
        granted |= GRANTABLE_ROLES.get(role, frozenset())
    return granted


def requires_two_factor(user: User | Any) -> bool:
    """Return True if the user's roles (or superuser status) demand a TOTP second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    required = set(settings.OTP_REQUIRED_ROLES)
    return bool(roles_of(user) & required)


def officers_of(unit: Any, perm: str) -> list[User]:
    """Return the active users holding ``perm`` through a role assigned on ``unit`` itself.

    The unit's own officers, not everybody whose scope covers it: a province officer is not
    an officer of each commune below it. Ordered by username, each user once.
    """
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if perm in granted]
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__orgunit=unit,
            role_assignments__role__in=roles,
        )
        .distinct()
        .order_by("username")
    )

"""The vocabulary of the declaration table: what a URL promises, and to whom.

A declaration says which of the seven roles (the keys of ``world.ROLE_KEYS``, all placed on
commune A, its village or its province) succeed, and which values fill the URL's arguments.
Everybody else must be refused: 404, or 403 only for a user who can already see the object
(deny by default; existence never leaks). The two outsiders (a commune officer of another
commune, a province officer of another province) must get 404 for every object of commune A.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The seven roles, by the keys of ``world.ROLE_KEYS``.
ADMIN, MINISTRY, PROVINCE, VIEWER = "admin", "ministry", "province", "viewer"
CHIEF, OFFICER, MEMBER = "chief", "officer", "member"
EVERYONE = frozenset({ADMIN, MINISTRY, PROVINCE, VIEWER, CHIEF, OFFICER, MEMBER})
NOBODY: frozenset[str] = frozenset()
NOBODY_CODES: frozenset[int] = frozenset()
# Who sees an object of commune A (the village member sees only their village).
SEES_COMMUNE = EVERYONE - {MEMBER}

# Where an argument's object lives: outsiders must get 404 for "commune" and "province"
# objects of the demo (the other commune shares the province, so only the other province's
# officer is outside a "province" object). Values not listed (catalogue codes, versions,
# kinds, years) are national and outsiders act as their role.
COMMUNE_VALUES = frozenset(
    {
        "unit",
        "village",
        "user",
        "assignment",
        "token",
        "notification",
        "tip",
        "tip_media",
        "activity",
        "activity_photo",
        "designation",
        "responsibility",
        "task",
        "scheme",
        "site",
        "roster",
        "team",
        "member",
        "pledge",
        "decision",
        "enrollment",
        "recognised_enrollment",
        "evidence",
        "program_decision",
        "case",
        "case_helper",
        "case_task",
        "case_handover",
        "subject_request",
        "document",
        "target_plan",
        "target_task",
        "target",
        "campaign",
        "award_drive",
        "award_review",
        "award_review_line",
        "award_proposal",
    }
)
# Reintegration cases and what hangs on them: whoever is not declared gets exactly 404 (not
# 403), even a user who sees the commune, because a case exists only for its chief and the
# users assigned to it (docs/permissions.md, binhyen/cases/permissions.py).
CASE_VALUES = frozenset({"case", "case_helper", "case_task", "case_handover", "subject_request"})
PROVINCE_VALUES = frozenset({"province", "scheme_type", "award_entry"})

# Arguments that always mean the same object; ``pk`` and ``code`` must be given per URL.
DEFAULT_ARGS = {
    "form_code": "form",
    "unit_code": "unit",
    "period_code": "period",
    "media_pk": "tip_media",
    "assignment_pk": "assignment",
    "criterion_id": "criterion",
    "version": "version",
    "fmt": "export_fmt",
    "which": "hotspot_file",
    "item": "responsibility",
    "kind": "activity_kind",
    "year": "year",
    "tip_id": "tip",
    "token_id": "token",
    "notification_id": "notification",
    "scheme_id": "scheme",
    "team_id": "team",
    "member_id": "member",
    "pledge_id": "pledge",
    "decision_id": "decision",
    "user_id": "user",
    "assignment_id": "assignment",
    "photo_id": "activity_photo",
    "webhook_id": "webhook",
    "delivery_id": "webhook_delivery",
    "case_id": "case",
    "helper_id": "case_helper",
    "handover_id": "case_handover",
    "request_id": "subject_request",
    "document_id": "document",
    "task_id": "document_job",
    "plan_id": "target_plan",
    "target_id": "target",
    "campaign_id": "campaign",
    "entry_id": "award_entry",
    "drive_id": "award_drive",
    "review_id": "award_review",
    "line_id": "award_review_line",
    "proposal_id": "award_proposal",
}

PUBLIC, SIGNED_IN, READ, FORM, ACTION, STAFF = (
    "public",
    "signed-in",
    "read",
    "form",
    "action",
    "staff",
)


@dataclass(frozen=True)
class Rule:
    """One declaration: the kind of URL, the roles that succeed, the argument values."""

    kind: str
    ok: frozenset[str] = NOBODY
    args: dict[str, str] = field(default_factory=dict)
    status: int = 200  # what a successful GET answers
    note: str = ""
    writers: frozenset[str] | None = None  # who may POST a form page, when not ``ok``
    # Other answers that count as a refusal for a role that sees the object (e.g. a 400 when
    # the body is checked before the permission); the refused write must still store nothing.
    denied: frozenset[int] = NOBODY_CODES

    def may_write(self, role: str) -> bool:
        return role in (self.ok if self.writers is None else self.writers)


def home_of(keys: set[str]) -> str:
    """Return where the objects named by ``keys`` live: "case", "commune", "province" or
    "national"."""
    if keys & CASE_VALUES:
        return "case"
    if keys & COMMUNE_VALUES:
        return "commune"
    if keys & PROVINCE_VALUES:
        return "province"
    return "national"


def public(*, status: int = 200, note: str = "", **args: str) -> Rule:
    """Anyone, signed in or not (the citizen pages, health check, login)."""
    return Rule(PUBLIC, EVERYONE, args, status, note)


def signed_in(*, status: int = 200, **args: str) -> Rule:
    """Any signed-in user, no object: own profile, own tokens, the home page."""
    return Rule(SIGNED_IN, EVERYONE, args, status)


def read(
    ok: frozenset[str],
    *,
    status: int = 200,
    note: str = "",
    denied: frozenset[int] = NOBODY_CODES,
    **args: str,
) -> Rule:
    """A page or a GET operation: ``ok`` reads it, everybody else is refused."""
    return Rule(READ, frozenset(ok), args, status, note, None, frozenset(denied))


def form(
    ok: frozenset[str],
    *,
    writers: frozenset[str] | None = None,
    status: int = 200,
    note: str = "",
    denied: frozenset[int] = NOBODY_CODES,
    **args: str,
) -> Rule:
    """A page that shows a form (GET, for ``ok``) and writes (POST, for ``writers`` or ``ok``)."""
    return Rule(
        FORM,
        frozenset(ok),
        args,
        status,
        note,
        None if writers is None else frozenset(writers),
        frozenset(denied),
    )


def action(
    ok: frozenset[str], *, note: str = "", denied: frozenset[int] = NOBODY_CODES, **args: str
) -> Rule:
    """A write (POST, PUT, PATCH, DELETE) with no page of its own: for ``ok`` only."""
    return Rule(ACTION, frozenset(ok), args, 200, note, None, frozenset(denied))


def staff() -> Rule:
    """Django's admin: staff only (anonymous users are sent to its login)."""
    return Rule(STAFF)

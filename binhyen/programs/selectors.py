"""Reads of the programmes app, always scoped to the requesting user.

Invariants:
- Every enrolment, evidence file and decision is reached from
  ``OrgUnit.objects.visible_to(user)``; a missing record and a forbidden one raise the same
  ``Http404``.
- Programmes: national ones (no owner) are readable by anyone holding a role; a
  province's own by users whose scope lies inside it or above it (see ``permissions``).
- Overviews count enrolments by the child unit they sit under (a village's enrolment counts
  in its commune's row) and evaluate live rules with one engine call per criteria set.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts import permissions as acc_perms
from binhyen.core.collation import vi_order
from binhyen.core.models import AuditEvent
from binhyen.indicators.periods import Period, PeriodError, parse_period
from binhyen.orgunits import history
from binhyen.orgunits.models import OrgUnit
from binhyen.programs import evaluation
from binhyen.programs import permissions as prog_perms
from binhyen.programs.models import (
    DECIDED_STATUSES,
    KIND_RANK,
    CriteriaSet,
    Criterion,
    Decision,
    Enrollment,
    EnrollmentStatus,
    Evidence,
    Program,
    ProgramKind,
)

GRACE_DAYS = 31
LIVE_LIMIT = 500
OVERDUE_SHOWN = 20  # overdue files listed by name on an overview (the template's slice)
CHOICE_LIMIT = 300


def today() -> date:
    return timezone.localdate()


def not_found() -> Http404:
    return Http404(_("Không tìm thấy hoặc bạn không có quyền xem."))


# --- programmes ----------------------------------------------------------------------------


def _ancestor_paths(paths: Sequence[str]) -> set[str]:
    out: set[str] = set()
    for path in paths:
        parts = [p for p in path.strip("/").split("/") if p]
        for i in range(1, len(parts) + 1):
            out.add("/" + "/".join(parts[:i]) + "/")
    return out


def programs_visible(user: Any) -> QuerySet[Program]:
    """Programmes ``user`` may read: national ones, and those owned in or above their scope."""
    if acc_perms.is_superadmin(user):
        return Program.objects.all()
    paths = acc_perms.scope_paths(user, acc_perms.VIEW_UNITS)
    if not paths:
        return Program.objects.none()
    condition = Q(owner__isnull=True) | Q(owner__path__in=_ancestor_paths(paths))
    for path in paths:
        condition |= Q(owner__path__startswith=path)
    return Program.objects.filter(condition)


def program_list(*, user: Any, include_inactive: bool = False) -> QuerySet[Program]:
    qs = programs_visible(user).select_related("owner", "current_set")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("sort_order", "name")


def program_get(*, user: Any, code: str) -> Program:
    program = (
        programs_visible(user).select_related("owner", "current_set").filter(code=code).first()
    )
    if program is None:
        raise not_found()
    return program


def criteria_set_get(*, user: Any, program: Program, version: int) -> CriteriaSet:
    found = program.sets.filter(version=version).first()
    if found is None:
        raise not_found()
    found.program = program
    return found


def criteria_of(criteria_set: CriteriaSet) -> list[Criterion]:
    return list(criteria_set.criteria.all())


def criterion_get(*, criteria_set: CriteriaSet, pk: int) -> Criterion:
    criterion = criteria_set.criteria.filter(pk=pk).first()
    if criterion is None:
        raise not_found()
    return criterion


def current_period(program: Program, day: date | None = None) -> Period:
    """Return the cycle being worked on: the last window until its decision deadline passed."""
    day = day or today()
    containing = Period.containing(program.period_kind, day)
    previous = containing.previous()
    _submit, decide = program.deadlines(previous)
    if day <= decide + timedelta(days=GRACE_DAYS):
        return previous
    return containing


def period_choices(program: Program, day: date | None = None, count: int = 4) -> list[Period]:
    current = current_period(program, day)
    return [current.next(), *[current.shift(-i) for i in range(count)]]


def parse_program_period(program: Program, code: str | None) -> Period:
    """Return the period named by ``code`` (the current cycle when empty); 404 on bad codes."""
    if not code:
        return current_period(program)
    try:
        period = parse_period(code)
    except PeriodError as exc:
        raise Http404(str(exc)) from exc
    if period.kind != program.period_kind:
        raise not_found()
    return period


# --- enrolments ------------------------------------------------------------------------------


def enrollments_visible(user: Any) -> QuerySet[Enrollment]:
    units = OrgUnit.objects.visible_to(user)
    return Enrollment.objects.filter(unit__in=units, program__in=programs_visible(user))


def enrollment_list(
    *,
    user: Any,
    program: Program | None = None,
    period: str | None = None,
    status: str | None = None,
    under: OrgUnit | None = None,
) -> QuerySet[Enrollment]:
    qs = enrollments_visible(user).select_related("program", "unit", "unit__parent", "decision")
    if program is not None:
        qs = qs.filter(program=program)
    if period:
        qs = qs.filter(period=period)
    if status:
        qs = qs.filter(status=status)
    if under is not None:
        qs = qs.filter(unit__path__startswith=under.path)
    return qs.order_by("-period", "unit__path")


def enrollment_get(*, user: Any, pk: int) -> Enrollment:
    enrollment = (
        enrollments_visible(user)
        .select_related(
            "program", "program__owner", "criteria_set", "unit", "unit__parent", "decision"
        )
        .filter(pk=pk)
        .first()
    )
    if enrollment is None:
        raise not_found()
    return enrollment


def enrollable_units(*, user: Any, program: Program) -> QuerySet[OrgUnit]:
    """Units of the programme's kinds that ``user`` may enrol or assign.

    Current units in scope first, then the pre-reform units whose past cycles the user may
    record (their lineage reaches the scope: ``history.recordable_predecessors``).
    """
    paths = acc_perms.scope_paths(user, acc_perms.SELF_ASSESS) + acc_perms.scope_paths(
        user, acc_perms.VERIFY
    )
    kinds = OrgUnit.objects.filter(kind__in=program.unit_kinds or [])
    if program.unit_subkinds:
        kinds = kinds.filter(subkind__in=program.unit_subkinds)
    order = (Case(When(valid_to__isnull=True, then=0), default=1), "path")
    if acc_perms.is_superadmin(user):
        return kinds.order_by(*order)
    if not paths:
        return kinds.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    old_ids = {
        pk
        for perm in (acc_perms.SELF_ASSESS, acc_perms.VERIFY)
        for pk in history.recordable_predecessors(user, perm).values_list("pk", flat=True)
    }
    return kinds.filter((condition & Q(valid_to__isnull=True)) | Q(pk__in=old_ids)).order_by(*order)


def unit_get(*, user: Any, code: str) -> OrgUnit:
    unit = OrgUnit.objects.visible_to(user).filter(code=code).first()
    if unit is None:
        raise not_found()
    return unit


def visible_parent(*, user: Any, unit: OrgUnit) -> OrgUnit | None:
    """Return the unit above ``unit`` if ``user`` may see it, else None."""
    if unit.parent_id is None:
        return None
    return OrgUnit.objects.visible_to(user).filter(pk=unit.parent_id).first()


def evidence_by_assessment(enrollment: Enrollment) -> dict[int, list[Evidence]]:
    """Return the file's evidence by assessment id, in upload order (one query)."""
    out: dict[int, list[Evidence]] = defaultdict(list)
    for item in Evidence.objects.filter(assessment__enrollment=enrollment):
        out[item.assessment_id].append(item)
    return dict(out)


def timeline(enrollment: Enrollment) -> list[AuditEvent]:
    """Return every audited step of the file, oldest first (the decision's included)."""
    condition = Q(object_type=Enrollment._meta.label, object_id=str(enrollment.pk))
    if enrollment.decision_id is not None:
        condition |= Q(object_type=Decision._meta.label, object_id=str(enrollment.decision_id))
    return list(
        AuditEvent.objects.filter(condition).select_related("actor").order_by("created_at", "id")
    )


def evidence_get(*, user: Any, pk: int) -> Evidence:
    evidence = (
        Evidence.objects.select_related("assessment__enrollment")
        .filter(pk=pk, assessment__enrollment__in=enrollments_visible(user))
        .first()
    )
    if evidence is None:
        raise not_found()
    return evidence


def decision_get(*, user: Any, pk: int) -> Decision:
    decision = Decision.objects.select_related("program", "orgunit").filter(pk=pk).first()
    if decision is None:
        raise not_found()
    visible_unit = OrgUnit.objects.visible_to(user).filter(pk=decision.orgunit_id).exists()
    if not visible_unit and not enrollments_visible(user).filter(decision=decision).exists():
        raise not_found()
    return decision


def decision_enrollments(*, user: Any, decision: Decision) -> list[Enrollment]:
    return list(
        enrollments_visible(user)
        .filter(decision=decision)
        .select_related("unit", "unit__parent", "program")
        .order_by("unit__path")
    )


def verification_queue(*, user: Any, program: Program, period: str) -> list[Enrollment]:
    qs = enrollment_list(
        user=user, program=program, period=period, status=EnrollmentStatus.SUBMITTED
    )
    return [e for e in qs if prog_perms.can_verify(user, e)]


def decidable(*, user: Any, program: Program, period: str) -> list[Enrollment]:
    qs = enrollment_list(
        user=user, program=program, period=period, status=EnrollmentStatus.VERIFIED
    )
    return [e for e in qs if prog_perms.can_decide(user, e)]


def decisions_of(*, user: Any, program: Program) -> list[Decision]:
    visible = OrgUnit.objects.visible_to(user)
    ids = (
        enrollments_visible(user)
        .filter(program=program, decision__isnull=False)
        .values("decision_id")
    )
    return list(
        Decision.objects.filter(program=program)
        .filter(Q(orgunit__in=visible) | Q(pk__in=ids))
        .select_related("orgunit")
        .order_by("-issued_on", "-id")
    )


# --- overview -----------------------------------------------------------------------------------


@dataclass
class ChildRow:
    unit: OrgUnit
    enrolled: int = 0
    submitted: int = 0
    verified: int = 0
    recognised: int = 0


@dataclass
class FailingCriterion:
    criterion: Criterion
    not_met: int
    insufficient: int
    pending: int

    @property
    def total(self) -> int:
        return self.not_met + self.insufficient


@dataclass
class Overdue:
    enrollment_id: int
    deadline: date
    days: int
    enrollment: Enrollment | None = None  # loaded for the first OVERDUE_SHOWN of each list


@dataclass
class Overview:
    program: Program
    unit: OrgUnit
    period: Period
    submit_deadline: date
    decide_deadline: date
    rows: list[ChildRow]
    totals: ChildRow
    failing: list[FailingCriterion] = field(default_factory=list)
    live_skipped: int = 0
    overdue_submit: list[Overdue] = field(default_factory=list)
    overdue_decide: list[Overdue] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)


def _submitted(status: str) -> bool:
    return status != EnrollmentStatus.ENROLLED


def _recognised(program: Program, status: str) -> bool:
    if program.kind == ProgramKind.CLASSIFICATION:
        return status == EnrollmentStatus.CLASSIFIED
    return status == EnrollmentStatus.RECOGNISED


# What the overview never reads of a file: not loaded (nor converted) for thousands of them.
_OVERVIEW_UNREAD = (
    "created_at",
    "updated_at",
    "submitted_at",
    "verified_at",
    "verification_note",
    "decision",
    "enrolled_by",
    "withdrawn_at",
    "unit__created_at",
    "unit__updated_at",
)


def overview(*, user: Any, program: Program, unit: OrgUnit, period: Period) -> Overview:
    """Count enrolments under ``unit`` by child, find failing criteria and overdue files."""
    shallowest = min((KIND_RANK[k] for k in program.unit_kinds), default=0)
    children = [
        child
        for child in OrgUnit.objects.visible_to(user)
        .filter(parent=unit, valid_to__isnull=True)
        .order_by(vi_order("name"), "code")
        if child.kind in program.unit_kinds or KIND_RANK.get(child.kind, 9) < shallowest
    ]
    rows = {child.path: ChildRow(child) for child in children}
    totals = ChildRow(unit)
    files = enrollment_list(user=user, program=program, period=period.code, under=unit)
    # Counting reads three columns of every file; models are loaded only for the overdue
    # files shown and for those whose criteria are tallied.
    listed = list(files.values_list("pk", "status", "unit__path"))
    lengths = sorted({len(path) for path in rows}, reverse=True)
    submit_deadline, decide_deadline = program.deadlines(period)
    day = today()
    result = Overview(program, unit, period, submit_deadline, decide_deadline, [], totals)
    by_status: Counter[str] = Counter()
    for pk, status, unit_path in listed:
        by_status[status] += 1
        targets = [totals]
        for length in lengths:
            child_row = rows.get(unit_path[:length])
            if child_row is not None:
                targets.append(child_row)
                break
        for row in targets:
            row.enrolled += 1
            row.submitted += int(_submitted(status))
            row.verified += int(status in (EnrollmentStatus.VERIFIED, *DECIDED_STATUSES))
            row.recognised += int(_recognised(program, status))
        if status == EnrollmentStatus.ENROLLED and day > submit_deadline:
            result.overdue_submit.append(Overdue(pk, submit_deadline, (day - submit_deadline).days))
        if (
            status in (EnrollmentStatus.SUBMITTED, EnrollmentStatus.VERIFIED)
            and day > decide_deadline
        ):
            result.overdue_decide.append(Overdue(pk, decide_deadline, (day - decide_deadline).days))
    result.rows = list(rows.values())
    result.by_status = dict(by_status)
    live = by_status.get(EnrollmentStatus.ENROLLED, 0)
    shown = [*result.overdue_submit[:OVERDUE_SHOWN], *result.overdue_decide[:OVERDUE_SHOWN]]
    wanted = Q(pk__in=[o.enrollment_id for o in shown]) | ~Q(status=EnrollmentStatus.ENROLLED)
    if live <= LIVE_LIMIT:
        wanted |= Q(status=EnrollmentStatus.ENROLLED)
    else:
        result.live_skipped = live
    # Their unit and set (the programme is known; no decision, no parent unit).
    loaded = {
        e.pk: e
        for e in files.filter(wanted)
        .select_related(None)
        .select_related("unit")
        .prefetch_related("criteria_set")  # one instance per set, not one per file
        .defer(*_OVERVIEW_UNREAD)
    }
    for overdue in shown:
        overdue.enrollment = loaded.get(overdue.enrollment_id)
    considered = [
        e for e in loaded.values() if e.status != EnrollmentStatus.ENROLLED or live <= LIVE_LIMIT
    ]
    progress = evaluation.progress_many(considered, lean=True) if considered else {}
    tally: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    criteria: dict[int, Criterion] = {}
    for p in progress.values():
        for r in p.results:
            criteria[r.criterion.pk] = r.criterion
            slot = tally[r.criterion.pk]
            if r.status in (evaluation.NOT_MET, evaluation.ERROR):
                slot[0] += 1
            elif r.status == evaluation.INSUFFICIENT:
                slot[1] += 1
            elif r.status == evaluation.PENDING:
                slot[2] += 1
    failing = [
        FailingCriterion(criteria[pk], *counts) for pk, counts in tally.items() if any(counts)
    ]
    failing.sort(key=lambda f: (-f.total, -f.pending, f.criterion.order, f.criterion.code))
    result.failing = failing
    return result


def overview_root(*, user: Any, program: Program) -> OrgUnit | None:
    """Return the unit an overview starts from: the user's outermost unit in scope."""
    paths = acc_perms.scope_paths(user, acc_perms.VIEW_UNITS)
    if acc_perms.is_superadmin(user) and not paths:
        return prog_perms.national_root()
    if not paths:
        return None
    return OrgUnit.objects.filter(path=paths[0]).first()


def unit_files_verified(*, unit: OrgUnit, year: int) -> tuple[int, int]:
    """Return (programme files of ``unit`` and its subtree sent for verification in ``year``,
    of those passed by the verifier): the commune's record for the year-end review."""
    sent = Enrollment.objects.filter(
        unit__path__startswith=unit.path, submitted_at__year=year, submitted_at__isnull=False
    )
    passed = sent.filter(
        status__in=(
            EnrollmentStatus.VERIFIED,
            EnrollmentStatus.RECOGNISED,
            EnrollmentStatus.CLASSIFIED,
        )
    )
    return sent.count(), passed.count()


def unit_results(*, unit: OrgUnit, year: int) -> list[str]:
    """Return the programme results decided for ``unit`` itself in ``year``, one sentence
    each ("Được công nhận — An toàn về ANTT"), for the year-end review's evidence."""
    decided = (
        Enrollment.objects.filter(
            unit=unit,
            decision__issued_on__year=year,
            status__in=(EnrollmentStatus.RECOGNISED, EnrollmentStatus.CLASSIFIED),
        )
        .select_related("program")
        .order_by("decision__issued_on", "pk")
    )
    return [
        f"{e.get_level_display() if e.level else e.get_status_display()} — {e.program.name}"
        for e in decided
    ]


# --- predecessors' recognitions (history across the 2025 reform) -------------------------------

PREDECESSOR_RESULTS_LIMIT = 50


@dataclass
class PredecessorResult:
    """A decided file of a closed unit whose records continue in the unit asked about."""

    enrollment: Enrollment
    unit: OrgUnit
    program: Program
    year: int
    text: str


def _result_text(enrollment: Enrollment, year: int) -> str:
    if enrollment.met_count is not None and enrollment.criteria_count:
        outcome = _("đạt %(met)s/%(total)s tiêu chí năm %(year)s") % {
            "met": enrollment.met_count,
            "total": enrollment.criteria_count,
            "year": year,
        }
    else:
        outcome = _("%(status)s năm %(year)s") % {
            "status": (
                enrollment.get_level_display()
                if enrollment.level
                else enrollment.get_status_display()
            ).lower(),
            "year": year,
        }
    return _("Đơn vị tiền thân: %(unit)s — %(outcome)s") % {
        "unit": enrollment.unit.name,
        "outcome": outcome,
    }


def predecessor_results(
    *, user: Any, unit: OrgUnit, program: Program | None = None
) -> list[PredecessorResult]:
    """Return the recognitions decided for the predecessors of ``unit`` (lineage followed).

    "Đơn vị tiền thân: Phường Hà Huy Tập — đạt 22/22 tiêu chí năm 2024": recognised or
    classified files of the closed units whose records continue in ``unit`` (or a unit
    under it), newest cycle first; only units ``user`` may read.
    """
    files = enrollments_visible(user).filter(
        unit__valid_to__isnull=False,
        status__in=(EnrollmentStatus.RECOGNISED, EnrollmentStatus.CLASSIFIED),
    )
    if program is not None:
        files = files.filter(program=program)
    # Decided files of closed units are few: follow their lineage rather than listing every
    # closed unit under ``unit`` (a province has thousands).
    reached = history.successor_map(set(files.values_list("unit_id", flat=True)))
    targets = {t for ids in reached.values() for t in ids}
    inside = set(
        OrgUnit.objects.filter(pk__in=targets, path__startswith=unit.path).values_list(
            "pk", flat=True
        )
    )
    old_ids = [u for u, ids in reached.items() if inside.intersection(ids)]
    if not old_ids:
        return []
    files = (
        files.filter(unit_id__in=old_ids)
        .select_related("unit", "program")
        .order_by("-period", "unit__name_folded", "pk")
    )
    results: list[PredecessorResult] = []
    for enrollment in files[:PREDECESSOR_RESULTS_LIMIT]:
        year = enrollment.period_value.end.year
        results.append(
            PredecessorResult(
                enrollment=enrollment,
                unit=enrollment.unit,
                program=enrollment.program,
                year=year,
                text=_result_text(enrollment, year),
            )
        )
    return results

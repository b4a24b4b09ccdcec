"""Writes of the programmes app: programmes, criteria sets, and each step of a unit's file.

Invariants:
- Every function here is the only way its rows change: keyword-only, typed, one
  transaction, ``full_clean()`` before saving, and one ``AuditEvent`` per call (the
  indicators app adds its own event for each period it resyncs). Workflow steps are
  audited on the enrolment (the decision on the decision), which is the file's timeline.
- A missing permission raises ``PermissionDenied``; callers answer 404 as for a missing
  record, so existence never leaks.
- Bad input raises one ``ValidationError`` keyed by field, listing every problem found
  (submission lists every missing item); nothing is saved when anything is refused.
- A locked criteria set (used by an enrolment) is never changed; edits go to a new version.
- Published numbers (units enrolled, recognised) are resynced in the same transaction after
  every enrolment, decision and withdrawal, so dashboards and other programmes' rules are
  never stale.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.models import WebhookEvent
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.uploads import clean_document
from binhyen.core.webhooks import webhook_emit
from binhyen.indicators.models import Metric, MetricSource
from binhyen.indicators.periods import PeriodError, parse_period
from binhyen.orgunits.models import OrgUnit
from binhyen.programs import evaluation, rules, selectors
from binhyen.programs import permissions as prog_perms
from binhyen.programs.models import (
    Assessment,
    CriteriaSet,
    Criterion,
    CriterionKind,
    Decision,
    Enrollment,
    EnrollmentStatus,
    Evidence,
    Program,
    ProgramKind,
    Verdict,
)
from binhyen.programs.providers import PROVIDER_KEY

PROGRAM_FIELDS = [
    "code",
    "name",
    "name_en",
    "description",
    "kind",
    "unit_kinds",
    "unit_subkinds",
    "period_kind",
    "verifier_level",
    "decider_level",
    "submit_deadline_day",
    "submit_deadline_month",
    "decide_deadline_day",
    "decide_deadline_month",
    "enrolled_metric",
    "recognised_metric",
    "is_active",
    "sort_order",
]
SET_FIELDS = ["groups", "min_optional_met", "min_points", "levels", "caps", "note"]
CRITERION_FIELDS = [
    "code",
    "group",
    "order",
    "title",
    "guidance",
    "mandatory",
    "kind",
    "expression",
    "max_points",
    "pass_points",
    "needs_completion",
]
DECISION_FIELDS = ["number", "issued_on", "signer", "signer_title", "issuing_body"]


def _deny(message: str | None = None) -> PermissionDenied:
    return PermissionDenied(message or _("Bạn không có quyền thực hiện thao tác này."))


def _require(condition: bool) -> None:
    if not condition:
        raise _deny()


def _label(criterion: Criterion) -> str:
    return f"{criterion.code}. {criterion.title}"


def active_metric_codes() -> set[str]:
    return set(Metric.objects.filter(is_active=True).values_list("code", flat=True))


# --- programmes -----------------------------------------------------------------------------


def _check_result_metrics(program: Program) -> None:
    errors: dict[str, str] = {}
    for name in ("enrolled_metric", "recognised_metric"):
        code = getattr(program, name)
        if not code:
            continue
        metric = Metric.objects.filter(code=code).first()
        if metric is None:
            errors[name] = _("Chỉ tiêu “%(code)s” không tồn tại.") % {"code": code}
        elif metric.source != MetricSource.PROVIDER or metric.provider_key != PROVIDER_KEY:
            errors[name] = _(
                "Chỉ tiêu “%(code)s” không do chương trình tính (cần bộ tính %(key)s)."
            ) % {"code": code, "key": PROVIDER_KEY}
        elif metric.period_kind != program.period_kind:
            errors[name] = _(
                "Chỉ tiêu “%(code)s” có kỳ %(metric)s, khác kỳ đánh giá của chương trình."
            ) % {"code": code, "metric": metric.get_period_kind_display()}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def program_create(
    *,
    actor: Any,
    owner: OrgUnit | None,
    fields: Mapping[str, Any],
    groups: Sequence[str] = (),
) -> Program:
    """Create a programme owned by ``owner`` (None: national) with an empty draft set v1."""
    _require(prog_perms.can_manage_owner(actor, owner))
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Trường không được phép sửa.")})
    program = Program(owner=owner, **fields)
    program.full_clean()
    _check_result_metrics(program)
    program.save()
    criteria_set = CriteriaSet(program=program, version=1, groups=list(groups))
    criteria_set.full_clean()
    criteria_set.save()
    audit_event_record(
        actor=actor,
        action="program.create",
        obj=program,
        orgunit=owner,
        after=model_snapshot(program, PROGRAM_FIELDS),
    )
    return program


@transaction.atomic
def program_update(*, actor: Any, program: Program, fields: Mapping[str, Any]) -> Program:
    """Change a programme's settings (not its criteria: those live in versioned sets)."""
    _require(prog_perms.can_manage(actor, program))
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Trường không được phép sửa.")})
    program = Program.objects.select_for_update().get(pk=program.pk)
    before = model_snapshot(program, PROGRAM_FIELDS)
    if (
        "period_kind" in fields
        and fields["period_kind"] != program.period_kind
        and program.enrollments.exists()
    ):
        raise ValidationError(
            {"period_kind": _("Không đổi được kỳ đánh giá khi đã có đơn vị đăng ký.")}
        )
    for name, value in fields.items():
        setattr(program, name, value)
    program.full_clean()
    _check_result_metrics(program)
    program.save()
    audit_event_record(
        actor=actor,
        action="program.update",
        obj=program,
        orgunit=program.owner,
        before=before,
        after=model_snapshot(program, PROGRAM_FIELDS),
    )
    return program


def _copy_set(source: CriteriaSet, program: Program, version: int) -> CriteriaSet:
    copy = CriteriaSet(
        program=program,
        version=version,
        note=source.note,
        groups=list(source.groups),
        min_optional_met=source.min_optional_met,
        min_points=source.min_points,
        levels=list(source.levels),
        caps=list(source.caps),
        based_on=source,
    )
    copy.full_clean()
    copy.save()
    Criterion.objects.bulk_create(
        [
            Criterion(
                criteria_set=copy,
                **{name: getattr(c, name) for name in CRITERION_FIELDS},
                metric_codes=list(c.metric_codes),
            )
            for c in source.criteria.all()
        ]
    )
    return copy


@transaction.atomic
def program_adopt(*, actor: Any, program: Program, owner: OrgUnit, code: str) -> Program:
    """Copy a programme (and its current criteria as a draft) for ``owner`` to complete."""
    _require(prog_perms.can_manage_owner(actor, owner))
    copy = Program(
        owner=owner,
        based_on=program,
        **{name: getattr(program, name) for name in PROGRAM_FIELDS if name != "code"},
        code=code,
    )
    copy.name = f"{program.name} — {owner.name}"[:300]
    copy.full_clean()
    copy.save()
    source = program.current_set or program.sets.order_by("-version").first()
    if source is not None:
        _copy_set(source, copy, 1)
    else:
        CriteriaSet.objects.create(program=copy, version=1)
    audit_event_record(
        actor=actor,
        action="program.adopt",
        obj=copy,
        orgunit=owner,
        after={"from": program.code, "code": code},
    )
    return copy


# --- criteria sets ------------------------------------------------------------------------------


def _editable(criteria_set: CriteriaSet) -> None:
    if criteria_set.is_locked:
        raise ValidationError(
            {
                "criteria_set": _(
                    "Phiên bản %(v)s đã được đơn vị sử dụng nên không sửa được; hãy tạo phiên "
                    "bản mới."
                )
                % {"v": criteria_set.version}
            }
        )


@transaction.atomic
def criteria_set_new_version(
    *, actor: Any, program: Program, based_on: CriteriaSet | None = None
) -> CriteriaSet:
    """Start a new, editable version as a copy of ``based_on`` (default: the current one)."""
    _require(prog_perms.can_manage(actor, program))
    program = Program.objects.select_for_update().get(pk=program.pk)
    source = based_on or program.current_set or program.sets.order_by("-version").first()
    last = program.sets.order_by("-version").values_list("version", flat=True).first() or 0
    if source is None:
        copy = CriteriaSet(program=program, version=last + 1)
        copy.full_clean()
        copy.save()
    else:
        if source.program_id != program.pk:
            raise ValidationError({"based_on": _("Phiên bản gốc thuộc chương trình khác.")})
        copy = _copy_set(source, program, last + 1)
    audit_event_record(
        actor=actor,
        action="criteria_set.new_version",
        obj=copy,
        orgunit=program.owner,
        after={"version": copy.version, "based_on": source.version if source else None},
    )
    return copy


@dataclass
class SetInput:
    groups: list[str] = field(default_factory=list)
    min_optional_met: int = 0
    min_points: Decimal | None = None
    levels: list[dict[str, Any]] = field(default_factory=list)
    caps: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


def _apply_set(criteria_set: CriteriaSet, data: SetInput) -> None:
    criteria_set.groups = [g.strip() for g in data.groups if g and g.strip()]
    criteria_set.min_optional_met = data.min_optional_met
    criteria_set.min_points = data.min_points
    criteria_set.levels = list(data.levels)
    criteria_set.caps = list(data.caps)
    criteria_set.note = data.note
    criteria_set.full_clean()


@transaction.atomic
def criteria_set_update(*, actor: Any, criteria_set: CriteriaSet, data: SetInput) -> CriteriaSet:
    """Change the groups, condition, levels and caps of an unlocked version."""
    _require(prog_perms.can_manage(actor, criteria_set.program))
    criteria_set = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    _editable(criteria_set)
    before = model_snapshot(criteria_set, SET_FIELDS)
    _apply_set(criteria_set, data)
    used = set(criteria_set.criteria.exclude(group="").values_list("group", flat=True))
    dropped = sorted(used - set(criteria_set.groups))
    if criteria_set.groups and dropped:
        raise ValidationError(
            {"groups": _("Còn tiêu chí thuộc nhóm: %(groups)s.") % {"groups": "; ".join(dropped)}}
        )
    criteria_set.save()
    audit_event_record(
        actor=actor,
        action="criteria_set.update",
        obj=criteria_set,
        orgunit=criteria_set.program.owner,
        before=before,
        after=model_snapshot(criteria_set, SET_FIELDS),
    )
    return criteria_set


@transaction.atomic
def criteria_set_publish(*, actor: Any, criteria_set: CriteriaSet) -> CriteriaSet:
    """Make ``criteria_set`` the version new enrolments use (after re-checking every rule)."""
    _require(prog_perms.can_manage(actor, criteria_set.program))
    criteria_set = (
        CriteriaSet.objects.select_for_update().select_related("program").get(pk=criteria_set.pk)
    )
    program = criteria_set.program
    criteria = list(criteria_set.criteria.all())
    if not criteria:
        raise ValidationError(
            {"criteria_set": _("Bộ tiêu chí chưa có tiêu chí nào: hãy thêm hoặc nhập tiêu chí.")}
        )
    codes = active_metric_codes()
    problems = []
    if program.is_classification:
        levels = list(criteria_set.levels)
        unset = [str(item["level"]) for item in levels[:-1] if item.get("min_points") is None]
        if len(levels) < 2 or unset:
            problems.append(
                _("Chưa nhập ngưỡng điểm xếp loại cho: %(levels)s.")
                % {"levels": ", ".join(unset) or _("mọi mức")}
            )
    for criterion in criteria:
        if criterion.kind != CriterionKind.RULE:
            continue
        try:
            rules.check(criterion.expression, metric_codes=codes)
        except rules.RuleError as exc:
            problems.append(f"{_label(criterion)}: {exc.message}")
    if problems:
        raise ValidationError({"criteria": problems})
    criteria_set.published_at = timezone.now()
    criteria_set.full_clean()
    criteria_set.save(update_fields=["published_at", "updated_at"])
    Program.objects.filter(pk=program.pk).update(current_set=criteria_set)
    program.current_set = criteria_set
    audit_event_record(
        actor=actor,
        action="criteria_set.publish",
        obj=criteria_set,
        orgunit=program.owner,
        after={"version": criteria_set.version, "criteria": len(criteria)},
    )
    return criteria_set


@dataclass
class CriterionInput:
    code: str
    title: str
    kind: str = CriterionKind.EVIDENCE
    group: str = ""
    order: int = 0
    guidance: str = ""
    mandatory: bool = True
    expression: str = ""
    max_points: Decimal | None = None
    pass_points: Decimal | None = None
    needs_completion: bool = False
    row: int = 0  # the row of an imported file, for error messages


def _build_criterion(
    criteria_set: CriteriaSet,
    data: CriterionInput,
    instance: Criterion | None,
    metric_codes: Collection[str],
) -> Criterion:
    """Return a validated, unsaved criterion; raise ``ValidationError`` by field otherwise."""
    criterion = instance or Criterion(criteria_set=criteria_set)
    for name in CRITERION_FIELDS:
        value = getattr(data, name)
        setattr(criterion, name, value.strip() if isinstance(value, str) else value)
    if criterion.kind != CriterionKind.RULE:
        criterion.metric_codes = []
    errors: dict[str, list[str]] = {}
    try:
        criterion.full_clean(exclude=["criteria_set"], validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if criterion.kind == CriterionKind.RULE and "expression" not in errors:
        try:
            compiled = rules.check(criterion.expression, metric_codes=metric_codes)
        except rules.RuleError as exc:
            errors["expression"] = [exc.message]
        else:
            criterion.metric_codes = list(compiled.metric_codes)
    if errors:
        raise ValidationError(errors)
    return criterion


def _unique_code(criteria_set: CriteriaSet, criterion: Criterion) -> None:
    clash = criteria_set.criteria.filter(code=criterion.code)
    if criterion.pk:
        clash = clash.exclude(pk=criterion.pk)
    if clash.exists():
        raise ValidationError(
            {"code": _("Mã tiêu chí “%(code)s” đã có trong bộ.") % {"code": criterion.code}}
        )


@transaction.atomic
def criterion_save(
    *,
    actor: Any,
    criteria_set: CriteriaSet,
    data: CriterionInput,
    criterion: Criterion | None = None,
) -> Criterion:
    """Add or change a criterion of an unlocked version; rules are checked as CEL first."""
    _require(prog_perms.can_manage(actor, criteria_set.program))
    criteria_set = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    _editable(criteria_set)
    if criterion is not None and criterion.criteria_set_id != criteria_set.pk:
        raise _deny()
    before = model_snapshot(criterion, CRITERION_FIELDS) if criterion is not None else None
    built = _build_criterion(criteria_set, data, criterion, active_metric_codes())
    _unique_code(criteria_set, built)
    built.save()
    audit_event_record(
        actor=actor,
        action="criterion.update" if before else "criterion.create",
        obj=built,
        orgunit=criteria_set.program.owner,
        before=before,
        after=model_snapshot(built, CRITERION_FIELDS),
    )
    return built


@transaction.atomic
def criterion_delete(*, actor: Any, criterion: Criterion) -> None:
    criteria_set = criterion.criteria_set
    _require(prog_perms.can_manage(actor, criteria_set.program))
    _editable(criteria_set)
    before = model_snapshot(criterion, CRITERION_FIELDS)
    audit_event_record(
        actor=actor,
        action="criterion.delete",
        obj=criteria_set,
        orgunit=criteria_set.program.owner,
        before=before,
    )
    criterion.delete()


@transaction.atomic
def criteria_set_replace(
    *,
    actor: Any,
    criteria_set: CriteriaSet,
    settings: SetInput,
    criteria: Sequence[CriterionInput],
) -> CriteriaSet:
    """Replace all criteria of an unlocked version (an imported official list).

    Every row is checked before anything is written; errors are keyed
    ``row <n>: <field>`` (rows numbered from 1 as in the file) and all are reported.
    """
    _require(prog_perms.can_manage(actor, criteria_set.program))
    criteria_set = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    _editable(criteria_set)
    errors: dict[str, list[str]] = {}
    try:
        _apply_set(criteria_set, settings)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if not criteria:
        errors.setdefault("criteria", []).append(_("Tệp không có tiêu chí nào."))
    codes = active_metric_codes()
    built: list[Criterion] = []
    seen: dict[str, int] = {}
    for index, data in enumerate(criteria, start=1):
        row = data.row or index
        try:
            criterion = _build_criterion(criteria_set, data, None, codes)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(f"row {row}: {name}", []).extend(messages)
            continue
        if criterion.code in seen:
            errors.setdefault(f"row {row}: code", []).append(
                _("Mã “%(code)s” trùng với dòng %(other)s.")
                % {"code": criterion.code, "other": seen[criterion.code]}
            )
            continue
        seen[criterion.code] = row
        if criteria_set.groups and criterion.group and criterion.group not in criteria_set.groups:
            errors.setdefault(f"row {row}: group", []).append(
                _("Nhóm “%(group)s” không có trong danh sách nhóm.") % {"group": criterion.group}
            )
            continue
        built.append(criterion)
    if errors:
        raise ValidationError(errors)
    criteria_set.save()
    criteria_set.criteria.all().delete()
    for criterion in built:
        criterion.criteria_set = criteria_set
    Criterion.objects.bulk_create(built)
    audit_event_record(
        actor=actor,
        action="criteria_set.import",
        obj=criteria_set,
        orgunit=criteria_set.program.owner,
        after={"version": criteria_set.version, "criteria": len(built)},
    )
    return criteria_set


# --- published numbers ------------------------------------------------------------------------


def _resync(actor: Any, program: Program, period_code: str) -> None:
    from binhyen.indicators.services import provider_values_sync

    for code in dict.fromkeys([program.enrolled_metric, program.recognised_metric]):
        if not code:
            continue
        metric = Metric.objects.filter(
            code=code, source=MetricSource.PROVIDER, provider_key=PROVIDER_KEY
        ).first()
        if metric is not None and metric.period_kind == program.period_kind:
            provider_values_sync(actor=actor, metric=metric, period_code=period_code)


# --- enrolment and self-assessment ------------------------------------------------------------


@transaction.atomic
def enrollment_create(
    *, actor: Any, program: Program, unit: OrgUnit, period_code: str
) -> Enrollment:
    """Enrol ``unit`` for a cycle: by the unit itself, or assigned by the verifying level."""
    _require(prog_perms.can_enrol(actor, program, unit))
    errors: dict[str, str] = {}
    try:
        period = parse_period(period_code)
    except PeriodError as exc:
        raise ValidationError({"period": str(exc)}) from exc
    if period.kind != program.period_kind:
        errors["period"] = _("Kỳ đánh giá của chương trình này là %(kind)s.") % {
            "kind": program.get_period_kind_display()
        }
    if not program.is_active:
        errors["program"] = _("Chương trình đã ngừng áp dụng.")
    if not program.accepts(unit):
        errors["unit"] = _("%(unit)s không thuộc loại đơn vị chương trình xét.") % {
            "unit": unit.name
        }
    if unit.valid_to is not None:
        errors["unit"] = _("%(unit)s đã giải thể.") % {"unit": unit.name}
    criteria_set = program.current_set
    if Enrollment.objects.filter(program=program, unit=unit, period=period.code).exists():
        errors["unit"] = _("%(unit)s đã đăng ký kỳ %(period)s.") % {
            "unit": unit.name,
            "period": period.label,
        }
    if criteria_set is None:
        errors["program"] = _("Chương trình chưa ban hành bộ tiêu chí.")
    if errors or criteria_set is None:
        raise ValidationError(errors)
    enrollment = Enrollment(
        program=program,
        criteria_set=criteria_set,
        unit=unit,
        period=period.code,
        assigned=not prog_perms.can_self_assess(actor, unit),
        enrolled_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    enrollment.full_clean()
    enrollment.save()
    Assessment.objects.bulk_create(
        [Assessment(enrollment=enrollment, criterion=c) for c in criteria_set.criteria.all()]
    )
    audit_event_record(
        actor=actor,
        action="enrollment.assign" if enrollment.assigned else "enrollment.create",
        obj=enrollment,
        orgunit=unit,
        after={"program": program.code, "period": period.code, "version": criteria_set.version},
    )
    _resync(actor, program, period.code)
    return enrollment


def _assessment(enrollment: Enrollment, criterion: Criterion) -> Assessment:
    if criterion.criteria_set_id != enrollment.criteria_set_id:
        raise _deny()
    assessment, _created = Assessment.objects.select_for_update().get_or_create(
        enrollment=enrollment, criterion=criterion
    )
    return assessment


def _lock_enrollment(enrollment: Enrollment, *statuses: str) -> Enrollment:
    locked = (
        Enrollment.objects.select_for_update()
        .select_related("program", "unit")
        .get(pk=enrollment.pk)
    )
    if statuses and locked.status not in statuses:
        raise ValidationError(
            {
                "status": _("Hồ sơ đang ở trạng thái “%(status)s”, không thực hiện được bước này.")
                % {"status": locked.get_status_display()}
            }
        )
    return locked


def _points(value: Any, criterion: Criterion, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        points = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({name: _("Điểm phải là một số.")}) from None
    if not points.is_finite() or points < 0:
        raise ValidationError({name: _("Điểm không được âm.")})
    if criterion.max_points is not None and points > criterion.max_points:
        raise ValidationError(
            {name: _("Điểm tối đa của tiêu chí này là %(max)s.") % {"max": criterion.max_points}}
        )
    return points


@transaction.atomic
def assessment_save(
    *,
    actor: Any,
    enrollment: Enrollment,
    criterion: Criterion,
    self_met: bool | None = None,
    self_points: Any = None,
    note: str = "",
) -> Assessment:
    """Record the unit's own assessment of one criterion (claim, proposed points, note)."""
    _require(prog_perms.can_self_assess(actor, enrollment.unit))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.ENROLLED)
    assessment = _assessment(enrollment, criterion)
    before = model_snapshot(assessment, ["self_met", "self_points", "self_note"])
    if criterion.kind == CriterionKind.EVIDENCE:
        assessment.self_met = self_met
    if criterion.kind == CriterionKind.POINTS:
        assessment.self_points = _points(self_points, criterion, "self_points")
    assessment.self_note = (note or "").strip()
    assessment.full_clean()
    assessment.save()
    audit_event_record(
        actor=actor,
        action="assessment.self",
        obj=enrollment,
        orgunit=enrollment.unit,
        before={"criterion": criterion.code, **before},
        after={
            "criterion": criterion.code,
            **model_snapshot(assessment, ["self_met", "self_points", "self_note"]),
        },
    )
    return assessment


@transaction.atomic
def evidence_add(
    *,
    actor: Any,
    enrollment: Enrollment,
    criterion: Criterion,
    upload: UploadedFile,
    description: str = "",
) -> Evidence:
    """Attach a checked document or photo (images re-encoded without EXIF) to a criterion."""
    _require(prog_perms.can_self_assess(actor, enrollment.unit))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.ENROLLED)
    try:
        clean = clean_document(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    assessment = _assessment(enrollment, criterion)
    evidence = Evidence(
        assessment=assessment,
        mime=clean.mime,
        original_name=(upload.name or "tep")[:200],
        size=clean.content.size,
        description=(description or "").strip()[:300],
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    evidence.file.save(clean.content.name or "minh-chung", clean.content, save=False)
    evidence.full_clean()
    evidence.save()
    audit_event_record(
        actor=actor,
        action="evidence.add",
        obj=enrollment,
        orgunit=enrollment.unit,
        after={"criterion": criterion.code, "file": evidence.original_name, "mime": evidence.mime},
    )
    return evidence


@transaction.atomic
def evidence_delete(*, actor: Any, evidence: Evidence) -> None:
    enrollment = evidence.assessment.enrollment
    _require(prog_perms.can_self_assess(actor, enrollment.unit))
    _lock_enrollment(enrollment, EnrollmentStatus.ENROLLED)
    audit_event_record(
        actor=actor,
        action="evidence.delete",
        obj=enrollment,
        orgunit=enrollment.unit,
        before={"criterion": evidence.assessment.criterion.code, "file": evidence.original_name},
    )
    stored = evidence.file.name or ""
    storage = evidence.file.storage
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


def _snapshot(enrollment: Enrollment, progress: evaluation.Progress) -> None:
    enrollment.met_count = progress.met_count
    enrollment.criteria_count = progress.total
    enrollment.points_total = progress.points_total
    enrollment.condition_met = progress.condition_met


@transaction.atomic
def enrollment_submit(*, actor: Any, enrollment: Enrollment) -> Enrollment:
    """Submit the file upward; refuse (listing every item) while anything is missing.

    Rule outcomes and the figures behind them are frozen into the assessments.
    """
    _require(prog_perms.can_self_assess(actor, enrollment.unit))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.ENROLLED)
    progress = evaluation.progress(enrollment)
    problems = []
    for result in progress.results:
        criterion = result.criterion
        if criterion.kind == CriterionKind.RULE:
            continue
        for missing in result.missing:
            problems.append(f"{_label(criterion)}: {missing}")
    if problems:
        raise ValidationError({"missing": problems})
    assessments = {a.criterion_id: a for a in enrollment.assessments.select_for_update()}
    for result in progress.results:
        criterion = result.criterion
        if criterion.kind != CriterionKind.RULE:
            continue
        assessment = assessments.get(criterion.pk) or Assessment(
            enrollment=enrollment, criterion=criterion
        )
        assessment.rule_status = result.self_status
        assessment.self_met = result.self_status == rules.MET
        assessment.figures = evaluation.freeze_figures(result)
        assessment.full_clean()
        assessment.save()
    enrollment.status = EnrollmentStatus.SUBMITTED
    enrollment.submitted_at = timezone.now()
    _snapshot(enrollment, evaluation.progress(enrollment))
    enrollment.full_clean()
    enrollment.save()
    audit_event_record(
        actor=actor,
        action="enrollment.submit",
        obj=enrollment,
        orgunit=enrollment.unit,
        after={
            "met": enrollment.met_count,
            "total": enrollment.criteria_count,
            "points": enrollment.points_total,
            "condition_met": enrollment.condition_met,
        },
    )
    return enrollment


# --- verification -------------------------------------------------------------------------------


@transaction.atomic
def enrollment_return(*, actor: Any, enrollment: Enrollment, reason: str) -> Enrollment:
    """Send a submitted file back to the unit to complete.

    Verdicts are cleared (the resubmitted file is verified again); the verifier's comments
    stay so the unit sees what to fix.
    """
    _require(prog_perms.can_verify(actor, enrollment))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.SUBMITTED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi rõ nội dung đơn vị cần bổ sung.")})
    enrollment.status = EnrollmentStatus.ENROLLED
    enrollment.submitted_at = None
    enrollment.full_clean()
    enrollment.save()
    Assessment.objects.filter(enrollment=enrollment).update(
        rule_status="", figures={}, verdict="", verified_met=None, verified_points=None
    )
    audit_event_record(
        actor=actor,
        action="enrollment.return",
        obj=enrollment,
        orgunit=enrollment.unit,
        after={"reason": reason},
    )
    return enrollment


@transaction.atomic
def assessment_verify(
    *,
    actor: Any,
    enrollment: Enrollment,
    criterion: Criterion,
    verdict: str,
    comment: str = "",
    points: Any = None,
) -> Assessment:
    """Record the verifier's view of one criterion: agree or disagree, comment, points."""
    _require(prog_perms.can_verify(actor, enrollment))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.SUBMITTED)
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": _("Chọn “Đồng ý” hoặc “Không đồng ý”.")})
    comment = (comment or "").strip()
    if verdict == Verdict.DISAGREE and not comment:
        raise ValidationError({"comment": _("Không đồng ý thì cần ghi nhận xét, lý do.")})
    adjusted = _points(points, criterion, "points")
    progress = evaluation.progress(enrollment)
    result = next((r for r in progress.results if r.criterion.pk == criterion.pk), None)
    if result is None:
        raise _deny()
    self_met = result.self_status == evaluation.MET
    assessment = _assessment(enrollment, criterion)
    if criterion.kind == CriterionKind.POINTS:
        if verdict == Verdict.DISAGREE and adjusted is None:
            raise ValidationError(
                {"points": _("Không đồng ý với điểm tự chấm thì nhập điểm thẩm định.")}
            )
        final_points = adjusted if adjusted is not None else assessment.self_points
        threshold = criterion.pass_points if criterion.pass_points is not None else Decimal(0)
        assessment.verified_points = final_points
        assessment.verified_met = final_points is not None and final_points >= threshold
    else:
        assessment.verified_met = self_met if verdict == Verdict.AGREE else not self_met
        assessment.verified_points = adjusted
    assessment.verdict = verdict
    assessment.verifier_comment = comment
    assessment.full_clean()
    assessment.save()
    audit_event_record(
        actor=actor,
        action="assessment.verify",
        obj=enrollment,
        orgunit=enrollment.unit,
        after={
            "criterion": criterion.code,
            "verdict": verdict,
            "met": assessment.verified_met,
            "points": assessment.verified_points,
            "comment": comment,
        },
    )
    return assessment


@transaction.atomic
def enrollment_verify(*, actor: Any, enrollment: Enrollment, note: str = "") -> Enrollment:
    """Close the verification once every criterion has a verdict; the file goes to decision."""
    _require(prog_perms.can_verify(actor, enrollment))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.SUBMITTED)
    progress = evaluation.progress(enrollment)
    pending = [_label(r.criterion) for r in progress.results if not r.verified]
    if pending:
        raise ValidationError(
            {"verdicts": [_("Chưa thẩm định: %(c)s") % {"c": label} for label in pending]}
        )
    enrollment.status = EnrollmentStatus.VERIFIED
    enrollment.verified_at = timezone.now()
    enrollment.verification_note = (note or "").strip()
    _snapshot(enrollment, progress)
    enrollment.full_clean()
    enrollment.save()
    audit_event_record(
        actor=actor,
        action="enrollment.verify",
        obj=enrollment,
        orgunit=enrollment.unit,
        after={
            "met": enrollment.met_count,
            "total": enrollment.criteria_count,
            "points": enrollment.points_total,
            "condition_met": enrollment.condition_met,
            "note": enrollment.verification_note,
        },
    )
    return enrollment


# --- decision and withdrawal -------------------------------------------------------------------


@dataclass
class DecisionInput:
    number: str
    issued_on: date | None
    signer: str
    issuing_body: str
    signer_title: str = ""
    scan: UploadedFile | None = None


def _decision_errors(data: DecisionInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (data.number or "").strip():
        errors["number"] = _("Nhập số, ký hiệu quyết định.")
    if data.issued_on is None:
        errors["issued_on"] = _("Nhập ngày ký quyết định.")
    elif data.issued_on > selectors.today():
        errors["issued_on"] = _("Ngày ký không được sau hôm nay.")
    if not (data.signer or "").strip():
        errors["signer"] = _("Nhập họ tên người ký.")
    if not (data.issuing_body or "").strip():
        errors["issuing_body"] = _("Nhập cơ quan ban hành.")
    return errors


@transaction.atomic
def decision_record(
    *,
    actor: Any,
    program: Program,
    period_code: str,
    enrollments: Sequence[Enrollment],
    recognised: Collection[int],
    data: DecisionInput,
) -> Decision:
    """Record one decision for verified files of one cycle.

    Recognition: each file in ``recognised`` is recognised (it must meet the condition as
    verified), the others are not. Classification: levels come from the verified points,
    with the set's caps applied across the files of this decision.
    """
    if not enrollments:
        raise ValidationError({"enrollments": _("Chọn ít nhất một hồ sơ.")})
    locked = [
        _lock_enrollment(e, EnrollmentStatus.VERIFIED)
        for e in sorted(enrollments, key=lambda e: e.pk)
    ]
    deciders = set()
    for enrollment in locked:
        if enrollment.program_id != program.pk or enrollment.period != period_code:
            raise _deny()
        _require(prog_perms.can_decide(actor, enrollment))
        deciders.add(prog_perms.decider_unit(program, enrollment.unit))
    program = locked[0].program
    if len(deciders) != 1:
        raise ValidationError(
            {"enrollments": _("Các hồ sơ trong một quyết định phải cùng một cấp quyết định.")}
        )
    errors = _decision_errors(data)
    recognised = set(recognised)
    if program.kind == ProgramKind.RECOGNITION:
        refused = [e.unit.name for e in locked if e.pk in recognised and not e.condition_met]
        if refused:
            errors["recognised"] = _(
                "Không công nhận được đơn vị chưa đủ điều kiện theo kết quả thẩm định: %(units)s."
            ) % {"units": ", ".join(refused)}
    clean = None
    if data.scan is not None:
        try:
            clean = clean_document(data.scan)
        except ValidationError as exc:
            errors["scan"] = " ".join(exc.messages)
    if errors or data.issued_on is None:
        raise ValidationError(errors)
    decider = deciders.pop()
    if decider is None:
        raise _deny()
    decision = Decision(
        program=program,
        period=period_code,
        orgunit=decider,
        number=data.number.strip(),
        issued_on=data.issued_on,
        signer=data.signer.strip(),
        signer_title=(data.signer_title or "").strip(),
        issuing_body=data.issuing_body.strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if clean is not None:
        decision.scan.save(clean.content.name or "quyet-dinh", clean.content, save=False)
        decision.scan_mime = clean.mime
    decision.full_clean()
    decision.save()
    outcomes: dict[str, str] = {}
    if program.kind == ProgramKind.CLASSIFICATION:
        criteria_set = locked[0].criteria_set
        classified = evaluation.classify(
            {e.pk: (e.points_total or Decimal(0), e.unit.code) for e in locked},
            levels=criteria_set.levels,
            caps=criteria_set.caps,
        )
        for enrollment in locked:
            result = classified[enrollment.pk]
            enrollment.level_by_points = result.by_points
            enrollment.level = result.level
            enrollment.capped = result.capped
            enrollment.status = EnrollmentStatus.CLASSIFIED
            outcomes[enrollment.unit.code] = result.level
    else:
        for enrollment in locked:
            enrollment.status = (
                EnrollmentStatus.RECOGNISED
                if enrollment.pk in recognised
                else EnrollmentStatus.NOT_RECOGNISED
            )
            outcomes[enrollment.unit.code] = enrollment.status
    for enrollment in locked:
        enrollment.decision = decision
        enrollment.full_clean()
        enrollment.save()
    audit_event_record(
        actor=actor,
        action="decision.record",
        obj=decision,
        orgunit=decider,
        after={**model_snapshot(decision, DECISION_FIELDS), "outcomes": outcomes},
    )
    webhook_emit(
        event=WebhookEvent.DECISION_RECORDED,
        object_type="program_decision",
        object_id=decision.pk,
        unit_code=decider.code,
        summary={
            "program": program.code,
            "kind": program.kind,
            "period": period_code,
            "units": len(locked),
        },
    )
    _resync(actor, program, period_code)
    return decision


@transaction.atomic
def decision_scan_attach(*, actor: Any, decision: Decision, scan: UploadedFile) -> Decision:
    """Attach (or replace) the signed scan of a recorded decision.

    Allowed to whoever may decide at the decision's unit. The file goes through the same
    check as at recording (``clean_document``: type sniffed from the content, size capped,
    images re-encoded without metadata); a replaced file is deleted after commit.
    """
    locked = Decision.objects.select_for_update().select_related("orgunit").get(pk=decision.pk)
    _require(prog_perms.can_decide_at(actor, locked.orgunit))
    try:
        clean = clean_document(scan)
    except ValidationError as exc:
        raise ValidationError({"scan": " ".join(exc.messages)}) from exc
    before = {"scan": locked.scan.name or "", "scan_mime": locked.scan_mime}
    storage = locked.scan.storage
    locked.scan.save(clean.content.name or "quyet-dinh", clean.content, save=False)
    stored = locked.scan.name or ""
    try:
        locked.scan_mime = clean.mime
        locked.full_clean()
        locked.save()
        audit_event_record(
            actor=actor,
            action="decision.scan",
            obj=locked,
            orgunit=locked.orgunit,
            before=before,
            after={"scan": stored, "scan_mime": clean.mime, "size": clean.content.size},
        )
    except BaseException:
        storage.delete(stored)
        raise
    replaced = before["scan"]
    if replaced and replaced != stored:
        transaction.on_commit(lambda: storage.delete(replaced))
    return locked


@transaction.atomic
def enrollment_withdraw(
    *, actor: Any, enrollment: Enrollment, reason: str, number: str = ""
) -> Enrollment:
    """Withdraw a recognition, with the reason (and the withdrawing decision's number)."""
    _require(prog_perms.can_decide(actor, enrollment))
    enrollment = _lock_enrollment(enrollment, EnrollmentStatus.RECOGNISED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do thu hồi công nhận.")})
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.withdrawn_at = timezone.now()
    enrollment.withdrawal_reason = reason
    enrollment.withdrawal_number = (number or "").strip()[:60]
    enrollment.full_clean()
    enrollment.save()
    audit_event_record(
        actor=actor,
        action="enrollment.withdraw",
        obj=enrollment,
        orgunit=enrollment.unit,
        after={"reason": reason, "number": enrollment.withdrawal_number},
    )
    _resync(actor, enrollment.program, enrollment.period)
    return enrollment

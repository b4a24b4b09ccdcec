"""Writes of criteria sets and their criteria: versions, settings, publishing, import.

Invariant: a locked criteria set (used by an enrolment) is never changed; edits go to a new
version, and an import replaces a draft set whole or not at all.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.programs import permissions as prog_perms
from binhyen.programs import rules
from binhyen.programs.models import (
    CriteriaSet,
    Criterion,
    CriterionKind,
    Program,
)
from binhyen.programs.services.common import CRITERION_FIELDS, SET_FIELDS, _deny, _label, _require
from binhyen.programs.services.programmes import _copy_set, active_metric_codes


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
    *, actor: Actor, program: Program, based_on: CriteriaSet | None = None
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
def criteria_set_update(*, actor: Actor, criteria_set: CriteriaSet, data: SetInput) -> CriteriaSet:
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
def criteria_set_publish(*, actor: Actor, criteria_set: CriteriaSet) -> CriteriaSet:
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
    title_en: str = ""
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
    actor: Actor,
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
def criterion_delete(*, actor: Actor, criterion: Criterion) -> None:
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
    actor: Actor,
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

"""Writes of the community app: schemes, security teams, gradings, pledges, their decisions.

Invariants:
- Every function here is the only way its rows change: keyword-only, typed, one
  transaction, ``full_clean()`` before saving, and one ``AuditEvent`` per call (the
  indicators app adds its own event for each period it resyncs).
- A missing permission raises ``PermissionDenied``; callers answer 404 as for a missing
  record, so existence never leaks.
- Bad input raises one ``ValidationError`` keyed by field name, listing every problem found;
  decision fields are prefixed (``founding_decision_issued_on``...), grading rows are
  ``t<team id>_level`` / ``m<member id>_level``. Nothing is saved: checks (including the
  upload check) all run before the first write.
- A change to a published number resyncs the affected periods in the same transaction,
  from the earliest date the change touches to today, at most
  ``settings.COMMUNITY["RESYNC_MAX_PERIODS"]`` periods per metric (older ones:
  ``manage.py community_sync``), so dashboards are never stale.
- Dates: membership, team and scheme spans are half-open: a member who left on D is no
  longer a member on D, so a transfer on D between two teams is not an overlap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from binhyen.community import permissions as community_perms
from binhyen.community import providers, selectors
from binhyen.community.models import (
    GRADE_RANK,
    Decision,
    DecisionKind,
    GradingRules,
    LeadOrgKind,
    MemberGrading,
    MemberOrigin,
    Pledge,
    Scheme,
    SchemeCategory,
    SchemeGrading,
    SchemeMember,
    SchemeQuality,
    SchemeSite,
    SchemeStatus,
    SchemeType,
    SecurityTeam,
    SignerKind,
    TaskGrade,
    TeamGrading,
    TeamMember,
    TeamRole,
    TrainingRecord,
)
from binhyen.core.models import WebhookEvent
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.text import clean_text, fold
from binhyen.core.uploads import CleanFile
from binhyen.core.uploads import clean_upload as _clean_upload
from binhyen.core.webhooks import webhook_emit
from binhyen.indicators.periods import PeriodError, PeriodKind, parse_period, periods_in
from binhyen.orgunits.models import OrgUnit, Subkind, UnitKind

NAME_MAX = 200
PERSON_NAME_MAX = 150
RECORD_KINDS = (UnitKind.COMMUNE, UnitKind.VILLAGE, UnitKind.ESTABLISHMENT)
SCHEME_FIELDS = [
    "scheme_type",
    "name",
    "lead_org_kind",
    "lead_org_name",
    "founded_on",
    "member_count",
    "status",
    "status_since",
    "replicated_from",
    "note",
]
TEAM_FIELDS = ["village", "name", "established_on", "dissolved_on", "note"]
MEMBER_FIELDS = ["team", "role", "origin", "joined_on", "left_on"]
PLEDGE_FIELDS = [
    "orgunit",
    "signer_kind",
    "year",
    "signed_on",
    "signed_by",
    "household_count",
    "note",
]
TYPE_FIELDS = ["province", "code", "name", "name_en", "category", "is_active", "sort_order"]
RULE_FIELDS = [
    "team_size_min",
    "team_size_max",
    "min_activity_months",
    "excellent_max_pct_of_good",
    "excellent_min_task_pct",
    "leader_not_above_team",
    "basis",
]
GRADING_PERIOD_KINDS = (
    PeriodKind.YEAR,
    PeriodKind.HALF,
    PeriodKind.QUARTER,
    PeriodKind.MONTH,
    PeriodKind.MOVEMENT_YEAR,
)


def _today() -> date:
    return selectors.today()


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _raise(errors: Mapping[str, Any]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def _not_future(errors: dict[str, Any], field: str, value: date | None, label: str) -> None:
    if value is not None and value > _today():
        errors[field] = _("%(label)s (%(date)s) không được sau hôm nay.") % {
            "label": label,
            "date": _fmt(value),
        }


def clean_upload(upload: Any, *, field: str = "file") -> CleanFile:
    """Check a scanned decision or pledge with the core cleaner, within the community limit."""
    limit = int(selectors.setting("UPLOAD_MAX_MB", 10)) * 1024 * 1024
    return _clean_upload(upload, field=field, max_bytes=limit)


def _text(value: str | None, limit: int, field: str, label: str, errors: dict[str, Any]) -> str:
    try:
        text = clean_text(value, label=label, multiline=limit > NAME_MAX)
    except ValidationError as exc:
        errors[field] = exc.messages[0]
        return (value or "").strip()
    if len(text) > limit:
        errors[field] = _("%(label)s dài quá %(max)s ký tự.") % {"label": label, "max": limit}
    return text


def _count(value: int | None, field: str, label: str, errors: dict[str, Any]) -> int | None:
    if value is None:
        return None
    if value < 0:
        errors[field] = _("%(label)s không được nhỏ hơn 0 (đã nhập %(value)s).") % {
            "label": label,
            "value": value,
        }
    return value


def _clean_model(obj: Any, errors: dict[str, Any], exclude: Sequence[str] = ()) -> None:
    """Run ``full_clean`` and merge its messages into ``errors`` (checks before writes)."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)


# --- publishing numbers ----------------------------------------------------------------------


def _resync(*, actor: Any, codes: Sequence[str], start: date, end: date | None = None) -> int:
    """Recompute the provider metrics ``codes`` for the periods between ``start`` and ``end``.

    ``end`` defaults to today and never goes past it; at most ``RESYNC_MAX_PERIODS`` of the
    latest periods are done per metric. Returns how many values changed.
    """
    from binhyen.indicators.models import Metric, MetricSource
    from binhyen.indicators.services import provider_values_sync

    last = min(end or _today(), _today())
    if start > last:
        return 0
    limit = int(selectors.setting("RESYNC_MAX_PERIODS", 24))
    keys = {p.key for p in providers.PROVIDERS} | {providers.VILLAGES_PROVIDER}
    changed = 0
    metrics = Metric.objects.filter(
        code__in=list(codes), source=MetricSource.PROVIDER, provider_key__in=keys, is_active=True
    )
    for metric in metrics:
        for period in periods_in(metric.period_kind, start, last)[-limit:]:
            changed += provider_values_sync(actor=actor, metric=metric, period_code=period.code)
    return changed


@transaction.atomic
def community_metrics_sync(*, actor: Any, start: date, end: date | None = None) -> int:
    """Recompute every number this app publishes between ``start`` and ``end`` (no limit).

    For a daily job and for back-filling after an import; returns how many values changed.
    """
    from binhyen.indicators.models import Metric, MetricSource
    from binhyen.indicators.services import provider_values_sync

    last = min(end or _today(), _today())
    if start > last:
        raise ValidationError({"start": _("Ngày bắt đầu phải trước ngày kết thúc.")})
    keys = {p.key for p in providers.PROVIDERS} | {providers.VILLAGES_PROVIDER}
    changed = 0
    for metric in Metric.objects.filter(
        source=MetricSource.PROVIDER, provider_key__in=keys, is_active=True
    ):
        for period in periods_in(metric.period_kind, start, last):
            changed += provider_values_sync(actor=actor, metric=metric, period_code=period.code)
    audit_event_record(
        actor=actor,
        action="community.metrics_sync",
        after={"start": start, "end": last, "changed": changed},
    )
    return changed


# --- decisions -------------------------------------------------------------------------------


@dataclass
class DecisionInput:
    """A decision or signed document as typed in: all empty means "no decision"."""

    number: str = ""
    issued_on: date | None = None
    issuing_body: str = ""
    upload: Any = None
    remove_file: bool = False

    def is_blank(self) -> bool:
        return not (
            (self.number or "").strip()
            or self.issued_on
            or (self.issuing_body or "").strip()
            or self.upload
        )


@dataclass
class _DecisionPlan:
    existing: Decision | None
    data: DecisionInput | None
    kind: str
    clean: CleanFile | None = None
    detach: bool = False


def _plan_decision(
    *,
    existing: Decision | None,
    data: DecisionInput | None,
    kind: str,
    prefix: str,
    errors: dict[str, Any],
) -> _DecisionPlan:
    """Check a decision's fields and its file; nothing is written yet."""
    plan = _DecisionPlan(existing=existing, data=data, kind=kind)
    if data is None:
        return plan
    if data.is_blank() and (existing is None or not existing.file or data.remove_file):
        plan.detach = True
        return plan
    _text(data.number, 50, f"{prefix}_number", _("Số, ký hiệu văn bản"), errors)
    _text(data.issuing_body, 200, f"{prefix}_issuing_body", _("Cơ quan ban hành"), errors)
    if data.issued_on is None:
        errors[f"{prefix}_issued_on"] = _("Nhập ngày ban hành (ngày ký) của văn bản.")
    else:
        _not_future(errors, f"{prefix}_issued_on", data.issued_on, _("Ngày ban hành"))
    if data.upload is not None:
        try:
            plan.clean = clean_upload(data.upload, field=f"{prefix}_file")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return plan


def _write_decision(plan: _DecisionPlan, orgunit: OrgUnit) -> Decision | None:
    """Save a checked decision; return what the record should point to."""
    data = plan.data
    if data is None:
        return plan.existing
    if plan.detach:
        return None
    created = plan.existing is None
    decision = plan.existing or Decision(kind=plan.kind, orgunit=orgunit)
    decision.number = (data.number or "").strip()
    decision.issued_on = data.issued_on  # type: ignore[assignment]
    decision.issuing_body = (data.issuing_body or "").strip()
    old_name = decision.file.name if decision.file else ""
    if data.remove_file and not plan.clean:
        decision.file = ""  # type: ignore[assignment]
        decision.content_type = ""
    if plan.clean is not None:
        decision.file.save(f"scan.{plan.clean.extension}", plan.clean.content, save=False)
        decision.content_type = plan.clean.content_type
    decision.full_clean()
    decision.save()
    if created:
        webhook_emit(
            event=WebhookEvent.DECISION_RECORDED,
            object_type="community_decision",
            object_id=decision.pk,
            unit_code=orgunit.code,
            summary={"kind": decision.kind},
        )
    new_name = decision.file.name if decision.file else ""
    if old_name and old_name != new_name:
        storage = decision.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return decision


def _save_with_decisions(
    obj: Any,
    *,
    decisions: Sequence[tuple[str, str, DecisionInput | None]],
    orgunit: Callable[[], OrgUnit],
    errors: dict[str, Any],
    check_model: bool = True,
) -> None:
    """Check ``obj`` and its attached decisions (field, kind, input) together, raise every
    problem at once, then write the decisions (filed under ``orgunit()``) and save ``obj``.
    Nothing is written when anything is wrong."""
    fields = [name for name, _kind, _data in decisions]
    plans = [
        _plan_decision(
            existing=getattr(obj, name), data=data, kind=kind, prefix=name, errors=errors
        )
        for name, kind, data in decisions
    ]
    if check_model:
        _clean_model(obj, errors, exclude=fields)
    _raise(errors)
    unit = orgunit()
    for name, plan in zip(fields, plans, strict=True):
        setattr(obj, name, _write_decision(plan, unit))
    obj.save()


def _decision_summary(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "number": decision.number,
        "issued_on": decision.issued_on,
        "issuing_body": decision.issuing_body,
        "file": bool(decision.file),
    }


@transaction.atomic
def decision_file_attach(*, actor: Any, decision: Decision, upload: Any) -> Decision:
    """Replace a decision's scanned file (the caller has checked the user may edit its record)."""
    if not community_perms.can_manage(actor, decision.orgunit):
        raise PermissionDenied(_("Bạn không có quyền sửa văn bản này."))
    errors: dict[str, Any] = {}
    plan = _plan_decision(
        existing=decision,
        data=DecisionInput(
            number=decision.number,
            issued_on=decision.issued_on,
            issuing_body=decision.issuing_body,
            upload=upload,
        ),
        kind=decision.kind,
        prefix="decision",
        errors=errors,
    )
    if upload is None:
        errors["decision_file"] = _("Hãy chọn tệp bản scan.")
    _raise(errors)
    saved = _write_decision(plan, decision.orgunit) or decision
    audit_event_record(
        actor=actor,
        action="decision.file_attach",
        obj=saved,
        orgunit=saved.orgunit,
        after={"content_type": saved.content_type},
    )
    return saved


# --- scheme types ----------------------------------------------------------------------------


def _code_from_name(name: str) -> str:
    code = re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")[:32].strip("_")
    if not code or not code[0].isalpha():
        code = f"mh_{code}"[:32].strip("_")
    return code or "mo_hinh"


def _unique_type_code(base: str, province: OrgUnit | None, exclude: int | None = None) -> str:
    code = base
    number = 2
    while True:
        clash = SchemeType.objects.filter(code=code).filter(
            Q(province__isnull=True) | Q(province=province)
        )
        if exclude is not None:
            clash = clash.exclude(pk=exclude)
        if not clash.exists():
            return code
        suffix = f"_{number}"
        code = f"{base[: 32 - len(suffix)]}{suffix}"
        number += 1


def _check_type_fields(
    *, name: str, category: str, errors: dict[str, Any], name_en: str = ""
) -> tuple[str, str]:
    clean_name = _text(name, NAME_MAX, "name", _("Tên loại mô hình"), errors)
    if not clean_name:
        errors["name"] = _("Nhập tên loại mô hình.")
    if category not in SchemeCategory.values:
        errors["category"] = _("Nhóm mô hình không hợp lệ.")
    return clean_name, _text(name_en, NAME_MAX, "name_en", _("Tên tiếng Anh"), errors)


@transaction.atomic
def scheme_type_create(
    *,
    actor: Any,
    province: OrgUnit | None,
    name: str,
    category: str,
    code: str = "",
    name_en: str = "",
    description: str = "",
    sort_order: int = 0,
    typical: bool = False,
) -> SchemeType:
    """Add a type to a province's catalogue (``province`` None: the national catalogue)."""
    if not community_perms.can_manage_catalogue(actor, province):
        raise PermissionDenied(_("Bạn không có quyền sửa danh mục mô hình này."))
    errors: dict[str, Any] = {}
    clean_name, clean_en = _check_type_fields(
        name=name, category=category, name_en=name_en, errors=errors
    )
    code = (code or "").strip()
    if code:
        clash = SchemeType.objects.filter(code=code).filter(
            Q(province__isnull=True) | Q(province=province)
        )
        if clash.exists():
            errors["code"] = _("Mã “%(code)s” đã có trong danh mục.") % {"code": code}
    else:
        code = _unique_type_code(_code_from_name(clean_name), province)
    if sort_order < 0:
        errors["sort_order"] = _("Thứ tự không được nhỏ hơn 0.")
    item = SchemeType(
        province=province,
        code=code,
        name=clean_name,
        name_en=clean_en,
        description=(description or "").strip(),
        category=category,
        sort_order=max(sort_order, 0),
    )
    _clean_model(item, errors)
    _raise(errors)
    item.save()
    if typical and province is not None:
        item.typical_in.add(province)
    audit_event_record(
        actor=actor,
        action="scheme_type.create",
        obj=item,
        orgunit=province,
        after={**model_snapshot(item, TYPE_FIELDS), "typical": typical},
    )
    return item


@transaction.atomic
def scheme_type_update(
    *,
    actor: Any,
    scheme_type: SchemeType,
    name: str,
    category: str,
    name_en: str = "",
    description: str = "",
    sort_order: int = 0,
    is_active: bool = True,
) -> SchemeType:
    """Change a type of the catalogue; a category change resyncs the scheme counts."""
    item = SchemeType.objects.select_for_update(of=("self",)).get(pk=scheme_type.pk)
    if not community_perms.can_manage_catalogue(actor, item.province):
        raise PermissionDenied(_("Bạn không có quyền sửa danh mục mô hình này."))
    before = model_snapshot(item, TYPE_FIELDS)
    errors: dict[str, Any] = {}
    clean_name, clean_en = _check_type_fields(
        name=name, category=category, name_en=name_en, errors=errors
    )
    if sort_order < 0:
        errors["sort_order"] = _("Thứ tự không được nhỏ hơn 0.")
    old_category = item.category
    item.name, item.name_en, item.category = clean_name, clean_en, category
    item.description = (description or "").strip()
    item.sort_order = max(sort_order, 0)
    item.is_active = is_active
    _clean_model(item, errors)
    _raise(errors)
    item.save()
    audit_event_record(
        actor=actor,
        action="scheme_type.update",
        obj=item,
        orgunit=item.province,
        before=before,
        after=model_snapshot(item, TYPE_FIELDS),
    )
    if old_category != item.category:
        first = item.schemes.order_by("founded_on").values_list("founded_on", flat=True).first()
        if first is not None:
            _resync(actor=actor, codes=[providers.SCHEMES_ACTIVE], start=first)
    return item


@transaction.atomic
def scheme_type_typical_set(
    *, actor: Any, scheme_type: SchemeType, province: OrgUnit, typical: bool
) -> SchemeType:
    """Mark or unmark a type as one of ``province``'s typical schemes."""
    if province.kind != UnitKind.PROVINCE or not community_perms.can_manage_catalogue(
        actor, province
    ):
        raise PermissionDenied(_("Bạn không có quyền sửa danh mục mô hình này."))
    if scheme_type.province_id not in (None, province.pk):
        raise ValidationError({"scheme_type": _("Loại mô hình này thuộc danh mục của tỉnh khác.")})
    if typical:
        scheme_type.typical_in.add(province)
    else:
        scheme_type.typical_in.remove(province)
    audit_event_record(
        actor=actor,
        action="scheme_type.typical",
        obj=scheme_type,
        orgunit=province,
        after={"province": province.code, "typical": typical},
    )
    return scheme_type


# --- schemes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterEntry:
    full_name: str
    role: str = ""


def _coverage(
    *,
    actor: Any,
    units: Sequence[OrgUnit],
    current: Sequence[OrgUnit] = (),
    founded_on: date | None,
    errors: dict[str, Any],
) -> list[OrgUnit]:
    """Return the final covered units: the ones given plus covered ones the actor cannot see."""
    chosen: dict[int, OrgUnit] = {}
    for unit in units:
        chosen.setdefault(unit.pk, unit)
    bad_kind = [u.name for u in chosen.values() if u.kind not in RECORD_KINDS]
    if bad_kind:
        errors["units"] = _(
            "Địa bàn của mô hình phải là xã, phường, thôn, tổ dân phố hoặc cơ quan, trường học"
            " (không nhận: %(names)s)."
        ) % {"names": ", ".join(bad_kind)}
    visible = selectors.units_visible(user=actor, units=list(chosen.values()) + list(current))
    hidden = [u.name for u in chosen.values() if u.pk not in visible]
    if hidden:
        errors["units"] = _("Không tìm thấy địa bàn trong phạm vi của bạn: %(names)s.") % {
            "names": ", ".join(hidden)
        }
    if founded_on is not None:
        closed = [
            u.name for u in chosen.values() if u.valid_to is not None and u.valid_to < founded_on
        ]
        if closed:
            errors["units"] = _("Đơn vị đã giải thể trước ngày thành lập mô hình: %(names)s.") % {
                "names": ", ".join(closed)
            }
    for unit in current:
        if unit.pk not in visible:
            chosen.setdefault(unit.pk, unit)
    if not chosen:
        errors["units"] = _("Chọn ít nhất một địa bàn (xã, thôn hoặc cơ quan) của mô hình.")
    return list(chosen.values())


def _check_scheme(
    *,
    actor: Any,
    scheme: Scheme,
    units: list[OrgUnit],
    errors: dict[str, Any],
) -> None:
    if scheme.scheme_type_id is not None:
        item = scheme.scheme_type
        provinces = {p.pk for p in (selectors.province_of(u) for u in units) if p is not None}
        if item.province_id is not None and item.province_id not in provinces:
            errors["scheme_type"] = _(
                "Loại mô hình “%(type)s” thuộc danh mục của tỉnh khác với địa bàn đã chọn."
            ) % {"type": item.name}
    if scheme.lead_org_kind not in LeadOrgKind.values:
        errors["lead_org_kind"] = _("Chọn tổ chức nòng cốt.")
    _not_future(errors, "founded_on", scheme.founded_on, _("Ngày thành lập"))
    if scheme.founded_on and scheme.status_since and scheme.status_since < scheme.founded_on:
        errors["status_since"] = _("Ngày chuyển trạng thái không được trước ngày thành lập.")
    _not_future(errors, "status_since", scheme.status_since, _("Ngày chuyển trạng thái"))
    source = scheme.replicated_from
    steps = 0
    while source is not None and steps < 100:
        if scheme.pk is not None and source.pk == scheme.pk:
            errors["replicated_from"] = _("Mô hình không thể nhân rộng từ chính nó.")
            break
        source = source.replicated_from
        steps += 1


def _scheme_snapshot(scheme: Scheme) -> dict[str, Any]:
    data = model_snapshot(scheme, SCHEME_FIELDS)
    data["units"] = sorted(scheme.units.values_list("code", flat=True))
    data["founding_decision"] = _decision_summary(scheme.founding_decision)
    return data


@transaction.atomic
def scheme_create(
    *,
    actor: Any,
    scheme_type: SchemeType,
    name: str,
    units: Sequence[OrgUnit],
    lead_org_kind: str,
    founded_on: date,
    lead_org_name: str = "",
    member_count: int | None = None,
    roster: Sequence[RosterEntry] = (),
    replicated_from: Scheme | None = None,
    note: str = "",
    founding_decision: DecisionInput | None = None,
) -> Scheme:
    """Record a scheme with the units it covers; the actor must manage one of them."""
    errors: dict[str, Any] = {}
    final_units = _coverage(actor=actor, units=units, founded_on=founded_on, errors=errors)
    _raise(errors)
    if not community_perms.can_manage_any(actor, final_units):
        raise PermissionDenied(_("Bạn không có quyền ghi mô hình cho địa bàn này."))
    if not scheme_type.is_active:
        errors["scheme_type"] = _("Loại mô hình “%(type)s” đã ngừng dùng.") % {
            "type": scheme_type.name
        }
    clean_name = _text(name, NAME_MAX, "name", _("Tên mô hình"), errors)
    if not clean_name:
        errors["name"] = _("Nhập tên mô hình.")
    _count(member_count, "member_count", _("Số thành viên"), errors)
    entries = _check_roster(roster, errors)
    scheme = Scheme(
        scheme_type=scheme_type,
        name=clean_name,
        name_folded=fold(clean_name),
        lead_org_kind=lead_org_kind,
        lead_org_name=_text(lead_org_name, NAME_MAX, "lead_org_name", _("Tên tổ chức"), errors),
        founded_on=founded_on,
        member_count=member_count,
        status=SchemeStatus.ACTIVE,
        status_since=founded_on,
        replicated_from=replicated_from,
        note=(note or "").strip(),
    )
    _check_scheme(actor=actor, scheme=scheme, units=final_units, errors=errors)

    def home_of() -> OrgUnit:  # a unit of the scheme the actor manages (once it is valid)
        return next(u for u in final_units if community_perms.can_manage(actor, u))

    _save_with_decisions(
        scheme,
        decisions=[("founding_decision", DecisionKind.FOUNDING, founding_decision)],
        orgunit=lambda: community_perms.commune_of(home_of()) or home_of(),
        errors=errors,
    )
    home = home_of()
    scheme.units.set(final_units)
    SchemeMember.objects.bulk_create(
        [SchemeMember(scheme=scheme, full_name=n, role=r) for n, r in entries]
    )
    audit_event_record(
        actor=actor,
        action="scheme.create",
        obj=scheme,
        orgunit=community_perms.commune_of(home),
        after={**_scheme_snapshot(scheme), "roster": len(entries)},
    )
    _resync(actor=actor, codes=providers.SCHEME_METRICS, start=founded_on)
    return scheme


def _check_roster(roster: Sequence[RosterEntry], errors: dict[str, Any]) -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    for number, entry in enumerate(roster, start=1):
        full_name = (entry.full_name or "").strip()
        role = (entry.role or "").strip()
        if not full_name and not role:
            continue
        if not full_name or len(full_name) > PERSON_NAME_MAX or len(role) > 100:
            errors["roster"] = _(
                "Dòng %(row)s của danh sách thành viên: cần họ tên (tối đa 150 ký tự) và vai trò"
                " (tối đa 100 ký tự)."
            ) % {"row": number}
            continue
        entries.append((full_name, role))
    return entries


def _require_scheme_edit(actor: Any, scheme: Scheme) -> None:
    if not selectors.scheme_can_edit(user=actor, scheme=scheme):
        raise PermissionDenied(_("Bạn không có quyền sửa mô hình này."))


def _scheme_home(actor: Any, scheme: Scheme) -> OrgUnit | None:
    for unit in scheme.units.select_related("parent"):
        if community_perms.can_manage(actor, unit):
            return community_perms.commune_of(unit)
    return None


@transaction.atomic
def scheme_update(
    *,
    actor: Any,
    scheme: Scheme,
    scheme_type: SchemeType,
    name: str,
    units: Sequence[OrgUnit],
    lead_org_kind: str,
    founded_on: date,
    lead_org_name: str = "",
    member_count: int | None = None,
    replicated_from: Scheme | None = None,
    note: str = "",
    founding_decision: DecisionInput | None = None,
) -> Scheme:
    """Change a scheme. Covered units the actor cannot see stay covered."""
    scheme = (
        Scheme.objects.select_for_update(of=("self",))
        .select_related("founding_decision")
        .get(pk=scheme.pk)
    )
    _require_scheme_edit(actor, scheme)
    before = _scheme_snapshot(scheme)
    errors: dict[str, Any] = {}
    current = list(scheme.units.select_related("parent"))
    final_units = _coverage(
        actor=actor, units=units, current=current, founded_on=founded_on, errors=errors
    )
    if final_units and not community_perms.can_manage_any(actor, final_units):
        errors["units"] = _(
            "Phải giữ ít nhất một địa bàn bạn phụ trách, nếu không bạn sẽ không sửa được mô hình"
            " này nữa."
        )
    if scheme_type.pk != scheme.scheme_type_id and not scheme_type.is_active:
        errors["scheme_type"] = _("Loại mô hình “%(type)s” đã ngừng dùng.") % {
            "type": scheme_type.name
        }
    clean_name = _text(name, NAME_MAX, "name", _("Tên mô hình"), errors)
    if not clean_name:
        errors["name"] = _("Nhập tên mô hình.")
    _count(member_count, "member_count", _("Số thành viên"), errors)
    old_founded = scheme.founded_on
    scheme.scheme_type = scheme_type
    scheme.name, scheme.name_folded = clean_name, fold(clean_name)
    scheme.lead_org_kind = lead_org_kind
    scheme.lead_org_name = _text(lead_org_name, NAME_MAX, "lead_org_name", _("Tên tổ chức"), errors)
    unchanged_since = scheme.status_since == old_founded or scheme.status_since < founded_on
    if scheme.is_active and unchanged_since:
        scheme.status_since = founded_on
    scheme.founded_on = founded_on
    scheme.member_count = member_count
    scheme.replicated_from = replicated_from
    scheme.note = (note or "").strip()
    _check_scheme(actor=actor, scheme=scheme, units=final_units, errors=errors)
    if scheme.sites.filter(established_on__lt=founded_on).exists():
        errors["founded_on"] = _("Có điểm mô hình xây dựng trước ngày thành lập này.")

    def home_of() -> OrgUnit | None:  # where the scheme is filed (once its units are valid)
        return _scheme_home(actor, scheme) or community_perms.commune_of(final_units[0])

    _save_with_decisions(
        scheme,
        decisions=[("founding_decision", DecisionKind.FOUNDING, founding_decision)],
        orgunit=lambda: home_of() or final_units[0],
        errors=errors,
    )
    home = home_of()
    scheme.units.set(final_units)
    audit_event_record(
        actor=actor,
        action="scheme.update",
        obj=scheme,
        orgunit=home,
        before=before,
        after=_scheme_snapshot(scheme),
    )
    _resync(actor=actor, codes=providers.SCHEME_METRICS, start=min(old_founded, founded_on))
    return scheme


@transaction.atomic
def scheme_status_set(*, actor: Any, scheme: Scheme, status: str, since: date) -> Scheme:
    """Suspend, dissolve or reactivate a scheme from ``since``."""
    scheme = Scheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
    _require_scheme_edit(actor, scheme)
    errors: dict[str, Any] = {}
    if status not in SchemeStatus.values:
        errors["status"] = _("Trạng thái không hợp lệ.")
    if since is None:
        errors["since"] = _("Nhập ngày chuyển trạng thái.")
    else:
        if since < scheme.founded_on:
            errors["since"] = _(
                "Ngày chuyển trạng thái (%(date)s) không được trước ngày thành lập (%(founded)s)."
            ) % {"date": _fmt(since), "founded": _fmt(scheme.founded_on)}
        _not_future(errors, "since", since, _("Ngày chuyển trạng thái"))
    _raise(errors)
    before = model_snapshot(scheme, ["status", "status_since"])
    old_since = scheme.status_since
    scheme.status, scheme.status_since = status, since
    scheme.full_clean(exclude=["founding_decision"])
    scheme.save(update_fields=["status", "status_since", "updated_at"])
    audit_event_record(
        actor=actor,
        action="scheme.status",
        obj=scheme,
        orgunit=_scheme_home(actor, scheme),
        before=before,
        after=model_snapshot(scheme, ["status", "status_since"]),
    )
    _resync(actor=actor, codes=providers.SCHEME_METRICS, start=min(old_since, since))
    return scheme


@transaction.atomic
def scheme_member_add(
    *, actor: Any, scheme: Scheme, full_name: str, role: str = ""
) -> SchemeMember:
    """Add a person (name and role only) to a scheme's roster."""
    _require_scheme_edit(actor, scheme)
    errors: dict[str, Any] = {}
    entries = _check_roster([RosterEntry(full_name=full_name, role=role)], errors)
    if not entries and "roster" not in errors:
        errors["full_name"] = _("Nhập họ và tên.")
    if "roster" in errors:
        errors["full_name"] = errors.pop("roster")
    _raise(errors)
    member = SchemeMember(scheme=scheme, full_name=entries[0][0], role=entries[0][1])
    member.full_clean()
    member.save()
    audit_event_record(
        actor=actor,
        action="scheme.member_add",
        obj=scheme,
        orgunit=_scheme_home(actor, scheme),
        after={"role": member.role, "roster": scheme.roster.count()},
    )
    return member


@transaction.atomic
def scheme_member_remove(*, actor: Any, member: SchemeMember) -> None:
    """Take a person off a scheme's roster."""
    scheme = member.scheme
    _require_scheme_edit(actor, scheme)
    role = member.role
    member.delete()
    audit_event_record(
        actor=actor,
        action="scheme.member_remove",
        obj=scheme,
        orgunit=_scheme_home(actor, scheme),
        after={"role": role, "roster": scheme.roster.count()},
    )


@transaction.atomic
def scheme_site_add(
    *, actor: Any, scheme: Scheme, unit: OrgUnit, established_on: date, note: str = ""
) -> SchemeSite:
    """Record a site where the scheme is replicated, within the communes it covers."""
    _require_scheme_edit(actor, scheme)
    errors: dict[str, Any] = {}
    communes = {
        c.pk
        for c in (community_perms.commune_of(u) for u in scheme.units.select_related("parent"))
        if c is not None
    }
    commune = community_perms.commune_of(unit)
    if unit.kind not in RECORD_KINDS or commune is None or commune.pk not in communes:
        errors["orgunit"] = _(
            "Điểm mô hình phải là xã, thôn hoặc cơ quan thuộc các xã mô hình đang hoạt động."
        )
    elif not selectors.units_visible(user=actor, units=[unit]):
        errors["orgunit"] = _("Không tìm thấy đơn vị trong phạm vi của bạn.")
    elif unit.valid_to is not None:
        errors["orgunit"] = _("Đơn vị “%(name)s” đã giải thể.") % {"name": unit.name}
    if established_on is None:
        errors["established_on"] = _("Nhập ngày xây dựng điểm mô hình.")
    else:
        if established_on < scheme.founded_on:
            errors["established_on"] = _(
                "Ngày xây dựng (%(date)s) không được trước ngày thành lập mô hình (%(founded)s)."
            ) % {"date": _fmt(established_on), "founded": _fmt(scheme.founded_on)}
        _not_future(errors, "established_on", established_on, _("Ngày xây dựng"))
    if SchemeSite.objects.filter(scheme=scheme, orgunit=unit, ended_on__isnull=True).exists():
        errors["orgunit"] = _("“%(name)s” đã là điểm của mô hình này.") % {"name": unit.name}
    _raise(errors)
    site = SchemeSite(
        scheme=scheme, orgunit=unit, established_on=established_on, note=(note or "").strip()
    )
    site.full_clean()
    site.save()
    audit_event_record(
        actor=actor,
        action="scheme.site_add",
        obj=scheme,
        orgunit=commune,
        after={"unit": unit.code, "established_on": established_on},
    )
    _resync(actor=actor, codes=[providers.SCHEME_SITES], start=established_on)
    return site


@transaction.atomic
def scheme_site_end(*, actor: Any, site: SchemeSite, ended_on: date) -> SchemeSite:
    """Record that a site stopped running (it stays in the history)."""
    _require_scheme_edit(actor, site.scheme)
    errors: dict[str, Any] = {}
    if site.ended_on is not None:
        errors["ended_on"] = _("Điểm mô hình này đã dừng từ %(date)s.") % {
            "date": _fmt(site.ended_on)
        }
    elif ended_on is None:
        errors["ended_on"] = _("Nhập ngày dừng.")
    else:
        if ended_on < site.established_on:
            errors["ended_on"] = _("Ngày dừng không được trước ngày xây dựng (%(date)s).") % {
                "date": _fmt(site.established_on)
            }
        _not_future(errors, "ended_on", ended_on, _("Ngày dừng"))
    _raise(errors)
    site.ended_on = ended_on
    site.full_clean()
    site.save(update_fields=["ended_on", "updated_at"])
    audit_event_record(
        actor=actor,
        action="scheme.site_end",
        obj=site.scheme,
        orgunit=community_perms.commune_of(site.orgunit),
        after={"unit": site.orgunit.code, "ended_on": ended_on},
    )
    _resync(actor=actor, codes=[providers.SCHEME_SITES], start=ended_on)
    return site


@transaction.atomic
def scheme_grading_save(
    *,
    actor: Any,
    scheme: Scheme,
    period_code: str,
    level: str,
    graded_on: date,
    note: str = "",
) -> SchemeGrading:
    """Record (or correct) a scheme's quality grading for one period (HD 22/HD-BCA-V05)."""
    _require_scheme_edit(actor, scheme)
    errors: dict[str, Any] = {}
    period = None
    try:
        period = parse_period(period_code)
    except PeriodError as exc:
        errors["period"] = str(exc)
    if period is not None:
        if period.kind not in GRADING_PERIOD_KINDS:
            errors["period"] = _("Kỳ đánh giá phải là năm, 6 tháng, quý hoặc tháng.")
        elif period.end < scheme.founded_on:
            errors["period"] = _(
                "Kỳ %(period)s kết thúc trước ngày thành lập mô hình (%(founded)s)."
            ) % {"period": period.code, "founded": _fmt(scheme.founded_on)}
    if level not in SchemeQuality.values:
        errors["level"] = _("Chọn mức xếp loại: tốt, khá, trung bình hoặc yếu.")
    if graded_on is None:
        errors["graded_on"] = _("Nhập ngày đánh giá.")
    else:
        _not_future(errors, "graded_on", graded_on, _("Ngày đánh giá"))
        if period is not None and "period" not in errors and graded_on < period.start:
            errors["graded_on"] = _(
                "Ngày đánh giá (%(date)s) phải từ đầu kỳ %(period)s (%(start)s) trở đi."
            ) % {"date": _fmt(graded_on), "period": period.code, "start": _fmt(period.start)}
    _raise(errors)
    if period is None:  # pragma: no cover - _raise has refused it
        raise ValidationError({"period": _("Kỳ đánh giá không hợp lệ.")})
    grading = SchemeGrading.objects.filter(scheme=scheme, period=period.code).first()
    before = model_snapshot(grading, ["level", "graded_on"]) if grading else None
    grading = grading or SchemeGrading(scheme=scheme, period=period.code)
    grading.level, grading.graded_on, grading.note = level, graded_on, (note or "").strip()
    grading.full_clean()
    grading.save()
    audit_event_record(
        actor=actor,
        action="scheme.grading",
        obj=scheme,
        orgunit=_scheme_home(actor, scheme),
        before=before,
        after={"period": period.code, "level": level, "graded_on": graded_on},
    )
    return grading


# --- security teams --------------------------------------------------------------------------


def _require_manage(actor: Any, unit: OrgUnit) -> None:
    if not community_perms.can_manage(actor, unit):
        raise PermissionDenied(_("Bạn không có quyền ghi dữ liệu cho đơn vị này."))


def _team_snapshot(team: SecurityTeam) -> dict[str, Any]:
    data = model_snapshot(team, TEAM_FIELDS)
    data["establishment_decision"] = _decision_summary(team.establishment_decision)
    data["recognition_decision"] = _decision_summary(team.recognition_decision)
    return data


@transaction.atomic
def team_create(
    *,
    actor: Any,
    village: OrgUnit,
    established_on: date,
    name: str = "",
    note: str = "",
    establishment_decision: DecisionInput | None = None,
    recognition_decision: DecisionInput | None = None,
) -> SecurityTeam:
    """Set up the security team of a village (one active team per village)."""
    _require_manage(actor, village)
    errors: dict[str, Any] = {}
    if village.kind != UnitKind.VILLAGE:
        errors["village"] = _("Tổ bảo vệ ANTT chỉ thành lập ở thôn, tổ dân phố.")
    elif village.valid_to is not None:
        errors["village"] = _("“%(name)s” đã giải thể.") % {"name": village.name}
    else:
        existing = SecurityTeam.objects.filter(village=village, dissolved_on__isnull=True).first()
        if existing is not None:
            errors["village"] = _(
                "“%(village)s” đã có Tổ bảo vệ ANTT đang hoạt động (“%(team)s”): mỗi thôn, tổ"
                " dân phố chỉ có một tổ."
            ) % {"village": village.name, "team": existing.name}
    if established_on is None:
        errors["established_on"] = _("Nhập ngày thành lập.")
    else:
        _not_future(errors, "established_on", established_on, _("Ngày thành lập"))
    clean_name = (
        _text(name, NAME_MAX, "name", _("Tên tổ"), errors)
        or (_("Tổ bảo vệ ANTT %(village)s") % {"village": village.name})[:NAME_MAX]
    )
    team = SecurityTeam(
        village=village,
        name=clean_name,
        name_folded=fold(clean_name),
        established_on=established_on,
        note=(note or "").strip(),
    )
    _save_with_decisions(
        team,
        decisions=[
            ("establishment_decision", DecisionKind.ESTABLISHMENT, establishment_decision),
            ("recognition_decision", DecisionKind.RECOGNITION, recognition_decision),
        ],
        orgunit=lambda: village.parent or village,
        errors=errors,
        check_model="village" not in errors,
    )
    audit_event_record(
        actor=actor, action="team.create", obj=team, orgunit=village, after=_team_snapshot(team)
    )
    _resync(actor=actor, codes=(*providers.TEAM_METRICS, providers.VILLAGES), start=established_on)
    return team


@transaction.atomic
def team_update(
    *,
    actor: Any,
    team: SecurityTeam,
    name: str,
    established_on: date,
    note: str = "",
    establishment_decision: DecisionInput | None = None,
    recognition_decision: DecisionInput | None = None,
) -> SecurityTeam:
    """Change a team's name, founding date, note and decisions."""
    team = (
        SecurityTeam.objects.select_for_update(of=("self",))
        .select_related(
            "village", "village__parent", "establishment_decision", "recognition_decision"
        )
        .get(pk=team.pk)
    )
    _require_manage(actor, team.village)
    before = _team_snapshot(team)
    errors: dict[str, Any] = {}
    clean_name = _text(name, NAME_MAX, "name", _("Tên tổ"), errors)
    if not clean_name:
        errors["name"] = _("Nhập tên tổ.")
    if established_on is None:
        errors["established_on"] = _("Nhập ngày thành lập.")
    else:
        _not_future(errors, "established_on", established_on, _("Ngày thành lập"))
        first_join = team.members.order_by("joined_on").values_list("joined_on", flat=True).first()
        if first_join is not None and first_join < established_on:
            errors["established_on"] = _(
                "Có thành viên tham gia từ %(date)s, trước ngày thành lập này."
            ) % {"date": _fmt(first_join)}
        if team.dissolved_on is not None and team.dissolved_on < established_on:
            errors["established_on"] = _("Ngày thành lập không được sau ngày giải thể.")
    old_established = team.established_on
    team.name, team.name_folded = clean_name, fold(clean_name)
    team.established_on = established_on
    team.note = (note or "").strip()
    _save_with_decisions(
        team,
        decisions=[
            ("establishment_decision", DecisionKind.ESTABLISHMENT, establishment_decision),
            ("recognition_decision", DecisionKind.RECOGNITION, recognition_decision),
        ],
        orgunit=lambda: team.village.parent or team.village,
        errors=errors,
    )
    audit_event_record(
        actor=actor,
        action="team.update",
        obj=team,
        orgunit=team.village,
        before=before,
        after=_team_snapshot(team),
    )
    if established_on and old_established != established_on:
        _resync(
            actor=actor,
            codes=(*providers.TEAM_METRICS, providers.VILLAGES),
            start=min(old_established, established_on),
        )
    return team


@transaction.atomic
def team_dissolve(*, actor: Any, team: SecurityTeam, dissolved_on: date) -> SecurityTeam:
    """Dissolve a team from ``dissolved_on``; its active members leave on that day."""
    team = (
        SecurityTeam.objects.select_for_update(of=("self",))
        .select_related("village")
        .get(pk=team.pk)
    )
    _require_manage(actor, team.village)
    errors: dict[str, Any] = {}
    if team.dissolved_on is not None:
        errors["dissolved_on"] = _("Tổ đã giải thể từ %(date)s.") % {
            "date": _fmt(team.dissolved_on)
        }
    elif dissolved_on is None:
        errors["dissolved_on"] = _("Nhập ngày giải thể.")
    else:
        if dissolved_on < team.established_on:
            errors["dissolved_on"] = _(
                "Ngày giải thể không được trước ngày thành lập (%(date)s)."
            ) % {"date": _fmt(team.established_on)}
        _not_future(errors, "dissolved_on", dissolved_on, _("Ngày giải thể"))
        late = team.members.filter(left_on__isnull=True, joined_on__gt=dissolved_on).first()
        if late is not None:
            errors["dissolved_on"] = _(
                "%(name)s tham gia tổ từ %(date)s, sau ngày giải thể này."
            ) % {"name": late.full_name, "date": _fmt(late.joined_on)}
    _raise(errors)
    leaving = list(team.members.filter(left_on__isnull=True).values_list("pk", flat=True))
    TeamMember.objects.filter(pk__in=leaving).update(left_on=dissolved_on)
    team.dissolved_on = dissolved_on
    team.full_clean(exclude=["establishment_decision", "recognition_decision"])
    team.save(update_fields=["dissolved_on", "updated_at"])
    audit_event_record(
        actor=actor,
        action="team.dissolve",
        obj=team,
        orgunit=team.village,
        after={"dissolved_on": dissolved_on, "members_left": len(leaving)},
    )
    _resync(actor=actor, codes=(*providers.TEAM_METRICS, providers.VILLAGES), start=dissolved_on)
    return team


def _overlaps(start: date, end: date | None) -> Q:
    """Memberships ``[joined_on, left_on)`` overlapping ``[start, end)``."""
    condition = Q(left_on__isnull=True) | Q(left_on__gt=start)
    if end is not None:
        condition &= Q(joined_on__lt=end)
    return condition


def _check_member(
    *,
    actor: Any,
    team: SecurityTeam,
    member: TeamMember,
    rules: selectors.EffectiveRules,
    errors: dict[str, Any],
) -> None:
    """Check a member's own fields, identity, role and the team's size (no writes)."""
    if not member.full_name:
        errors["full_name"] = _("Nhập họ và tên.")
    if member.role not in TeamRole.values:
        errors["role"] = _("Chọn chức danh: tổ trưởng, tổ phó hoặc tổ viên.")
    if member.origin not in MemberOrigin.values:
        errors["origin"] = _("Chọn nguồn của thành viên.")
    joined, left = member.joined_on, member.left_on
    if joined is None:
        errors["joined_on"] = _("Nhập ngày tham gia.")
        return
    _not_future(errors, "joined_on", joined, _("Ngày tham gia"))
    if joined < team.established_on:
        errors["joined_on"] = _(
            "Ngày tham gia (%(date)s) không được trước ngày thành lập tổ (%(founded)s)."
        ) % {"date": _fmt(joined), "founded": _fmt(team.established_on)}
    if team.dissolved_on is not None and (left is None or left > team.dissolved_on):
        errors["left_on"] = _("Tổ đã giải thể từ %(date)s: ghi ngày thôi tham gia.") % {
            "date": _fmt(team.dissolved_on)
        }
    if left is not None:
        if left < joined:
            errors["left_on"] = _("Ngày thôi tham gia không được trước ngày tham gia.")
        _not_future(errors, "left_on", left, _("Ngày thôi tham gia"))
    if member.birth_date is None:
        errors["birth_date"] = _("Nhập ngày sinh (để phân biệt người trùng tên).")
    else:
        min_age = int(selectors.setting("MEMBER_MIN_AGE", 18))
        if selectors.add_months(member.birth_date, 12 * min_age) > joined:
            errors["birth_date"] = _(
                "Thành viên phải đủ %(age)s tuổi khi tham gia (sinh ngày %(date)s)."
            ) % {"age": min_age, "date": _fmt(member.birth_date)}
    if errors.keys() & {"joined_on", "left_on", "birth_date", "full_name"}:
        return
    same_person = (
        TeamMember.objects.filter(name_folded=member.name_folded, birth_date=member.birth_date)
        .filter(_overlaps(joined, left))
        .select_related("team", "team__village", "team__village__parent")
    )
    if member.pk is not None:
        same_person = same_person.exclude(pk=member.pk)
    other = same_person.first()
    if other is not None:
        if selectors.units_visible(user=actor, units=[other.team.village]):
            where = _("“%(team)s” (%(village)s, %(commune)s)") % {
                "team": other.team.name,
                "village": other.team.village.name,
                "commune": other.team.village.parent.name if other.team.village.parent else "",
            }
        else:
            where = _("một Tổ bảo vệ ANTT ngoài phạm vi của bạn")
        errors["full_name"] = _(
            "%(name)s (sinh ngày %(birth)s) đang là thành viên của %(where)s từ %(since)s: một"
            " người không được tham gia hai tổ cùng lúc. Hãy ghi ngày thôi tham gia ở tổ kia"
            " trước."
        ) % {
            "name": member.full_name,
            "birth": _fmt(member.birth_date),
            "where": where,
            "since": _fmt(other.joined_on),
        }
    if member.role == TeamRole.LEADER:
        leader = (
            team.members.filter(role=TeamRole.LEADER)
            .filter(_overlaps(joined, left))
            .exclude(pk=member.pk)
            .first()
        )
        if leader is not None:
            errors["role"] = _(
                "Tổ đã có tổ trưởng %(name)s trong thời gian này: ghi ngày thôi tham gia hoặc đổi"
                " chức danh của người đó trước."
            ) % {"name": leader.full_name}
    if left is None:
        others = team.members.filter(left_on__isnull=True).exclude(pk=member.pk).count()
        if others + 1 > rules.team_size_max:
            errors["team"] = _(
                "Quy định số thành viên tối đa (%(source)s): mỗi tổ có tối đa %(max)s thành viên;"
                " tổ đã có %(count)s thành viên đang hoạt động."
            ) % {"source": rules.source, "max": rules.team_size_max, "count": others}


def _member_save(
    actor: Any,
    team: SecurityTeam,
    member: TeamMember,
    recognition_decision: DecisionInput | None,
    errors: dict[str, Any],
) -> None:
    """Check a member against the province's rules, then save it with its decision."""
    rules = selectors.rules_for(team.village)
    _check_member(actor=actor, team=team, member=member, rules=rules, errors=errors)
    _save_with_decisions(
        member,
        decisions=[("recognition_decision", DecisionKind.RECOGNITION, recognition_decision)],
        orgunit=lambda: team.village.parent or team.village,
        errors=errors,
    )


@transaction.atomic
def member_add(
    *,
    actor: Any,
    team: SecurityTeam,
    full_name: str,
    birth_date: date,
    role: str,
    origin: str,
    joined_on: date,
    recognition_decision: DecisionInput | None = None,
) -> TeamMember:
    """Add a member to an active team (name, date of birth, role, origin, joining date)."""
    team = (
        SecurityTeam.objects.select_for_update(of=("self",))
        .select_related("village", "village__parent")
        .get(pk=team.pk)
    )
    _require_manage(actor, team.village)
    errors: dict[str, Any] = {}
    if team.dissolved_on is not None:
        errors["team"] = _("Tổ đã giải thể, không thêm được thành viên.")
        _raise(errors)
    clean_name = _text(full_name, PERSON_NAME_MAX, "full_name", _("Họ và tên"), errors)
    member = TeamMember(
        team=team,
        full_name=clean_name,
        name_folded=fold(clean_name),
        birth_date=birth_date,
        role=role,
        origin=origin,
        joined_on=joined_on,
    )
    _member_save(actor, team, member, recognition_decision, errors)
    audit_event_record(
        actor=actor,
        action="team.member_add",
        obj=team,
        orgunit=team.village,
        after={"member": member.pk, **model_snapshot(member, MEMBER_FIELDS)},
    )
    _resync(actor=actor, codes=[providers.TEAM_MEMBERS], start=joined_on)
    return member


@transaction.atomic
def member_update(
    *,
    actor: Any,
    member: TeamMember,
    full_name: str,
    birth_date: date,
    role: str,
    origin: str,
    joined_on: date,
    left_on: date | None = None,
    recognition_decision: DecisionInput | None = None,
) -> TeamMember:
    """Change a member, including the day they left the team."""
    member = (
        TeamMember.objects.select_for_update(of=("self",))
        .select_related("team", "team__village", "team__village__parent", "recognition_decision")
        .get(pk=member.pk)
    )
    team = member.team
    _require_manage(actor, team.village)
    before = model_snapshot(member, MEMBER_FIELDS)
    old_start = member.joined_on
    old_left = member.left_on
    errors: dict[str, Any] = {}
    clean_name = _text(full_name, PERSON_NAME_MAX, "full_name", _("Họ và tên"), errors)
    member.full_name, member.name_folded = clean_name, fold(clean_name)
    member.birth_date, member.role, member.origin = birth_date, role, origin
    member.joined_on, member.left_on = joined_on, left_on
    _member_save(actor, team, member, recognition_decision, errors)
    audit_event_record(
        actor=actor,
        action="team.member_update",
        obj=team,
        orgunit=team.village,
        before={"member": member.pk, **before},
        after={"member": member.pk, **model_snapshot(member, MEMBER_FIELDS)},
    )
    dates = [d for d in (old_start, joined_on, old_left, left_on) if d is not None]
    _resync(actor=actor, codes=[providers.TEAM_MEMBERS], start=min(dates))
    return member


@transaction.atomic
def training_add(
    *,
    actor: Any,
    team: SecurityTeam,
    held_on: date,
    title: str,
    organiser: str = "",
    hours: Decimal | None = None,
    attendees: int | None = None,
    note: str = "",
) -> TrainingRecord:
    """Record a training or drill the team attended."""
    _require_manage(actor, team.village)
    errors: dict[str, Any] = {}
    clean_title = _text(title, NAME_MAX, "title", _("Nội dung"), errors)
    if not clean_title:
        errors["title"] = _("Nhập nội dung tập huấn.")
    if held_on is None:
        errors["held_on"] = _("Nhập ngày tổ chức.")
    else:
        _not_future(errors, "held_on", held_on, _("Ngày tổ chức"))
        if held_on < team.established_on:
            errors["held_on"] = _(
                "Ngày tổ chức (%(date)s) không được trước ngày thành lập tổ (%(founded)s)."
            ) % {"date": _fmt(held_on), "founded": _fmt(team.established_on)}
    if hours is not None and hours < 0:
        errors["hours"] = _("Số giờ không được nhỏ hơn 0 (đã nhập %(value)s).") % {"value": hours}
    _count(attendees, "attendees", _("Số người tham dự"), errors)
    record = TrainingRecord(
        team=team,
        held_on=held_on,
        title=clean_title,
        organiser=_text(organiser, NAME_MAX, "organiser", _("Đơn vị tổ chức"), errors),
        hours=hours,
        attendees=attendees,
        note=(note or "").strip(),
    )
    _clean_model(record, errors)
    _raise(errors)
    record.save()
    audit_event_record(
        actor=actor,
        action="team.training_add",
        obj=team,
        orgunit=team.village,
        after={"held_on": held_on, "title": clean_title, "attendees": attendees},
    )
    return record


# --- gradings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeInput:
    """One row of the grading sheet: ``level`` empty removes the grade."""

    level: str = ""
    task_pct: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class GradingResult:
    saved: int
    removed: int


def _grade_label(level: str) -> str:
    return str(TaskGrade(level).label)


def _check_row(
    *,
    key: str,
    label: str,
    grade: GradeInput,
    start: date,
    end: date | None,
    period: Any,
    rules: selectors.EffectiveRules,
    errors: dict[str, Any],
) -> None:
    if grade.level not in TaskGrade.values:
        errors[f"{key}_level"] = _("%(name)s: mức xếp loại không hợp lệ.") % {"name": label}
        return
    if grade.task_pct is not None and not (Decimal(0) <= grade.task_pct <= Decimal(100)):
        errors[f"{key}_task_pct"] = _(
            "%(name)s: tỷ lệ nhiệm vụ hoàn thành phải từ 0 đến 100 (đã nhập %(value)s)."
        ) % {"name": label, "value": grade.task_pct}
        return
    months = selectors.months_active(start, end, period)
    if selectors.active_span(start, end, period) is None:
        errors[f"{key}_level"] = _(
            "%(name)s không hoạt động trong năm đánh giá %(year)s (%(start)s – %(end)s)."
        ) % {
            "name": label,
            "year": period.year,
            "start": _fmt(period.start),
            "end": _fmt(period.end),
        }
        return
    if months < rules.min_activity_months:
        errors[f"{key}_level"] = _(
            "Quy tắc “hoạt động tối thiểu %(months)s tháng mới được xếp loại” (%(source)s):"
            " %(name)s mới hoạt động %(active)s tháng trong năm đánh giá %(year)s."
        ) % {
            "months": rules.min_activity_months,
            "source": rules.source,
            "name": label,
            "active": months,
            "year": period.year,
        }
        return
    if grade.level == TaskGrade.EXCELLENT:
        threshold = rules.excellent_min_task_pct
        if grade.task_pct is None:
            errors[f"{key}_task_pct"] = _(
                "Quy tắc “xuất sắc phải hoàn thành trên %(pct)s%% nhiệm vụ” (%(source)s): nhập tỷ"
                " lệ nhiệm vụ hoàn thành của %(name)s."
            ) % {"pct": threshold, "source": rules.source, "name": label}
        elif grade.task_pct <= threshold:
            errors[f"{key}_task_pct"] = _(
                "Quy tắc “xuất sắc phải hoàn thành trên %(pct)s%% nhiệm vụ” (%(source)s):"
                " %(name)s mới hoàn thành %(done)s%%."
            ) % {"pct": threshold, "source": rules.source, "name": label, "done": grade.task_pct}


def _quota(levels: Mapping[int, str], what: str, rules: selectors.EffectiveRules) -> str | None:
    excellent = sum(1 for v in levels.values() if v == TaskGrade.EXCELLENT)
    good = sum(1 for v in levels.values() if v == TaskGrade.GOOD)
    pct = rules.excellent_max_pct_of_good
    if excellent * 100 <= pct * good:
        return None
    return _(
        "Quy tắc “số xuất sắc không quá %(pct)s%% số được xếp loại tốt” (%(source)s): %(what)s"
        " có %(excellent)s xuất sắc nhưng %(good)s tốt, nên chỉ được tối đa %(allowed)s xuất"
        " sắc."
    ) % {
        "pct": pct,
        "source": rules.source,
        "what": what,
        "excellent": excellent,
        "good": good,
        "allowed": math.floor(good * pct / 100),
    }


@transaction.atomic
def gradings_save(
    *,
    actor: Any,
    commune: OrgUnit,
    year: int,
    teams: Mapping[int, GradeInput],
    members: Mapping[int, GradeInput],
) -> GradingResult:
    """Save the commune's annual grading of teams and members for team year ``year``.

    The whole sheet is checked against the province's rules after applying the changes
    (activity months, task share for "xuất sắc", the "xuất sắc" quota against "tốt", and
    leader ≤ team); any violation refuses everything.
    """
    if not community_perms.can_grade(actor, commune):
        raise PermissionDenied(_("Bạn không có quyền xếp loại Tổ bảo vệ ANTT của đơn vị này."))
    current = selectors.current_team_year()
    if not 2000 <= year <= current:
        raise ValidationError(
            {"year": _("Năm đánh giá phải từ 2000 đến %(year)s.") % {"year": current}}
        )
    period = selectors.team_period(year)
    rules = selectors.rules_for(commune)
    errors: dict[str, Any] = {}
    team_objs = {
        t.pk: t
        for t in SecurityTeam.objects.select_for_update(of=("self",))
        .filter(pk__in=list(teams), village__parent=commune)
        .select_related("village")
    }
    member_objs = {
        m.pk: m
        for m in TeamMember.objects.filter(
            pk__in=list(members), team__village__parent=commune
        ).select_related("team")
    }
    foreign = [str(pk) for pk in teams if pk not in team_objs] + [
        str(pk) for pk in members if pk not in member_objs
    ]
    if foreign:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _("Có tổ hoặc thành viên không thuộc %(commune)s: %(ids)s.")
                % {"commune": commune.name, "ids": ", ".join(foreign)}
            }
        )
    for pk, grade in teams.items():
        if grade.level:
            team = team_objs[pk]
            _check_row(
                key=f"t{pk}",
                label=team.name,
                grade=grade,
                start=team.established_on,
                end=team.dissolved_on,
                period=period,
                rules=rules,
                errors=errors,
            )
    for pk, grade in members.items():
        if grade.level:
            member = member_objs[pk]
            _check_row(
                key=f"m{pk}",
                label=member.full_name,
                grade=grade,
                start=member.joined_on,
                end=member.left_on,
                period=period,
                rules=rules,
                errors=errors,
            )
    team_levels = dict(
        TeamGrading.objects.filter(team__village__parent=commune, year=year).values_list(
            "team_id", "level"
        )
    )
    member_levels = dict(
        MemberGrading.objects.filter(member__team__village__parent=commune, year=year).values_list(
            "member_id", "level"
        )
    )
    for pk, grade in teams.items():
        if grade.level:
            team_levels[pk] = grade.level
        else:
            team_levels.pop(pk, None)
    for pk, grade in members.items():
        if grade.level:
            member_levels[pk] = grade.level
        else:
            member_levels.pop(pk, None)
    problems = [
        p
        for p in (
            _quota(team_levels, _("các tổ của %(c)s") % {"c": commune.name}, rules),
            _quota(member_levels, _("các thành viên của %(c)s") % {"c": commune.name}, rules),
        )
        if p
    ]
    if rules.leader_not_above_team:
        leaders = TeamMember.objects.filter(
            team__village__parent=commune,
            role=TeamRole.LEADER,
            pk__in=list(member_levels),
        ).select_related("team")
        for leader in leaders:
            team_level = team_levels.get(leader.team_id)
            leader_level = member_levels[leader.pk]
            key = f"m{leader.pk}_level"
            if team_level is None:
                errors.setdefault(
                    key,
                    _(
                        "Quy tắc “xếp loại tổ trưởng không cao hơn xếp loại của tổ” (%(source)s):"
                        " xếp loại “%(team)s” trước khi xếp loại tổ trưởng %(name)s."
                    )
                    % {"source": rules.source, "team": leader.team.name, "name": leader.full_name},
                )
            elif GRADE_RANK[leader_level] > GRADE_RANK[team_level]:
                errors.setdefault(
                    key,
                    _(
                        "Quy tắc “xếp loại tổ trưởng không cao hơn xếp loại của tổ” (%(source)s):"
                        " tổ trưởng %(name)s được xếp “%(leader)s” nhưng “%(team)s” chỉ được xếp"
                        " “%(level)s”."
                    )
                    % {
                        "source": rules.source,
                        "name": leader.full_name,
                        "leader": _grade_label(leader_level),
                        "team": leader.team.name,
                        "level": _grade_label(team_level),
                    },
                )
    if problems:
        errors[NON_FIELD_ERRORS] = problems
    _raise(errors)
    saved = removed = 0
    for pk, grade in teams.items():
        saved, removed = _store(
            TeamGrading, {"team": team_objs[pk], "year": year}, grade, saved, removed
        )
    for pk, grade in members.items():
        saved, removed = _store(
            MemberGrading, {"member": member_objs[pk], "year": year}, grade, saved, removed
        )
    audit_event_record(
        actor=actor,
        action="team.grading",
        obj=commune,
        orgunit=commune,
        after={
            "year": year,
            "teams": {team_objs[pk].name: g.level for pk, g in teams.items()},
            "members": len(members),
            "saved": saved,
            "removed": removed,
        },
    )
    _resync(actor=actor, codes=providers.GRADE_METRICS, start=period.start, end=period.end)
    return GradingResult(saved=saved, removed=removed)


def _store(
    model: Any, key: dict[str, Any], grade: GradeInput, saved: int, removed: int
) -> tuple[int, int]:
    existing = model.objects.filter(**key).first()
    if not grade.level:
        if existing is not None:
            existing.delete()
            removed += 1
        return saved, removed
    row = existing or model(**key)
    if (
        existing is not None
        and existing.level == grade.level
        and existing.task_pct == grade.task_pct
        and existing.note == (grade.note or "").strip()
    ):
        return saved, removed
    row.level, row.task_pct, row.note = grade.level, grade.task_pct, (grade.note or "").strip()
    row.full_clean()
    row.save()
    return saved + 1, removed


@transaction.atomic
def rules_save(
    *,
    actor: Any,
    province: OrgUnit,
    team_size_min: int,
    team_size_max: int,
    min_activity_months: int,
    excellent_max_pct_of_good: int,
    excellent_min_task_pct: Decimal,
    leader_not_above_team: bool,
    basis: str = "",
) -> GradingRules:
    """Set a province's own values of the configurable numbers."""
    if province.kind != UnitKind.PROVINCE or not community_perms.can_manage_catalogue(
        actor, province
    ):
        raise PermissionDenied(_("Bạn không có quyền sửa quy định của tỉnh này."))
    row = GradingRules.objects.select_for_update(of=("self",)).filter(province=province).first()
    before = model_snapshot(row, RULE_FIELDS) if row else None
    row = row or GradingRules(province=province)
    errors: dict[str, Any] = {}
    try:
        pct = Decimal(str(excellent_min_task_pct))
    except InvalidOperation:
        errors["excellent_min_task_pct"] = _("Tỷ lệ phải là một số từ 0 đến 100.")
        pct = Decimal(0)
    for name, value in (
        ("team_size_min", team_size_min),
        ("team_size_max", team_size_max),
        ("min_activity_months", min_activity_months),
        ("excellent_max_pct_of_good", excellent_max_pct_of_good),
    ):
        label = getattr(GradingRules._meta.get_field(name), "verbose_name", name)
        _count(value, name, str(label), errors)
    if team_size_min is not None and team_size_max is not None and team_size_min > team_size_max:
        errors["team_size_max"] = _("Số thành viên tối đa phải không nhỏ hơn số tối thiểu.")
    row.team_size_min, row.team_size_max = team_size_min, team_size_max
    row.min_activity_months = min_activity_months
    row.excellent_max_pct_of_good = excellent_max_pct_of_good
    row.excellent_min_task_pct = pct
    row.leader_not_above_team = leader_not_above_team
    row.basis = _text(basis, 255, "basis", _("Căn cứ"), errors)
    _clean_model(row, errors)
    _raise(errors)
    row.save()
    audit_event_record(
        actor=actor,
        action="community.rules",
        obj=row,
        orgunit=province,
        before=before,
        after=model_snapshot(row, RULE_FIELDS),
    )
    return row


# --- pledges ---------------------------------------------------------------------------------


def _pledge_window(year: int) -> tuple[date, date]:
    early = int(selectors.setting("PLEDGE_EARLY_DAYS", 60))
    return date(year, 1, 1) - timedelta(days=early), date(year, 12, 31)


def _check_pledge(pledge: Pledge, errors: dict[str, Any]) -> None:
    unit = pledge.orgunit
    kind = pledge.signer_kind
    if kind not in SignerKind.values:
        errors["signer_kind"] = _("Chọn bên ký giao ước.")
    elif kind in (SignerKind.VILLAGE, SignerKind.HOUSEHOLDS) and unit.kind != UnitKind.VILLAGE:
        errors["orgunit"] = _("Bên ký là thôn hoặc hộ gia đình: chọn một thôn, tổ dân phố.")
    elif kind == SignerKind.AGENCY and (
        unit.kind != UnitKind.ESTABLISHMENT or unit.subkind == Subkind.CO_SO_GIAO_DUC
    ):
        errors["orgunit"] = _("Bên ký là cơ quan, doanh nghiệp: chọn một cơ quan, doanh nghiệp.")
    elif kind == SignerKind.SCHOOL and unit.subkind != Subkind.CO_SO_GIAO_DUC:
        errors["orgunit"] = _("Bên ký là nhà trường: chọn một cơ sở giáo dục.")
    current = _today().year
    if pledge.year is None or not 2000 <= pledge.year <= current + 1:
        errors["year"] = _("Năm giao ước phải từ 2000 đến %(max)s.") % {"max": current + 1}
    elif pledge.signed_on is None:
        errors["signed_on"] = _("Nhập ngày ký.")
    else:
        first, last = _pledge_window(pledge.year)
        if not first <= pledge.signed_on <= last:
            errors["signed_on"] = _(
                "Ngày ký %(date)s nằm ngoài năm giao ước %(year)s (nhận từ %(first)s đến %(last)s)."
            ) % {
                "date": _fmt(pledge.signed_on),
                "year": pledge.year,
                "first": _fmt(first),
                "last": _fmt(last),
            }
        _not_future(errors, "signed_on", pledge.signed_on, _("Ngày ký"))
    if not pledge.signed_by:
        errors["signed_by"] = _("Nhập người ký (họ tên, chức danh).")
    count = pledge.household_count
    if kind == SignerKind.HOUSEHOLDS:
        if count is None:
            errors["household_count"] = _("Nhập số hộ gia đình đã ký, đăng ký.")
        elif count < 0:
            errors["household_count"] = _(
                "Số hộ đăng ký không được nhỏ hơn 0 (đã nhập %(value)s)."
            ) % {"value": count}
        elif unit.households is not None and count > unit.households:
            errors["household_count"] = _(
                "Số hộ đăng ký (%(count)s) lớn hơn số hộ của %(unit)s (%(total)s)."
            ) % {"count": count, "unit": unit.name, "total": unit.households}
    elif count is not None:
        errors["household_count"] = _("Chỉ ghi số hộ khi bên ký là hộ gia đình.")
    if pledge.year and not errors.get("orgunit"):
        clash = Pledge.objects.filter(orgunit=unit, signer_kind=kind, year=pledge.year)
        if pledge.pk is not None:
            clash = clash.exclude(pk=pledge.pk)
        if clash.exists():
            errors["year"] = _("%(unit)s đã có giao ước năm %(year)s của bên ký này.") % {
                "unit": unit.name,
                "year": pledge.year,
            }


def _pledge_span(pledge: Pledge) -> tuple[date, date]:
    return max(pledge.signed_on, date(pledge.year, 1, 1)), date(pledge.year, 12, 31)


@transaction.atomic
def pledge_create(
    *,
    actor: Any,
    unit: OrgUnit,
    signer_kind: str,
    year: int,
    signed_on: date,
    signed_by: str,
    household_count: int | None = None,
    note: str = "",
    document: DecisionInput | None = None,
) -> Pledge:
    """Record a pledge signed by a village, its households, an agency or a school."""
    _require_manage(actor, unit)
    errors: dict[str, Any] = {}
    pledge = Pledge(
        orgunit=unit,
        signer_kind=signer_kind,
        year=year,
        signed_on=signed_on,
        signed_by=_text(signed_by, NAME_MAX, "signed_by", _("Người ký"), errors),
        household_count=household_count,
        note=(note or "").strip(),
    )
    _check_pledge(pledge, errors)
    _save_with_decisions(
        pledge,
        decisions=[("document", DecisionKind.PLEDGE, document)],
        orgunit=lambda: community_perms.commune_of(unit) or unit,
        errors=errors,
    )
    audit_event_record(
        actor=actor,
        action="pledge.create",
        obj=pledge,
        orgunit=unit,
        after={
            **model_snapshot(pledge, PLEDGE_FIELDS),
            "document": _decision_summary(pledge.document),
        },
    )
    start, end = _pledge_span(pledge)
    _resync(
        actor=actor, codes=(*providers.PLEDGE_METRICS, providers.VILLAGES), start=start, end=end
    )
    return pledge


@transaction.atomic
def pledge_update(
    *,
    actor: Any,
    pledge: Pledge,
    year: int,
    signed_on: date,
    signed_by: str,
    household_count: int | None = None,
    note: str = "",
    document: DecisionInput | None = None,
) -> Pledge:
    """Correct a pledge (its unit and signer stay: record another pledge for another one)."""
    pledge = (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("orgunit", "document")
        .get(pk=pledge.pk)
    )
    _require_manage(actor, pledge.orgunit)
    before = model_snapshot(pledge, PLEDGE_FIELDS)
    old_span = _pledge_span(pledge)
    errors: dict[str, Any] = {}
    pledge.year, pledge.signed_on = year, signed_on
    pledge.signed_by = _text(signed_by, NAME_MAX, "signed_by", _("Người ký"), errors)
    pledge.household_count = household_count
    pledge.note = (note or "").strip()
    _check_pledge(pledge, errors)
    _save_with_decisions(
        pledge,
        decisions=[("document", DecisionKind.PLEDGE, document)],
        orgunit=lambda: community_perms.commune_of(pledge.orgunit) or pledge.orgunit,
        errors=errors,
    )
    audit_event_record(
        actor=actor,
        action="pledge.update",
        obj=pledge,
        orgunit=pledge.orgunit,
        before=before,
        after=model_snapshot(pledge, PLEDGE_FIELDS),
    )
    for start, end in {old_span, _pledge_span(pledge)}:
        _resync(
            actor=actor, codes=(*providers.PLEDGE_METRICS, providers.VILLAGES), start=start, end=end
        )
    return pledge


@transaction.atomic
def pledge_delete(*, actor: Any, pledge: Pledge) -> None:
    """Delete a pledge recorded by mistake (the audit trail keeps what it was)."""
    pledge = (
        Pledge.objects.select_for_update(of=("self",)).select_related("orgunit").get(pk=pledge.pk)
    )
    _require_manage(actor, pledge.orgunit)
    span = _pledge_span(pledge)
    snapshot = model_snapshot(pledge, PLEDGE_FIELDS)
    unit = pledge.orgunit
    audit_event_record(
        actor=actor, action="pledge.delete", obj=pledge, orgunit=unit, before=snapshot
    )
    pledge.delete()
    _resync(
        actor=actor,
        codes=(*providers.PLEDGE_METRICS, providers.VILLAGES),
        start=span[0],
        end=span[1],
    )

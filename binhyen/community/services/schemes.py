"""Schemes (mô hình), their covered units, roster, sites and gradings.

Invariants:
- One service per change, keyword-only, one transaction, ``full_clean()`` before saving and
  one ``AuditEvent``; the founding decision is saved in the same transaction.
- Only a manager of every covered commune (or above) may change a scheme; otherwise
  ``PermissionDenied``.
- Every problem is reported at once in one ``ValidationError`` keyed by field; nothing is
  written before every check passed.
- Status, site and roster spans are half-open; a change resyncs the published scheme counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.community import permissions as community_perms
from binhyen.community import providers, selectors
from binhyen.community.models import (
    CommunityDecisionKind,
    LeadOrgKind,
    Scheme,
    SchemeGrading,
    SchemeMember,
    SchemeQuality,
    SchemeSite,
    SchemeStatus,
    SchemeType,
)
from binhyen.community.services.checks import (
    NAME_MAX,
    PERSON_NAME_MAX,
    RECORD_KINDS,
    _count,
    _fmt,
    _not_future,
    _raise,
    _record_date,
    _text,
)
from binhyen.community.services.decisions import (
    AttachedDecision,
    DecisionInput,
    _decision_summary,
    _save_with_decisions,
)
from binhyen.community.services.metrics import _resync
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.text import fold
from binhyen.indicators.periods import PeriodError, PeriodKind, parse_period
from binhyen.orgunits.history import check_record_date
from binhyen.orgunits.models import OrgUnit

GRADING_PERIOD_KINDS = (
    PeriodKind.YEAR,
    PeriodKind.HALF,
    PeriodKind.QUARTER,
    PeriodKind.MONTH,
    PeriodKind.MOVEMENT_YEAR,
)

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

# --- schemes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterEntry:
    full_name: str
    role: str = ""


def _coverage(
    *,
    actor: Actor,
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
        late: list[str] = []
        for unit in chosen.values():
            try:
                check_record_date(unit, founded_on, field="founded_on")
            except ValidationError as exc:
                if unit.valid_to is not None and founded_on > unit.valid_to:
                    late.extend(exc.message_dict["founded_on"])
        if late:
            errors["founded_on"] = " ".join(late)
    for unit in current:
        if unit.pk not in visible:
            chosen.setdefault(unit.pk, unit)
    if not chosen:
        errors["units"] = _("Chọn ít nhất một địa bàn (xã, thôn hoặc cơ quan) của mô hình.")
    return list(chosen.values())


def _check_scheme(
    *,
    actor: Actor,
    scheme: Scheme,
    units: list[OrgUnit],
    errors: dict[str, Any],
) -> None:
    if scheme.scheme_type_id is not None:
        item = scheme.scheme_type
        provinces = {p.pk for p in selectors.provinces_reached(units)}
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
    actor: Actor,
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
        decisions=[
            AttachedDecision("founding_decision", CommunityDecisionKind.FOUNDING, founding_decision)
        ],
        orgunit=lambda: community_perms.commune_of(home_of()) or home_of(),
        errors=errors,
    )
    home = home_of()
    scheme.units.set(final_units)
    SchemeMember.objects.bulk_create(
        [SchemeMember(scheme=scheme, full_name=e.full_name, role=e.role) for e in entries]
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


def _check_roster(roster: Sequence[RosterEntry], errors: dict[str, Any]) -> list[RosterEntry]:
    """Return the filled rows of ``roster``, trimmed; a bad row is an error on ``roster``."""
    entries: list[RosterEntry] = []
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
        entries.append(RosterEntry(full_name=full_name, role=role))
    return entries


def _require_scheme_edit(actor: Actor, scheme: Scheme) -> None:
    if not selectors.scheme_can_edit(user=actor, scheme=scheme):
        raise PermissionDenied(_("Bạn không có quyền sửa mô hình này."))


def _scheme_home(actor: Actor, scheme: Scheme) -> OrgUnit | None:
    for unit in scheme.units.select_related("parent"):
        if community_perms.can_manage(actor, unit):
            return community_perms.commune_of(unit)
    return None


@transaction.atomic
def scheme_update(
    *,
    actor: Actor,
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
        decisions=[
            AttachedDecision("founding_decision", CommunityDecisionKind.FOUNDING, founding_decision)
        ],
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
def scheme_status_set(*, actor: Actor, scheme: Scheme, status: str, since: date) -> Scheme:
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
    *, actor: Actor, scheme: Scheme, full_name: str, role: str = ""
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
    member = SchemeMember(scheme=scheme, full_name=entries[0].full_name, role=entries[0].role)
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
def scheme_member_remove(*, actor: Actor, member: SchemeMember) -> None:
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
    *, actor: Actor, scheme: Scheme, unit: OrgUnit, established_on: date, note: str = ""
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
    if established_on is None:
        errors["established_on"] = _("Nhập ngày xây dựng điểm mô hình.")
    else:
        _record_date(errors, unit, established_on, "established_on")
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
def scheme_site_end(*, actor: Actor, site: SchemeSite, ended_on: date) -> SchemeSite:
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
    actor: Actor,
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

"""Security pledges (bản cam kết) signed by households, schools and establishments.

Invariants:
- One pledge per unit, signer kind and year; the signing date falls within the pledge year
  and not after today.
- Only the unit's commune managers (or above) change a pledge; a change resyncs the
  published pledge counts in the same transaction and records one ``AuditEvent``.
- The signed document is cleaned before the first write.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.community import permissions as community_perms
from binhyen.community import providers, selectors
from binhyen.community.models import (
    CommunityDecisionKind,
    Pledge,
    SignerKind,
)
from binhyen.community.services.checks import (
    NAME_MAX,
    _fmt,
    _not_future,
    _record_date,
    _require_manage,
    _text,
    _today,
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
from binhyen.orgunits.models import OrgUnit, Subkind, UnitKind

PLEDGE_FIELDS = [
    "orgunit",
    "signer_kind",
    "year",
    "signed_on",
    "signed_by",
    "household_count",
    "note",
]

# --- pledges ---------------------------------------------------------------------------------


def _pledge_window(year: int) -> selectors.DateSpan:
    """Return the days a pledge for ``year`` may be signed on (both ends included)."""
    early = int(selectors.setting("PLEDGE_EARLY_DAYS", 60))
    return selectors.DateSpan(date(year, 1, 1) - timedelta(days=early), date(year, 12, 31))


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
        _record_date(errors, unit, pledge.signed_on, "signed_on")
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


def _pledge_span(pledge: Pledge) -> selectors.DateSpan:
    """Return the days ``pledge`` counts in the published numbers (both ends included)."""
    return selectors.DateSpan(
        max(pledge.signed_on, date(pledge.year, 1, 1)), date(pledge.year, 12, 31)
    )


@transaction.atomic
def pledge_create(
    *,
    actor: Actor,
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
        decisions=[AttachedDecision("document", CommunityDecisionKind.PLEDGE, document)],
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
    actor: Actor,
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
        decisions=[AttachedDecision("document", CommunityDecisionKind.PLEDGE, document)],
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
def pledge_delete(*, actor: Actor, pledge: Pledge) -> None:
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

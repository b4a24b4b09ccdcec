"""Peak campaigns: their own report form for their periods, a board and a closing summary.

Part of ``binhyen.targets.services`` (its docstring states the invariants).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record
from binhyen.core.text import fold
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.indicators.services import owned_report_form_create
from binhyen.orgunits.models import OrgUnit
from binhyen.targets.models import (
    Campaign,
    CampaignMetric,
    CampaignStatus,
    Frequency,
    Plan,
)
from binhyen.targets.services.common import MAX_CAMPAIGN_DAYS, _raise, _require, _text
from binhyen.targets.services.targets import parse_value

# --- campaigns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignInput:
    name: str
    start: date
    end: date
    frequency: str
    units: Sequence[OrgUnit]
    tracked: Sequence[tuple[Metric, Any]]
    plan: Plan | None = None


def campaign_periods(campaign: Campaign) -> list[Period]:
    """Return the campaign's reporting periods: the days or ISO weeks it overlaps."""
    from binhyen.indicators.periods import periods_in

    return periods_in(campaign.frequency, campaign.start, campaign.end)


def _form_name(name: str, language: str) -> str:
    """The name of a campaign's report form in ``language`` (the form keeps both)."""
    with translation.override(language):
        return (_("Báo cáo đợt: %(name)s") % {"name": name})[:200]


@transaction.atomic
def campaign_create(*, actor: Actor, unit: OrgUnit, data: CampaignInput) -> Campaign:
    """Open a peak campaign of ``unit`` with its own report form for its periods."""
    _require(actor, unit)
    errors: dict[str, Any] = {}
    name = _text(data.name, _("Tên đợt"), "name", errors)
    if not name and "name" not in errors:
        errors["name"] = _("Nhập tên đợt cao điểm.")
    if data.frequency not in Frequency.values:
        errors["frequency"] = _("Tần suất báo cáo chỉ nhận hằng ngày hoặc hằng tuần.")
    if data.end < data.start:
        errors["end"] = _("Ngày kết thúc phải sau ngày bắt đầu.")
    elif (data.end - data.start).days >= MAX_CAMPAIGN_DAYS:
        errors["end"] = _("Một đợt cao điểm không dài quá một năm.")
    if data.plan is not None and data.plan.orgunit_id != unit.pk:
        errors["plan"] = _("Kế hoạch không phải của đơn vị này.")
    units = list({u.pk: u for u in data.units}.values())
    if not units:
        errors["units"] = _("Chọn ít nhất một đơn vị tham gia.")
    outside = [u.code for u in units if not u.path.startswith(unit.path) or u.valid_to]
    if outside:
        errors["units"] = _("Đơn vị không thuộc địa bàn của %(unit)s: %(codes)s.") % {
            "unit": unit.name,
            "codes": ", ".join(outside),
        }
    tracked: list[tuple[Metric, float]] = []
    problems: list[str] = []
    for metric, raw in data.tracked:
        try:
            number = parse_value(raw)
        except ValidationError as exc:
            problems.append(f"{metric.code}: {' '.join(exc.messages)}")
            continue
        if number < 0:
            problems.append(_("%(m)s: chỉ tiêu không được âm.") % {"m": metric.code})
        elif metric.period_kind != data.frequency:
            problems.append(
                _("%(m)s: số liệu thu thập theo %(kind)s, không báo cáo %(freq)s được.")
                % {
                    "m": metric.code,
                    "kind": PeriodKind(metric.period_kind).label.lower(),
                    "freq": str(Frequency(data.frequency).label).lower()
                    if data.frequency in Frequency.values
                    else data.frequency,
                }
            )
        else:
            tracked.append((metric, number))
    if problems:
        errors["tracked"] = problems
    elif not tracked:
        errors["tracked"] = _("Chọn ít nhất một số liệu theo dõi và chỉ tiêu của đợt.")
    elif len({m.pk for m, _v in tracked}) != len(tracked):
        errors["tracked"] = _("Mỗi số liệu chỉ chọn một lần.")
    if "units" not in errors and not errors.get("tracked"):
        kinds = {u.kind for u in units}
        wrong = [m.code for m, _v in tracked if not kinds <= set(m.capture_kinds or [])]
        if wrong:
            errors["tracked"] = _("Số liệu không nhập ở cấp của đơn vị tham gia: %(c)s.") % {
                "c": ", ".join(wrong)
            }
    _raise(errors)
    campaign = Campaign(
        orgunit=unit,
        name=name,
        name_folded=fold(name),
        plan=data.plan,
        start=data.start,
        end=data.end,
        frequency=data.frequency,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    campaign.full_clean()
    campaign.save()
    campaign.units.set(units)
    CampaignMetric.objects.bulk_create(
        [
            CampaignMetric(campaign=campaign, metric=m, target=v, sort_order=i)
            for i, (m, v) in enumerate(tracked)
        ]
    )
    campaign.form = owned_report_form_create(
        actor=actor,
        code=campaign.form_code,
        name=_form_name(name, "vi"),
        name_en=_form_name(name, "en"),
        period_kind=data.frequency,
        submitting_kinds=sorted({u.kind for u in units}),
        metrics=[m for m, _v in tracked],
        description=_("Biểu mẫu của đợt cao điểm, chỉ nhận các kỳ trong đợt."),
    )
    campaign.save(update_fields=["form", "updated_at"])
    audit_event_record(
        actor=actor,
        action="campaign.create",
        obj=campaign,
        orgunit=unit,
        after={
            "name": name,
            "start": data.start,
            "end": data.end,
            "frequency": data.frequency,
            "units": [u.code for u in units],
            "tracked": {m.code: v for m, v in tracked},
        },
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor: Actor, campaign: Campaign, summary: Mapping[str, Any]) -> Campaign:
    """Close a campaign and keep its summary (figures against targets, best and lagging)."""
    campaign = Campaign.objects.select_for_update().select_related("orgunit").get(pk=campaign.pk)
    _require(actor, campaign.orgunit)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError({"status": _("Đợt đã kết thúc.")})
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.summary = dict(summary)
    campaign.full_clean()
    campaign.save()
    audit_event_record(
        actor=actor,
        action="campaign.close",
        obj=campaign,
        orgunit=campaign.orgunit,
        after={"status": campaign.status},
    )
    return campaign

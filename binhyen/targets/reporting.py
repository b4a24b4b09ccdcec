"""The report forms of peak campaigns, as an owner of indicators forms.

Invariant: a campaign's form (code ``campaign_<id>``) accepts reports only from the
campaign's participating units, for the days or weeks the campaign overlaps, while it is
open; the submissions, review and completeness are the indicators workflow's.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.formats import format_date
from binhyen.indicators.periods import Period
from binhyen.targets import permissions
from binhyen.targets.models import Campaign, CampaignStatus

PREFIX = "campaign_"


def _campaign(code: str) -> Campaign | None:
    suffix = code[len(PREFIX) :]
    if not suffix.isdigit():
        return None
    return Campaign.objects.select_related("orgunit").filter(pk=int(suffix)).first()


class CampaignFormOwner:
    prefix = PREFIX

    def may_create(self, actor: Actor, code: str) -> bool:
        campaign = _campaign(code)
        return campaign is not None and permissions.can_manage(actor, campaign.orgunit)

    def refusal(self, form: Any, unit: Any, period: Period) -> tuple[str, str] | None:
        campaign = _campaign(form.code)
        if campaign is None:
            return ("period", _("Biểu mẫu không còn thuộc đợt cao điểm nào."))
        if period.end < campaign.start or period.start > campaign.end:
            return (
                "period",
                _("Kỳ %(p)s nằm ngoài đợt “%(name)s” (%(a)s – %(b)s).")
                % {
                    "p": period.code,
                    "name": campaign.name,
                    "a": format_date(campaign.start),
                    "b": format_date(campaign.end),
                },
            )
        if not campaign.units.filter(pk=unit.pk).exists():
            return ("orgunit", _("Đơn vị không tham gia đợt “%(name)s”.") % {"name": campaign.name})
        if campaign.status == CampaignStatus.CLOSED:
            return ("period", _("Đợt “%(name)s” đã kết thúc.") % {"name": campaign.name})
        return None

    def expected_unit_ids(self, form: Any) -> set[int] | None:
        campaign = _campaign(form.code)
        if campaign is None:
            return set()
        return set(campaign.units.values_list("pk", flat=True))

"""The hotspot transformation targets of a province, as ordinary targets.

Part of ``binhyen.targets.services`` (its docstring states the invariants).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.targets.models import (
    Comparison,
    Target,
    TargetKind,
    TargetSource,
)
from binhyen.targets.services.common import _require
from binhyen.targets.services.targets import TargetInput, target_create

# --- hotspot transformation targets --------------------------------------------------------


@transaction.atomic
def hotspot_targets_seed(
    *, actor: Actor, province: OrgUnit, year: int, defaults: Mapping[str, float]
) -> list[Target]:
    """Give ``province`` its hotspot transformation targets for ``year`` when it has none.

    ``defaults`` carries ``removed_pct`` (share of the year's list transformed) and
    ``relapsed_pct`` (largest share of transformed areas that relapse); the selectors read
    them from the hotspots app, whose figures are today's settings.
    """
    _require(actor, province)
    if province.kind != UnitKind.PROVINCE:
        raise ValidationError(
            {"unit": _("Chỉ tiêu chuyển hóa địa bàn trọng điểm đặt cho cấp tỉnh.")}
        )
    metrics = {
        m.code: m
        for m in Metric.objects.filter(
            code__in=["hotspots_designated", "hotspots_removed", "hotspots_relapsed"],
            is_active=True,
        )
    }
    if len(metrics) < 3:
        raise ValidationError(_("Danh mục chưa có số liệu về địa bàn trọng điểm."))
    option = "transformation" if metrics["hotspots_removed"].disaggregation_id else ""
    specs = [
        (
            metrics["hotspots_removed"],
            metrics["hotspots_designated"],
            Comparison.AT_LEAST,
            defaults["removed_pct"],
            _("Chuyển hóa địa bàn trọng điểm, phức tạp về TTATXH"),
        ),
        (
            metrics["hotspots_relapsed"],
            metrics["hotspots_removed"],
            Comparison.AT_MOST,
            defaults["relapsed_pct"],
            _("Địa bàn đã chuyển hóa không phức tạp trở lại"),
        ),
    ]
    made: list[Target] = []
    for numerator, denominator, comparison, value, name in specs:
        period = Period(PeriodKind.YEAR, year)
        if Target.objects.filter(
            orgunit=province,
            metric=numerator,
            option=option,
            period=period.code,
            kind=TargetKind.RATE,
            source=TargetSource.OWN,
        ).exists():
            continue
        made.append(
            target_create(
                actor=actor,
                unit=province,
                data=TargetInput(
                    metric=numerator,
                    kind=TargetKind.RATE,
                    value=value,
                    period=period.code,
                    comparison=comparison,
                    name=str(name),
                    option=option,
                    denominator=denominator,
                    denominator_option=option,
                ),
            )
        )
    return made

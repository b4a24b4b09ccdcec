"""Demo plan, targets and campaign of Tỉnh Bắc Ninh (24), set by its officer (demo_tinh).

A plan of the current year with a target (electronic ID accounts activated, Scheme 06)
allocated by population to the province's communes, a few months of figures entered by the
two demo communes (Xã Hiệp Hòa ahead, Phường Bắc Giang behind), and a running four-week
peak campaign with weekly reports, of which Xã Hiệp Hòa has sent the first week.
Idempotent: nothing is added when the province already has plans; everything goes through
the services.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from binhyen.accounts.models import User
from binhyen.indicators import services as ind_services
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.orgunits.models import OrgUnit
from binhyen.targets import services
from binhyen.targets.models import AllocationMethod, Plan, PlanKind, TargetKind

PROVINCE_CODE = "24"
COMMUNES = (("07840", "demo_canbo", 60), ("07210", "demo_canbo2", 20))  # code, officer, per month
CAMPAIGN_METRIC = "weapons_weekly"


def load(stdout: TextIO | Any = None) -> dict[str, int]:
    """Create the demo plan, target, allocation, figures and campaign; return counts."""
    counts = {"plans": 0, "targets": 0, "campaigns": 0}
    officer = User.objects.filter(username="demo_tinh").first()
    admin = User.objects.filter(username="demo_admin").first()
    province = OrgUnit.objects.filter(code=PROVINCE_CODE).first()
    metric = Metric.objects.filter(code="eid_activations", is_active=True).first()
    if officer is None or admin is None or province is None or metric is None:
        return counts
    if Plan.objects.filter(orgunit=province).exists():
        return counts
    today = timezone.localdate()
    with transaction.atomic():
        plan = services.plan_create(
            actor=officer,
            unit=province,
            data=services.PlanInput(
                kind=PlanKind.PLAN,
                number=f"15/KH-CAT-{today.year}",
                issued_on=date(today.year, 1, 6),
                title="Kế hoạch thực hiện phong trào toàn dân bảo vệ an ninh Tổ quốc",
                period_start=date(today.year, 1, 1),
                period_end=date(today.year, 12, 31),
                summary="Kích hoạt tài khoản định danh điện tử; vận động giao nộp vũ khí.",
            ),
        )
        counts["plans"] += 1
        target = services.target_create(
            actor=officer,
            unit=province,
            data=services.TargetInput(
                metric=metric,
                kind=TargetKind.COUNT,
                value=1200,
                period=str(today.year),
                name="Kích hoạt 1.200 tài khoản định danh điện tử",
                plan=plan,
            ),
        )
        services.allocation_create(actor=officer, target=target, method=AllocationMethod.POPULATION)
        counts["targets"] += 1
        _figures(metric, today)
        campaign = _campaign(officer, admin, province, today)
        counts["campaigns"] += 1 if campaign is not None else 0
    if stdout is not None:
        stdout.write(f"Targets demo: {counts}\n")
    return counts


def _figures(metric: Metric, today: date) -> None:
    """Enter this year's monthly figures of the demo communes up to last month."""
    for code, username, per_month in COMMUNES:
        unit = OrgUnit.objects.filter(code=code).first()
        actor = User.objects.filter(username=username).first()
        if unit is None or actor is None:
            continue
        for month in range(1, today.month):
            ind_services.data_values_save(
                actor=actor,
                unit=unit,
                period_code=f"{today.year}M{month:02d}",
                values=[ind_services.ValueInput(metric=metric, value=per_month)],
            )


def _campaign(officer: User, admin: User, province: OrgUnit, today: date) -> Any:
    """Open a four-week weapons campaign started last week; Xã Hiệp Hòa reports week one."""
    weekly = Metric.objects.filter(code=CAMPAIGN_METRIC).first()
    if weekly is None:
        weekly = ind_services.metric_create(
            actor=admin,
            code=CAMPAIGN_METRIC,
            name="Vũ khí, vật liệu nổ vận động giao nộp trong tuần",
            value_type="integer",
            aggregation="sum",
            period_kind=PeriodKind.WEEK,
            capture_kinds=["commune"],
        )
    units = list(OrgUnit.objects.filter(code__in=[c for c, _u, _n in COMMUNES]))
    if not units:
        return None
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=1)
    campaign = services.campaign_create(
        actor=officer,
        unit=province,
        data=services.CampaignInput(
            name="Đợt cao điểm vận động giao nộp vũ khí, vật liệu nổ",
            start=monday,
            end=monday + timedelta(days=27),
            frequency="week",
            units=units,
            tracked=[(weekly, 40)],
        ),
    )
    chief = User.objects.filter(username="demo_truong").first()
    commune = next((u for u in units if u.code == COMMUNES[0][0]), None)
    if chief is not None and commune is not None and campaign.form is not None:
        week = Period.containing(PeriodKind.WEEK, monday)
        submission = ind_services.submission_open(
            actor=chief, form=campaign.form, unit=commune, period_code=week.code
        )
        ind_services.submission_save_values(
            actor=chief,
            submission=submission,
            values=[ind_services.ValueInput(metric=weekly, value=9)],
        )
        ind_services.submission_submit(actor=chief, submission=submission)
    return campaign

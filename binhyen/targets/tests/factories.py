"""Builders for targets tests: a province with communes, its officers, metrics and inputs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.utils import timezone

from binhyen.accounts.models import Role, User
from binhyen.accounts.tests.factories import user_with_role
from binhyen.indicators.models import Metric
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country
from binhyen.targets import services
from binhyen.targets.models import Plan, PlanKind, Target, TargetKind


def this_year() -> int:
    return timezone.localdate().year


@dataclass
class Scene:
    country: Any
    province: OrgUnit
    communes: list[OrgUnit]
    other_province: OrgUnit
    far_commune: OrgUnit
    officer: User
    viewer: User
    chief: User
    commune_officer: User
    far_officer: User
    ministry: User


def scene(populations: tuple[int, ...] = (10000, 10000)) -> Scene:
    root = country()
    province = cast(OrgUnit, ProvinceFactory(code="24", name="Tỉnh Bắc Ninh"))
    communes = [
        cast(
            OrgUnit,
            CommuneFactory(
                parent=province,
                code=f"0{7800 + i}",
                name=f"Xã Số {i + 1}",
                population=pop,
                households=pop // 4,
            ),
        )
        for i, pop in enumerate(populations)
    ]
    other = cast(OrgUnit, ProvinceFactory(code="20", name="Tỉnh Lạng Sơn"))
    far = cast(OrgUnit, CommuneFactory(parent=other, code="06100", name="Xã Xa"))
    return Scene(
        country=root,
        province=province,
        communes=communes,
        other_province=other,
        far_commune=far,
        officer=user_with_role(Role.PROVINCE_OFFICER, province, username="tinh"),
        viewer=user_with_role(Role.VIEWER, province, username="xem"),
        chief=user_with_role(Role.COMMUNE_CHIEF, communes[0], username="truong"),
        commune_officer=user_with_role(Role.COMMUNE_OFFICER, communes[0], username="canbo"),
        far_officer=user_with_role(Role.PROVINCE_OFFICER, other, username="tinhxa"),
        ministry=user_with_role(Role.MINISTRY_OFFICER, root, username="bo"),
    )


def metric(code: str) -> Metric:
    return Metric.objects.get(code=code)


def plan_input(**overrides: Any) -> services.PlanInput:
    year = this_year()
    values: dict[str, Any] = {
        "kind": PlanKind.PLAN,
        "number": "12/KH-CAT",
        "issued_on": date(year, 1, 5),
        "title": "Kế hoạch xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc",
        "period_start": date(year, 1, 1),
        "period_end": date(year, 12, 31),
        "summary": "Xây dựng mới 12 mô hình tự quản.",
    }
    values.update(overrides)
    return services.PlanInput(**values)


def plan(actor: User, unit: OrgUnit, **overrides: Any) -> Plan:
    return services.plan_create(actor=actor, unit=unit, data=plan_input(**overrides))


def schemes_target(
    actor: User, unit: OrgUnit, value: Any = 12, *, plan: Plan | None = None, **overrides: Any
) -> Target:
    values: dict[str, Any] = {
        "metric": metric("schemes_active"),
        "kind": TargetKind.INCREASE,
        "value": value,
        "period": str(this_year()),
        "name": "Xây dựng mới 12 mô hình tự quản",
        "plan": plan,
    }
    values.update(overrides)
    return services.target_create(actor=actor, unit=unit, data=services.TargetInput(**values))


def weekly_metric(code: str = "weapons_weekly") -> Metric:
    """Return a weekly commune metric for campaigns (test set-up: the catalogue's own)."""
    existing = Metric.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return Metric.objects.create(
        code=code,
        name="Vũ khí vận động giao nộp trong tuần",
        value_type="integer",
        aggregation="sum",
        period_kind="week",
        capture_kinds=["commune"],
    )


def world_objects(manager: User, commune: OrgUnit) -> dict[str, Any]:
    """Return one plan (with its document), task, target and campaign of ``commune``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    year = this_year()
    kh = services.plan_create(
        actor=manager,
        unit=commune,
        data=plan_input(number="05/KH-CAX", title="Kế hoạch phòng ngừa tội phạm của xã"),
        upload=SimpleUploadedFile("kh.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    )
    task = services.plan_task_add(
        actor=manager,
        plan=kh,
        description="Lắp camera ở các thôn",
        assignee="Công an xã",
        due_on=date(year, 6, 30),
    )
    target = services.target_create(
        actor=manager,
        unit=commune,
        data=services.TargetInput(
            metric=metric("cameras_installed"),
            kind=TargetKind.COUNT,
            value=20,
            period=str(year),
            name="Lắp mới 20 camera an ninh",
            plan=kh,
        ),
    )
    campaign = services.campaign_create(
        actor=manager,
        unit=commune,
        data=services.CampaignInput(
            name="Đợt cao điểm vận động giao nộp vũ khí",
            start=date(year, 1, 5),
            end=date(year, 1, 31),
            frequency="week",
            units=[commune],
            tracked=[(weekly_metric(), 10)],
            plan=kh,
        ),
    )
    return {"target_plan": kh, "target_task": task, "target": target, "campaign": campaign}

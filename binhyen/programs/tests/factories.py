"""Builders for programme tests: a published programme with criteria, files at each step."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from binhyen.accounts.models import Role, User
from binhyen.accounts.tests.factories import user_with_role
from binhyen.indicators.models import Metric
from binhyen.indicators.tests.factories import put
from binhyen.orgunits.tests.factories import country
from binhyen.programs import services
from binhyen.programs.models import CriteriaSet, Enrollment, Program

LEVELS: list[dict[str, Any]] = [
    {"level": "excellent", "min_points": 90},
    {"level": "fair", "min_points": 70},
    {"level": "average", "min_points": 50},
    {"level": "weak", "min_points": None},
]
RULES = [
    ("1", "I. An ninh", "Không có vụ phạm tội rất nghiêm trọng", "m.serious_crimes == 0.0"),
    ("2", "I. An ninh", "Số vụ phạm tội giảm ít nhất 5%", "m.crimes <= prev.crimes * 0.95"),
]


def ministry_admin() -> User:
    """A ministry officer on the country root: keeps national programmes."""
    return user_with_role(Role.MINISTRY_OFFICER, country(), username="bocongan")


def metric(code: str, **extra: Any) -> Metric:
    defaults = {
        "name": extra.pop("name", code),
        "value_type": "integer",
        "aggregation": "sum",
        "period_kind": "month",
        "capture_kinds": ["commune", "village"],
    }
    defaults.update(extra)
    found, _created = Metric.objects.get_or_create(code=code, defaults=defaults)
    return found


def crimes_data(unit: Any, *, crimes_now: float, crimes_before: float, serious: float) -> None:
    """Store a year's crimes (2025) and the year before (2024) for ``unit``."""
    put(metric("crimes"), unit, "2025M03", crimes_now)
    put(metric("crimes"), unit, "2024M03", crimes_before)
    put(metric("serious_crimes"), unit, "2025M04", serious)


def program(
    actor: Any,
    *,
    code: str = "thu-nghiem",
    kind: str = "recognition",
    unit_kinds: list[str] | None = None,
    period_kind: str = "year",
    verifier_level: str = "province",
    decider_level: str = "province",
    criteria: list[services.CriterionInput] | None = None,
    groups: list[str] | None = None,
    publish: bool = True,
    owner: Any = None,
    set_data: services.SetInput | None = None,
) -> Program:
    """Create a programme through the services, with criteria, published by default."""
    created = services.program_create(
        actor=actor,
        owner=owner,
        fields={
            "code": code,
            "name": f"Chương trình {code}",
            "kind": kind,
            "unit_kinds": unit_kinds or ["commune"],
            "period_kind": period_kind,
            "verifier_level": verifier_level,
            "decider_level": decider_level,
        },
        groups=groups or ["I. An ninh", "II. Phong trào"],
    )
    criteria_set = created.sets.get()
    if set_data is None and kind == "classification":
        set_data = services.SetInput(groups=list(criteria_set.groups), levels=LEVELS)
    if set_data is not None:
        services.criteria_set_update(actor=actor, criteria_set=criteria_set, data=set_data)
    for item in criteria if criteria is not None else default_criteria():
        services.criterion_save(actor=actor, criteria_set=criteria_set, data=item)
    if publish:
        services.criteria_set_publish(actor=actor, criteria_set=criteria_set)
    created.refresh_from_db()
    return created


def default_criteria() -> list[services.CriterionInput]:
    metric("crimes")
    metric("serious_crimes")
    items = [
        services.CriterionInput(
            code=code, group=group, title=title, kind="rule", expression=expr, order=i * 10
        )
        for i, (code, group, title, expr) in enumerate(RULES, start=1)
    ]
    items.append(
        services.CriterionInput(
            code="3",
            group="II. Phong trào",
            title="Có nghị quyết, kế hoạch thực hiện phong trào",
            kind="evidence",
            order=30,
        )
    )
    items.append(
        services.CriterionInput(
            code="4",
            group="II. Phong trào",
            title="Có mô hình tự quản tiêu biểu",
            kind="evidence",
            mandatory=False,
            order=40,
        )
    )
    return items


def png(name: str = "minh-chung.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf(name: str = "quyet-dinh.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def evidence_ready(officer: Any, enrollment: Enrollment) -> None:
    """Self-assess every evidence criterion as met, with a photo, and score points items."""
    for criterion in enrollment.criteria_set.criteria.all():
        if criterion.kind == "evidence":
            services.assessment_save(
                actor=officer, enrollment=enrollment, criterion=criterion, self_met=True
            )
            services.evidence_add(
                actor=officer, enrollment=enrollment, criterion=criterion, upload=png()
            )
        elif criterion.kind == "points":
            services.assessment_save(
                actor=officer,
                enrollment=enrollment,
                criterion=criterion,
                self_points=criterion.max_points,
            )


def verify_all(verifier: Any, enrollment: Enrollment, verdict: str = "agree") -> Enrollment:
    for criterion in enrollment.criteria_set.criteria.all():
        services.assessment_verify(
            actor=verifier,
            enrollment=enrollment,
            criterion=criterion,
            verdict=verdict,
            comment="" if verdict == "agree" else "Chưa đạt",
        )
    return services.enrollment_verify(actor=verifier, enrollment=enrollment)


def decision_input(**extra: Any) -> services.DecisionInput:
    data = services.DecisionInput(
        number="123/QĐ-UBND",
        issued_on=date(2025, 11, 25),
        signer="Nguyễn Văn Ký",
        signer_title="Chủ tịch",
        issuing_body="Ủy ban nhân dân tỉnh",
    )
    for name, value in extra.items():
        setattr(data, name, value)
    return data


def points_items(max_points: list[int]) -> list[services.CriterionInput]:
    return [
        services.CriterionInput(
            code=f"P{i}",
            title=f"Mục chấm điểm {i}",
            kind="points",
            max_points=Decimal(p),
            order=i,
            group="",
        )
        for i, p in enumerate(max_points, start=1)
    ]


def latest_set(prog: Program) -> CriteriaSet:
    return prog.sets.order_by("-version").first()  # type: ignore[return-value]

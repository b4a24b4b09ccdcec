"""Demo reintegration cases of Xã Hiệp Hòa (07840), opened by its police chief (demo_truong).

One case in support (a helper from the Women's Union, a plan, two monthly reviews) and one
settled case (a job, then closed), so the commune chief sees the case pages and the province
officer sees the figures without any name. Idempotent: nothing is added when the commune
already has cases; everything goes through the services.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from binhyen.accounts.models import User
from binhyen.cases import services
from binhyen.cases.models import Case, CaseType
from binhyen.orgunits.models import OrgUnit, UnitKind

COMMUNE_CODE = "07840"


def load(stdout: TextIO | Any = None) -> dict[str, int]:
    """Create the demo cases; return counts of what was created."""
    counts = {"cases": 0}
    chief = User.objects.filter(username="demo_truong").first()
    commune = OrgUnit.objects.filter(code=COMMUNE_CODE).first()
    case_type = CaseType.objects.filter(code="reintegration").first()
    if chief is None or commune is None or case_type is None:
        return counts
    if Case.objects.filter(orgunit=commune).exists():
        return counts
    today = timezone.localdate()
    village = OrgUnit.objects.filter(parent=commune, kind=UnitKind.VILLAGE).order_by("code").first()
    with transaction.atomic():
        supported = services.case_open(
            actor=chief,
            unit=commune,
            data=services.CaseInput(
                case_type=case_type,
                full_name="Nguyễn Văn Hùng",
                opened_on=today - timedelta(days=70),
                birth_year=1991,
                identity_number="024091001357",
                home_village=village,
                judgment_number="58/2023/HS-ST",
                judgment_date=today - timedelta(days=900),
                release_date=today - timedelta(days=75),
                needs=["papers", "training", "job"],
            ),
        )
        services.helper_assign(
            actor=chief,
            case=supported,
            kind="mass_org",
            name="Hội Liên hiệp Phụ nữ xã",
            assigned_on=supported.opened_on,
        )
        services.support_task_add(
            actor=chief,
            case=supported,
            need="training",
            title="Đăng ký khóa học nghề hàn",
            due_on=today + timedelta(days=20),
        )
        for days in (60, 30):
            services.review_record(
                actor=chief,
                case=supported,
                kind="review",
                held_on=today - timedelta(days=days),
                summary="Gặp tại nhà, gia đình hỗ trợ tốt.",
            )
        settled = services.case_open(
            actor=chief,
            unit=commune,
            data=services.CaseInput(
                case_type=case_type,
                full_name="Trần Thị Mai",
                opened_on=today - timedelta(days=200),
                birth_year=1985,
                release_date=today - timedelta(days=205),
                needs=["job", "loan"],
            ),
        )
        services.outcome_record(
            actor=chief,
            case=settled,
            kind="employed",
            achieved_on=today - timedelta(days=100),
            note="Công nhân may",
        )
        services.case_close(
            actor=chief, case=settled, closed_on=today - timedelta(days=10), reason="settled"
        )
        counts["cases"] = 2
    if stdout is not None:
        stdout.write(f"cases: {counts['cases']} demo cases\n")
    return counts

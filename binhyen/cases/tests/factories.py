"""Test helpers for the cases app: a commune with its chief, an officer, and an open case."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from binhyen.cases import services
from binhyen.cases.models import Case, CaseType


def case_type(code: str = "reintegration") -> CaseType:
    return CaseType.objects.get(code=code)


def case_input(**overrides: Any) -> services.CaseInput:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "case_type": case_type(),
        "full_name": "Nguyễn Văn Bình",
        "opened_on": today - timedelta(days=120),
        "birth_year": 1990,
        "identity_number": "001090001234",
        "judgment_number": "45/2022/HS-ST",
        "judgment_date": date(2022, 5, 10),
        "release_date": today - timedelta(days=125),
        "needs": ["papers", "job"],
    }
    values.update(overrides)
    return services.CaseInput(**values)


def open_case(chief: Any, commune: Any, **overrides: Any) -> Case:
    return services.case_open(actor=chief, unit=commune, data=case_input(**overrides))

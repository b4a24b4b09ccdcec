"""Demo hotspot areas of Tỉnh Bắc Ninh (24).

The province's 2025 transformation list has 27 communes, 16 of them removed by decision
in December ("removed 16/27", 59.3 %, just under the 60 % target); Xã Hiệp Hòa (07840)
is on the list with a survey, responsibilities and a plan with one overdue task, and is
also a drug area of type III. Idempotent: a designation is looked up by (commune, regime,
list year) first; everything is written through the services by the province officer.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TextIO

from django.db import transaction

from binhyen.accounts.models import User
from binhyen.hotspots import services
from binhyen.hotspots.models import Designation, DrugAreaType, ProblemCategory, Regime
from binhyen.orgunits.models import OrgUnit, UnitKind

PROVINCE_CODE = "24"
COMMUNE_CODE = "07840"
YEAR = 2025
LISTED = 27
REMOVED = 16
DECIDED = date(2025, 7, 15)
REMOVAL = date(2025, 12, 20)


def _designate(actor: User, unit: OrgUnit, counts: dict[str, int], **fields: Any) -> Designation:
    regime = fields.get("regime", Regime.TRANSFORMATION)
    found = Designation.objects.filter(orgunit=unit, regime=regime, year=YEAR).first()
    if found is not None:
        return found
    data = services.DesignationInput(
        regime=regime,
        unit=unit,
        year=YEAR,
        decision_number=fields.get("decision_number", "215/QĐ-BCĐ138"),
        decision_date=fields.get("decision_date", DECIDED),
        issuing_body=fields.get("issuing_body", "Ban Chỉ đạo 138 tỉnh Bắc Ninh"),
        drug_area_type=fields.get("drug_area_type", ""),
        categories=list(ProblemCategory.objects.filter(code__in=fields.get("categories", []))),
        survey_date=fields.get("survey_date"),
        survey_findings=fields.get("survey_findings", ""),
        plan_summary=fields.get("plan_summary", ""),
    )
    counts["designations"] += 1
    return services.designation_create(actor=actor, data=data)


def load(stdout: TextIO | Any = None) -> dict[str, int]:
    """Create the demo hotspot areas; return counts of what was created."""
    counts = {"designations": 0, "removals": 0, "tasks": 0, "responsibilities": 0}
    officer = User.objects.filter(username="demo_tinh").first()
    province = OrgUnit.objects.filter(code=PROVINCE_CODE).first()
    home = OrgUnit.objects.filter(code=COMMUNE_CODE).first()
    if officer is None or province is None or home is None:
        return counts
    others = list(
        OrgUnit.objects.filter(
            path__startswith=province.path, kind=UnitKind.COMMUNE, valid_to__isnull=True
        )
        .exclude(pk=home.pk)
        .order_by("code")[: LISTED - 1]
    )
    if len(others) < LISTED - 1:
        return counts
    with transaction.atomic():
        listed = _designate(
            officer,
            home,
            counts,
            categories=["ma_tuy", "te_nan_xa_hoi", "tin_dung_den"],
            survey_date=date(2025, 7, 2),
            survey_findings="2 tụ điểm cờ bạc, 1 điểm nghi sử dụng ma túy ở khu giáp ranh.",
            plan_summary="Xóa tụ điểm, lắp camera, xây dựng mô hình tự quản ở thôn giáp ranh.",
        )
        if not listed.responsibilities.exists():
            services.responsibility_create(
                actor=officer,
                designation=listed,
                department="Phòng PV05 Công an tỉnh",
                officer_name="Đại úy Lê Thị Tỉnh",
                duty="Theo dõi, hướng dẫn chuyển hóa",
            )
            services.responsibility_create(
                actor=officer,
                designation=listed,
                department="Công an xã Hiệp Hòa",
                officer_name="Dương Hồng Sơn",
                duty="Chủ trì thực hiện kế hoạch",
            )
            counts["responsibilities"] += 2
        if not listed.tasks.exists():
            services.plan_task_create(
                actor=officer,
                designation=listed,
                title="Xóa 2 tụ điểm cờ bạc",
                owner="Công an xã Hiệp Hòa",
                deadline=date(2025, 9, 30),
            )
            task = services.plan_task_create(
                actor=officer,
                designation=listed,
                title="Lắp camera tại khu giáp ranh",
                owner="UBND xã Hiệp Hòa",
                deadline=date(2025, 12, 31),
            )
            services.plan_task_report(
                actor=officer,
                task=task,
                progress=60,
                status="in_progress",
                completed_on=None,
                evidence="Đã lắp 3/5 camera",
            )
            counts["tasks"] += 2
        _designate(
            officer,
            home,
            counts,
            regime=Regime.DRUG_AREA,
            drug_area_type=DrugAreaType.TYPE_3,
            decision_number="88/QĐ-UBND",
            issuing_body="UBND tỉnh Bắc Ninh",
            categories=["ma_tuy"],
        )
        for index, commune in enumerate(others):
            designation = _designate(
                officer, commune, counts, categories=["toi_pham_hinh_su" if index % 2 else "ma_tuy"]
            )
            if index < REMOVED and designation.removal_date is None:
                services.designation_remove(
                    actor=officer,
                    designation=designation,
                    decision_number="412/QĐ-UBND",
                    decision_date=REMOVAL,
                    issuing_body="UBND tỉnh Bắc Ninh",
                )
                counts["removals"] += 1
    return counts

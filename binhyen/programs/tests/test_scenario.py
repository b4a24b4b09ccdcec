"""Scenarios from the seeds: 22/22 and recognised; failing one mandatory rule; classification."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from docx import Document

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import put
from binhyen.orgunits.models import Subkind
from binhyen.orgunits.tests.factories import CommuneFactory
from binhyen.programs import documents, evaluation, selectors, services
from binhyen.programs.models import EnrollmentStatus, Program
from binhyen.programs.tests import factories as f

pytestmark = pytest.mark.django_db

WARD_RULES = [
    ("I.1", "m.officers >= 12.0"),
    ("II.1", "m.serious_crimes == 0.0"),
    ("II.2", "m.crimes <= prev.crimes * 0.95"),
    ("II.3", "m.drug_users <= prev.drug_users"),
    ("II.4", "m.fires == 0.0"),
    ("II.5", "m.tips_valuable >= 1.0"),
    ("III.1", "m.traffic_accidents <= prev.traffic_accidents"),
    ("III.2", "m.cameras_installed >= 1.0"),
]
GROUPS = {"I": "I. Xây dựng lực lượng", "II": "II. An ninh, trật tự", "III": "III. Văn minh đô thị"}


def ward_criteria() -> list[services.CriterionInput]:
    items = [
        services.CriterionInput(
            code=code,
            group=GROUPS[code.split(".")[0]],
            title=f"Tiêu chí {code}",
            kind="rule",
            expression=expr,
            order=i,
        )
        for i, (code, expr) in enumerate(WARD_RULES)
    ]
    for n in range(14):
        group = ["I", "II", "III"][n % 3]
        items.append(
            services.CriterionInput(
                code=f"{group}.E{n}", group=GROUPS[group], title=f"Minh chứng {n}", order=100 + n
            )
        )
    return items


def ward_data(ward) -> None:
    values = {
        "officers": ("2025M10", 14, None),
        "serious_crimes": ("2025M06", 0, None),
        "crimes": ("2025M06", 9, 12),
        "drug_users": ("2025M10", 3, 4),
        "fires": ("2025M02", 0, None),
        "tips_valuable": ("2025M05", 4, None),
        "traffic_accidents": ("2025M07", 2, 5),
        "cameras_installed": ("2025M03", 6, None),
    }
    for code, (month, now, before) in values.items():
        metric = f.metric(code)
        put(metric, ward, month, now)
        if before is not None:
            put(metric, ward, month.replace("2025", "2024"), before)


def test_a_ward_meets_22_of_22_and_is_recognised(s):
    # given the built-in "model ward police" skeleton, completed by the ministry with 22
    # criteria (8 rules over the ward's figures, 14 evidence items) and published
    minister = f.ministry_admin()
    program = Program.objects.get(code="cong-an-phuong-kieu-mau")
    draft = program.sets.get(version=1)
    services.criteria_set_replace(
        actor=minister,
        criteria_set=draft,
        settings=services.SetInput(groups=list(GROUPS.values())),
        criteria=ward_criteria(),
    )
    services.criteria_set_publish(actor=minister, criteria_set=draft)
    program.refresh_from_db()
    ward = CommuneFactory(parent=s.province, name="Phường Kiểu Mẫu", subkind=Subkind.PHUONG)
    officer = user_with_role(Role.COMMUNE_OFFICER, ward, username="canbophuong")
    ward_data(ward)
    # when the ward police enrols, attaches its evidence and submits
    enrollment = services.enrollment_create(
        actor=officer, program=program, unit=ward, period_code="2025"
    )
    live = evaluation.progress(enrollment)
    assert (live.met_count, live.total) == (8, 22)
    f.evidence_ready(officer, enrollment)
    assert evaluation.progress(enrollment).met_count == 22
    services.enrollment_submit(actor=officer, enrollment=enrollment)
    # and the province verifies, and the Minister decides
    verified = f.verify_all(s.province_officer, enrollment)
    assert (verified.met_count, verified.criteria_count, verified.condition_met) == (22, 22, True)
    with pytest.raises(PermissionDenied):  # the province cannot sign a Minister's decision
        services.decision_record(
            actor=s.province_officer,
            program=program,
            period_code="2025",
            enrollments=[verified],
            recognised={verified.pk},
            data=f.decision_input(),
        )
    decision = services.decision_record(
        actor=minister,
        program=program,
        period_code="2025",
        enrollments=[verified],
        recognised={verified.pk},
        data=f.decision_input(
            number="2878/QĐ-BCA", issuing_body="Bộ Công an", signer_title="Bộ trưởng"
        ),
    )
    # then it is recognised as having met 22/22, and the certificate says so
    verified.refresh_from_db()
    assert verified.status == EnrollmentStatus.RECOGNISED
    assert decision.orgunit.kind == "country"
    text = "\n".join(
        p.text for p in Document(io.BytesIO(documents.certificate(verified))).paragraphs
    )
    assert "Phường Kiểu Mẫu" in text and "22/22" in text and "2878/QĐ-BCA" in text
    listing = Document(io.BytesIO(documents.decision_list(decision, [verified])))
    assert listing.tables[-2].rows[1].cells[1].text == "Phường Kiểu Mẫu"


def test_a_commune_failing_one_mandatory_rule_sees_why_with_numbers(s):
    # given the commune "safe for security and order" programme and a commune whose
    # villages are only half recognised
    program = Program.objects.get(code="an-toan-antt-xa")
    put(f.metric("schemes_active"), s.commune, "2025M10", 3)
    put(f.metric("villages"), s.commune, "2025M10", 10)
    for code, value in (("villages_enrolled_safe", 10), ("villages_recognised_safe", 5)):
        put(f.metric(code), s.commune, "MY2025", value)
    enrollment = services.enrollment_create(
        actor=s.commune_officer, program=program, unit=s.commune, period_code="2025"
    )
    f.evidence_ready(s.commune_officer, enrollment)
    # when the commune looks at its progress
    progress = evaluation.progress(enrollment)
    # then 6 of 7 criteria are met and the 70% rule fails, showing 5 recognised of 10
    assert (progress.met_count, progress.total, progress.condition_met) == (6, 7, False)
    [failed] = progress.mandatory_failed
    assert failed.criterion.code == "4b" and failed.status == evaluation.NOT_MET
    figures = {fig.code: fig.current for fig in failed.figures}
    assert figures == {"villages_recognised_safe": 5.0, "villages": 10.0}
    assert "0.7" in failed.criterion.expression


def test_a_classification_sheet_yields_levels_with_caps_applied(s):
    # given a points sheet (100 points) with thresholds and "excellent ≤ 20% of good or better"
    admin = f.ministry_admin()
    program = f.program(
        admin,
        code="xep-loai-thu",
        kind="classification",
        criteria=f.points_items([40, 30, 30]),
        set_data=services.SetInput(
            groups=[],
            levels=[
                {"level": "excellent", "min_points": 90},
                {"level": "fair", "min_points": 70},
                {"level": "average", "min_points": 50},
                {"level": "weak", "min_points": None},
            ],
            caps=[{"level": "excellent", "max_share": 20, "base": "fair"}],
        ),
    )
    scores = [(40, 30, 30), (40, 30, 25), (35, 30, 28), (30, 30, 20), (30, 25, 20), (20, 20, 5)]
    files = []
    for i, points in enumerate(scores):
        commune = CommuneFactory(parent=s.province, name=f"Xã Chấm {i}")
        chief = user_with_role(Role.COMMUNE_CHIEF, commune)
        enrollment = services.enrollment_create(
            actor=s.province_officer, program=program, unit=commune, period_code="2025"
        )
        for criterion, value in zip(enrollment.criteria_set.criteria.all(), points, strict=True):
            services.assessment_save(
                actor=chief, enrollment=enrollment, criterion=criterion, self_points=value
            )
        services.enrollment_submit(actor=chief, enrollment=enrollment)
        files.append(f.verify_all(s.province_officer, enrollment))
    # when the province classifies the six communes in one decision
    decision = services.decision_record(
        actor=s.province_officer,
        program=program,
        period_code="2025",
        enrollments=files,
        recognised=set(),
        data=f.decision_input(),
    )
    levels = {
        e.unit.name: (e.points_total, e.level_by_points, e.level, e.capped)
        for e in decision.enrollments.select_related("unit")
    }
    # then 100, 95 and 93 points reach "excellent", but 5 communes are good or better and
    # 20% of 5 is 1: the best keeps "excellent", the two others become "fair" (capped)
    assert levels["Xã Chấm 0"] == (Decimal(100), "excellent", "excellent", False)
    assert levels["Xã Chấm 1"] == (Decimal(95), "excellent", "fair", True)
    assert levels["Xã Chấm 2"] == (Decimal(93), "excellent", "fair", True)
    assert levels["Xã Chấm 3"] == (Decimal(80), "fair", "fair", False)
    assert levels["Xã Chấm 4"] == (Decimal(75), "fair", "fair", False)
    assert levels["Xã Chấm 5"] == (Decimal(45), "weak", "weak", False)
    assert all(e.status == EnrollmentStatus.CLASSIFIED for e in decision.enrollments.all())
    overview = selectors.overview(
        user=s.province_officer, program=program, unit=s.province, period=parse_period("2025")
    )
    assert overview.totals.recognised == 6

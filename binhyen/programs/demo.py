"""Demo files of the built-in "An toàn về ANTT" programmes in Xã Hiệp Hòa (07840).

The 13 villages are enrolled for the current movement year: 7 are recognised by a decision
of the commune (verified and decided at commune level; where the household register figure
is missing the commune checked the paper register and says so in its verdict), 2 wait for
verification and 4 are still assessing themselves. The commune itself is enrolled in the
commune programme for the current year (its live "x/y" reads the villages' results), and
Phường Bắc Giang (07210) was assigned by the province. Idempotent: a file is looked up by
(programme, unit, period) first; everything is written through the services by the demo
users who would do it.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any, TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from binhyen.accounts.models import User
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.programs import evaluation, selectors, services
from binhyen.programs.models import Enrollment, EnrollmentStatus, Program, Verdict

COMMUNE_CODE = "07840"
OTHER_COMMUNE_CODE = "07210"
VILLAGE_PROGRAM = "an-toan-antt-khu-dan-cu"
COMMUNE_PROGRAM = "an-toan-antt-xa"
RECOGNISED = 7
SUBMITTED = 2


def _photo(label: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 320), (235, 242, 236))
    ImageDraw.Draw(image).text((20, 150), label, fill=(11, 93, 59))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile("bien-ban.jpg", buffer.getvalue(), content_type="image/jpeg")


def _enrol(
    actor: User, program: Program, unit: OrgUnit, period: str, counts: dict[str, int]
) -> Enrollment:
    found = Enrollment.objects.filter(program=program, unit=unit, period=period).first()
    if found is not None:
        return found
    counts["files"] += 1
    return services.enrollment_create(actor=actor, program=program, unit=unit, period_code=period)


def _self_assess(actor: User, enrollment: Enrollment, counts: dict[str, int]) -> None:
    for criterion in enrollment.criteria_set.criteria.filter(kind="evidence"):
        services.assessment_save(
            actor=actor,
            enrollment=enrollment,
            criterion=criterion,
            self_met=True,
            note="Biên bản họp khu dân cư, có chữ ký của trưởng thôn và bí thư chi bộ.",
        )
        services.evidence_add(
            actor=actor,
            enrollment=enrollment,
            criterion=criterion,
            upload=_photo(f"{enrollment.unit.name} - {criterion.code}"),
            description="Biên bản họp",
        )
        counts["evidence"] += 1


def _verify(chief: User, enrollment: Enrollment) -> None:
    for result in evaluation.progress(enrollment).results:
        met = result.self_status == evaluation.MET
        services.assessment_verify(
            actor=chief,
            enrollment=enrollment,
            criterion=result.criterion,
            verdict=Verdict.AGREE if met else Verdict.DISAGREE,
            comment=""
            if met
            else "Đã kiểm tra sổ đăng ký của thôn: 100% hộ gia đình đã đăng ký thực hiện.",
        )
    services.enrollment_verify(actor=chief, enrollment=enrollment, note="Đạt các tiêu chí.")


def load(stdout: TextIO | Any = None) -> dict[str, int]:
    """Create the demo files; return counts of what was created."""
    counts = {"files": 0, "evidence": 0, "decisions": 0}
    officer = User.objects.filter(username="demo_canbo").first()
    chief = User.objects.filter(username="demo_truong").first()
    province_officer = User.objects.filter(username="demo_tinh").first()
    commune = OrgUnit.objects.filter(code=COMMUNE_CODE).first()
    other = OrgUnit.objects.filter(code=OTHER_COMMUNE_CODE).first()
    village_program = Program.objects.filter(code=VILLAGE_PROGRAM).first()
    commune_program = Program.objects.filter(code=COMMUNE_PROGRAM).first()
    if (
        officer is None
        or chief is None
        or province_officer is None
        or commune is None
        or other is None
        or village_program is None
        or commune_program is None
    ):
        return counts
    villages = list(
        OrgUnit.objects.filter(
            parent=commune, kind=UnitKind.VILLAGE, valid_to__isnull=True
        ).order_by("code")
    )
    period = selectors.current_period(village_program).code
    with transaction.atomic():
        files = [_enrol(officer, village_program, v, period, counts) for v in villages]
        for index, enrollment in enumerate(files):
            if enrollment.status != EnrollmentStatus.ENROLLED:
                continue
            if index < RECOGNISED + SUBMITTED:
                _self_assess(officer, enrollment, counts)
                services.enrollment_submit(actor=officer, enrollment=enrollment)
            elif index == RECOGNISED + SUBMITTED:
                criterion = enrollment.criteria_set.criteria.filter(kind="evidence").first()
                if criterion is not None:
                    services.assessment_save(
                        actor=officer, enrollment=enrollment, criterion=criterion, self_met=True
                    )
        to_decide = []
        for enrollment in files[:RECOGNISED]:
            enrollment.refresh_from_db()
            if enrollment.status == EnrollmentStatus.SUBMITTED:
                _verify(chief, enrollment)
                enrollment.refresh_from_db()
            if enrollment.status == EnrollmentStatus.VERIFIED:
                to_decide.append(enrollment)
        if to_decide:
            services.decision_record(
                actor=chief,
                program=village_program,
                period_code=period,
                enrollments=to_decide,
                recognised={e.pk for e in to_decide if e.condition_met},
                data=services.DecisionInput(
                    number=f"45/QĐ-UBND-{period}",
                    issued_on=selectors.today() - timedelta(days=1),
                    signer="Nguyễn Văn Hòa",
                    signer_title="Chủ tịch UBND xã",
                    issuing_body="Ủy ban nhân dân xã Hiệp Hòa",
                ),
            )
            counts["decisions"] += 1
        year = selectors.current_period(commune_program).code
        own = _enrol(officer, commune_program, commune, year, counts)
        if (
            own.status == EnrollmentStatus.ENROLLED
            and not own.assessments.filter(self_met__isnull=False).exists()
        ):
            criterion = own.criteria_set.criteria.filter(kind="evidence").first()
            if criterion is not None:
                services.assessment_save(
                    actor=officer, enrollment=own, criterion=criterion, self_met=True
                )
                services.evidence_add(
                    actor=officer, enrollment=own, criterion=criterion, upload=_photo("Nghị quyết")
                )
                counts["evidence"] += 1
        _enrol(province_officer, commune_program, other, year, counts)
    if stdout is not None and any(counts.values()):
        stdout.write(f"Programmes demo: {counts}\n")
    return counts

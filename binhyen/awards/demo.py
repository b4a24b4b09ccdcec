"""Demo records of Xã Hiệp Hòa (07840): this year's emulation drive with the villages' pledges
linked, the year-end review filled in (the last village did not keep its pledge) and approved
by the province, and one proposal in progress — a Giấy khen of the provincial police director
for the villages that kept their pledge, submitted by the chief and waiting at the province.

Idempotent: nothing is done when the drive exists. Written through the services with the
commune chief, officer and province officer as actors.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from binhyen.accounts.models import User
from binhyen.awards import services
from binhyen.awards.models import CatalogueEntry, Drive, Outcome, ProposalKind, Review, Subject
from binhyen.orgunits.models import OrgUnit

COMMUNE_CODE = "07840"
TITLE = "Phong trào thi đua toàn dân bảo vệ ANTQ năm %s"


def load(stdout: TextIO | Any = None) -> dict[str, int]:
    """Create the demo drive, review and proposal; return counts of what was created."""
    counts = {"drives": 0, "registrations": 0, "reviews": 0, "proposals": 0}
    commune = OrgUnit.objects.filter(code=COMMUNE_CODE).first()
    chief = User.objects.filter(username="demo_truong").first()
    officer = User.objects.filter(username="demo_canbo").first()
    province_officer = User.objects.filter(username="demo_tinh").first()
    if commune is None or chief is None or officer is None or province_officer is None:
        return counts
    year = timezone.localdate().year
    if Drive.objects.filter(orgunit=commune, year=year, title=TITLE % year).exists():
        return counts
    with transaction.atomic():
        drive = services.drive_create(
            actor=chief,
            unit=commune,
            title=TITLE % year,
            year=year,
            starts_on=date(year, 1, 1),
            ends_on=date(year, 12, 31),
            aims="Phát huy sức mạnh toàn dân; kịp thời khen thưởng, động viên các cá nhân, "
            "tập thể có thành tích xuất sắc.",
            criteria="Thực hiện đúng giao ước thi đua; không có tội phạm nghiêm trọng; "
            "100% hộ gia đình đăng ký.",
        )
        counts["drives"] = 1
        counts["registrations"] = services.drive_pledges_link(actor=chief, drive=drive)
        if Review.objects.filter(orgunit=commune, year=year).exists():
            return counts
        review = services.review_open(actor=officer, unit=commune, year=year)
        counts["reviews"] = 1
        marks = list(review.entries.filter(subject=Subject.REGISTRATION).order_by("orgunit__code"))
        for n, line in enumerate(marks):
            outcome = Outcome.NOT_KEPT if n == len(marks) - 1 else Outcome.KEPT
            services.review_entry_mark(actor=officer, entry=line, outcome=outcome)
        for line in review.entries.exclude(subject=Subject.REGISTRATION):
            services.review_entry_classify(actor=officer, entry=line, grade="good")
        services.review_submit(actor=chief, review=review)
        services.review_approve(actor=province_officer, review=review)
        form = CatalogueEntry.objects.filter(
            province__isnull=True, code="giay-khen-giam-doc-ca-tinh"
        ).first()
        if form is not None and len(marks) > 1:
            proposal = services.proposal_create(
                actor=chief, unit=commune, kind=ProposalKind.REGULAR, year=year, form=form
            )
            services.proposal_add_kept(actor=chief, proposal=proposal)
            services.proposal_submit(actor=chief, proposal=proposal)
            counts["proposals"] = 1
    if stdout is not None:
        stdout.write(f"awards: {counts}\n")
    return counts

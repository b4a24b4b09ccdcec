"""Demo records of Xã Hiệp Hòa (07840) from the seed article about Lương Phong.

"13 mô hình 'Tự quản về ANTT' của 13 thôn do các Chi hội CCB làm nòng cốt, 03 mô hình của
03 nhà trường, 01 mô hình liên kết Cụm giáp ranh": here one self-managing group per village
led by the veterans' branch, a border cluster with Phường Bắc Giang, a security team per
village, this year's pledges of every village, and the province's typical scheme types.

Idempotent: each record is looked up by its natural key first; everything is written
through the services with the commune chief (or the province officer) as the actor.
People's names are invented.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from binhyen.accounts.models import User
from binhyen.community import selectors, services
from binhyen.community.models import (
    MemberOrigin,
    Pledge,
    Scheme,
    SchemeType,
    SecurityTeam,
    SignerKind,
    TaskGrade,
    TeamGrading,
    TeamRole,
)
from binhyen.orgunits.models import OrgUnit, UnitKind

COMMUNE_CODE = "07840"
PARTNER_CODE = "07210"
PROVINCE_CODE = "24"
TYPICAL = [
    "to_tu_quan",
    "khu_dan_cu_an_toan",
    "dong_ho_tu_quan",
    "cum_giap_ranh",
    "ton_giao_binh_yen",
]
FOUNDED = date(2022, 3, 7)  # Hướng dẫn số 84/HD-CCB-CA ngày 07/3/2022
TEAMS_FROM = date(2025, 7, 1)
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Ngô", "Dương", "Bùi"]
GIVEN = ["Văn Hùng", "Văn Minh", "Thị Lan", "Văn Tuấn", "Đức Anh", "Văn Quang", "Thị Hoa"]


def _person(index: int) -> tuple[str, date]:
    name = f"{SURNAMES[index % len(SURNAMES)]} {GIVEN[(index // 3) % len(GIVEN)]}"
    return name, date(1965 + index % 30, 1 + index % 12, 1 + index % 27)


def load(stdout: TextIO | Any = None) -> dict[str, int]:
    """Create the demo community records; return counts of what was created."""
    counts = {"schemes": 0, "teams": 0, "members": 0, "pledges": 0, "typical": 0, "grades": 0}
    commune = OrgUnit.objects.filter(code=COMMUNE_CODE).select_related("parent").first()
    chief = User.objects.filter(username="demo_truong").first()
    province_officer = User.objects.filter(username="demo_tinh").first()
    if commune is None or chief is None or province_officer is None:
        return counts
    villages = list(
        OrgUnit.objects.filter(
            parent=commune, kind=UnitKind.VILLAGE, valid_to__isnull=True
        ).order_by("code")
    )
    # Every record re-publishes its figures; the demo writes dozens, so once at the end.
    with transaction.atomic(), services.metrics_deferred(actor=chief):
        province = selectors.province_of(commune)
        if province is not None:
            for code in TYPICAL:
                item = SchemeType.objects.filter(province__isnull=True, code=code).first()
                if item is not None and not item.typical_in.filter(pk=province.pk).exists():
                    services.scheme_type_typical_set(
                        actor=province_officer, scheme_type=item, province=province, typical=True
                    )
                    counts["typical"] += 1
        self_managed = SchemeType.objects.get(province__isnull=True, code="to_tu_quan")
        for village in villages:
            name = f"Tổ tự quản về ANTT {village.name}"
            if not Scheme.objects.filter(name=name, units=village).exists():
                services.scheme_create(
                    actor=chief,
                    scheme_type=self_managed,
                    name=name,
                    units=[village],
                    lead_org_kind="veterans",
                    lead_org_name=f"Chi hội Cựu chiến binh {village.name}",
                    founded_on=FOUNDED,
                    member_count=7,
                )
                counts["schemes"] += 1
        partner = OrgUnit.objects.filter(code=PARTNER_CODE).first()
        cluster_name = "Cụm giáp ranh về ANTT Hiệp Hòa – Bắc Giang"
        if partner is not None and not Scheme.objects.filter(name=cluster_name).exists():
            services.scheme_create(
                actor=province_officer,
                scheme_type=SchemeType.objects.get(province__isnull=True, code="cum_giap_ranh"),
                name=cluster_name,
                units=[commune, partner],
                lead_org_kind="police",
                founded_on=date(2025, 8, 1),
                member_count=12,
                founding_decision=services.DecisionInput(
                    number="15/QĐ-BCĐ",
                    issued_on=date(2025, 8, 1),
                    issuing_body="Ban Chỉ đạo xã Hiệp Hòa",
                ),
            )
            counts["schemes"] += 1
        person = 0
        for village in villages:
            team = SecurityTeam.objects.filter(village=village, dissolved_on__isnull=True).first()
            if team is None:
                team = services.team_create(
                    actor=chief,
                    village=village,
                    established_on=TEAMS_FROM,
                    establishment_decision=services.DecisionInput(
                        number=f"{100 + villages.index(village)}/QĐ-UBND",
                        issued_on=TEAMS_FROM,
                        issuing_body="UBND xã Hiệp Hòa",
                    ),
                )
                counts["teams"] += 1
            if not team.members.exists():
                for role in (TeamRole.LEADER, TeamRole.DEPUTY, TeamRole.MEMBER):
                    full_name, birth = _person(person)
                    person += 1
                    services.team_member_add(
                        actor=chief,
                        team=team,
                        full_name=full_name,
                        birth_date=birth,
                        role=role,
                        origin=MemberOrigin.PART_TIME_POLICE
                        if role == TeamRole.LEADER
                        else MemberOrigin.CIVIL_GUARD,
                        joined_on=TEAMS_FROM,
                    )
                    counts["members"] += 1
        year = timezone.localdate().year
        for village in villages:
            if not Pledge.objects.filter(
                orgunit=village, signer_kind=SignerKind.VILLAGE, year=year
            ).exists():
                services.pledge_create(
                    actor=chief,
                    unit=village,
                    signer_kind=SignerKind.VILLAGE,
                    year=year,
                    signed_on=min(timezone.localdate(), date(year, 1, 15)),
                    signed_by=f"Trưởng {village.name}",
                )
                counts["pledges"] += 1
        graded_year = selectors.current_team_year() - 1
        teams = list(
            SecurityTeam.objects.filter(village__parent=commune, dissolved_on__isnull=True)
        )
        period = selectors.team_period(graded_year)
        if (
            teams
            and not TeamGrading.objects.filter(team__in=teams, year=graded_year).exists()
            and all(t.established_on <= period.start for t in teams)
        ):
            grades = {t.pk: services.GradeInput(level="good", task_pct=None) for t in teams}
            grades[teams[0].pk] = services.GradeInput(level=TaskGrade.COMPLETED)
            services.team_gradings_save(
                actor=chief, commune=commune, year=graded_year, teams=grades, members={}
            )
            counts["grades"] += len(grades)
    if stdout is not None and any(counts.values()):
        stdout.write(f"Community demo: {counts}\n")
    return counts

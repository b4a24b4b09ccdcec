"""The seeds as a scenario: a ward's schemes and a commune's pledges reach the metrics.

"Hiện nay trên địa bàn phường tiếp tục củng cố, duy trì 12 tổ tự quản về ANTT; 12 tổ hòa
giải; 10 đội An ninh măng non … tại 12/12 tổ dân phố" and "10/10 thôn ký giao ước thi đua".
"""

from __future__ import annotations

from datetime import date
from typing import cast

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.community import services
from binhyen.community.models import Pledge, Scheme, SecurityTeam
from binhyen.community.tests import factories as f
from binhyen.indicators import selectors as indicator_selectors
from binhyen.orgunits.models import OrgUnit, Subkind
from binhyen.orgunits.tests.factories import ProvinceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    province = cast(OrgUnit, ProvinceFactory(name="Tỉnh Thái Nguyên"))
    ward = f.commune(province, name="Phường Phùng Chí Kiên", subkind=Subkind.PHUONG)
    groups = [
        f.village(ward, name=f"Tổ dân phố {n}", subkind=Subkind.TO_DAN_PHO) for n in range(1, 13)
    ]
    commune = f.commune(province, name="Xã Nà Cà")
    villages = [f.village(commune, name=f"Thôn {n}") for n in range(1, 11)]
    return {
        "province": province,
        "ward": ward,
        "groups": groups,
        "commune": commune,
        "villages": villages,
        "ward_officer": user_with_role(Role.COMMUNE_OFFICER, ward),
        "commune_officer": user_with_role(Role.COMMUNE_OFFICER, commune),
        "province_officer": user_with_role(Role.PROVINCE_OFFICER, province),
    }


def month() -> str:
    return f.today().strftime("%YM%m")


def test_the_seed_records_show_in_the_metrics_and_the_unit_dashboard(client, places):
    ward, groups, officer = places["ward"], places["groups"], places["ward_officer"]
    first = f.today().replace(day=1)
    # given the ward records its schemes as in the seed
    for group in groups:
        f.scheme(officer, [group], name=f"Tổ tự quản về ANTT {group.name}", founded_on=first)
        f.scheme(
            officer, [group], code="to_hoa_giai", name=f"Tổ hòa giải {group.name}", founded_on=first
        )
    for group in groups[:10]:
        f.scheme(
            officer,
            [group],
            code="an_ninh_mang_non",
            name=f"Đội An ninh măng non {group.name}",
            founded_on=first,
        )
    # and a security team in each residential group
    for group in groups:
        f.team(officer, group, established_on=first)
    # and the commune's ten villages sign this year's pledge
    year = f.today().year
    for village in places["villages"]:
        f.pledge(places["commune_officer"], village, year=year, signed_on=first)

    # when the dashboard engine is asked for this month
    result = indicator_selectors.analytics(
        user=places["province_officer"],
        metric_codes=["schemes_active", "security_teams", "villages_pledged", "villages"],
        unit_codes=[ward.code, places["commune"].code, places["province"].code],
        period_codes=[month()],
        compare=False,
        disaggregate=True,
    )
    got: dict[tuple[str, str, str], float | None] = {
        (r.metric, r.unit, r.option): r.value for r in result.rows
    }
    # then the ward shows 12 + 12 + 10 schemes by kind, 12 teams for 12 groups
    assert got[("schemes_active", ward.code, "to_tu_quan")] == 12
    assert got[("schemes_active", ward.code, "to_hoa_giai")] == 12
    assert got[("schemes_active", ward.code, "an_ninh_mang_non")] == 10
    assert got[("security_teams", ward.code, "")] == 12
    assert got[("villages", ward.code, "")] == 12
    # and the commune 10 villages out of 10 that signed
    commune = places["commune"].code
    assert got[("villages_pledged", commune, "")] == 10
    assert got[("villages", commune, "")] == 10
    # and the province adds them up
    assert got[("schemes_active", places["province"].code, "to_tu_quan")] == 12
    assert got[("villages_pledged", places["province"].code, "")] == 10

    # when the ward officer opens the unit dashboard, then the same numbers are shown
    client.force_login(officer)
    body = client.get(reverse("community:index"), {"unit": ward.code}).content.decode()
    assert 'data-metric="schemes_active">34<' in body
    assert "12 Tổ tự quản về ANTT" in body
    assert "12 Tổ hòa giải" in body
    assert "10 Đội An ninh măng non" in body
    assert (
        '<span data-metric="security_teams">12</span>/<span data-metric="villages">12</span>'
        in body
    )
    client.force_login(places["commune_officer"])
    body = client.get(reverse("community:index"), {"unit": commune}).content.decode()
    assert '<span data-metric="villages_pledged">10</span>/10' in body


def test_bad_input_of_the_scenario_is_refused_and_nothing_is_saved(places):
    # Given a ward with a team and a member
    officer = places["ward_officer"]
    group = places["groups"][0]
    team = f.team(officer, group)
    member = f.member(officer, team, full_name="Hoàng Văn Nam", birth_date=date(1975, 3, 3))
    counts = (Scheme.objects.count(), SecurityTeam.objects.count(), Pledge.objects.count())
    # counts below zero
    # When the scenario's bad inputs are tried one by one
    # Then each is refused and no row is added
    with pytest.raises(ValidationError):
        f.scheme(officer, [group], member_count=-12)
    with pytest.raises(ValidationError):
        f.pledge(officer, group, kind="households", household_count=-1)
    # dates outside the period
    year = f.today().year
    with pytest.raises(ValidationError):
        f.pledge(officer, group, year=year, signed_on=date(year - 3, 1, 1))
    with pytest.raises(ValidationError):
        services.team_gradings_save(
            actor=user_with_role(Role.COMMUNE_CHIEF, places["ward"]),
            commune=places["ward"],
            year=2024,
            teams={team.pk: services.GradeInput("good")},
            members={},
        )
    # a member in two teams
    other = f.team(officer, places["groups"][1])
    with pytest.raises(ValidationError):
        f.member(officer, other, full_name=member.full_name, birth_date=member.birth_date)
    assert (Scheme.objects.count(), SecurityTeam.objects.count() - 1, Pledge.objects.count()) == (
        counts
    )
    assert not other.members.exists()

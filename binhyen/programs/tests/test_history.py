"""Past programme cycles of pre-2025 units: enrolled, self-assessed, verified and decided on
the closed unit as it was, by today's upper levels; the successor shows the recognition."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.orgunits.models import Lineage, LineageKind
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory
from binhyen.orgunits.tests.test_api import token_for
from binhyen.programs import permissions as prog_perms
from binhyen.programs import selectors, services
from binhyen.programs.models import EnrollmentStatus
from binhyen.programs.tests import factories as f

pytestmark = pytest.mark.django_db

LAST_DAY = date(2025, 6, 30)


@pytest.fixture
def vinh():
    """Nghệ An: Phường Hà Huy Tập (old Vinh city) merged into Phường Thành Vinh."""
    province = ProvinceFactory(code="40", name="Tỉnh Nghệ An")
    old_province = ProvinceFactory(code="40x", name="Tỉnh Nghệ An (cũ)", valid_to=LAST_DAY)
    ha_huy_tap = CommuneFactory(
        code="16681", name="Phường Hà Huy Tập", parent=old_province, valid_to=LAST_DAY
    )
    new_ward = CommuneFactory(
        code="16678", name="Phường Thành Vinh", parent=province, valid_from=date(2025, 7, 1)
    )
    for old, new in ((old_province, province), (ha_huy_tap, new_ward)):
        Lineage.objects.create(
            predecessor=old,
            successor=new,
            kind=LineageKind.MERGE,
            effective_date=date(2025, 7, 1),
        )
    other = ProvinceFactory(code="42", name="Tỉnh Hà Tĩnh")
    return SimpleNamespace(
        province=province,
        ha_huy_tap=ha_huy_tap,
        new_ward=new_ward,
        ward_officer=user_with_role(Role.COMMUNE_OFFICER, new_ward, username="phuong"),
        province_officer=user_with_role(Role.PROVINCE_OFFICER, province, username="na"),
        other_officer=user_with_role(Role.PROVINCE_OFFICER, other, username="ht"),
    )


def test_the_verifier_and_decider_of_an_old_unit_are_todays_province(vinh):
    program = f.program(f.ministry_admin())
    assert prog_perms.verifier_unit(program, vinh.ha_huy_tap) == vinh.province
    assert prog_perms.decider_unit(program, vinh.ha_huy_tap) == vinh.province


def test_a_2024_cycle_of_an_old_ward_goes_through_and_shows_at_the_successor(client, vinh):
    program = f.program(f.ministry_admin())
    # crimes of 2024 and 2023 (−10 % year on year), recorded on the old ward
    f.put(f.metric("crimes"), vinh.ha_huy_tap, "2024M03", 9)
    f.put(f.metric("crimes"), vinh.ha_huy_tap, "2023M03", 10)
    f.put(f.metric("serious_crimes"), vinh.ha_huy_tap, "2024M04", 0)
    # Given the successor ward's officer enrols Hà Huy Tập for 2024 and self-assesses
    enrollment = services.enrollment_create(
        actor=vinh.ward_officer, program=program, unit=vinh.ha_huy_tap, period_code="2024"
    )
    assert not enrollment.assigned
    f.evidence_ready(vinh.ward_officer, enrollment)
    services.enrollment_submit(actor=vinh.ward_officer, enrollment=enrollment)
    # When today's province verifies and decides it
    f.verify_all(vinh.province_officer, enrollment)
    services.decision_record(
        actor=vinh.province_officer,
        program=program,
        period_code="2024",
        enrollments=[enrollment],
        recognised={enrollment.pk},
        data=f.decision_input(),
    )
    enrollment.refresh_from_db()
    # Then the old ward is recognised for 2024
    assert enrollment.status == EnrollmentStatus.RECOGNISED
    # And the successor's pages show it as its predecessor's result
    results = selectors.predecessor_results(user=vinh.ward_officer, unit=vinh.new_ward)
    total = enrollment.criteria_count
    assert [r.text for r in results] == [
        f"Đơn vị tiền thân: Phường Hà Huy Tập — đạt {total}/{total} tiêu chí năm 2024"
    ]
    client.force_login(vinh.ward_officer)
    html = client.get(reverse("programs:detail", args=[program.code])).content.decode()
    assert 'data-testid="predecessor-results"' in html
    assert "Phường Hà Huy Tập" in html
    # And the API gives it with a file of the successor
    current = services.enrollment_create(
        actor=vinh.ward_officer, program=program, unit=vinh.new_ward, period_code="2025"
    )
    body = client.get(
        f"/api/v1/programs/enrollments/{current.pk}",
        HTTP_AUTHORIZATION=f"Bearer {token_for(vinh.ward_officer)}",
    ).json()
    assert body["predecessor_results"][0]["unit"] == vinh.ha_huy_tap.code
    assert body["predecessor_results"][0]["year"] == 2024


def test_a_cycle_after_the_reform_on_an_old_ward_is_refused_naming_the_successor(vinh):
    program = f.program(f.ministry_admin())
    with pytest.raises(ValidationError) as refused:
        services.enrollment_create(
            actor=vinh.province_officer, program=program, unit=vinh.ha_huy_tap, period_code="2025"
        )
    assert "Phường Thành Vinh" in " ".join(refused.value.message_dict["period"])


def test_another_province_may_not_enrol_or_verify_the_old_ward(vinh):
    program = f.program(f.ministry_admin())
    with pytest.raises(PermissionDenied):
        services.enrollment_create(
            actor=vinh.other_officer, program=program, unit=vinh.ha_huy_tap, period_code="2024"
        )
    # The province officer of today assigns it from above
    enrollment = services.enrollment_create(
        actor=vinh.province_officer, program=program, unit=vinh.ha_huy_tap, period_code="2024"
    )
    assert enrollment.assigned
    assert not prog_perms.can_verify(vinh.other_officer, enrollment)
    assert prog_perms.can_verify(vinh.province_officer, enrollment)


def test_the_enrol_form_offers_the_old_ward(client, vinh):
    program = f.program(f.ministry_admin())
    client.force_login(vinh.ward_officer)
    html = client.get(reverse("programs:detail", args=[program.code])).content.decode()
    assert "Phường Hà Huy Tập" in html
    assert "(trước 01/07/2025)" in html

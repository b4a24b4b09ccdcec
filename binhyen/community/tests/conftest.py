"""Fixtures of the community tests: uploaded files go to a temporary media folder."""

from __future__ import annotations

import pytest

from binhyen.accounts.tests.factories import Scene, scene


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def s(db) -> Scene:
    """Two provinces; the first has two communes and a village. One user per typical role."""
    return scene()


@pytest.fixture
def world(s, settings):
    """The scene plus one record of each kind in the first commune (made by its officer).

    Its figures are not published: these tests ask about pages, permissions and input (the
    figures are the subject of test_providers, test_services and test_scenario).
    """
    from datetime import date

    from binhyen.community import services
    from binhyen.community.models import SchemeType
    from binhyen.community.services import metrics
    from binhyen.community.tests import factories as f

    officer = s.commune_officer
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(metrics, "_resync", lambda **_kwargs: 0)
        scheme = f.scheme(
            officer,
            [s.village],
            founding_decision=services.DecisionInput(
                number="12/QĐ-UBND",
                issued_on=date(2025, 3, 1),
                issuing_body="UBND xã",
                upload=f.upload(),
            ),
        )
        site = services.scheme_site_add(
            actor=officer, scheme=scheme, unit=s.village, established_on=scheme.founded_on
        )
        person = services.scheme_member_add(actor=officer, scheme=scheme, full_name="Lê Văn Tư")
        team = f.team(officer, s.village)
        member = f.member(officer, team, role="leader")
        pledge = f.pledge(officer, s.village)
        province_type = services.scheme_type_create(
            actor=s.province_officer, province=s.province, name="Xứ đạo bình yên", category="khac"
        )
    return {
        "scheme": scheme,
        "site": site,
        "person": person,
        "team": team,
        "member": member,
        "pledge": pledge,
        "province_type": province_type,
        "national_type": SchemeType.objects.get(province__isnull=True, code="to_hoa_giai"),
        "decision": scheme.founding_decision,
    }

"""Who may manage hotspot areas and report on their plans (``hotspots.permissions``)."""

from __future__ import annotations

import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import UserFactory, user_with_role
from binhyen.hotspots.permissions import can_manage, can_manage_anywhere, can_report_progress
from binhyen.hotspots.tests.factories import province_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    return province_scene(communes=2)


def test_province_officers_manage_their_communes_only(s):
    # Given a province officer
    # Then they manage every commune of their province and none of another province
    assert all(can_manage(s.officer, c) for c in s.communes)
    assert not can_manage(s.officer, s.far_commune)
    assert can_manage_anywhere(s.officer)


def test_the_ministry_manages_everywhere(s):
    # Given a ministry officer
    # Then every commune, in any province, is theirs to manage
    assert can_manage(s.ministry, s.communes[0])
    assert can_manage(s.ministry, s.far_commune)


def test_commune_police_report_progress_but_do_not_manage(s):
    # Given the commune officer of the first commune
    # Then they report on their own commune's plan, but neither manage it nor touch others
    assert not can_manage(s.commune_officer, s.communes[0])
    assert not can_manage_anywhere(s.commune_officer)
    assert can_report_progress(s.commune_officer, s.communes[0])
    assert not can_report_progress(s.commune_officer, s.communes[1])


def test_deny_by_default(s):
    # Given a user without any role, and a citizen-facing role with no hotspot permission
    nobody = UserFactory()
    # Then nothing is allowed
    assert not can_manage(nobody, s.communes[0])
    assert not can_manage_anywhere(nobody)
    assert not can_report_progress(nobody, s.communes[0])


def test_managers_also_report_progress(s):
    # Given a province officer (manager)
    # Then they may report progress on any commune they manage
    assert can_report_progress(s.officer, s.communes[1])
    assert not can_report_progress(s.far_officer, s.communes[1])


def test_a_commune_chief_reports_on_their_commune(s):
    chief = user_with_role(Role.COMMUNE_CHIEF, s.communes[1], username="truong2")
    assert can_report_progress(chief, s.communes[1]) == can_report_progress(
        s.commune_chief, s.communes[0]
    )

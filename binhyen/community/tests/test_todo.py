"""The community items of the to-do home: team gradings of the last ended team year."""

from __future__ import annotations

from datetime import date

import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import UserFactory, scene, user_with_role
from binhyen.community import selectors
from binhyen.community.models import TeamGrading
from binhyen.community.tests import factories as f
from binhyen.community.todo import TeamGradingsTodo
from binhyen.core.todo import Severity

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 2)  # team year 2026 (15/11/2025 – 14/11/2026) has just ended


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(selectors, "today", lambda: TODAY)


@pytest.fixture
def w():
    s = scene()
    second = f.village(s.commune, name="Thôn Đông")
    first_team = f.team(s.commune_chief, s.village, established_on=date(2024, 1, 10))
    f.team(s.commune_chief, second, established_on=date(2025, 1, 10))
    f.team(s.commune_chief, f.village(s.commune, name="Thôn Mới"), established_on=date(2026, 9, 1))
    return s, first_team


def test_the_commune_chief_must_grade_the_teams_of_the_year_that_ended(w):
    # given three teams, one set up too late in the year to be graded
    s, _team = w
    # when the chief's items are listed
    items = list(TeamGradingsTodo().items(s.commune_chief))
    # then two teams to grade for 2026, due within the window after 14/11/2026
    assert [(i.count, i.severity, i.due) for i in items] == [(2, Severity.DUE, date(2026, 12, 14))]
    assert items[0].url == f"/community/gradings/{s.commune.code}/2026/"
    assert items[0].detail == s.commune.name


def test_a_graded_team_is_no_longer_counted_and_late_after_the_window(w, settings):
    s, team = w
    TeamGrading.objects.create(team=team, year=2026, level="good")
    settings.COMMUNITY = {"GRADING_DAYS": 10}
    items = list(TeamGradingsTodo().items(s.commune_chief))
    assert [(i.count, i.severity) for i in items] == [(1, Severity.LATE)]


def test_out_of_scope_or_without_permission_nothing(w):
    s, _team = w
    far_chief = user_with_role(Role.COMMUNE_CHIEF, s.far_commune, username="truong_xa")
    assert list(TeamGradingsTodo().items(far_chief)) == []
    assert list(TeamGradingsTodo().items(s.commune_officer)) == []  # no GRADE_TEAMS
    assert list(TeamGradingsTodo().items(UserFactory())) == []

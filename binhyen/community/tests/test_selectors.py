"""Community reads: scoping, search, the grading sheet, rules and the hotspots question."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from hypothesis import given
from hypothesis import strategies as st

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.community import selectors, services
from binhyen.community.tests import factories as f
from binhyen.indicators.periods import parse_period

pytestmark = pytest.mark.django_db


def superuser(s):
    user = user_with_role(Role.SYSTEM_ADMIN, s.province.parent)
    user.is_superuser = True
    user.save()
    return user


def test_a_scheme_is_visible_through_any_covered_unit(s):
    # given a border cluster covering a commune of each province
    cluster = f.scheme(superuser(s), [s.village, s.far_commune], code="cum_giap_ranh")
    local = f.scheme(s.commune_officer, [s.village], name="Chỉ thôn Cấm")
    # then each side sees it, an unrelated commune does not
    assert set(selectors.schemes_visible(s.commune_officer)) == {cluster, local}
    assert set(selectors.schemes_visible(s.far_officer)) == {cluster}
    sibling = user_with_role(Role.COMMUNE_OFFICER, s.sibling_commune)
    assert not selectors.schemes_visible(sibling).exists()
    with pytest.raises(Http404):
        selectors.scheme_get(user=s.far_officer, pk=local.pk)
    # and the far officer sees the other unit named but not openable
    covered = {c.unit.pk: c for c in selectors.scheme_units(user=s.far_officer, scheme=cluster)}
    assert covered[s.village.pk].visible is False
    assert covered[s.far_commune.pk].visible and covered[s.far_commune.pk].manageable


def test_scheme_list_filters(s):
    # Given two schemes, one suspended
    a = f.scheme(s.commune_officer, [s.village], name="Tổ tự quản thôn Cấm")
    b = f.scheme(s.commune_officer, [s.commune], name="Tổ hòa giải xã", code="to_hoa_giai")
    # When the list is filtered by text, category, status and unit
    services.scheme_status_set(
        actor=s.commune_officer, scheme=b, status="suspended", since=f.today()
    )
    user = s.commune_officer
    # Then each filter finds exactly its schemes
    assert list(selectors.scheme_list(user=user, q="thon cam")) == [a]
    assert list(selectors.scheme_list(user=user, category="to_hoa_giai")) == [b]
    assert list(selectors.scheme_list(user=user, status="suspended")) == [b]
    assert list(selectors.scheme_list(user=user, unit=s.village)) == [a]
    assert set(selectors.scheme_list(user=user, unit=s.commune)) == {a, b}


def test_team_and_pledge_lists_are_scoped_and_filtered(s):
    # Given teams and a pledge in two communes
    team = f.team(s.commune_officer, s.village)
    far_team = f.team(s.far_officer, f.village(s.far_commune))
    f.member(s.commune_officer, team)
    # When each officer lists them
    listed = list(selectors.team_list(user=s.commune_officer))
    # Then each sees only their own, and filters narrow the list
    assert listed == [team] and getattr(listed[0], "active_members", None) == 1
    assert list(selectors.team_list(user=s.far_officer)) == [far_team]
    assert list(selectors.team_list(user=s.commune_officer, status="dissolved")) == []
    assert list(selectors.team_list(user=s.commune_officer, q="cam")) == [team]
    pledge = f.pledge(s.commune_officer, s.village)
    assert list(selectors.pledge_list(user=s.commune_officer, year=pledge.year)) == [pledge]
    assert list(selectors.pledge_list(user=s.commune_officer, signer_kind="school")) == []
    assert list(selectors.pledge_list(user=s.far_officer)) == []
    with pytest.raises(Http404):
        selectors.pledge_get(user=s.far_officer, pk=pledge.pk)
    with pytest.raises(Http404):
        selectors.member_get(user=s.far_officer, pk=team.members.get().pk)


def test_decision_get_follows_the_record_it_belongs_to(s):
    # Given a pledge with its signed document
    # When the document is read by a member, an outsider and for a missing id
    pledge = services.pledge_create(
        actor=s.commune_officer,
        unit=s.village,
        signer_kind="village",
        year=f.today().year,
        signed_on=f.today().replace(month=1, day=5),
        signed_by="Trưởng thôn",
        document=services.DecisionInput(issued_on=f.today().replace(month=1, day=5)),
    )
    # Then only the member gets it; the others 404
    assert pledge.document is not None
    document_id = pledge.document.pk
    assert selectors.decision_get(user=s.village_member, pk=document_id) == pledge.document
    with pytest.raises(Http404):
        selectors.decision_get(user=s.far_officer, pk=document_id)
    with pytest.raises(Http404):
        selectors.decision_get(user=s.commune_officer, pk=999999)


def test_rules_fall_back_to_the_national_defaults(s, settings):
    # Given no province rules and a national team size of 7
    settings.COMMUNITY = {**settings.COMMUNITY, "TEAM_SIZE_MAX": 7}
    # When the rules of a village are read, then the province sets its own
    rules = selectors.rules_for(s.village)
    # Then the national default applies until the province's row exists
    assert rules.team_size_max == 7 and rules.row is None
    assert rules.province == s.province
    services.grading_rules_save(
        actor=s.province_officer,
        province=s.province,
        team_size_min=2,
        team_size_max=4,
        min_activity_months=6,
        excellent_max_pct_of_good=30,
        excellent_min_task_pct=Decimal("90"),
        leader_not_above_team=False,
    )
    rules = selectors.rules_for(s.village)
    assert (rules.team_size_max, rules.min_activity_months) == (4, 6)
    assert "Tỉnh Bắc Ninh" in rules.source
    assert selectors.rules_for(s.far_commune).team_size_max == 7


def test_province_get_is_open_to_users_of_the_province(s):
    # Given a member of the province and an officer elsewhere
    # Then only the member reads the province
    assert selectors.province_get(user=s.village_member, code=s.province.code) == s.province
    with pytest.raises(Http404):
        selectors.province_get(user=s.far_officer, code=s.province.code)


def test_manageable_communes(s):
    # Given commune and province officers
    # Then each manages the communes of their scope
    assert selectors.manageable_communes(user=s.commune_officer) == [s.commune]
    assert set(selectors.manageable_communes(user=s.province_officer)) == {
        s.commune,
        s.sibling_commune,
    }
    assert selectors.manageable_communes(user=s.village_member) == []
    assert selectors.default_commune(user=s.village_member) == s.commune


def test_grading_sheet_lists_teams_and_members_of_the_year(s):
    # Given a team with a member who left and one who stays
    team = f.team(s.commune_officer, s.village, established_on=date(2024, 7, 1))
    old = f.member(s.commune_officer, team, joined_on=date(2024, 7, 1))
    # When the year's grading sheet is read
    services.team_member_update(
        actor=s.commune_officer,
        member=old,
        full_name=old.full_name,
        birth_date=old.birth_date,
        role=old.role,
        origin=old.origin,
        joined_on=old.joined_on,
        left_on=date(2024, 11, 1),
    )
    current = f.member(s.commune_officer, team, joined_on=date(2025, 2, 15))
    sheet = selectors.grading_sheet(user=s.commune_chief, commune=s.commune, year=2025)
    # Then it lists the team and the members active that year
    assert sheet.period.start == date(2024, 11, 15) and sheet.period.end == date(2025, 11, 14)
    (row,) = sheet.rows
    assert row.months == 12
    assert [m.member for m in row.members] == [current]
    assert row.members[0].months == 9
    with pytest.raises(Http404):
        selectors.grading_sheet(user=s.far_officer, commune=s.commune, year=2025)


def test_team_year_start_is_configurable(s, settings):
    # Given a team year starting on 1 December
    settings.INDICATORS_TEAM_YEAR_START = (1, 12)
    # Then the 2025 team year starts on 1 December 2024
    assert selectors.team_period(2025).start == date(2024, 12, 1)


@given(
    start=st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31)),
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=900)),
)
def test_months_active_stays_within_the_year(start, length):
    # Given any span of activity
    end = None if length is None else start + timedelta(days=length)
    period = parse_period("TY2025")
    # When its months in the team year are counted
    months = selectors.months_active(start, end, period)
    # Then the count is between 0 and 12
    assert 0 <= months <= 12
    if start <= period.start and (end is None or end > period.end):
        assert months == 12
    if selectors.active_span(start, end, period) is None:
        assert months == 0


def test_add_months_clamps_the_day():
    # Given end-of-month and mid-month days
    # Then adding months clamps to the month's last day
    assert selectors.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert selectors.add_months(date(2024, 11, 15), 12) == date(2025, 11, 15)


# --- the question the hotspots app asks ---------------------------------------------------------


def test_communes_with_active_typical_scheme(s):
    # given the province marks the self-managing group as typical
    typical = f.national_type("to_tu_quan")
    services.scheme_type_typical_set(
        actor=s.province_officer, scheme_type=typical, province=s.province, typical=True
    )
    day = date(2025, 6, 1)
    # a typical scheme in a village of the first commune, a non-typical one in the sibling
    f.scheme(s.commune_officer, [s.village], founded_on=date(2025, 1, 1))
    sibling_officer = user_with_role(Role.COMMUNE_OFFICER, s.sibling_commune)
    f.scheme(sibling_officer, [s.sibling_commune], code="to_hoa_giai", founded_on=date(2025, 1, 1))
    # and a typical scheme in the other province, whose province marked nothing typical
    f.scheme(s.far_officer, [s.far_commune], founded_on=date(2025, 1, 1))
    ids = [s.commune.pk, s.sibling_commune.pk, s.far_commune.pk, s.village.pk]
    # then only the first commune qualifies
    assert selectors.communes_with_active_typical_scheme(unit_ids=ids, on=day) == {s.commune.pk}
    # not before the scheme was founded
    assert selectors.communes_with_active_typical_scheme(unit_ids=ids, on=date(2024, 1, 1)) == set()
    assert selectors.communes_with_active_typical_scheme(unit_ids=[], on=day) == set()


def test_a_dissolved_typical_scheme_stops_counting_from_that_day(s):
    # Given a typical scheme dissolved on a day
    typical = f.national_type("to_tu_quan")
    typical.typical_in.add(s.province)
    scheme = f.scheme(s.commune_officer, [s.commune], founded_on=date(2025, 1, 1))
    # When the communes with a running typical scheme are asked for
    services.scheme_status_set(
        actor=s.commune_officer, scheme=scheme, status="dissolved", since=date(2025, 3, 1)
    )
    ask = selectors.communes_with_active_typical_scheme
    # Then the commune counts before that day only
    assert ask(unit_ids=[s.commune.pk], on=date(2025, 2, 28)) == {s.commune.pk}
    assert ask(unit_ids=[s.commune.pk], on=date(2025, 3, 1)) == set()


def test_overview_reads_the_engine(s):
    # Given two schemes in the village
    f.scheme(s.commune_officer, [s.village])
    f.scheme(s.commune_officer, [s.village], name="Hòa giải", code="to_hoa_giai")
    # When the province officer reads the overview
    summary = selectors.overview(user=s.province_officer, unit=s.province)
    # Then the numbers come from the engine
    assert summary.values["schemes_active"] == 2
    assert sorted(v or 0 for _label, v in summary.options["schemes_active"]) == [1, 1]

"""Community services: every rule, bad input refused with a clear error, nothing half-saved."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from binhyen.community import selectors, services
from binhyen.community.models import (
    CommunityDecision,
    GradingRules,
    MemberGrading,
    Pledge,
    Scheme,
    SchemeMember,
    SchemeSite,
    SchemeType,
    SecurityTeam,
    TeamGrading,
)
from binhyen.community.services import DecisionInput, GradeInput
from binhyen.community.tests import factories as f
from binhyen.core.models import AuditEvent
from binhyen.indicators import rollups
from binhyen.indicators.models import DataValue
from binhyen.indicators.periods import periods_in
from binhyen.orgunits.models import Subkind

pytestmark = pytest.mark.django_db


def messages_of(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms)


# --- schemes -----------------------------------------------------------------------------------


def test_scheme_create_saves_units_roster_decision_audit_and_publishes(s):
    # given the commune officer and a village of their commune
    # when they record a scheme with a roster and a founding decision
    scheme = f.scheme(
        s.commune_officer,
        [s.village, s.village],
        roster=[services.RosterEntry("Nguyễn Văn A", "Tổ trưởng"), services.RosterEntry("", "")],
        founding_decision=DecisionInput(number="5/QĐ", issued_on=date(2025, 1, 2)),
    )
    # then the scheme, its single covered unit, roster and decision are stored
    assert list(scheme.units.all()) == [s.village]
    assert scheme.roster.count() == 1
    decision = scheme.founding_decision
    assert decision is not None
    assert decision.number == "5/QĐ"
    assert decision.orgunit == s.commune
    assert scheme.status == "active" and scheme.status_since == scheme.founded_on
    # and the action is audited on the commune, and the count is published
    event = AuditEvent.objects.get(action="scheme.create")
    assert event.orgunit == s.commune and event.changes["after"]["units"] == [s.village.code]
    assert DataValue.objects.filter(
        metric__code="schemes_active", orgunit=s.commune, option="to_tu_quan", value=1
    ).exists()


@pytest.mark.parametrize(
    ("extra", "field", "text"),
    [
        ({"member_count": -1}, "member_count", "không được nhỏ hơn 0"),
        ({"name": "   "}, "name", "Nhập tên mô hình"),
        ({"lead_org_kind": "nobody"}, "lead_org_kind", "tổ chức nòng cốt"),
        ({"founded_on": date(2999, 1, 1)}, "founded_on", "không được sau hôm nay"),
        (
            {"founding_decision": DecisionInput(number="1/QĐ")},
            "founding_decision_issued_on",
            "ngày ban hành",
        ),
    ],
)
def test_scheme_create_refuses_bad_input_and_saves_nothing(s, extra, field, text):
    # Given a scheme with one bad field
    before = (Scheme.objects.count(), CommunityDecision.objects.count(), AuditEvent.objects.count())
    # When it is created
    # Then the error names the field and no row or event is added
    with pytest.raises(ValidationError) as exc:
        f.scheme(s.commune_officer, [s.village], **extra)
    assert field in exc.value.message_dict
    assert text in messages_of(exc)
    after = (Scheme.objects.count(), CommunityDecision.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_scheme_create_needs_units_of_the_right_kind_in_scope(s):
    # Given no unit, or units of the wrong kind or scope
    # When a scheme is created
    # Then it is refused on its units
    with pytest.raises(ValidationError) as exc:
        f.scheme(s.commune_officer, [])
    assert "units" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        f.scheme(s.province_officer, [s.province])
    assert "xã, phường, thôn" in messages_of(exc)


def test_scheme_create_refuses_users_who_manage_none_of_the_units(s):
    # Given an officer managing none of the units
    # When they create a scheme
    # Then it is refused
    with pytest.raises(ValidationError):
        # visible nowhere: the far officer cannot even name the first commune
        f.scheme(s.far_officer, [s.commune, s.far_commune])
    with pytest.raises(PermissionDenied):
        f.scheme(s.village_member, [s.village])


def test_scheme_of_a_province_type_must_cover_that_province(s):
    # Given a type of another province
    other_type = SchemeType.objects.create(
        province=s.other_province, code="rieng", name="Riêng", category="khac"
    )
    # When a scheme of that type is created here
    # Then it is refused on its type
    with pytest.raises(ValidationError) as exc:
        services.scheme_create(
            actor=s.commune_officer,
            scheme_type=other_type,
            name="Sai tỉnh",
            units=[s.village],
            lead_org_kind="police",
            founded_on=date(2025, 1, 1),
        )
    assert "tỉnh khác" in messages_of(exc)


def test_border_cluster_spans_communes_and_keeps_units_others_cannot_see(s):
    # given a cluster across two provinces, recorded by someone who sees both
    from binhyen.accounts.models import Role
    from binhyen.accounts.tests.factories import user_with_role

    ministry = user_with_role(Role.SYSTEM_ADMIN, s.province.parent)
    ministry.is_superuser = True
    ministry.save()
    cluster = f.scheme(ministry, [s.commune, s.far_commune], code="cum_giap_ranh")
    # when the first commune's officer edits it with only the units they can see
    services.scheme_update(
        actor=s.commune_officer,
        scheme=cluster,
        scheme_type=cluster.scheme_type,
        name="Cụm giáp ranh hai tỉnh",
        units=[s.commune, s.village],
        lead_org_kind="police",
        founded_on=cluster.founded_on,
    )
    # then the other province's commune stays covered
    assert set(cluster.units.all()) == {s.commune, s.village, s.far_commune}
    # and the far officer may edit it too (they manage a covered commune)
    assert selectors.scheme_can_edit(user=s.far_officer, scheme=cluster)
    # but nobody may drop every unit they manage
    with pytest.raises(ValidationError) as exc:
        services.scheme_update(
            actor=s.far_officer,
            scheme=cluster,
            scheme_type=cluster.scheme_type,
            name=cluster.name,
            units=[],
            lead_org_kind="police",
            founded_on=cluster.founded_on,
        )
    assert "units" in exc.value.message_dict


def test_scheme_update_refuses_replication_cycles(s):
    # Given a scheme B replicated from A
    a = f.scheme(s.commune_officer, [s.village], name="A")
    b = f.scheme(s.commune_officer, [s.village], name="B", replicated_from=a)
    # When A is set to replicate B
    # Then the cycle is refused
    with pytest.raises(ValidationError) as exc:
        services.scheme_update(
            actor=s.commune_officer,
            scheme=a,
            scheme_type=a.scheme_type,
            name="A",
            units=[s.village],
            lead_org_kind="veterans",
            founded_on=a.founded_on,
            replicated_from=b,
        )
    assert "replicated_from" in exc.value.message_dict


def test_scheme_status_change_stops_the_count_from_that_day(s):
    # Given a scheme running for 70 days
    scheme = f.scheme(s.commune_officer, [s.village], founded_on=f.today() - timedelta(days=70))
    # When it is dissolved today
    services.scheme_status_set(
        actor=s.commune_officer, scheme=scheme, status="dissolved", since=f.today()
    )
    scheme.refresh_from_db()
    # Then it stops counting from today
    assert not scheme.active_on(f.today())
    assert scheme.active_on(f.today() - timedelta(days=1))
    value = DataValue.objects.get(
        metric__code="schemes_active",
        orgunit=s.commune,
        period=f.today().strftime("%YM%m"),
        option="to_tu_quan",
    )
    assert value.value == 0
    with pytest.raises(ValidationError) as exc:
        services.scheme_status_set(
            actor=s.commune_officer,
            scheme=scheme,
            status="active",
            since=scheme.founded_on - timedelta(days=1),
        )
    assert "trước ngày thành lập" in messages_of(exc)


def test_scheme_sites_stay_within_the_covered_communes_and_dates(s):
    # Given a scheme of the village
    scheme = f.scheme(s.commune_officer, [s.village], founded_on=date(2025, 1, 1))
    other_village = f.village(s.sibling_commune)
    # When sites are added outside its communes or dates
    # Then they are refused
    with pytest.raises(ValidationError) as exc:
        services.scheme_site_add(
            actor=s.commune_officer,
            scheme=scheme,
            unit=other_village,
            established_on=date(2025, 2, 1),
        )
    assert "orgunit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.scheme_site_add(
            actor=s.commune_officer, scheme=scheme, unit=s.commune, established_on=date(2024, 12, 1)
        )
    assert "trước ngày thành lập" in messages_of(exc)
    site = services.scheme_site_add(
        actor=s.commune_officer, scheme=scheme, unit=s.commune, established_on=date(2025, 2, 1)
    )
    with pytest.raises(ValidationError):
        services.scheme_site_add(
            actor=s.commune_officer, scheme=scheme, unit=s.commune, established_on=date(2025, 3, 1)
        )
    with pytest.raises(ValidationError) as exc:
        services.scheme_site_end(actor=s.commune_officer, site=site, ended_on=date(2025, 1, 1))
    assert "trước ngày xây dựng" in messages_of(exc)
    services.scheme_site_end(actor=s.commune_officer, site=site, ended_on=date(2025, 6, 1))
    assert SchemeSite.objects.get(pk=site.pk).ended_on == date(2025, 6, 1)


def test_scheme_grading_needs_a_period_after_founding(s):
    # Given a scheme founded in 2025
    scheme = f.scheme(s.commune_officer, [s.village], founded_on=date(2025, 1, 1))
    # When it is graded for an earlier or bad period
    # Then the grading is refused
    with pytest.raises(ValidationError) as exc:
        services.scheme_grading_save(
            actor=s.commune_officer,
            scheme=scheme,
            period_code="2024",
            level="good",
            graded_on=date(2025, 1, 2),
        )
    assert "trước ngày thành lập" in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.scheme_grading_save(
            actor=s.commune_officer,
            scheme=scheme,
            period_code="2025X",
            level="excellent",
            graded_on=date(2025, 1, 2),
        )
    assert {"period", "level"} <= set(exc.value.message_dict)
    services.scheme_grading_save(
        actor=s.commune_officer,
        scheme=scheme,
        period_code="2025",
        level="fair",
        graded_on=date(2025, 12, 20),
    )
    services.scheme_grading_save(
        actor=s.commune_officer,
        scheme=scheme,
        period_code="2025",
        level="good",
        graded_on=date(2025, 12, 21),
    )
    assert scheme.gradings.get().level == "good"


def test_roster_add_and_remove(s):
    # Given a scheme
    scheme = f.scheme(s.commune_officer, [s.village])
    # When a person is added to the roster and removed
    person = services.scheme_member_add(
        actor=s.commune_officer, scheme=scheme, full_name=" Lê Thị Mai ", role="Thư ký"
    )
    # Then the name is trimmed and the removal recorded
    assert person.full_name == "Lê Thị Mai"
    with pytest.raises(ValidationError) as exc:
        services.scheme_member_add(actor=s.commune_officer, scheme=scheme, full_name="")
    assert "full_name" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.scheme_member_remove(actor=s.far_officer, member=person)
    services.scheme_member_remove(actor=s.commune_officer, member=person)
    assert not SchemeMember.objects.exists()


# --- scheme types --------------------------------------------------------------------------


def test_scheme_types_belong_to_the_province_catalogue(s):
    # Given the province officer
    # When they add and change a type of the province
    item = services.scheme_type_create(
        actor=s.province_officer,
        province=s.province,
        name="Xứ đạo bình yên",
        category="khac",
        typical=True,
    )
    # Then the type belongs to that catalogue only
    assert item.code == "xu_dao_binh_yen"
    assert item.typical_in.filter(pk=s.province.pk).exists()
    again = services.scheme_type_create(
        actor=s.province_officer, province=s.province, name="Xứ đạo bình yên", category="khac"
    )
    assert again.code == "xu_dao_binh_yen_2"
    with pytest.raises(PermissionDenied):
        services.scheme_type_create(
            actor=s.commune_chief, province=s.province, name="X", category="khac"
        )
    with pytest.raises(PermissionDenied):
        services.scheme_type_create(
            actor=s.province_officer, province=None, name="X", category="khac"
        )
    with pytest.raises(ValidationError) as exc:
        services.scheme_type_create(
            actor=s.province_officer, province=s.province, name="", category="nope"
        )
    assert {"name", "category"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError):
        services.scheme_type_typical_set(
            actor=s.province_officer,
            scheme_type=SchemeType.objects.create(
                province=s.other_province, code="khac_tinh", name="Khác tỉnh", category="khac"
            ),
            province=s.province,
            typical=True,
        )


def test_changing_a_type_category_moves_the_published_breakdown(s):
    # Given a scheme of a province type
    # When the type's category changes
    item = services.scheme_type_create(
        actor=s.province_officer, province=s.province, name="Tổ liên gia", category="khac"
    )
    services.scheme_create(
        actor=s.commune_officer,
        scheme_type=item,
        name="Tổ liên gia số 1",
        units=[s.village],
        lead_org_kind="village",
        founded_on=f.today().replace(day=1),
    )
    services.scheme_type_update(
        actor=s.province_officer, scheme_type=item, name=item.name, category="to_tu_quan"
    )
    options = dict(
        DataValue.objects.filter(
            metric__code="schemes_active", orgunit=s.commune, period=f.today().strftime("%YM%m")
        ).values_list("option", "value")
    )
    # Then the published breakdown follows it
    assert options.get("to_tu_quan") == 1 and options.get("khac", 0) == 0


# --- security teams ------------------------------------------------------------------------


def test_one_active_team_per_village(s):
    # Given a village with a team
    team = f.team(s.commune_officer, s.village)
    # When a second team is set up
    # Then it is refused
    with pytest.raises(ValidationError) as exc:
        f.team(s.commune_officer, s.village)
    assert "chỉ có một tổ" in messages_of(exc)
    services.team_dissolve(actor=s.commune_officer, team=team, dissolved_on=date(2025, 1, 1))
    again = f.team(s.commune_officer, s.village, established_on=date(2025, 1, 1))
    assert again.is_active
    assert SecurityTeam.objects.filter(village=s.village).count() == 2


def test_team_only_in_a_village_and_by_its_commune(s):
    # Given a commune and an outside officer
    # When teams are set up in the commune or by the outsider
    # Then both are refused
    with pytest.raises(ValidationError) as exc:
        f.team(s.commune_officer, s.commune)
    assert "village" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        f.team(s.far_officer, s.village)


def test_a_person_cannot_be_active_in_two_teams(s):
    # given a member of the first village's team
    first = f.team(s.commune_officer, s.village)
    member = f.member(s.commune_officer, first, full_name="Đỗ Văn Tâm", birth_date=date(1980, 5, 5))
    # when the same person (name typed differently) is added to another team
    second = f.team(s.commune_officer, f.village(s.commune, name="Thôn Khánh"))
    with pytest.raises(ValidationError) as exc:
        f.member(
            s.commune_officer,
            second,
            full_name="do van tam",
            birth_date=date(1980, 5, 5),
            joined_on=date(2025, 1, 1),
        )
    # then the error names the other team and nothing is saved
    assert "hai tổ cùng lúc" in messages_of(exc)
    assert first.name in messages_of(exc)
    assert not second.members.exists()
    # when they left the first team on that day, the transfer is accepted
    services.team_member_update(
        actor=s.commune_officer,
        member=member,
        full_name=member.full_name,
        birth_date=member.birth_date,
        role=member.role,
        origin=member.origin,
        joined_on=member.joined_on,
        left_on=date(2025, 1, 1),
    )
    moved = f.member(
        s.commune_officer,
        second,
        full_name="Đỗ Văn Tâm",
        birth_date=date(1980, 5, 5),
        joined_on=date(2025, 1, 1),
    )
    assert moved.is_active


def test_a_team_outside_scope_is_not_named_in_the_error(s):
    # Given a person in a team of another commune
    far_village = f.village(s.far_commune)
    far_team = f.team(s.far_officer, far_village)
    f.member(s.far_officer, far_team, full_name="Vũ Thị Hà", birth_date=date(1990, 1, 1))
    team = f.team(s.commune_officer, s.village)
    # When they are added to a team here
    # Then the error does not name the other team
    with pytest.raises(ValidationError) as exc:
        f.member(s.commune_officer, team, full_name="Vũ Thị Hà", birth_date=date(1990, 1, 1))
    text = messages_of(exc)
    assert "ngoài phạm vi của bạn" in text and far_team.name not in text


def test_team_leader_size_age_and_dates(s, settings):
    # Given a team at its maximum size with a leader
    settings.COMMUNITY = {**settings.COMMUNITY, "TEAM_SIZE_MAX": 2}
    team = f.team(s.commune_officer, s.village, established_on=date(2024, 7, 1))
    f.member(s.commune_officer, team, role="leader")
    # When members breaking the rules are added
    # Then each is refused with its reason
    with pytest.raises(ValidationError) as exc:
        f.member(s.commune_officer, team, role="leader")
    assert "đã có tổ trưởng" in messages_of(exc)
    f.member(s.commune_officer, team, role="deputy")
    with pytest.raises(ValidationError) as exc:
        f.member(s.commune_officer, team)
    assert "tối đa 2 thành viên" in messages_of(exc)
    assert "mặc định toàn quốc" in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        f.member(s.commune_officer, team, joined_on=date(2024, 6, 1))
    assert "trước ngày thành lập tổ" in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        f.member(s.commune_officer, team, birth_date=date(2010, 1, 1))
    assert "đủ 18 tuổi" in messages_of(exc)
    assert team.members.count() == 2


def test_province_rules_override_the_team_size(s):
    # Given province rules allowing a team of one
    # When a one-member team is checked
    services.grading_rules_save(
        actor=s.province_officer,
        province=s.province,
        team_size_min=1,
        team_size_max=1,
        min_activity_months=9,
        excellent_max_pct_of_good=20,
        excellent_min_task_pct=Decimal("95"),
        leader_not_above_team=True,
        basis="NQ 5/2024",
    )
    team = f.team(s.commune_officer, s.village)
    f.member(s.commune_officer, team)
    # Then the province's size applies
    with pytest.raises(ValidationError) as exc:
        f.member(s.commune_officer, team)
    assert "quy định của Tỉnh Bắc Ninh" in messages_of(exc)


def test_grading_rules_save_checks_values_and_permission(s):
    # Given a commune chief and bad values
    # When the rules are saved
    # Then the chief is refused and the bad values named
    with pytest.raises(PermissionDenied):
        services.grading_rules_save(
            actor=s.commune_chief,
            province=s.province,
            team_size_min=3,
            team_size_max=5,
            min_activity_months=9,
            excellent_max_pct_of_good=20,
            excellent_min_task_pct=Decimal("95"),
            leader_not_above_team=True,
        )
    with pytest.raises(ValidationError) as exc:
        services.grading_rules_save(
            actor=s.province_officer,
            province=s.province,
            team_size_min=6,
            team_size_max=5,
            min_activity_months=13,
            excellent_max_pct_of_good=-1,
            excellent_min_task_pct=Decimal("101"),
            leader_not_above_team=True,
        )
    assert {
        "team_size_max",
        "min_activity_months",
        "excellent_max_pct_of_good",
        "excellent_min_task_pct",
    } <= set(exc.value.message_dict)
    assert not GradingRules.objects.exists()


def test_dissolving_a_team_ends_active_memberships(s):
    # Given a team with an active member
    team = f.team(s.commune_officer, s.village)
    member = f.member(s.commune_officer, team)
    # When it is dissolved before it started, then properly
    # Then the first is refused, the second ends the membership
    with pytest.raises(ValidationError):
        services.team_dissolve(actor=s.commune_officer, team=team, dissolved_on=date(2024, 1, 1))
    services.team_dissolve(actor=s.commune_officer, team=team, dissolved_on=date(2025, 3, 1))
    member.refresh_from_db()
    assert member.left_on == date(2025, 3, 1)
    with pytest.raises(ValidationError):
        f.member(s.commune_officer, team)


def test_team_update_keeps_the_founding_date_before_members(s):
    # Given a team whose member joined in August 2024
    team = f.team(s.commune_officer, s.village, established_on=date(2024, 7, 1))
    f.member(s.commune_officer, team, joined_on=date(2024, 8, 1))
    # When the founding date moves after that
    # Then it is refused
    with pytest.raises(ValidationError) as exc:
        services.team_update(
            actor=s.commune_officer, team=team, name=team.name, established_on=date(2024, 9, 1)
        )
    assert "trước ngày thành lập này" in messages_of(exc)


def test_training_counts_are_not_negative(s):
    # Given a team
    team = f.team(s.commune_officer, s.village)
    # When a training with a negative count is recorded
    # Then it is refused on that field
    with pytest.raises(ValidationError) as exc:
        services.training_add(
            actor=s.commune_officer,
            team=team,
            held_on=date(2025, 1, 1),
            title="PCCC",
            hours=Decimal("-1"),
            attendees=-2,
        )
    assert {"hours", "attendees"} <= set(exc.value.message_dict)
    record = services.training_add(
        actor=s.commune_officer,
        team=team,
        held_on=date(2025, 1, 1),
        title="PCCC",
        hours=Decimal("4"),
        attendees=5,
    )
    assert record.attendees == 5


# --- gradings ------------------------------------------------------------------------------


@pytest.fixture
def graded(s):
    """Five teams of the commune, each with a leader, active over the whole TY2025."""
    teams, leaders = [], []
    villages = [s.village] + [f.village(s.commune) for _ in range(4)]
    for village in villages:
        team = f.team(s.commune_officer, village, established_on=date(2024, 7, 1))
        teams.append(team)
        leaders.append(f.member(s.commune_officer, team, role="leader"))
    return teams, leaders


def test_team_gradings_save_and_publish(s, graded):
    # Given graded teams with leaders
    teams, leaders = graded
    # When the chief saves the grades
    result = services.team_gradings_save(
        actor=s.commune_chief,
        commune=s.commune,
        year=2025,
        teams={t.pk: GradeInput("good") for t in teams},
        members={m.pk: GradeInput("good") for m in leaders},
    )
    # Then they are stored and published
    assert result.saved == 10
    assert TeamGrading.objects.filter(year=2025, level="good").count() == 5
    value = DataValue.objects.get(
        metric__code="security_team_grades", orgunit=s.commune, period="TY2025", option="good"
    )
    assert value.value == 5
    assert (
        DataValue.objects.get(
            metric__code="security_team_grades",
            orgunit=s.commune,
            period="TY2025",
            option="excellent",
        ).value
        == 0
    )
    # removing a grade works and is counted
    result = services.team_gradings_save(
        actor=s.commune_chief,
        commune=s.commune,
        year=2025,
        teams={teams[0].pk: GradeInput("")},
        members={leaders[0].pk: GradeInput("")},
    )
    assert result.removed == 2


def test_only_the_chief_grades(s, graded):
    # Given graded teams
    teams, _leaders = graded
    # When a commune officer saves grades
    # Then permission is denied
    with pytest.raises(PermissionDenied):
        services.team_gradings_save(
            actor=s.commune_officer,
            commune=s.commune,
            year=2025,
            teams={teams[0].pk: GradeInput("good")},
            members={},
        )


def test_excellent_is_at_most_the_share_of_good(s, graded):
    # Given three good teams
    teams, _leaders = graded
    # 2 excellent for 3 good: at most 20% × 3 = 0 allowed
    grades = {t.pk: GradeInput("good") for t in teams[:3]}
    grades.update({t.pk: GradeInput("excellent", Decimal("99")) for t in teams[3:]})
    # When two are graded excellent
    # Then the quota refuses it
    with pytest.raises(ValidationError) as exc:
        services.team_gradings_save(
            actor=s.commune_chief, commune=s.commune, year=2025, teams=grades, members={}
        )
    text = " ".join(exc.value.message_dict[NON_FIELD_ERRORS])
    assert "không quá 20% số được xếp loại tốt" in text
    assert "tối đa 0 xuất sắc" in text
    assert not TeamGrading.objects.exists()


def test_excellent_needs_more_than_the_task_share(s, graded):
    # Given a team graded excellent with too low a task share
    teams, _leaders = graded
    # When the grades are saved
    # Then it is refused
    with pytest.raises(ValidationError) as exc:
        services.team_gradings_save(
            actor=s.commune_chief,
            commune=s.commune,
            year=2025,
            teams={teams[0].pk: GradeInput("excellent", Decimal("95"))},
            members={},
        )
    assert "trên 95" in exc.value.message_dict[f"t{teams[0].pk}_task_pct"][0]
    with pytest.raises(ValidationError) as exc:
        services.team_gradings_save(
            actor=s.commune_chief,
            commune=s.commune,
            year=2025,
            teams={teams[0].pk: GradeInput("excellent")},
            members={},
        )
    assert "nhập tỷ lệ" in exc.value.message_dict[f"t{teams[0].pk}_task_pct"][0]


def test_leader_not_above_team(s, graded):
    # Given a leader graded above their team
    teams, leaders = graded
    # When the grades are saved
    # Then it is refused
    with pytest.raises(ValidationError) as exc:
        services.team_gradings_save(
            actor=s.commune_chief,
            commune=s.commune,
            year=2025,
            teams={teams[0].pk: GradeInput("completed")},
            members={leaders[0].pk: GradeInput("good")},
        )
    text = exc.value.message_dict[f"m{leaders[0].pk}_level"][0]
    assert "không cao hơn xếp loại của tổ" in text and leaders[0].full_name in text
    with pytest.raises(ValidationError) as exc:
        services.team_gradings_save(
            actor=s.commune_chief,
            commune=s.commune,
            year=2025,
            teams={},
            members={leaders[1].pk: GradeInput("good")},
        )
    assert "trước khi xếp loại tổ trưởng" in messages_of(exc)
    assert not MemberGrading.objects.exists()


def test_minimum_activity_and_dates_outside_the_period(s):
    # Given a team set up in June
    recent = f.team(s.commune_officer, s.village, established_on=date(2025, 6, 1))
    # When it is graded for the year
    # Then too few active months are refused
    with pytest.raises(ValidationError) as exc:
        services.team_gradings_save(
            actor=s.commune_chief,
            commune=s.commune,
            year=2025,
            teams={recent.pk: GradeInput("good")},
            members={},
        )
    text = messages_of(exc)
    assert "hoạt động tối thiểu 9 tháng" in text and "5 tháng" in text
    with pytest.raises(ValidationError) as exc:
        services.team_gradings_save(
            actor=s.commune_chief,
            commune=s.commune,
            year=2024,
            teams={recent.pk: GradeInput("good")},
            members={},
        )
    assert "không hoạt động trong năm đánh giá 2024" in messages_of(exc)


def test_rules_can_be_switched_off_per_province(s, graded):
    # Given a province that switches the quotas off
    teams, leaders = graded
    # When grades breaking them are saved
    services.grading_rules_save(
        actor=s.province_officer,
        province=s.province,
        team_size_min=1,
        team_size_max=9,
        min_activity_months=0,
        excellent_max_pct_of_good=100,
        excellent_min_task_pct=Decimal("0"),
        leader_not_above_team=False,
    )
    services.team_gradings_save(
        actor=s.commune_chief,
        commune=s.commune,
        year=2025,
        teams={teams[0].pk: GradeInput("completed"), teams[1].pk: GradeInput("good")},
        members={
            leaders[0].pk: GradeInput("excellent", Decimal("50")),
            leaders[1].pk: GradeInput("good"),
        },
    )
    # Then they are accepted
    assert MemberGrading.objects.get(member=leaders[0]).level == "excellent"


def test_gradings_refuse_future_years_and_foreign_rows(s, graded):
    # Given a future year and rows of another commune
    # When grades are saved
    # Then they are refused
    with pytest.raises(ValidationError) as exc:
        services.team_gradings_save(
            actor=s.commune_chief,
            commune=s.commune,
            year=selectors.current_team_year() + 1,
            teams={},
            members={},
        )
    assert "year" in exc.value.message_dict
    far_team = f.team(s.far_officer, f.village(s.far_commune))
    with pytest.raises(ValidationError) as exc:
        services.team_gradings_save(
            actor=s.commune_chief,
            commune=s.commune,
            year=2025,
            teams={far_team.pk: GradeInput("good")},
            members={},
        )
    assert "không thuộc" in messages_of(exc)


# --- pledges -------------------------------------------------------------------------------


def test_pledge_kinds_must_match_the_unit(s):
    # Given a school and an agency
    school = f.establishment(s.commune, subkind=Subkind.CO_SO_GIAO_DUC)
    agency = f.establishment(s.commune, subkind=Subkind.CO_QUAN)
    # When pledges of the wrong kind are recorded
    # Then they are refused
    with pytest.raises(ValidationError) as exc:
        f.pledge(s.commune_officer, school, kind="village")
    assert "orgunit" in exc.value.message_dict
    with pytest.raises(ValidationError):
        f.pledge(s.commune_officer, school, kind="agency")
    with pytest.raises(ValidationError):
        f.pledge(s.commune_officer, agency, kind="school")
    assert f.pledge(s.commune_officer, school, kind="school").pk
    assert f.pledge(s.commune_officer, agency, kind="agency").pk


def test_household_counts_are_checked(s, django_capture_on_commit_callbacks):
    # Given a village with 120 households
    village = f.village(s.commune, households=120)
    # When pledges with negative or too many households are recorded
    # Then they are refused
    with pytest.raises(ValidationError) as exc:
        f.pledge(s.commune_officer, village, kind="households", household_count=-5)
    assert "không được nhỏ hơn 0" in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        f.pledge(s.commune_officer, village, kind="households", household_count=121)
    assert "lớn hơn số hộ" in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        f.pledge(s.commune_officer, village, kind="households")
    assert "household_count" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        f.pledge(s.commune_officer, village, kind="village", household_count=3)
    assert "Chỉ ghi số hộ" in messages_of(exc)
    # (a pledge signed in January is published by the worker after commit)
    with django_capture_on_commit_callbacks(execute=True):
        pledge = f.pledge(s.commune_officer, village, kind="households", household_count=110)
    assert (
        DataValue.objects.get(
            metric__code="households_registered",
            orgunit=village,
            period=pledge.signed_on.strftime("%YM%m"),
        ).value
        == 110
    )
    assert Pledge.objects.count() == 1


def test_pledge_dates_and_duplicates(s):
    # Given this year's pledges
    year = f.today().year
    # When one signed outside the year and a duplicate are recorded
    # Then both are refused
    with pytest.raises(ValidationError) as exc:
        f.pledge(s.commune_officer, s.village, year=year, signed_on=date(year - 1, 6, 1))
    assert "nằm ngoài năm giao ước" in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        f.pledge(s.commune_officer, s.village, year=1990)
    assert "year" in exc.value.message_dict
    early = f.pledge(s.commune_officer, s.village, year=year, signed_on=date(year - 1, 12, 20))
    with pytest.raises(ValidationError) as exc:
        f.pledge(s.commune_officer, s.village, year=year)
    assert "đã có giao ước" in messages_of(exc)
    services.pledge_update(
        actor=s.commune_officer,
        pledge=early,
        year=year,
        signed_on=min(f.today(), date(year, 1, 3)),
        signed_by="Bí thư chi bộ",
    )
    early.refresh_from_db()
    assert early.signed_by == "Bí thư chi bộ"
    services.pledge_delete(actor=s.commune_officer, pledge=early)
    assert not Pledge.objects.exists()
    assert AuditEvent.objects.filter(action="pledge.delete").exists()


def test_pledge_outside_scope_is_refused(s):
    # Given an officer of another commune
    # When they record a pledge here
    # Then permission is denied
    with pytest.raises(PermissionDenied):
        f.pledge(s.far_officer, s.village)


# --- decisions and uploads -------------------------------------------------------------------


def test_decision_upload_is_sniffed_and_cleaned(s):
    # Given a scheme whose founding decision has an image scan
    scheme = f.scheme(
        s.commune_officer,
        [s.village],
        founding_decision=DecisionInput(
            number="1/QĐ",
            issued_on=date(2025, 1, 1),
            upload=f.upload("anh.txt", f.png_bytes(exif=True)),
        ),
    )
    decision = scheme.founding_decision
    assert decision is not None
    assert decision.content_type == "image/jpeg"
    assert str(decision.file.name).endswith(".jpg")
    from PIL import Image

    with decision.file.open("rb") as handle, Image.open(handle) as image:
        assert not image.getexif()
    # When it is saved
    # Then the file is sniffed and re-encoded
    with pytest.raises(ValidationError) as exc:
        f.scheme(
            s.commune_officer,
            [s.village],
            founding_decision=DecisionInput(
                issued_on=date(2025, 1, 1), upload=f.upload("x.pdf", b"<html>hi</html>")
            ),
        )
    assert "founding_decision_file" in exc.value.message_dict
    assert CommunityDecision.objects.count() == 1


def test_decision_file_attach_replaces_the_file(s):
    # Given a team with a scanned decision
    # When a new scan is attached
    team = services.team_create(
        actor=s.commune_officer,
        village=s.village,
        established_on=date(2024, 7, 1),
        establishment_decision=DecisionInput(number="9/QĐ-UBND", issued_on=date(2024, 7, 1)),
    )
    # Then it replaces the old file
    assert team.establishment_decision is not None
    decision = services.decision_file_attach(
        actor=s.commune_officer,
        decision=team.establishment_decision,
        upload=f.upload("a.png", f.png_bytes()),
    )
    assert decision.content_type == "image/png"
    with pytest.raises(PermissionDenied):
        services.decision_file_attach(actor=s.far_officer, decision=decision, upload=f.upload())


# --- publishing --------------------------------------------------------------------------


def test_community_metrics_sync_back_fills_periods(s):
    # Given a scheme whose published values were deleted
    f.scheme(s.commune_officer, [s.village], founded_on=date(2025, 1, 1))
    DataValue.objects.filter(metric__code="schemes_active").delete()
    rollups.rebuild()  # the figures follow the removed values
    # When the metrics are synced
    changed = services.community_metrics_sync(
        actor=None, start=date(2025, 1, 1), end=date(2025, 3, 31)
    )
    # Then the periods are filled again
    assert changed > 0
    assert set(
        DataValue.objects.filter(metric__code="schemes_active", orgunit=s.commune).values_list(
            "period", flat=True
        )
    ) >= {"2025M01", "2025M02", "2025M03"}
    with pytest.raises(ValidationError):
        services.community_metrics_sync(actor=None, start=date(2025, 3, 1), end=date(2025, 1, 1))


def test_resync_is_limited_to_the_configured_number_of_periods(s, settings):
    # Given a resync limit of two periods
    # When a scheme founded 200 days ago is recorded
    settings.COMMUNITY = {**settings.COMMUNITY, "RESYNC_MAX_PERIODS": 2}
    f.scheme(s.commune_officer, [s.village], founded_on=f.today() - timedelta(days=200))
    periods = set(
        DataValue.objects.filter(metric__code="schemes_active", orgunit=s.commune).values_list(
            "period", flat=True
        )
    )
    # Then only the latest periods are resynced
    assert len(periods) == 2


def test_older_periods_are_resynced_by_the_worker_after_commit(
    s, settings, django_capture_on_commit_callbacks
):
    # Given a resync limit of two periods
    settings.COMMUNITY = {**settings.COMMUNITY, "RESYNC_MAX_PERIODS": 2}
    founded = f.today() - timedelta(days=200)
    # When a scheme founded 200 days ago is recorded and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        f.scheme(s.commune_officer, [s.village], founded_on=founded)
    # Then every month since its founding carries it, the older ones through the worker
    periods = set(
        DataValue.objects.filter(
            metric__code="schemes_active", orgunit=s.commune, value=1
        ).values_list("period", flat=True)
    )
    assert periods == {p.code for p in periods_in("month", founded, f.today())}


def test_deferred_writes_publish_the_same_figures_once_per_period(s, monkeypatch):
    # Given writes counted as they re-publish
    from binhyen.indicators import services as indicator_services

    original = indicator_services.provider_values_sync
    synced: list[tuple[str, str]] = []

    def counting(**kwargs):
        synced.append((kwargs["metric"].code, kwargs["period_code"]))
        return original(**kwargs)

    monkeypatch.setattr(indicator_services, "provider_values_sync", counting)
    founded = f.today() - timedelta(days=70)
    # When two schemes are recorded inside one deferred block
    with services.metrics_deferred(actor=None):
        f.scheme(s.commune_officer, [s.village], founded_on=founded)
        f.scheme(s.commune_officer, [s.village], founded_on=founded - timedelta(days=40))
        # then nothing is published before the block ends
        assert synced == []
    # and each month of each metric is published once
    assert synced and len(synced) == len(set(synced))
    deferred = set(
        DataValue.objects.filter(metric__code="schemes_active").values_list(
            "orgunit_id", "period", "value"
        )
    )
    # and the figures are those of a full re-publication
    DataValue.objects.filter(metric__code="schemes_active").delete()
    rollups.rebuild()
    services.community_metrics_sync(actor=None, start=founded - timedelta(days=40))
    assert deferred == set(
        DataValue.objects.filter(metric__code="schemes_active").values_list(
            "orgunit_id", "period", "value"
        )
    )
    assert (s.commune.pk, f.today().strftime("%YM%m"), 2.0) in deferred


def test_a_deferred_block_that_fails_publishes_nothing(s, monkeypatch):
    # Given a deferred block whose last write fails
    from binhyen.indicators import services as indicator_services

    calls: list[object] = []
    monkeypatch.setattr(
        indicator_services, "provider_values_sync", lambda **kw: calls.append(kw) or 0
    )
    # When the error leaves the block
    with pytest.raises(ValidationError), services.metrics_deferred(actor=None):
        f.scheme(s.commune_officer, [s.village], founded_on=f.today())
        f.scheme(s.commune_officer, [s.village], member_count=-1)
    # Then nothing was re-published
    assert calls == []


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(count=st.integers(min_value=-10_000, max_value=-1))
def test_negative_member_counts_are_always_refused(s, count):
    # Given a negative member count
    # When a scheme is created with it
    # Then the error names the count
    with pytest.raises(ValidationError) as exc:
        f.scheme(s.commune_officer, [s.village], member_count=count)
    assert str(count) in messages_of(exc)


def test_a_new_community_decision_is_a_webhook_event(s, settings):
    import json

    from binhyen.core import webhooks
    from binhyen.core.models import WebhookDelivery

    # given a webhook for decisions
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    webhooks.webhook_subscription_create(
        actor=None,
        name="Kho",
        url="http://127.0.0.1:9/h",
        secret="khoa-bi-mat-rat-dai-0123",
        events=["decision.recorded"],
    )
    # when a scheme is recorded with its founding decision
    scheme = f.scheme(
        s.commune_officer,
        [s.village],
        founding_decision=DecisionInput(number="5/QĐ", issued_on=date(2025, 1, 2)),
    )
    # then one delivery names the decision by id, unit and kind only
    payload = json.loads(WebhookDelivery.objects.get().body)
    assert payload["object"] == {
        "type": "community_decision",
        "id": str(scheme.founding_decision_id),
    }
    assert (payload["unit"], payload["summary"]) == (s.commune.code, {"kind": "founding"})

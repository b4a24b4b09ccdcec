"""Grading rules in force and the yearly grading sheet of a commune.
Invariants:
- Every read that takes a ``user`` starts from ``OrgUnit.objects.visible_to(user)``: a
  record whose unit is outside the scope is indistinguishable from a missing one (the
  ``*_get`` functions raise the same ``Http404`` for both).
- The effective rules of a unit are its province's ``GradingRules`` row when there is one,
  else the national defaults from ``settings.COMMUNITY``.
- A team year is the movement year (``team_period``); months active are counted over the
  half-open spans of teams and memberships.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from binhyen.community.models import (
    GradingRules,
    MemberGrading,
    SecurityTeam,
    TeamGrading,
    TeamMember,
)
from binhyen.community.selectors.teams import _ROLE_ORDER
from binhyen.community.selectors.units import (
    DateSpan,
    _visible,
    not_found_message,
    province_of,
    setting,
    today,
)
from binhyen.indicators.periods import Period, parse_period
from binhyen.orgunits.models import OrgUnit

# --- rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveRules:
    """The numbers that apply to a unit: its province's ``GradingRules`` or the defaults."""

    team_size_min: int
    team_size_max: int
    min_activity_months: int
    excellent_max_pct_of_good: int
    excellent_min_task_pct: Decimal
    leader_not_above_team: bool
    source: str
    basis: str = ""
    province: OrgUnit | None = None
    row: GradingRules | None = None


def national_rules() -> EffectiveRules:
    return EffectiveRules(
        team_size_min=int(setting("TEAM_SIZE_MIN", 3)),
        team_size_max=int(setting("TEAM_SIZE_MAX", 6)),
        min_activity_months=int(setting("MIN_ACTIVITY_MONTHS", 9)),
        excellent_max_pct_of_good=int(setting("EXCELLENT_MAX_PCT_OF_GOOD", 20)),
        excellent_min_task_pct=Decimal(str(setting("EXCELLENT_MIN_TASK_PCT", "95"))),
        leader_not_above_team=bool(setting("LEADER_NOT_ABOVE_TEAM", True)),
        source=_("mặc định toàn quốc"),
    )


def rules_for(unit: OrgUnit | None) -> EffectiveRules:
    """Return the rules of ``unit``'s province, falling back to the national defaults."""
    province = province_of(unit) if unit is not None else None
    row = GradingRules.objects.filter(province=province).first() if province else None
    if row is None:
        defaults = national_rules()
        return EffectiveRules(**{**defaults.__dict__, "province": province})
    return EffectiveRules(
        team_size_min=row.team_size_min,
        team_size_max=row.team_size_max,
        min_activity_months=row.min_activity_months,
        excellent_max_pct_of_good=row.excellent_max_pct_of_good,
        excellent_min_task_pct=row.excellent_min_task_pct,
        leader_not_above_team=row.leader_not_above_team,
        source=_("quy định của %(province)s") % {"province": province.name if province else ""},
        basis=row.basis,
        province=province,
        row=row,
    )


# --- grading sheet ---------------------------------------------------------------------------


def team_period(year: int) -> Period:
    """Return the team year named ``year`` (15/11 of the year before – 14/11 by default)."""
    return parse_period(f"TY{year:04d}")


def current_team_year(day: date | None = None) -> int:
    return Period.containing("team_year", day or today()).year


def add_months(day: date, months: int) -> date:
    """Return ``day`` shifted by ``months`` calendar months (the day clamped to the month)."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def active_span(start: date, end: date | None, period: Period) -> DateSpan | None:
    """Return the half-open part ``[a, b)`` of ``[start, end)`` inside ``period`` (or None)."""
    a = max(start, period.start)
    stop = period.end.toordinal() + 1
    b_ord = min(end.toordinal() if end is not None else stop, stop)
    if a.toordinal() >= b_ord:
        return None
    return DateSpan(a, date.fromordinal(b_ord))


def months_active(start: date, end: date | None, period: Period) -> int:
    """Return the whole months of activity of ``[start, end)`` within ``period``."""
    span = active_span(start, end, period)
    if span is None:
        return 0
    a, b = span
    months = 0
    while months < 13 and add_months(a, months + 1) <= b:
        months += 1
    return months


@dataclass
class MemberRow:
    member: TeamMember
    grading: MemberGrading | None
    months: int


@dataclass
class TeamRow:
    team: SecurityTeam
    grading: TeamGrading | None
    months: int
    members: list[MemberRow] = field(default_factory=list)


@dataclass
class GradingSheet:
    commune: OrgUnit
    year: int
    period: Period
    rules: EffectiveRules
    rows: list[TeamRow]
    counts: dict[str, dict[str, int]]


def grading_sheet(*, user: Any, commune: OrgUnit, year: int) -> GradingSheet:
    """Return the commune's teams and members of the team year with their grades.

    Lists teams that existed during the year and members whose membership overlaps it.
    """
    if not _visible(user).filter(pk=commune.pk).exists():
        raise Http404(not_found_message())
    period = team_period(year)
    teams = list(
        SecurityTeam.objects.filter(village__parent=commune, established_on__lte=period.end)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=period.start))
        .select_related("village")
        .order_by("village__name_folded", "id")
    )
    team_grades = {g.team_id: g for g in TeamGrading.objects.filter(team__in=teams, year=year)}
    members = list(
        TeamMember.objects.filter(team__in=teams, joined_on__lte=period.end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=period.start))
        .order_by("team_id", _ROLE_ORDER, "name_folded")
    )
    member_grades = {
        g.member_id: g for g in MemberGrading.objects.filter(member__in=members, year=year)
    }
    by_team: dict[int, list[MemberRow]] = defaultdict(list)
    for m in members:
        by_team[m.team_id].append(
            MemberRow(
                member=m,
                grading=member_grades.get(m.pk),
                months=months_active(m.joined_on, m.left_on, period),
            )
        )
    rows = [
        TeamRow(
            team=t,
            grading=team_grades.get(t.pk),
            months=months_active(t.established_on, t.dissolved_on, period),
            members=by_team.get(t.pk, []),
        )
        for t in teams
    ]
    counts: dict[str, dict[str, int]] = {"teams": defaultdict(int), "members": defaultdict(int)}
    for g in team_grades.values():
        counts["teams"][g.level] += 1
    for mg in member_grades.values():
        counts["members"][mg.level] += 1
    return GradingSheet(
        commune=commune,
        year=year,
        period=period,
        rules=rules_for(commune),
        rows=rows,
        counts={k: dict(v) for k, v in counts.items()},
    )

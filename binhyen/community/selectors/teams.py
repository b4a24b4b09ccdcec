"""Reads of security teams and their members.
Invariants:
- Every read that takes a ``user`` starts from ``OrgUnit.objects.visible_to(user)``: a
  record whose unit is outside the scope is indistinguishable from a missing one (the
  ``*_get`` functions raise the same ``Http404`` for both).
- Active members on a day are those who joined by then and had not left (half-open spans);
  leaders first, then deputies, then members.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404

from binhyen.community.models import (
    SecurityTeam,
    TeamGrading,
    TeamMember,
    TeamRole,
)
from binhyen.community.selectors.history import history_ids, unit_or_history_q
from binhyen.community.selectors.units import (
    _visible,
    _words,
    children_of,
    not_found_message,
    today,
)
from binhyen.orgunits.models import OrgUnit, UnitKind

# --- security teams --------------------------------------------------------------------------


def teams_visible(user: Any) -> QuerySet[SecurityTeam]:
    return SecurityTeam.objects.filter(village__in=_visible(user))


def _active_members_q(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}joined_on__lte": day}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": day})
    )


# Leader, deputy, then members.
_ROLE_ORDER = Case(
    When(role=TeamRole.LEADER, then=0),
    When(role=TeamRole.DEPUTY, then=1),
    default=2,
    output_field=IntegerField(),
)


def team_list(
    *,
    user: Any,
    unit: OrgUnit | None = None,
    q: str | None = None,
    status: str | None = None,
) -> QuerySet[SecurityTeam]:
    """Search the visible teams; ``status`` is ``active`` or ``dissolved`` (empty: all).

    A current ``unit`` also finds the teams of its predecessors' villages (flagged
    ``recorded_on_predecessor``).
    """
    queryset = teams_visible(user)
    on_predecessor: Any = Value(False)
    if unit is not None:
        history = history_ids(unit)
        here = unit_or_history_q("village", unit, history)
        if unit.valid_to is not None:
            # a team moved off this closed unit onto its successor is still its record
            here |= Q(former_village__path__startswith=unit.path)
        queryset = queryset.filter(here)
        if history:
            on_predecessor = ~Q(village__path__startswith=unit.path)
    if q:
        words = _words(q)
        condition = Q()
        for word in words:
            condition &= Q(name_folded__contains=word) | Q(village__name_folded__contains=word)
        queryset = queryset.filter(condition)
    if status == "active":
        queryset = queryset.filter(dissolved_on__isnull=True)
    elif status == "dissolved":
        queryset = queryset.filter(dissolved_on__isnull=False)
    day = today()
    return (
        queryset.select_related("village", "village__parent")
        .annotate(
            active_members=Count("members", filter=_active_members_q(day, "members__")),
            recorded_on_predecessor=ExpressionWrapper(on_predecessor, output_field=BooleanField()),
        )
        .order_by("village__path", "-established_on", "id")
    )


def villages_without_team(commune: OrgUnit) -> QuerySet[OrgUnit]:
    """Return the open villages of ``commune`` that have no active security team (the only
    ones a new team may be set up for: one active team per village)."""
    active = SecurityTeam.objects.filter(dissolved_on__isnull=True).values("village_id")
    return children_of(commune, kinds=[UnitKind.VILLAGE]).exclude(pk__in=active)


def team_get(*, user: Any, pk: int) -> SecurityTeam:
    team = (
        teams_visible(user)
        .select_related(
            "village",
            "village__parent",
            "former_village",
            "establishment_decision",
            "recognition_decision",
        )
        .filter(pk=pk)
        .first()
    )
    if team is None:
        raise Http404(not_found_message())
    return team


def team_members(*, team: SecurityTeam, active_only: bool = False) -> QuerySet[TeamMember]:
    queryset = team.members.select_related("recognition_decision")
    if active_only:
        queryset = queryset.filter(_active_members_q(today()))
    return queryset.order_by(F("left_on").desc(nulls_first=True), _ROLE_ORDER, "name_folded")


def active_member_count(team: SecurityTeam, day: date | None = None) -> int:
    return team.members.filter(_active_members_q(day or today())).count()


def member_get(*, user: Any, pk: int) -> TeamMember:
    member = (
        TeamMember.objects.filter(team__village__in=_visible(user))
        .select_related("team", "team__village", "team__village__parent", "recognition_decision")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise Http404(not_found_message())
    return member


def team_gradings(*, team: SecurityTeam) -> QuerySet[TeamGrading]:
    return team.gradings.order_by("-year")

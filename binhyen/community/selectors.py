"""Reads of the community app, scoped to the requesting user.

Invariants:
- Every read that takes a ``user`` starts from ``OrgUnit.objects.visible_to(user)``: a
  record whose unit is outside the scope is indistinguishable from a missing one (the
  ``*_get`` functions raise the same ``Http404`` for both).
- A scheme is visible when *any* unit it covers is visible; the other covered units are
  named (their names are public) but only visible ones are linked.
- ``communes_with_active_typical_scheme`` is the one read without a user: it answers a
  question about unit ids its caller (the hotspots app) has already scoped.
- Search is diacritic-insensitive (``binhyen.core.text.fold``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts import permissions as perms
from binhyen.community import permissions as community_perms
from binhyen.community.models import (
    Decision,
    GradingRules,
    MemberGrading,
    Pledge,
    Scheme,
    SchemeCategory,
    SchemeStatus,
    SchemeType,
    SecurityTeam,
    TaskGrade,
    TeamGrading,
    TeamMember,
    TeamRole,
)
from binhyen.core.text import fold
from binhyen.indicators.periods import Period, parse_period
from binhyen.orgunits.models import OrgUnit, OrgUnitQuerySet, UnitKind

MAX_QUERY_LENGTH = 200
_BELOW_COMMUNE = (UnitKind.VILLAGE, UnitKind.ESTABLISHMENT)


def not_found_message() -> str:
    """Return the one message used for missing and forbidden records alike."""
    return _("Không tìm thấy hoặc bạn không có quyền xem.")


def _visible(user: Any) -> OrgUnitQuerySet:
    return OrgUnit.objects.visible_to(user)


def _words(q: str | None) -> list[str]:
    folded = fold((q or "").strip()[:MAX_QUERY_LENGTH])
    return [w for w in folded.split(" ") if w]


def _name_filter(field_name: str, q: str | None) -> Q:
    condition = Q()
    for word in _words(q):
        condition &= Q(**{f"{field_name}__contains": word})
    return condition


def today() -> date:
    return timezone.localdate()


def setting(name: str, default: Any = None) -> Any:
    """Return one value of ``settings.COMMUNITY`` (read at call time, never at import)."""
    return getattr(settings, "COMMUNITY", {}).get(name, default)


# --- units -----------------------------------------------------------------------------------


def unit_get(*, user: Any, code: str) -> OrgUnit:
    """Return the visible unit with ``code``; raise ``Http404`` otherwise."""
    unit = _visible(user).select_related("parent").filter(code=code).first()
    if unit is None:
        raise Http404(not_found_message())
    return unit


def units_visible(*, user: Any, units: Iterable[OrgUnit]) -> set[int]:
    """Return the ids among ``units`` that ``user`` may read."""
    ids = [u.pk for u in units]
    return set(_visible(user).filter(pk__in=ids).values_list("pk", flat=True))


def home_unit(*, user: Any) -> OrgUnit | None:
    """Return the one unit a user's roles cover, when there is exactly one (else None)."""
    paths = perms.scope_paths(user, perms.VIEW_UNITS)
    if len(paths) != 1:
        return None
    return OrgUnit.objects.select_related("parent").filter(path=paths[0]).first()


def default_commune(*, user: Any) -> OrgUnit | None:
    """Return the commune a commune or village user works in, for pre-filled forms."""
    unit = home_unit(user=user)
    if unit is None:
        return None
    return community_perms.commune_of(unit)


def manageable_communes(*, user: Any, limit: int = 500) -> list[OrgUnit]:
    """Return open communes where ``user`` may record community data (at most ``limit``)."""
    if perms.is_superadmin(user):
        condition = Q()
    else:
        paths = perms.scope_paths(user, perms.MANAGE_COMMUNITY)
        if not paths:
            return []
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(path__startswith=path)
    communes = (
        OrgUnit.objects.filter(condition, kind=UnitKind.COMMUNE, valid_to__isnull=True)
        .select_related("parent")
        .order_by("path")[:limit]
    )
    return [c for c in communes if community_perms.can_manage(user, c)]


def children_of(commune: OrgUnit, *, kinds: Sequence[str]) -> QuerySet[OrgUnit]:
    """Return the open villages/establishments of ``commune`` (the user already sees it)."""
    return OrgUnit.objects.filter(parent=commune, kind__in=kinds, valid_to__isnull=True).order_by(
        "kind", "name_folded"
    )


def province_get(*, user: Any, code: str) -> OrgUnit:
    """Return the province ``code`` if ``user`` may read any unit in it (its rules and
    catalogue apply to them); raise ``Http404`` otherwise."""
    province = OrgUnit.objects.filter(code=code, kind=UnitKind.PROVINCE).first()
    if province is None or not _visible(user).filter(path__startswith=province.path).exists():
        raise Http404(not_found_message())
    return province


def province_of(unit: OrgUnit) -> OrgUnit | None:
    """Return the province ``unit`` lies in (itself for a province), by its path."""
    if unit.kind == UnitKind.PROVINCE:
        return unit
    codes = [c for c in unit.path.strip("/").split("/") if c]
    if len(codes) < 2:
        return None
    return OrgUnit.objects.filter(code=codes[1], kind=UnitKind.PROVINCE).first()


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


# --- scheme types ----------------------------------------------------------------------------


def scheme_types_available(*, provinces: Iterable[OrgUnit | None]) -> QuerySet[SchemeType]:
    """Return the active national types plus those of ``provinces``."""
    ids = [p.pk for p in provinces if p is not None]
    return SchemeType.objects.filter(
        Q(province__isnull=True) | Q(province_id__in=ids), is_active=True
    ).order_by("province_id", "sort_order", "name")


def scheme_type_list(
    *, user: Any, province: OrgUnit | None, include_inactive: bool = True
) -> list[SchemeType]:
    """Return the national catalogue and ``province``'s own types, with ``is_typical`` set."""
    queryset = SchemeType.objects.select_related("province")
    if province is None:
        queryset = queryset.filter(province__isnull=True)
    else:
        queryset = queryset.filter(Q(province__isnull=True) | Q(province=province))
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    types = list(queryset.order_by("province_id", "sort_order", "name"))
    typical = (
        set(
            SchemeType.typical_in.through.objects.filter(orgunit=province).values_list(
                "schemetype_id", flat=True
            )
        )
        if province is not None
        else set()
    )
    for item in types:
        item.is_typical = item.pk in typical  # type: ignore[attr-defined]
    return types


def scheme_type_get(*, user: Any, pk: int) -> SchemeType:
    """Return a national type, or a type of a province ``user`` reads units of."""
    item = SchemeType.objects.select_related("province").filter(pk=pk).first()
    if item is None or (
        item.province is not None
        and not _visible(user).filter(path__startswith=item.province.path).exists()
    ):
        raise Http404(not_found_message())
    if item.province is None and not perms.has_perm_anywhere(user, perms.VIEW_UNITS):
        raise Http404(not_found_message())
    return item


# --- schemes ---------------------------------------------------------------------------------

SchemeUnit = Scheme.units.through


def schemes_visible(user: Any) -> QuerySet[Scheme]:
    """Schemes covering at least one unit ``user`` may read."""
    covered = SchemeUnit.objects.filter(orgunit__in=_visible(user)).values("scheme_id")
    return Scheme.objects.filter(pk__in=covered)


def scheme_list(
    *,
    user: Any,
    unit: OrgUnit | None = None,
    q: str | None = None,
    status: str | None = None,
    category: str | None = None,
    scheme_type: SchemeType | None = None,
) -> QuerySet[Scheme]:
    """Search the visible schemes; ``unit`` keeps those covering it or a unit below it."""
    queryset = schemes_visible(user)
    if unit is not None:
        queryset = queryset.filter(
            pk__in=SchemeUnit.objects.filter(orgunit__path__startswith=unit.path).values(
                "scheme_id"
            )
        )
    if q:
        queryset = queryset.filter(_name_filter("name_folded", q))
    if status:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(scheme_type__category=category)
    if scheme_type is not None:
        queryset = queryset.filter(scheme_type=scheme_type)
    return (
        queryset.select_related("scheme_type", "founding_decision")
        .prefetch_related(Prefetch("units", queryset=OrgUnit.objects.select_related("parent")))
        .annotate(open_sites=Count("sites", filter=Q(sites__ended_on__isnull=True), distinct=True))
        .order_by("name_folded", "id")
    )


def scheme_get(*, user: Any, pk: int) -> Scheme:
    """Return the scheme if ``user`` may read it; raise ``Http404`` otherwise."""
    scheme = (
        schemes_visible(user)
        .select_related("scheme_type", "founding_decision", "replicated_from")
        .filter(pk=pk)
        .first()
    )
    if scheme is None:
        raise Http404(not_found_message())
    return scheme


@dataclass(frozen=True)
class CoveredUnit:
    unit: OrgUnit
    visible: bool
    manageable: bool


def scheme_units(*, user: Any, scheme: Scheme) -> list[CoveredUnit]:
    """Return the covered units, telling which ones ``user`` may open and manage."""
    units = list(scheme.units.select_related("parent").order_by("path"))
    visible = units_visible(user=user, units=units)
    return [
        CoveredUnit(
            unit=u,
            visible=u.pk in visible,
            manageable=community_perms.can_manage(user, u),
        )
        for u in units
    ]


def scheme_can_edit(*, user: Any, scheme: Scheme) -> bool:
    """Return True if ``user`` manages the commune of any unit the scheme covers."""
    return community_perms.can_manage_any(user, scheme.units.select_related("parent"))


def scheme_replicas(*, user: Any, scheme: Scheme) -> QuerySet[Scheme]:
    return schemes_visible(user).filter(replicated_from=scheme).order_by("name_folded")


def scheme_choices_for_replication(*, user: Any, exclude: Scheme | None = None) -> QuerySet[Scheme]:
    queryset = schemes_visible(user).select_related("scheme_type").order_by("name_folded")
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset


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
    """Search the visible teams; ``status`` is ``active`` or ``dissolved`` (empty: all)."""
    queryset = teams_visible(user)
    if unit is not None:
        queryset = queryset.filter(village__path__startswith=unit.path)
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
        )
        .order_by("village__path", "-established_on", "id")
    )


def team_get(*, user: Any, pk: int) -> SecurityTeam:
    team = (
        teams_visible(user)
        .select_related(
            "village", "village__parent", "establishment_decision", "recognition_decision"
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


def active_span(start: date, end: date | None, period: Period) -> tuple[date, date] | None:
    """Return the half-open part ``[a, b)`` of ``[start, end)`` inside ``period`` (or None)."""
    a = max(start, period.start)
    stop = period.end.toordinal() + 1
    b_ord = min(end.toordinal() if end is not None else stop, stop)
    if a.toordinal() >= b_ord:
        return None
    return a, date.fromordinal(b_ord)


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


# --- pledges ---------------------------------------------------------------------------------


def pledges_visible(user: Any) -> QuerySet[Pledge]:
    return Pledge.objects.filter(orgunit__in=_visible(user))


def pledge_list(
    *,
    user: Any,
    unit: OrgUnit | None = None,
    year: int | None = None,
    signer_kind: str | None = None,
    q: str | None = None,
) -> QuerySet[Pledge]:
    queryset = pledges_visible(user)
    if unit is not None:
        queryset = queryset.filter(orgunit__path__startswith=unit.path)
    if year:
        queryset = queryset.filter(year=year)
    if signer_kind:
        queryset = queryset.filter(signer_kind=signer_kind)
    if q:
        words = _words(q)
        condition = Q()
        for word in words:
            condition &= Q(orgunit__name_folded__contains=word)
        queryset = queryset.filter(condition)
    return queryset.select_related("orgunit", "orgunit__parent", "document").order_by(
        "-year", "orgunit__path", "signer_kind"
    )


def pledge_get(*, user: Any, pk: int) -> Pledge:
    pledge = (
        pledges_visible(user)
        .select_related("orgunit", "orgunit__parent", "document")
        .filter(pk=pk)
        .first()
    )
    if pledge is None:
        raise Http404(not_found_message())
    return pledge


# --- decisions -------------------------------------------------------------------------------


def decision_get(*, user: Any, pk: int) -> Decision:
    """Return a decision attached to a record ``user`` may read; 404 otherwise."""
    decision = Decision.objects.filter(pk=pk).first()
    if decision is None:
        raise Http404(not_found_message())
    visible = _visible(user)
    holders = (
        schemes_visible(user).filter(founding_decision=decision).exists()
        or SecurityTeam.objects.filter(
            Q(establishment_decision=decision) | Q(recognition_decision=decision),
            village__in=visible,
        ).exists()
        or TeamMember.objects.filter(
            recognition_decision=decision, team__village__in=visible
        ).exists()
        or Pledge.objects.filter(document=decision, orgunit__in=visible).exists()
    )
    if not holders:
        raise Http404(not_found_message())
    return decision


# --- for the hotspots app ----------------------------------------------------------------------


def _commune_id_expression(prefix: str) -> Case:
    """SQL for "the commune of this unit": the unit itself, or its parent."""
    return Case(
        When(**{f"{prefix}kind": UnitKind.COMMUNE}, then=F(f"{prefix}id")),
        default=F(f"{prefix}parent_id"),
        output_field=IntegerField(),
    )


def scheme_active_q(day: date, prefix: str = "") -> Q:
    """Q for schemes running on ``day`` (founded by then, not stopped on or before it)."""
    return Q(**{f"{prefix}founded_on__lte": day}) & (
        Q(**{f"{prefix}status": SchemeStatus.ACTIVE}) | Q(**{f"{prefix}status_since__gt": day})
    )


def communes_with_active_typical_scheme(*, unit_ids: Iterable[int], on: date) -> set[int]:
    """Return the ids among ``unit_ids`` (communes) with a typical scheme running on ``on``.

    A commune qualifies when a scheme covering it, or a village or establishment in it, was
    running on ``on`` and its type is marked typical by the commune's province (the
    province's "10 typical models"). No user scoping is applied: the caller passes ids it
    has already scoped. Non-commune ids never qualify.
    """
    ids = set(unit_ids)
    if not ids:
        return set()
    communes = list(
        OrgUnit.objects.filter(pk__in=ids, kind=UnitKind.COMMUNE).values_list("pk", "path")
    )
    province_code = {pk: [*path.strip("/").split("/"), "", ""][1] for pk, path in communes}
    provinces = dict(
        OrgUnit.objects.filter(
            code__in=set(province_code.values()), kind=UnitKind.PROVINCE
        ).values_list("code", "pk")
    )
    typical: dict[int, set[int]] = defaultdict(set)
    for type_id, province_id in SchemeType.typical_in.through.objects.filter(
        orgunit_id__in=set(provinces.values())
    ).values_list("schemetype_id", "orgunit_id"):
        typical[province_id].add(type_id)
    if not typical:
        return set()
    commune_ids = [pk for pk, _p in communes]
    pairs = (
        SchemeUnit.objects.filter(
            scheme_active_q(on, "scheme__"),
            Q(orgunit_id__in=commune_ids)
            | Q(orgunit__parent_id__in=commune_ids, orgunit__kind__in=_BELOW_COMMUNE),
            scheme__scheme_type_id__in={t for ts in typical.values() for t in ts},
        )
        .values_list("orgunit_id", "orgunit__parent_id", "scheme__scheme_type_id")
        .distinct()
    )
    wanted = set(commune_ids)
    found: set[int] = set()
    for unit_id, parent_id, type_id in pairs:
        owner: int | None = unit_id if unit_id in wanted else parent_id
        if owner is None:
            continue
        province = provinces.get(province_code.get(owner, ""))
        if province is not None and type_id in typical.get(province, set()):
            found.add(owner)
    return found


# --- overview (numbers from the indicators engine) ------------------------------------------

MONTH_METRICS = (
    "schemes_active",
    "scheme_sites",
    "security_teams",
    "team_members",
    "villages_pledged",
    "villages",
    "households_registered",
    "establishments_pledged",
)


@dataclass
class Overview:
    """What the engine says about a unit: this month's counts, options, and yearly figures."""

    unit: OrgUnit
    period: Period
    values: dict[str, float | None]
    options: dict[str, list[tuple[str, float | None]]]
    households: float | None
    grades: list[tuple[str, float | None]]
    grade_period: Period


def _engine_rows(*, user: Any, unit: OrgUnit, codes: Sequence[str], period: Period) -> list[Any]:
    from binhyen.indicators import selectors as indicator_selectors
    from binhyen.indicators.models import Metric

    active = list(
        Metric.objects.filter(code__in=list(codes), is_active=True).values_list("code", flat=True)
    )
    if not active:
        return []
    result = indicator_selectors.analytics(
        user=user,
        metric_codes=[c for c in codes if c in active],
        unit_codes=[unit.code],
        period_codes=[period.code],
        compare=False,
        disaggregate=True,
    )
    return result.rows


def overview(*, user: Any, unit: OrgUnit, day: date | None = None) -> Overview:
    """Return the unit's community numbers as the indicators engine has them (rolled up)."""
    day = day or today()
    period = Period.containing("month", day)
    values: dict[str, float | None] = {}
    raw_options: dict[str, dict[str, float | None]] = defaultdict(dict)
    for row in _engine_rows(user=user, unit=unit, codes=MONTH_METRICS, period=period):
        if row.option:
            raw_options[row.metric][row.option] = row.value
        if row.value is not None:
            values[row.metric] = (values.get(row.metric) or 0.0) + row.value
        else:
            values.setdefault(row.metric, None)
    labels: dict[str, str] = {
        str(code): str(label)
        for choices in (SchemeCategory.choices, TeamRole.choices, TaskGrade.choices)
        for code, label in choices
    }
    options: dict[str, list[tuple[str, float | None]]] = {
        metric: [(labels.get(code, code), value) for code, value in items.items() if value]
        for metric, items in raw_options.items()
    }
    households: float | None = None
    for year in (day.year, day.year - 1):
        rows = _engine_rows(
            user=user, unit=unit, codes=["households"], period=parse_period(str(year))
        )
        households = next((r.value for r in rows if r.value is not None), None)
        if households is not None:
            break
    grades: list[tuple[str, float | None]] = []
    grade_period = team_period(current_team_year(day))
    for year in (grade_period.year, grade_period.year - 1):
        grade_period = team_period(year)
        grade_rows = _engine_rows(
            user=user, unit=unit, codes=["security_team_grades"], period=grade_period
        )
        grades = [(labels.get(r.option, r.option), r.value) for r in grade_rows if r.value]
        if grades:
            break
    return Overview(
        unit=unit,
        period=period,
        values=values,
        options=options,
        households=households,
        grades=grades,
        grade_period=grade_period,
    )

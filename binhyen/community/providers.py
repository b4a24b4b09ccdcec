"""Numbers the community app publishes to the indicators engine.

Each provider answers "what is the value of metric M in period P" from the records, as of
the last day of P, for every commune (or village) that has such records at all. It never
writes: ``services`` call ``binhyen.indicators.services.provider_values_sync`` for the
periods a change affects, and the values become ordinary ``DataValue`` rows.

Invariants:
- Values sit where the metric is captured: communes (a village's or establishment's
  records count in its commune), except ``households_registered``, kept on the village.
- A scheme covering several communes counts once in each of them (so a province total counts
  a cross-commune cluster once per covered commune; the list of schemes counts it once).
- Only units open during the period get values. A unit that ever had a record of the kind
  gets an explicit 0 when it has none at the period's end, so "last value" rollups never
  keep a stale number; a unit that never had any gets no value ("no data").
- Every (unit, option) appears at most once per period, options are codes of the metric's
  breakdown (``SchemeCategory``, ``TeamRole``, ``TaskGrade`` values).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, Sum

from binhyen.indicators.periods import Period
from binhyen.indicators.providers import ProvidedValue, registry

SCHEMES_ACTIVE = "schemes_active"
SCHEME_SITES = "scheme_sites"
SECURITY_TEAMS = "security_teams"
TEAM_MEMBERS = "team_members"
TEAM_GRADES = "security_team_grades"
VILLAGES_PLEDGED = "villages_pledged"
HOUSEHOLDS_REGISTERED = "households_registered"
ESTABLISHMENTS_PLEDGED = "establishments_pledged"

# The denominator of "villages that signed / villages" and "teams / villages", computed by
# the indicators app's own provider; synced with the pledge and team numbers so both sides of
# the ratio exist for the same periods.
VILLAGES = "villages"
VILLAGES_PROVIDER = "orgunits.village_count"

SCHEME_METRICS = (SCHEMES_ACTIVE, SCHEME_SITES)
TEAM_METRICS = (SECURITY_TEAMS, TEAM_MEMBERS)
GRADE_METRICS = (TEAM_GRADES,)
PLEDGE_METRICS = (VILLAGES_PLEDGED, HOUSEHOLDS_REGISTERED, ESTABLISHMENTS_PLEDGED)


def _open_units(ids: Iterable[int], period: Period, kind: str) -> set[int]:
    """Return the ids among ``ids`` of units of ``kind`` open at some time in ``period``."""
    from binhyen.orgunits.models import OrgUnit

    wanted = list(set(ids))
    found: set[int] = set()
    for start in range(0, len(wanted), 2000):
        chunk = wanted[start : start + 2000]
        found.update(
            OrgUnit.objects.filter(pk__in=chunk, kind=kind)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=period.end))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start))
            .values_list("pk", flat=True)
        )
    return found


def _emit(
    rows: Iterable[tuple[int | None, str, int | float | None]], period: Period, kind: str
) -> Iterator[ProvidedValue]:
    """Yield (unit, option, value) rows for open units, summing duplicates defensively."""
    totals: dict[tuple[int, str], float] = defaultdict(float)
    for unit_id, option, value in rows:
        if unit_id is None:
            continue
        totals[(unit_id, option or "")] += float(value or 0)
    open_ids = _open_units({u for u, _o in totals}, period, kind)
    for (unit_id, option), value in sorted(totals.items()):
        if unit_id in open_ids:
            yield ProvidedValue(orgunit_id=unit_id, value=value, option=option)


class SchemeProvider:
    """Schemes running per commune (by category), and their open sites per commune."""

    key: str = "community.schemes"
    metric_codes: tuple[str, ...] = SCHEME_METRICS

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        from binhyen.community.models import Scheme, SchemeSite
        from binhyen.community.selectors.schemes import _commune_id_expression, scheme_active_q

        day: date = period.end
        coverage: Any = Scheme.units.through
        rows: Iterable[Any]
        if metric_code == SCHEMES_ACTIVE:
            rows = (
                coverage.objects.filter(orgunit__kind__in=_RECORD_KINDS)
                .annotate(commune=_commune_id_expression("orgunit__"))
                .values("commune", category=F("scheme__scheme_type__category"))
                .annotate(n=Count("scheme", distinct=True, filter=scheme_active_q(day, "scheme__")))
                .values_list("commune", "category", "n")
            )
            return _emit(rows, period, "commune")
        if metric_code == SCHEME_SITES:
            running = (
                Q(established_on__lte=day)
                & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))
                & scheme_active_q(day, "scheme__")
            )
            rows = (
                SchemeSite.objects.filter(orgunit__kind__in=_RECORD_KINDS)
                .annotate(commune=_commune_id_expression("orgunit__"))
                .values("commune")
                .annotate(n=Count("id", filter=running))
                .values_list("commune", "n")
            )
            return _emit(((c, "", n) for c, n in rows), period, "commune")
        return ()


class TeamProvider:
    """Security teams running per commune, members by role, and the year's grades."""

    key: str = "community.teams"
    metric_codes: tuple[str, ...] = (*TEAM_METRICS, *GRADE_METRICS)

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        from binhyen.community.models import SecurityTeam, TeamGrading, TeamMember

        day: date = period.end
        rows: Iterable[Any]
        team_running = Q(established_on__lte=day) & (
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
        )
        if metric_code == SECURITY_TEAMS:
            rows = (
                SecurityTeam.objects.values(commune=F("village__parent_id"))
                .annotate(n=Count("id", filter=team_running))
                .values_list("commune", "n")
            )
            return _emit(((c, "", n) for c, n in rows), period, "commune")
        if metric_code == TEAM_MEMBERS:
            member_running = (
                Q(joined_on__lte=day)
                & (Q(left_on__isnull=True) | Q(left_on__gt=day))
                & Q(team__established_on__lte=day)
                & (Q(team__dissolved_on__isnull=True) | Q(team__dissolved_on__gt=day))
            )
            rows = (
                TeamMember.objects.values(commune=F("team__village__parent_id"), option=F("role"))
                .annotate(n=Count("id", filter=member_running))
                .values_list("commune", "option", "n")
            )
            return _emit(rows, period, "commune")
        if metric_code == TEAM_GRADES:
            from binhyen.community.models import TaskGrade

            graded = (
                TeamGrading.objects.filter(year=period.year)
                .values(commune=F("team__village__parent_id"), option=F("level"))
                .annotate(n=Count("id"))
                .values_list("commune", "option", "n")
            )
            counts: dict[int, dict[str, int]] = defaultdict(dict)
            for commune, level, n in graded:
                counts[commune][level] = n
            full = (
                (commune, level, levels.get(level, 0))
                for commune, levels in counts.items()
                for level in TaskGrade.values
            )
            return _emit(full, period, "commune")
        return ()


class PledgeProvider:
    """Villages, households and establishments that signed the year's pledge."""

    key: str = "community.pledges"
    metric_codes: tuple[str, ...] = PLEDGE_METRICS

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        from binhyen.community.models import Pledge, SignerKind

        day: date = period.end
        rows: Iterable[Any]
        signed = Q(year=day.year, signed_on__lte=day) & (
            Q(orgunit__valid_to__isnull=True) | Q(orgunit__valid_to__gte=day)
        )
        if metric_code == VILLAGES_PLEDGED:
            rows = (
                Pledge.objects.filter(signer_kind=SignerKind.VILLAGE)
                .values(commune=F("orgunit__parent_id"))
                .annotate(n=Count("orgunit_id", distinct=True, filter=signed))
                .values_list("commune", "n")
            )
            return _emit(((c, "", n) for c, n in rows), period, "commune")
        if metric_code == ESTABLISHMENTS_PLEDGED:
            rows = (
                Pledge.objects.filter(signer_kind__in=[SignerKind.AGENCY, SignerKind.SCHOOL])
                .values(commune=F("orgunit__parent_id"))
                .annotate(n=Count("orgunit_id", distinct=True, filter=signed))
                .values_list("commune", "n")
            )
            return _emit(((c, "", n) for c, n in rows), period, "commune")
        if metric_code == HOUSEHOLDS_REGISTERED:
            rows = (
                Pledge.objects.filter(signer_kind=SignerKind.HOUSEHOLDS)
                .values("orgunit_id")
                .annotate(n=Sum("household_count", filter=signed))
                .values_list("orgunit_id", "n")
            )
            return _emit(((v, "", n) for v, n in rows), period, "village")
        return ()


_RECORD_KINDS = ("commune", "village", "establishment")
PROVIDERS: tuple[SchemeProvider | TeamProvider | PledgeProvider, ...] = (
    SchemeProvider(),
    TeamProvider(),
    PledgeProvider(),
)


def register() -> None:
    """Register the providers (called from ``CommunityConfig.ready``)."""
    for provider in PROVIDERS:
        registry.register(provider)

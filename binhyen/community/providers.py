"""Numbers the community app publishes to the indicators engine.

Each provider answers "what is the value of metric M in period P" from the records, as of
the last day of P, for every commune (or village) that has such records at all. It never
writes: ``services`` call ``binhyen.indicators.services.provider_values_sync`` for the
periods a change affects, and the values become ordinary ``DataValue`` rows.

Invariants:
- Values sit where the metric is captured: communes (a village's or establishment's
  records count in its commune), except ``households_registered``, kept on the village.
- Schemes, sites, teams, members and pledging villages/establishments are distinct counts:
  each record is published as an item ("scheme:12") at every commune it covers, and the
  engine counts it once at any unit (a cross-commune cluster is one scheme in the province).
- A record's unit belongs on the period's last day to the commune ``commune_on`` names (a
  village keeps its former commune until that commune closed). Records on a commune closed
  before the period (the 2025 reform) count at its successors (``place_units``): a scheme
  still running counts in today's month at the new commune. A record moved onto a successor
  (``services.carry``) counts on its old unit for the periods that unit was open in: a scheme
  through its ``SchemeUnitHistory`` rows, a team through its ``former_village``.
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
from itertools import chain
from typing import Any

from django.db.models import Count, F, Q, Sum

from binhyen.indicators.periods import Period
from binhyen.indicators.providers import (
    ProvidedValue,
    emit_items,
    emit_quantities,
    registry,
)
from binhyen.orgunits.history import carried_commune_on, commune_on

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


def _emit(
    rows: Iterable[tuple[int | None, str, int | float | None]], period: Period, kind: str
) -> Iterator[ProvidedValue]:
    """Yield summed (unit, option, value) rows at the units open in the period."""
    yield from emit_quantities(rows, period, kind)


class SchemeProvider:
    """Schemes running per commune (by category), and their open sites per commune."""

    key: str = "community.schemes"
    metric_codes: tuple[str, ...] = SCHEME_METRICS

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        from binhyen.community.models import Scheme, SchemeSite, SchemeUnitHistory
        from binhyen.community.selectors.schemes import scheme_active_q

        day: date = period.end
        coverage: Any = Scheme.units.through
        if metric_code == SCHEMES_ACTIVE:
            # The units a scheme covers now, plus the closed units it covered before it was
            # moved onto their successors, for the periods those were open in.
            rows = [
                coverage.objects.filter(orgunit__kind__in=_RECORD_KINDS),
                SchemeUnitHistory.objects.filter(
                    orgunit__kind__in=_RECORD_KINDS, until__gte=period.start
                ).order_by(),
            ]
            known: list[Iterable[tuple[Any, ...]]] = []
            active: list[Iterable[tuple[Any, ...]]] = []
            for queryset in rows:
                covered = queryset.annotate(commune=commune_on("orgunit__", day))
                known.append(
                    covered.values_list("commune", "scheme__scheme_type__category").distinct()
                )
                active.append(
                    covered.filter(scheme_active_q(day, "scheme__")).values_list(
                        "commune", "scheme__scheme_type__category", "scheme_id"
                    )
                )
            return emit_items(
                chain(
                    ((c, cat, None) for c, cat in chain.from_iterable(known)),
                    ((c, cat, f"scheme:{i}") for c, cat, i in chain.from_iterable(active)),
                ),
                period,
                "commune",
            )
        if metric_code == SCHEME_SITES:
            running = (
                Q(established_on__lte=day)
                & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))
                & scheme_active_q(day, "scheme__")
            )
            sites = SchemeSite.objects.filter(orgunit__kind__in=_RECORD_KINDS).annotate(
                commune=commune_on("orgunit__", day)
            )
            return emit_items(
                chain(
                    ((c, "", None) for c in sites.values_list("commune", flat=True).distinct()),
                    (
                        (c, "", f"site:{i}")
                        for c, i in sites.filter(running).values_list("commune", "id")
                    ),
                ),
                period,
                "commune",
            )
        return ()


class TeamProvider:
    """Security teams running per commune, members by role, and the year's grades."""

    key: str = "community.teams"
    metric_codes: tuple[str, ...] = (*TEAM_METRICS, *GRADE_METRICS)

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        from binhyen.community.models import SecurityTeam, TeamGrading, TeamMember

        day: date = period.end
        team_running = Q(established_on__lte=day) & (
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
        )
        if metric_code == SECURITY_TEAMS:
            teams = SecurityTeam.objects.annotate(
                commune=carried_commune_on("village", period.start, day)
            )
            return emit_items(
                chain(
                    ((c, "", None) for c in teams.values_list("commune", flat=True).distinct()),
                    (
                        (c, "", f"team:{i}")
                        for c, i in teams.filter(team_running).values_list("commune", "id")
                    ),
                ),
                period,
                "commune",
            )
        if metric_code == TEAM_MEMBERS:
            member_running = (
                Q(joined_on__lte=day)
                & (Q(left_on__isnull=True) | Q(left_on__gt=day))
                & Q(team__established_on__lte=day)
                & (Q(team__dissolved_on__isnull=True) | Q(team__dissolved_on__gt=day))
            )
            members = TeamMember.objects.annotate(
                commune=carried_commune_on("team__village", period.start, day)
            )
            return emit_items(
                chain(
                    ((c, r, None) for c, r in members.values_list("commune", "role").distinct()),
                    (
                        (c, r, f"member:{i}")
                        for c, r, i in members.filter(member_running).values_list(
                            "commune", "role", "id"
                        )
                    ),
                ),
                period,
                "commune",
            )
        if metric_code == TEAM_GRADES:
            from binhyen.community.models import TaskGrade

            graded = (
                TeamGrading.objects.filter(year=period.year)
                .annotate(commune=carried_commune_on("team__village", period.start, day))
                .values("commune", option=F("level"))
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
        if metric_code in (VILLAGES_PLEDGED, ESTABLISHMENTS_PLEDGED):
            kinds = (
                [SignerKind.VILLAGE]
                if metric_code == VILLAGES_PLEDGED
                else [SignerKind.AGENCY, SignerKind.SCHOOL]
            )
            pledges = Pledge.objects.filter(signer_kind__in=kinds).annotate(
                commune=commune_on("orgunit__", day)
            )
            tag = "village" if metric_code == VILLAGES_PLEDGED else "unit"
            return emit_items(
                chain(
                    ((c, "", None) for c in pledges.values_list("commune", flat=True).distinct()),
                    (
                        (c, "", f"{tag}:{u}")
                        for c, u in pledges.filter(signed).values_list("commune", "orgunit_id")
                    ),
                ),
                period,
                "commune",
            )
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

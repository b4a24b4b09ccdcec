"""Demo figures for `make run`: 24 months of the typed metrics for every commune of the demo
province, and the monthly report's workflow around them.

What a newcomer should see on the dashboards, maps and completeness pages is a province
whose communes report: crimes by group (slowly falling, higher around Tết), accidents,
fires, drug users under management, Scheme 06 activations tailing off, officers,
population and households, residential areas recognised safe. The figures are made up:

- deterministic: each number comes from a generator seeded with (unit code, metric,
  period), so two loads, two machines and two test runs give the same figures;
- marked: every value is stored with ``source = demo`` ("Dữ liệu minh họa"), so a
  province going live removes them with one filter;
- never over real data: a (metric, unit, period, option) already stored is left alone,
  which also makes a second load change nothing;
- consistent with the validation rules (serious crimes within crimes, safe areas within
  the villages the map holds).

The reports: every commune's monthly report is approved for the older months; for the last
month some are submitted, one is returned, the rest are late. The demo commune's own last
report (and its figures) stay open: entering it is the demo officer's first task.

Figures computed from records (activities, schemes, tips…) come from each app's own demo.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from binhyen.accounts.models import User
from binhyen.core.services import audit_event_record
from binhyen.indicators.models import (
    DataValue,
    Metric,
    MetricSource,
    ReportForm,
    Submission,
    SubmissionStatus,
    ValueSource,
)
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.indicators.services.values import BulkValue, values_bulk_write
from binhyen.orgunits import demo as base_demo
from binhyen.orgunits.models import OrgUnit, UnitKind

MONTHS = 24
MONTHLY_FORM = "bao_cao_thang"
YEARLY_FORM = "bao_cao_dan_so"

# Crimes per 10,000 people per month, by crime group (the metric's options).
CRIME_RATES = {
    "trat_tu_xa_hoi": 0.8,
    "kinh_te": 0.12,
    "ma_tuy": 0.35,
    "moi_truong": 0.04,
    "cong_nghe_cao": 0.25,
    "khac": 0.1,
}
# Other monthly sums per 10,000 people.
SUM_RATES = {"traffic_accidents": 0.3, "fires": 0.05}
SERIOUS_SHARE = 0.12
TET_MONTHS = (1, 2)


def _rng(*parts: Any) -> random.Random:
    # A string seed is hashed with SHA-512: the same figures on every run and machine.
    return random.Random(":".join(str(p) for p in parts))  # noqa: S311 (made-up figures)


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small means of a commune's month."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def demo_months(today: Any = None) -> list[Period]:
    """The ``MONTHS`` months that have ended, oldest first."""
    last = Period.containing(PeriodKind.MONTH, today or timezone.localdate()).previous()
    return [last.shift(-i) for i in range(MONTHS - 1, -1, -1)]


def _people(unit: OrgUnit) -> tuple[int, int]:
    """The commune's population and households: its own, else a plausible made-up pair."""
    rng = _rng(unit.code, "people")
    population = unit.population or rng.randrange(8_000, 36_000, 7)
    households = unit.households or round(population / rng.uniform(3.6, 4.4))
    return population, households


class _Figures:
    """The made-up figures of one commune."""

    def __init__(self, unit: OrgUnit, villages: int, months: list[Period]) -> None:
        self.unit = unit
        self.villages = villages
        self.months = months
        self.population, self.households = _people(unit)
        self.scale = self.population / 10_000

    def _trend(self, index: int, month: Period) -> float:
        # Falling by about 6 % a year, with Tết months a third higher.
        factor = 0.995 ** (index - len(self.months))
        return factor * (1.35 if month.start.month in TET_MONTHS else 1.0)

    def monthly(self, codes: set[str]) -> Iterator[tuple[str, Period, str, float]]:
        officers = max(6, round(6 + self.population / 2_500))
        users = max(2, round(self.scale * 5))
        for index, month in enumerate(self.months):
            rng = _rng(self.unit.code, month.code)
            trend = self._trend(index, month)
            total = 0
            for option, rate in CRIME_RATES.items():
                count = _poisson(rng, rate * self.scale * trend)
                total += count
                if "crimes" in codes:
                    yield "crimes", month, option, float(count)
            serious = sum(1 for _ in range(total) if rng.random() < SERIOUS_SHARE)
            if "serious_crimes" in codes:
                yield "serious_crimes", month, "", float(serious)
            for code, rate in SUM_RATES.items():
                if code in codes:
                    yield code, month, "", float(_poisson(rng, rate * self.scale * trend))
            users = max(0, users + rng.choice((-1, 0, 0, 1)))
            if "drug_users" in codes:
                yield "drug_users", month, "", float(users)
            if "eid_activations" in codes:
                mean = self.population * 0.02 * 0.88**index
                yield "eid_activations", month, "", float(max(0, round(rng.gauss(mean, mean / 5))))
            if rng.random() < 0.08:
                officers += rng.choice((-1, 1))
            if "officers" in codes:
                yield "officers", month, "", float(officers)

    def yearly(self, codes: set[str]) -> Iterator[tuple[str, Period, str, float]]:
        years = sorted({m.start.year for m in self.months})
        for year in years:
            period = Period.containing(PeriodKind.YEAR, self.months[0].start.replace(year=year))
            shrink = 0.99 ** (years[-1] - year)
            if "population" in codes:
                yield "population", period, "", float(round(self.population * shrink))
            if "households" in codes:
                yield "households", period, "", float(round(self.households * shrink))
        if "villages_safe" in codes and self.villages:
            first = Period.containing(PeriodKind.MOVEMENT_YEAR, self.months[0].start)
            last = Period.containing(PeriodKind.MOVEMENT_YEAR, self.months[-1].end)
            for ordinal in range(first.ordinal, last.ordinal):  # movement years that ended
                period = Period(PeriodKind.MOVEMENT_YEAR, ordinal)
                rng = _rng(self.unit.code, period.code)
                yield (
                    "villages_safe",
                    period,
                    "",
                    float(rng.randint(self.villages * 7 // 10, self.villages)),
                )


def _communes(province: OrgUnit) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(
            path__startswith=province.path, kind=UnitKind.COMMUNE, valid_to__isnull=True
        ).order_by("code")
    )


def _village_counts(communes: list[OrgUnit]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for parent_id in OrgUnit.objects.filter(
        parent__in=communes, kind=UnitKind.VILLAGE, valid_to__isnull=True
    ).values_list("parent_id", flat=True):
        counts[parent_id] = counts.get(parent_id, 0) + 1
    return counts


def _values(communes: list[OrgUnit], months: list[Period]) -> list[BulkValue]:
    metrics = {
        m.code: m
        for m in Metric.objects.filter(is_active=True).exclude(source=MetricSource.PROVIDER)
        if UnitKind.COMMUNE in (m.capture_kinds or [])
    }
    villages = _village_counts(communes)
    held = {base_demo.COMMUNE_CODE: months[-1].code}  # the demo officer's report to enter
    values: list[BulkValue] = []
    for unit in communes:
        figures = _Figures(unit, villages.get(unit.pk, 0), months)
        for code, period, option, value in (
            *figures.monthly(set(metrics)),
            *figures.yearly(set(metrics)),
        ):
            if held.get(unit.code) == period.code:
                continue
            if unit.valid_from and period.start < unit.valid_from:
                continue  # records happen on the units of their date
            values.append((metrics[code].pk, unit.pk, period, option, value))
    return values


def _at(day: Any, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _submissions(
    communes: list[OrgUnit], months: list[Period], reviewer: User | None
) -> list[Submission]:
    form = ReportForm.objects.filter(code=MONTHLY_FORM, is_active=True).first()
    if form is None:
        return []
    done = set(
        Submission.objects.filter(form=form, orgunit__in=communes).values_list(
            "orgunit_id", "period"
        )
    )
    rows = []
    for unit in communes:
        if unit.code in (base_demo.COMMUNE_CODE, base_demo.OTHER_COMMUNE_CODE):
            continue  # their reports are the demo users' to enter and review
        for month in months:
            if (unit.pk, month.code) in done:
                continue
            rng = _rng(unit.code, "report", month.code)
            latest = month == months[-1]
            draw = rng.random()
            if latest and draw < 0.3:
                continue  # late: not sent yet
            sent = _at(month.end + timedelta(days=rng.randint(1, 9)), 9 + rng.randint(0, 8))
            status = SubmissionStatus.APPROVED
            if latest:
                status = SubmissionStatus.RETURNED if draw < 0.36 else SubmissionStatus.SUBMITTED
            reviewed = status != SubmissionStatus.SUBMITTED
            rows.append(
                Submission(
                    form=form,
                    orgunit=unit,
                    period=month.code,
                    period_start=month.start,
                    period_end=month.end,
                    status=status,
                    submitted_at=sent,
                    first_submitted_at=sent,
                    reviewed_at=sent + timedelta(days=2) if reviewed else None,
                    reviewed_by=reviewer if reviewed else None,
                    comment=(
                        "Đề nghị rà soát lại số vụ phạm tội về ma túy (dữ liệu minh họa)."
                        if status == SubmissionStatus.RETURNED
                        else ""
                    ),
                )
            )
    return rows


def load(stdout: TextIO | Any = None, *, today: Any = None) -> dict[str, int]:
    """Create the demo figures and reports; return counts of what was created."""
    counts = {"values": 0, "submissions": 0}
    province = OrgUnit.objects.filter(code=base_demo.PROVINCE_CODE).first()
    actor = User.objects.filter(username="demo_tinh").first()
    if province is None or actor is None:
        return counts
    communes = _communes(province)
    months = demo_months(today)
    with transaction.atomic():
        created, _replaced = values_bulk_write(
            _values(communes, months), source=ValueSource.DEMO, user=actor, replace=False
        )
        submissions = _submissions(communes, months, actor)
        Submission.objects.bulk_create(submissions, batch_size=2000)
        counts.update(values=created, submissions=len(submissions))
        if created or submissions:
            audit_event_record(
                actor=actor,
                action="demo.figures_load",
                obj=province,
                orgunit=province,
                after={**counts, "months": [months[0].code, months[-1].code]},
            )
    if stdout is not None and (created or submissions):
        stdout.write(f"Demo figures: {created} values, {len(submissions)} reports.\n")
    return counts


def demo_values() -> Any:
    """The values the demo made up (for a province going live: delete them)."""
    return DataValue.objects.filter(source=ValueSource.DEMO)

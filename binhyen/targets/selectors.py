"""Reads of the targets app, always scoped to the user's visible units.

Invariants:
- Every read starts from ``OrgUnit.objects.visible_to(user)``; a missing object and a
  forbidden one both raise ``Http404``.
- Figures come from ``binhyen.targets.progress`` (the indicators engine); nothing is cached.
- ``unit_target_values`` and ``unit_progress`` are the published reads other apps use
  (criteria rules, dashboards, the to-do home): they list them in import-linter's
  ``ignore_imports``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.memory import gc_paused
from binhyen.core.models import instances_from_rows
from binhyen.core.text import fold
from binhyen.core.web import not_found as web_not_found
from binhyen.indicators import engine
from binhyen.indicators.models import DONE_STATUSES, Metric, Submission
from binhyen.indicators.periods import Period
from binhyen.orgunits.history import predecessor_ids
from binhyen.orgunits.models import OrgUnit
from binhyen.targets import progress as prog
from binhyen.targets.models import (
    Allocation,
    Campaign,
    CampaignMetric,
    Plan,
    PlanTask,
    Target,
    TargetKind,
    TargetSource,
)
from binhyen.targets.progress import Light, Progress, Status

BEHIND_LIMIT = 50
# The columns ``progress_targets`` reads (attnames): all but the row times, the folded name
# and the author.
_PROGRESS_FIELDS = [
    f.attname
    for f in Target._meta.concrete_fields
    if f.name not in ("created_at", "updated_at", "name_folded", "created_by")
]
_UNIT_FIELDS = [f.attname for f in OrgUnit._meta.concrete_fields]


def not_found() -> Http404:
    """Return (for ``raise``) the one 404 of a missing or forbidden record."""
    return web_not_found()


def visible_units(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(user)


def unit_get(*, user: Any, code: str) -> OrgUnit:
    unit = visible_units(user).filter(code=str(code)[:64]).first()
    if unit is None:
        raise not_found()
    return unit


def unit_roots(*, user: Any) -> list[OrgUnit]:
    """Return the outermost units the user may read (their default page)."""
    from binhyen.accounts import permissions as acc

    if acc.is_superadmin(user):
        return list(OrgUnit.objects.filter(parent__isnull=True).order_by("code")[:1])
    paths = acc.scope_paths(user, acc.VIEW_UNITS)
    return list(OrgUnit.objects.filter(path__in=paths).order_by("level", "name_folded"))


def metrics() -> list[Metric]:
    return list(Metric.objects.filter(is_active=True).order_by("sort_order", "code"))


# --- plans ---------------------------------------------------------------------------------


def plan_list(
    *,
    user: Any,
    unit: OrgUnit | None = None,
    q: str | None = None,
    kind: str | None = None,
    year: int | None = None,
) -> QuerySet[Plan]:
    """Return the plans of visible units (below ``unit``), searched with or without accents.

    A current ``unit`` also finds the plans of its pre-2025 predecessors
    (``orgunits.history.predecessor_ids``, one id-set read), flagged ``recorded_on_predecessor``.
    """
    plans = Plan.objects.filter(orgunit__in=visible_units(user))
    on_predecessor: Any = Value(False)
    if unit is not None:
        history = predecessor_ids([unit.path]) if unit.valid_to is None else set()
        here = Q(orgunit__path__startswith=unit.path)
        plans = plans.filter(here | Q(orgunit_id__in=history) if history else here)
        if history:
            on_predecessor = ~here
    if q:
        for word in fold(q).split(" "):
            plans = plans.filter(
                Q(title_folded__contains=word) | Q(orgunit__name_folded__contains=word)
            )
    if kind:
        plans = plans.filter(kind=kind)
    if year:
        plans = plans.filter(period_start__lte=date(year, 12, 31), period_end__gte=date(year, 1, 1))
    return (
        plans.select_related("orgunit")
        .annotate(
            recorded_on_predecessor=ExpressionWrapper(on_predecessor, output_field=BooleanField())
        )
        .order_by("-issued_on", "-pk")
    )


def unit_plans(unit: OrgUnit) -> QuerySet[Plan]:
    """Return the plans of ``unit`` (already in the caller's scope), newest first: the plans a
    target or a campaign of that unit may hang on."""
    return Plan.objects.filter(orgunit=unit).order_by("-issued_on")


def plan_get(*, user: Any, pk: int) -> Plan:
    plan = (
        Plan.objects.filter(pk=pk, orgunit__in=visible_units(user))
        .select_related("orgunit")
        .first()
    )
    if plan is None:
        raise not_found()
    return plan


# --- targets -------------------------------------------------------------------------------


def _targets() -> QuerySet[Target]:
    return Target.objects.select_related("orgunit", "metric", "denominator", "plan", "parent")


def target_list(
    *, user: Any, unit: OrgUnit, year: int | None = None, q: str | None = None
) -> QuerySet[Target]:
    """Return the targets of ``unit`` itself (own and allocated), visible to ``user``."""
    if not visible_units(user).filter(pk=unit.pk).exists():
        raise not_found()
    targets = _targets().filter(orgunit=unit)
    if year:
        targets = targets.filter(
            period_start__lte=date(year, 12, 31), period_end__gte=date(year, 1, 1)
        )
    if q:
        for word in fold(q).split(" "):
            targets = targets.filter(name_folded__contains=word)
    return targets.order_by("period_start", "metric__sort_order", "source", "pk")


def parent_visible(*, user: Any, target: Target) -> bool:
    """Return True when the target it was allocated from is one the user may open (a
    commune sees that its target came from the province, not the province's page)."""
    if target.parent_id is None:
        return False
    return visible_units(user).filter(targets__pk=target.parent_id).exists()


def target_get(*, user: Any, pk: int) -> Target:
    target = _targets().filter(pk=pk, orgunit__in=visible_units(user)).first()
    if target is None:
        raise not_found()
    return target


def progress_targets(targets: QuerySet[Target]) -> list[Target]:
    """Return the targets of an already scoped queryset with their unit, metric and
    denominator, each read once and shared (thousands of targets on a few metrics and
    units build a few hundred related objects, not one per row).

    For a national batch (tens of thousands of rows) the reading was most of the time, so:
    the targets come in the queryset's own order, if it has one, and otherwise in no
    particular order (the model's default ordering joins the units and metrics to sort
    every row); the row times, the folded name and the author, which no progress list
    shows, are not read; the rows are read as tuples and built without running the model's
    constructor per row (``core.models.instances_from_rows``), with the garbage collector
    paused meanwhile (``core.memory.gc_paused``).
    """
    if not targets.query.order_by and not targets.query.is_sliced:
        targets = targets.order_by()
    with gc_paused():
        rows = list(targets.values_list(*_PROGRESS_FIELDS))
        metric_at, denominator_at, unit_at = (
            _PROGRESS_FIELDS.index(name) for name in ("metric_id", "denominator_id", "orgunit_id")
        )
        metric_ids = {r[metric_at] for r in rows} | {
            r[denominator_at] for r in rows if r[denominator_at]
        }
        metrics = {m.pk: m for m in Metric.objects.filter(pk__in=metric_ids).order_by()}
        unit_read = OrgUnit.objects.filter(pk__in={r[unit_at] for r in rows}).order_by()
        units = {
            u.pk: u
            for u in instances_from_rows(
                OrgUnit, _UNIT_FIELDS, unit_read.values_list(*_UNIT_FIELDS), db=unit_read.db
            )
        }
        return instances_from_rows(
            Target,
            _PROGRESS_FIELDS,
            rows,
            db=targets.db,
            related={
                "metric": ("metric_id", metrics),
                "orgunit": ("orgunit_id", units),
                "denominator": ("denominator_id", metrics),
            },
        )


def progress_of(targets: Sequence[Target], *, today: date | None = None) -> list[Progress]:
    """Return the progress of targets the caller has already scoped."""
    return prog.evaluate(list(targets), today=today or timezone.localdate())


def unit_progress(
    *, user: Any, unit: OrgUnit, year: int | None = None, today: date | None = None
) -> list[Progress]:
    """Return the progress of every target of ``unit`` (published for dashboards)."""
    return progress_of(list(target_list(user=user, unit=unit, year=year)), today=today)


def unit_target_values(*, unit: OrgUnit, on: date | None = None) -> dict[str, float]:
    """Return the unit's targets for the periods running on ``on``, keyed by metric code.

    For criteria rules (``t.<metric>``): the unit is the one being assessed, already in the
    caller's scope. Where the unit has both its own target and an allocated one, its own
    wins (a unit may only set its own above the allocation). Yearly targets win over shorter
    ones; breakdown-option targets are left out.
    """
    return units_target_values(units=[unit], on=on).get(unit.pk, {})


def units_target_values(
    *, units: Sequence[OrgUnit], on: date | None = None
) -> dict[int, dict[str, float]]:
    """Return ``unit_target_values`` of many units in one query (unit id → code → value)."""
    day = on or timezone.localdate()
    found: dict[int, dict[str, tuple[int, int, float]]] = defaultdict(dict)
    rows = Target.objects.filter(
        orgunit__in=[u.pk for u in units], option="", period_start__lte=day, period_end__gte=day
    ).values_list("orgunit_id", "metric__code", "source", "period_start", "period_end", "value")
    for unit_id, code, source, start, end, value in rows:
        rank = ((end - start).days, 1 if source == TargetSource.OWN else 0)
        mine = found[unit_id]
        if code not in mine or rank > mine[code][:2]:
            mine[code] = (*rank, value)
    return {
        unit_id: {code: item[2] for code, item in codes.items()} for unit_id, codes in found.items()
    }


def units_progress(
    *, user: Any, units: Sequence[OrgUnit], start: date, end: date, today: date | None = None
) -> list[Progress]:
    """Return the progress of the targets of visible ``units`` whose period overlaps the
    dates (own before allocated, longer periods first), in one evaluation."""
    visible = set(
        visible_units(user).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True)
    )
    if not visible:
        return []
    targets = _targets().filter(
        orgunit_id__in=visible, period_start__lte=end, period_end__gte=start
    )
    return progress_of(
        list(targets.order_by("orgunit_id", "metric__sort_order", "period_start", "source", "pk")),
        today=today,
    )


@dataclass
class ChildRow:
    unit: OrgUnit
    target: Target | None = None
    own: Target | None = None
    progress: Progress | None = None


@dataclass
class AllocationView:
    allocation: Allocation
    shares: list[tuple[OrgUnit, float]]
    total: float


@dataclass
class TargetDetail:
    target: Target
    progress: Progress
    children: list[ChildRow] = field(default_factory=list)
    allocations: list[AllocationView] = field(default_factory=list)
    allocated_total: float = 0.0
    shortfall: float | None = None
    without_target: list[OrgUnit] = field(default_factory=list)
    behind: list[ChildRow] = field(default_factory=list)


def _same(target: Target) -> Q:
    return Q(
        metric_id=target.metric_id, option=target.option, period=target.period, kind=target.kind
    )


def target_detail(*, user: Any, target: Target, today: date | None = None) -> TargetDetail:
    """Return a target with its progress, its children's targets and progress, the
    allocation versions, the shortfall of the allocation and the children without a target."""
    from binhyen.targets.services import allocation_children

    children = [
        c
        for c in allocation_children(target)
        if c.pk
        in set(visible_units(user).filter(parent_id=target.orgunit_id).values_list("pk", flat=True))
    ]
    child_targets = list(_targets().filter(_same(target), orgunit__in=children))
    allocated = {t.orgunit_id: t for t in child_targets if t.parent_id == target.pk}
    own = {t.orgunit_id: t for t in child_targets if t.source == TargetSource.OWN}
    rows = [ChildRow(unit=c, target=allocated.get(c.pk), own=own.get(c.pk)) for c in children]
    judged = [r.own or r.target for r in rows if (r.own or r.target) is not None]
    results = progress_of([target, *[t for t in judged if t is not None]], today=today)
    mine, others = results[0], {p.target.pk: p for p in results[1:]}
    for row in rows:
        chosen = row.own or row.target
        row.progress = others.get(chosen.pk) if chosen is not None else None
    detail = TargetDetail(target=target, progress=mine, children=rows)
    for allocation in target.allocations.order_by("-version"):
        shares = [(s.orgunit, s.value) for s in allocation.shares.select_related("orgunit")]
        detail.allocations.append(
            AllocationView(allocation=allocation, shares=shares, total=sum(v for _u, v in shares))
        )
    detail.allocated_total = sum(r.target.value for r in rows if r.target is not None)
    if target.kind in (TargetKind.COUNT, TargetKind.INCREASE) and detail.allocations:
        gap = target.value - detail.allocated_total
        detail.shortfall = gap if gap > 0 else 0.0
    detail.without_target = [r.unit for r in rows if r.target is None and r.own is None]
    detail.behind = [r for r in rows if r.progress is not None and r.progress.light == Light.RED]
    return detail


def children_table(
    *, user: Any, unit: OrgUnit, year: int, today: date | None = None
) -> tuple[list[Progress], dict[int, list[ChildRow]]]:
    """Return the unit's targets of ``year`` with, for each, its children's rows."""
    targets = list(target_list(user=user, unit=unit, year=year))
    out: dict[int, list[ChildRow]] = {}
    for target in targets:
        out[target.pk] = target_detail(user=user, target=target, today=today).children
    return progress_of(targets, today=today), out


def behind(*, user: Any, today: date | None = None) -> list[Progress]:
    """Return the targets of the user's own units that are behind (for the to-do home)."""
    day = today or timezone.localdate()
    roots = unit_roots(user=user)
    targets = list(
        _targets().filter(orgunit__in=roots, period_start__lte=day, period_end__gte=day)[
            :BEHIND_LIMIT
        ]
    )
    return [p for p in progress_of(targets, today=day) if p.light == Light.RED]


@dataclass
class Unallocated:
    """A parent's running targets and its children that have none of them (to-do home)."""

    unit: OrgUnit
    targets: list[Target]
    children: list[OrgUnit]


def unallocated(*, user: Any, today: date | None = None) -> list[Unallocated]:
    """Return, for each of the user's own units the user manages, the children that have
    no target for one of the unit's running targets (same metric, option, period, kind)."""
    from binhyen.targets.permissions import can_manage
    from binhyen.targets.services import allocation_children

    day = today or timezone.localdate()
    out: list[Unallocated] = []
    for root in unit_roots(user=user):
        if not can_manage(user, root):
            continue
        targets = list(
            _targets().filter(orgunit=root, period_start__lte=day, period_end__gte=day)[
                :BEHIND_LIMIT
            ]
        )
        missing: dict[int, OrgUnit] = {}
        lacking: list[Target] = []
        for target in targets:
            children = allocation_children(target)
            have = set(
                Target.objects.filter(_same(target), orgunit__in=children).values_list(
                    "orgunit_id", flat=True
                )
            )
            without = [c for c in children if c.pk not in have]
            if without:
                lacking.append(target)
                missing.update({c.pk: c for c in without})
        if missing:
            out.append(Unallocated(unit=root, targets=lacking, children=list(missing.values())))
    return out


@dataclass
class ReportDue:
    """A campaign report of one of the user's units: late (ended) or due (running)."""

    campaign: Campaign
    unit: OrgUnit
    period: Period
    late: bool


def campaign_reports_due(*, user: Any, today: date | None = None) -> list[ReportDue]:
    """Return the campaign reports the user's own units have not submitted: every ended
    period of an open campaign they take part in (late), and the running one (due). A
    participating unit sees the campaign's name and form even when the campaign's own
    unit (its province) is outside the user's scope."""
    from binhyen.targets.models import CampaignStatus
    from binhyen.targets.services import campaign_periods

    day = today or timezone.localdate()
    roots = unit_roots(user=user)
    campaigns = (
        Campaign.objects.filter(
            status=CampaignStatus.OPEN,
            form__isnull=False,
            units__in=roots,
            start__lte=day,
        )
        .distinct()
        .select_related("form")
        .order_by("end", "pk")
    )
    out: list[ReportDue] = []
    for campaign in campaigns:
        members = [u for u in campaign.units.all() if u in roots]
        periods = [p for p in campaign_periods(campaign) if p.start <= day]
        done = set(
            Submission.objects.filter(
                form_id=campaign.form_id, status__in=DONE_STATUSES, orgunit__in=members
            ).values_list("orgunit_id", "period")
        )
        for unit in members:
            for period in periods:
                if (unit.pk, period.code) not in done:
                    out.append(ReportDue(campaign, unit, period, late=period.end < day))
    return out


def hotspot_defaults() -> dict[str, float]:
    """Return the default hotspot transformation targets (the hotspots app's settings)."""
    removal, no_relapse = 60.0, 85.0
    if apps.is_installed("binhyen.hotspots"):
        from binhyen.hotspots.selectors import targets as hotspot_targets

        removal_pct, no_relapse_pct = hotspot_targets().get("transformation", (None, None))
        removal = float(removal_pct if removal_pct is not None else removal)
        no_relapse = float(no_relapse_pct if no_relapse_pct is not None else no_relapse)
    return {"removed_pct": removal, "relapsed_pct": round(100.0 - no_relapse, 4)}


# --- campaigns -----------------------------------------------------------------------------


def campaign_list(*, user: Any, q: str | None = None) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.filter(orgunit__in=visible_units(user))
    if q:
        for word in fold(q).split(" "):
            campaigns = campaigns.filter(name_folded__contains=word)
    return campaigns.select_related("orgunit", "plan").order_by("-start", "-pk")


def campaign_get(*, user: Any, pk: int) -> Campaign:
    campaign = (
        Campaign.objects.filter(pk=pk, orgunit__in=visible_units(user))
        .select_related("orgunit", "plan", "form")
        .first()
    )
    if campaign is None:
        raise not_found()
    return campaign


@dataclass
class CampaignCell:
    tracked: CampaignMetric
    actual: float
    target: float

    @property
    def percent(self) -> float | None:
        return round(self.actual / self.target * 100.0, 1) if self.target else None

    @property
    def status(self) -> str:
        if self.actual > self.target:
            return Status.EXCEEDED
        return Status.MET if self.actual == self.target else Status.NOT_MET

    @property
    def label(self) -> str:
        if self.percent is None:
            return prog.number(self.actual)
        text = _("đạt %(pct)s %%") % {"pct": prog.number(self.percent)}
        if self.status == Status.EXCEEDED:
            return _("%(text)s — vượt chỉ tiêu") % {"text": text}
        return text


@dataclass
class CampaignUnitRow:
    unit: OrgUnit
    cells: list[CampaignCell]
    reported: int = 0
    expected: int = 0

    @property
    def score(self) -> float:
        pcts = [c.percent for c in self.cells if c.percent is not None]
        return sum(pcts) / len(pcts) if pcts else 0.0


@dataclass
class CampaignBoard:
    campaign: Campaign
    periods: list[Period]
    due: list[Period]
    tracked: list[CampaignMetric]
    totals: list[CampaignCell]
    rows: list[CampaignUnitRow]
    not_reported: list[tuple[Period, list[OrgUnit]]]

    @property
    def best(self) -> list[CampaignUnitRow]:
        return sorted(self.rows, key=lambda r: (-r.score, r.unit.name))[:3]

    @property
    def lagging(self) -> list[CampaignUnitRow]:
        return sorted(self.rows, key=lambda r: (r.score, r.unit.name))[:3]


def campaign_board(*, user: Any, campaign: Campaign, today: date | None = None) -> CampaignBoard:
    """Return figures against targets by unit, and who has not reported the ended periods."""
    from binhyen.targets.services import campaign_periods

    day = today or timezone.localdate()
    periods = campaign_periods(campaign)
    due = [p for p in periods if p.end < day]
    units = list(campaign.units.filter(pk__in=visible_units(user)).order_by("name_folded", "code"))
    tracked = list(campaign.tracked.select_related("metric"))
    metric_list = [t.metric for t in tracked]
    everyone = [campaign.orgunit, *units]
    grouped = engine.aggregate(metrics=metric_list, units=everyone, periods=periods)

    def actual(unit: OrgUnit, metric: Metric) -> float:
        series = grouped.get((unit.pk, metric.pk, ""))
        return sum(engine.combine(metric, series, p)[0] or 0.0 for p in periods)

    share = max(len(campaign.units.all()), 1)
    totals = [
        CampaignCell(tracked=t, actual=actual(campaign.orgunit, t.metric), target=t.target)
        for t in tracked
    ]
    done: dict[int, set[str]] = defaultdict(set)
    if campaign.form_id is not None:
        for unit_id, period in Submission.objects.filter(
            form_id=campaign.form_id, status__in=DONE_STATUSES, orgunit__in=units
        ).values_list("orgunit_id", "period"):
            done[unit_id].add(period)
    rows = []
    for unit in units:
        cells = [
            CampaignCell(
                tracked=t, actual=actual(unit, t.metric), target=round(t.target / share, 2)
            )
            for t in tracked
        ]
        rows.append(
            CampaignUnitRow(
                unit=unit,
                cells=cells,
                reported=len(done[unit.pk] & {p.code for p in due}),
                expected=len(due),
            )
        )
    missing = [(p, [u for u in units if p.code not in done[u.pk]]) for p in reversed(due)]
    return CampaignBoard(
        campaign=campaign,
        periods=periods,
        due=due,
        tracked=tracked,
        totals=totals,
        rows=rows,
        not_reported=[(p, us) for p, us in missing if us],
    )


def campaign_summary(board: CampaignBoard) -> dict[str, Any]:
    """Return the closing summary of a campaign (plain data the documents can render)."""
    campaign = board.campaign
    return {
        "name": campaign.name,
        "unit": campaign.orgunit.name,
        "start": campaign.start.isoformat(),
        "end": campaign.end.isoformat(),
        "periods": len(board.periods),
        "figures": [
            {
                "metric": c.tracked.metric.code,
                "name": c.tracked.metric.name,
                "target": c.target,
                "actual": c.actual,
                "percent": c.percent,
                "status": c.status,
                "label": c.label,
            }
            for c in board.totals
        ],
        "best": [r.unit.code for r in board.best],
        "lagging": [r.unit.code for r in board.lagging],
        "not_reported": {p.code: [u.code for u in us] for p, us in board.not_reported},
    }


def task_get(*, user: Any, pk: int) -> PlanTask:
    task = (
        PlanTask.objects.filter(pk=pk, plan__orgunit__in=visible_units(user))
        .select_related("plan", "plan__orgunit")
        .first()
    )
    if task is None:
        raise not_found()
    return task

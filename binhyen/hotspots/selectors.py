"""Reads of the hotspots app, always scoped to the requesting user.

Invariants:
- Every queryset starts from ``OrgUnit.objects.visible_to(user)``: a designation (or task)
  of a commune outside the user's scope is indistinguishable from a missing one (404).
- The board's counts come from the indicators engine (the hotspot metrics published by
  ``HotspotMetricsProvider``), so the board, dashboards and criteria read the same numbers;
  only the lists (overdue tasks, areas lacking a scheme) are read here directly.
- Percentages are rounded half up to one decimal (16/27 → 59.3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.apps import apps
from django.conf import settings
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts import permissions
from binhyen.core.collation import vi_order
from binhyen.core.text import fold
from binhyen.hotspots.models import Designation, PlanTask, Regime, Relapse
from binhyen.hotspots.providers import in_force_on
from binhyen.indicators import engine
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.indicators.target_sources import target_sources
from binhyen.orgunits.history import predecessor_ids
from binhyen.orgunits.models import ROOT_CODE, OrgUnit, UnitKind
from binhyen.orgunits.selectors import communes_with_permission
from binhyen.orgunits.selectors import unit_get as unit_get

MAX_QUERY = 200
BOARD_LIST_LIMIT = 200


class Status:
    ACTIVE = "active"
    PROPOSED = "proposed"
    REMOVED = "removed"
    RELAPSED = "relapsed"


def not_found_message() -> str:
    """Return the one message for missing and forbidden designations alike."""
    return _("Không tìm thấy địa bàn hoặc bạn không có quyền xem địa bàn này.")


def _visible(user: Any) -> QuerySet[Designation]:
    return Designation.objects.filter(orgunit__in=OrgUnit.objects.visible_to(user))


def designation_list(
    *,
    user: Any,
    unit: OrgUnit | None = None,
    regime: str | None = None,
    year: int | None = None,
    status: str | None = None,
    q: str | None = None,
) -> QuerySet[Designation]:
    """Return the visible designations matching the filters.

    A current ``unit`` also finds the designations of its pre-2025 predecessors
    (``orgunits.history.predecessor_ids``, one id-set read), flagged ``recorded_on_predecessor``.
    """
    queryset = _visible(user).annotate(
        has_relapse=Exists(Relapse.objects.filter(designation=OuterRef("pk")))
    )
    on_predecessor: Any = Value(False)
    if unit is not None:
        history = predecessor_ids([unit.path]) if unit.valid_to is None else set()
        here = Q(orgunit__path__startswith=unit.path)
        found = here | Q(orgunit_id__in=history) if history else here
        if unit.valid_to is not None:
            # a designation moved off this closed commune onto its successor is still its record
            found |= Q(former_orgunit__path__startswith=unit.path)
        queryset = queryset.filter(found)
        if history:
            on_predecessor = ~here
    if regime:
        queryset = queryset.filter(regime=regime)
    if year:
        queryset = queryset.filter(year=year)
    if status == Status.ACTIVE:
        queryset = queryset.filter(removal_date__isnull=True)
    elif status == Status.PROPOSED:
        queryset = queryset.filter(removal_date__isnull=True, removal_proposed_on__isnull=False)
    elif status == Status.REMOVED:
        queryset = queryset.filter(removal_date__isnull=False)
    elif status == Status.RELAPSED:
        queryset = queryset.filter(has_relapse=True)
    text = (q or "").strip()[:MAX_QUERY]
    if text:
        words = Q()
        for word in fold(text).split(" "):
            words &= Q(orgunit__name_folded__contains=word)
        queryset = queryset.filter(
            words | Q(decision_number__icontains=text) | Q(orgunit__code=text)
        )
    return (
        queryset.select_related("orgunit", "orgunit__parent", "former_orgunit")
        .annotate(
            recorded_on_predecessor=ExpressionWrapper(on_predecessor, output_field=BooleanField())
        )
        .order_by("-year", "regime", "orgunit__name_folded", "pk")
    )


def designation_get(*, user: Any, pk: int) -> Designation:
    """Return the designation if ``user`` may read it; raise ``Http404`` otherwise."""
    designation = (
        _visible(user)
        .select_related("orgunit", "orgunit__parent", "former_orgunit", "recorded_by")
        .prefetch_related("categories", "responsibilities", "tasks", "relapses")
        .filter(pk=pk)
        .first()
    )
    if designation is None:
        raise Http404(not_found_message())
    return designation


def task_get(*, user: Any, pk: int) -> PlanTask:
    """Return the plan task if ``user`` may read its designation; raise ``Http404`` otherwise."""
    task = (
        PlanTask.objects.filter(designation__in=_visible(user), pk=pk)
        .select_related("designation", "designation__orgunit")
        .first()
    )
    if task is None:
        raise Http404(not_found_message())
    return task


def manageable_communes(
    *, user: Any, q: str | None = None, history: bool = False
) -> QuerySet[OrgUnit]:
    """Return the open communes where ``user`` may designate hotspot areas.

    With ``history`` the pre-reform communes whose history the user may record follow.
    """
    return communes_with_permission(
        user=user, permission=permissions.MANAGE_HOTSPOTS, q=q, history=history
    )


def list_years(*, user: Any) -> list[int]:
    """Return the list years present in the user's scope, newest first (always this year)."""
    years = set(_visible(user).values_list("year", flat=True).distinct())
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


# --- the board -----------------------------------------------------------------------------


def percent(part: int, whole: int) -> Decimal | None:
    """Return ``part / whole`` in percent, rounded half up to one decimal (None if whole is 0)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class RegimeFigures:
    """One regime's figures for one unit and list year."""

    regime: str
    label: str
    designated: int = 0
    removed: int = 0
    relapsed: int = 0
    in_force: int = 0
    removal_target: int | None = None
    no_relapse_target: int | None = None
    targets_from_plan: bool = False  # the unit's own targets (else the settings' defaults)

    @property
    def removed_pct(self) -> Decimal | None:
        return percent(self.removed, self.designated)

    @property
    def no_relapse_pct(self) -> Decimal | None:
        return percent(self.removed - self.relapsed, self.removed)

    @property
    def meets_removal_target(self) -> bool | None:
        pct = self.removed_pct
        if self.removal_target is None or pct is None:
            return None
        return pct >= self.removal_target

    @property
    def meets_no_relapse_target(self) -> bool | None:
        pct = self.no_relapse_pct
        if self.no_relapse_target is None or pct is None:
            return None
        return pct >= self.no_relapse_target


@dataclass
class BoardRow:
    unit: OrgUnit
    figures: list[RegimeFigures]


@dataclass
class Board:
    root: OrgUnit
    year: int
    regime: str | None
    totals: list[RegimeFigures]
    rows: list[BoardRow] = field(default_factory=list)
    overdue: list[PlanTask] = field(default_factory=list)
    overdue_count: int = 0
    lacking_scheme: list[Designation] | None = None


class Targets(NamedTuple):
    """The percentages a regime aims at: areas removed, and removed areas without relapse."""

    removal_pct: int | None
    no_relapse_pct: int | None


def targets() -> dict[str, Targets]:
    """Return the default targets per regime, from settings (a province's plan may set its
    own: ``unit_targets``)."""
    return {
        Regime.TRANSFORMATION: Targets(
            int(settings.HOTSPOTS_TRANSFORMATION_TARGET_PCT),
            int(settings.HOTSPOTS_NO_RELAPSE_TARGET_PCT),
        ),
    }


def unit_targets(*, user: Any, units: list[OrgUnit], year: int) -> dict[int, dict[str, Targets]]:
    """Return the units' own transformation targets for ``year`` where a plan sets them
    (through the registered target sources): the share of the list transformed ("at least",
    rate of ``hotspots_removed``) and of transformed areas not relapsing (100 − the "at
    most" rate of ``hotspots_relapsed``). A percentage not set keeps the settings' default;
    percentages are whole numbers on the board."""
    period = Period(PeriodKind.YEAR, year)
    found = target_sources.figures(
        user=user, units=units, period_start=period.start, period_end=period.end
    )
    defaults = targets()
    out: dict[int, dict[str, Targets]] = {}
    for unit_id, figures in found.items():
        for regime, default in defaults.items():
            removal = no_relapse = None
            for f in figures:
                if f.kind != "rate" or f.option not in ("", regime) or f.period != period.code:
                    continue
                if f.metric_code == "hotspots_removed" and f.comparison == "at_least":
                    removal = round(f.value)
                elif f.metric_code == "hotspots_relapsed" and f.comparison == "at_most":
                    no_relapse = round(100 - f.value)
            if removal is not None or no_relapse is not None:
                out.setdefault(unit_id, {})[regime] = Targets(
                    removal if removal is not None else default.removal_pct,
                    no_relapse if no_relapse is not None else default.no_relapse_pct,
                )
    return out


def board_roots(*, user: Any) -> list[OrgUnit]:
    """Return the units the user may open a board for: the outermost units of their scope."""
    if permissions.is_superadmin(user):
        return list(OrgUnit.objects.filter(code=ROOT_CODE))
    paths = permissions.scope_paths(user, permissions.VIEW_UNITS)
    return list(OrgUnit.objects.filter(path__in=paths).order_by("level", "name_folded"))


def _figures(
    grouped: engine.Grouped,
    metrics: dict[str, Metric],
    unit: OrgUnit,
    period: Period,
    regimes: list[str],
    own: dict[str, Targets] | None = None,
) -> list[RegimeFigures]:
    goals = targets()
    labels = dict(Regime.choices)
    out = []
    for regime in regimes:
        figures = RegimeFigures(regime=regime, label=str(labels[regime]))
        figures.removal_target, figures.no_relapse_target = goals.get(regime, Targets(None, None))
        if own and regime in own:
            figures.removal_target, figures.no_relapse_target = own[regime]
            figures.targets_from_plan = True
        for attr, code in (
            ("designated", "hotspots_designated"),
            ("removed", "hotspots_removed"),
            ("relapsed", "hotspots_relapsed"),
            ("in_force", "hotspots_in_force"),
        ):
            metric = metrics.get(code)
            if metric is None:
                continue
            value, _pred = engine.combine(metric, grouped.get((unit.pk, metric.pk, regime)), period)
            setattr(figures, attr, int(value or 0))
        out.append(figures)
    return out


def board(*, user: Any, root: OrgUnit, year: int, regime: str | None = None) -> Board:
    """Return the hotspot board of ``root`` (visible to ``user``) for the list ``year``.

    Counts (designated, removed, relapsed, in force) per regime come from the engine, for
    ``root`` and, when ``root`` is the country, for each province. Overdue tasks and areas
    in force without an active typical scheme are listed below ``root``.
    """
    if not OrgUnit.objects.visible_to(user).filter(pk=root.pk).exists():
        raise Http404(_("Không tìm thấy đơn vị hoặc bạn không có quyền xem đơn vị này."))
    regimes = [regime] if regime else list(Regime.values)
    period = Period(PeriodKind.YEAR, year)
    metrics = {
        m.code: m
        for m in Metric.objects.filter(
            code__in=[
                "hotspots_designated",
                "hotspots_removed",
                "hotspots_relapsed",
                "hotspots_in_force",
            ],
            is_active=True,
        ).select_related("disaggregation")
    }
    units = [root]
    children: list[OrgUnit] = []
    if root.kind == UnitKind.COUNTRY:
        children = list(
            OrgUnit.objects.visible_to(user)
            .filter(parent=root, kind=UnitKind.PROVINCE, valid_to__isnull=True)
            .order_by(vi_order("name"))
        )
        units.extend(children)
    grouped = engine.aggregate(
        metrics=list(metrics.values()), units=units, periods=[period], by_option=True
    )
    own = unit_targets(user=user, units=units, year=year)
    result = Board(
        root=root,
        year=year,
        regime=regime,
        totals=_figures(grouped, metrics, root, period, regimes, own.get(root.pk)),
        rows=[
            BoardRow(unit=c, figures=_figures(grouped, metrics, c, period, regimes, own.get(c.pk)))
            for c in children
        ],
    )
    overdue = overdue_tasks(user=user, root=root, regime=regime)
    result.overdue_count = overdue.count()
    result.overdue = list(overdue[:BOARD_LIST_LIMIT])
    result.lacking_scheme = lacking_scheme(user=user, root=root, regime=regime)
    return result


def overdue_tasks(
    *, user: Any, root: OrgUnit, regime: str | None = None, on: date | None = None
) -> QuerySet[PlanTask]:
    """Return the tasks of areas in force below ``root`` that are past their deadline, not done."""
    day = on or timezone.localdate()
    tasks = PlanTask.objects.filter(
        in_force_on(day, "designation__"),
        designation__in=_visible(user),
        designation__orgunit__path__startswith=root.path,
        deadline__lt=day,
    ).filter(Q(completed_on__isnull=True) | Q(completed_on__gt=day))
    if regime:
        tasks = tasks.filter(designation__regime=regime)
    return tasks.select_related("designation", "designation__orgunit").order_by("deadline", "pk")


def lacking_scheme(
    *, user: Any, root: OrgUnit, regime: str | None = None, on: date | None = None
) -> list[Designation] | None:
    """Return the areas in force below ``root`` whose commune has no active typical scheme.

    Returns None when the community app (which knows the schemes) is not installed.
    """
    if not apps.is_installed("binhyen.community"):
        return None
    from binhyen.community.selectors import communes_with_active_typical_scheme

    day = on or timezone.localdate()
    designations = _visible(user).filter(in_force_on(day), orgunit__path__startswith=root.path)
    if regime:
        designations = designations.filter(regime=regime)
    found = list(
        designations.select_related("orgunit", "orgunit__parent").order_by(
            "orgunit__name_folded", "regime", "pk"
        )[: BOARD_LIST_LIMIT * 5]
    )
    covered = communes_with_active_typical_scheme(unit_ids={d.orgunit_id for d in found}, on=day)
    return [d for d in found if d.orgunit_id not in covered][:BOARD_LIST_LIMIT]

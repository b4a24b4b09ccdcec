"""Reads of schemes, their covered units, and the typical-scheme question of hotspots.
Invariants:
- Every read that takes a ``user`` starts from ``OrgUnit.objects.visible_to(user)``: a
  record whose unit is outside the scope is indistinguishable from a missing one (the
  ``*_get`` functions raise the same ``Http404`` for both).
- A scheme is visible when *any* unit it covers is visible; the other covered units are
  named (their names are public) but only visible ones are linked.
- ``communes_with_active_typical_scheme`` is the one read without a user: it answers a
  question about unit ids its caller (the hotspots app) has already scoped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.http import Http404

from binhyen.community import permissions as community_perms
from binhyen.community.models import (
    Scheme,
    SchemeStatus,
    SchemeType,
    SchemeUnitHistory,
)
from binhyen.community.selectors.history import history_ids, unit_or_history_q
from binhyen.community.selectors.units import (
    _BELOW_COMMUNE,
    _name_filter,
    _visible,
    not_found_message,
    units_visible,
)
from binhyen.core.collation import vi_order
from binhyen.orgunits.models import OrgUnit, UnitKind

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
    """Search the visible schemes; ``unit`` keeps those covering it or a unit below it.

    A current ``unit`` also finds the schemes recorded on its predecessors (flagged
    ``recorded_on_predecessor``).
    """
    queryset = schemes_visible(user)
    on_predecessor: Any = Value(False)
    if unit is not None:
        history = history_ids(unit)
        here = Q(
            pk__in=SchemeUnit.objects.filter(unit_or_history_q("orgunit", unit, history)).values(
                "scheme_id"
            )
        )
        if unit.valid_to is not None:
            # a scheme moved off this closed unit onto its successor is still its record
            here |= Q(
                pk__in=SchemeUnitHistory.objects.filter(orgunit__path__startswith=unit.path).values(
                    "scheme_id"
                )
            )
        queryset = queryset.filter(here)
        if history:
            on_predecessor = ~Exists(
                SchemeUnit.objects.filter(
                    scheme_id=OuterRef("pk"), orgunit__path__startswith=unit.path
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
        .annotate(
            open_sites=Count("sites", filter=Q(sites__ended_on__isnull=True), distinct=True),
            recorded_on_predecessor=ExpressionWrapper(on_predecessor, output_field=BooleanField()),
        )
        .order_by(vi_order("name"), "id")
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
    return schemes_visible(user).filter(replicated_from=scheme).order_by(vi_order("name"))


def scheme_choices_for_replication(*, user: Any, exclude: Scheme | None = None) -> QuerySet[Scheme]:
    queryset = schemes_visible(user).select_related("scheme_type").order_by(vi_order("name"))
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset


# --- for the hotspots app ----------------------------------------------------------------------


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

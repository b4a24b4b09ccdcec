"""Reads of the administrative map, always scoped to the requesting user.

Invariants:
- Every queryset here starts from ``OrgUnit.objects.visible_to(user)``: a unit outside the
  user's scope is indistinguishable from a missing one (``unit_get`` raises the same
  ``Http404`` for both).
- Search is diacritic-insensitive: the query is folded with ``binhyen.core.text.fold`` and
  compared with ``name_folded``, so "luong phong" finds "Lương Phong".
- Breadcrumbs may name ancestors the user cannot open (a commune officer sees the name of
  their province) but only link to the visible ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from binhyen.accounts import permissions
from binhyen.accounts.models import RoleAssignment
from binhyen.core.collation import vi_order
from binhyen.core.text import fold
from binhyen.orgunits.models import ROOT_CODE, Lineage, OrgUnit, OrgUnitQuerySet, Subkind, UnitKind

# Longest folded query we search for: unit names are at most 200 characters.
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class LinkedUnit:
    """One end of a lineage edge, seen from the other end."""

    unit: OrgUnit
    kind: str
    kind_label: str
    is_default: bool
    share: Decimal | None
    effective_date: date


@dataclass(frozen=True)
class Ancestor:
    """One breadcrumb: the ancestor's name always, a link only when ``visible``."""

    code: str
    name: str
    kind: str
    visible: bool


def not_found_message() -> str:
    """Return the one message used for missing and forbidden units alike."""
    return _("Không tìm thấy đơn vị hoặc bạn không có quyền xem đơn vị này.")


def _visible(user: Any) -> OrgUnitQuerySet:
    return OrgUnit.objects.visible_to(user)


def unit_get(*, user: Any, code: str) -> OrgUnit:
    """Return the unit with ``code`` if ``user`` may read it; raise ``Http404`` otherwise."""
    if not code or "\x00" in code:
        raise Http404(not_found_message())
    unit = _visible(user).select_related("parent").filter(code=code).first()
    if unit is None:
        raise Http404(not_found_message())
    return unit


def _clean_query(q: str | None) -> str:
    """Return the query trimmed, without NUL characters (PostgreSQL text cannot hold them)."""
    return (q or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


def _text_filter(queryset: OrgUnitQuerySet, q: str) -> OrgUnitQuerySet:
    """Keep units whose folded name holds every word of ``q``, or whose code starts with ``q``."""
    raw = _clean_query(q)
    folded = fold(raw)
    if not folded:
        return queryset
    words = Q()
    for word in folded.split(" "):
        words &= Q(name_folded__contains=word)
    return queryset.filter(words | Q(code__istartswith=raw))


def communes_with_permission(
    *, user: Any, permission: str, q: str | None = None, history: bool = False
) -> QuerySet[OrgUnit]:
    """Return the open communes where ``user`` holds ``permission``, filtered by ``q``.

    With ``history`` the pre-reform communes the user may record history on
    (``history.recordable_predecessors``) follow the open ones.
    """
    queryset = _visible(user).filter(kind=UnitKind.COMMUNE, valid_to__isnull=True)
    if not permissions.is_superadmin(user):
        paths = permissions.scope_paths(user, permission)
        if not paths:
            return queryset.none()
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        queryset = queryset.filter(condition)
    if history:
        from binhyen.orgunits.history import recordable_predecessors

        old = recordable_predecessors(user, permission).filter(kind=UnitKind.COMMUNE)
        queryset = OrgUnit.objects.filter(
            Q(pk__in=queryset.values("pk")) | Q(pk__in=old.values("pk"))
        )
    if q:
        queryset = _text_filter(queryset, q)
    ordering = [vi_order("name"), "code"]
    if history:
        ordering.insert(0, _closed_last())
    return queryset.select_related("parent").order_by(*ordering)


def unit_children(
    *,
    user: Any,
    unit: OrgUnit,
    q: str | None = None,
    kind: str | None = None,
    with_former: bool = False,
) -> QuerySet[OrgUnit]:
    """Return the visible direct children of ``unit``: open units first, then by name.

    With ``with_former``, a pre-2025 commune also lists its former villages and
    establishments (those that keep it as ``former_parent``, now under another commune), for
    history; the map pages and the API show them, figures do not (they read the tree).
    """
    queryset = _visible(user).filter(parent=unit)
    if with_former and unit.kind == UnitKind.COMMUNE and not unit.is_current:
        queryset = _visible(user).filter(Q(parent=unit) | Q(former_parent=unit))
    queryset = queryset.select_related("parent", "former_parent")
    if kind:
        queryset = queryset.filter(kind=kind)
    if q:
        queryset = _text_filter(queryset, q)
    return queryset.order_by(_closed_last(), _kind_order(), "name_folded", "code")


def _kind_order() -> Case:
    """Sort key: kinds from the top of the tree down (villages before establishments)."""
    return Case(
        *(When(kind=kind, then=Value(rank)) for rank, kind in enumerate(UnitKind.values)),
        default=Value(len(UnitKind.values)),
        output_field=IntegerField(),
    )


def _closed_last() -> Case:
    """Sort key: open units (0) before closed ones (1)."""
    return Case(
        When(valid_to__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )


def _kind_words() -> list[str]:
    """Return the folded type words that start unit names ("xa", "phuong", "thon", ...)."""
    with translation.override("vi"):
        return sorted({fold(str(label)) for value, label in Subkind.choices})


def unit_search(
    *,
    user: Any,
    q: str | None,
    kind: str | None = None,
    parent: OrgUnit | None = None,
    on: date | None = None,
    current_only: bool = False,
) -> QuerySet[OrgUnit]:
    """Search the units ``user`` may read.

    ``parent`` limits the search to units below it (the parent itself excluded); ``on``
    keeps units valid on that day; ``current_only`` keeps units open today. With a query,
    exact matches come first, then names starting with it (or ending with it after the
    kind word, as in "Xã Lương Phong"), then word starts, then the rest; open units before
    closed ones at each rank. Without a query units come in tree order.
    """
    queryset: OrgUnitQuerySet = _visible(user)
    if kind:
        queryset = queryset.filter(kind=kind)
    if parent is not None:
        queryset = queryset.filter(path__startswith=parent.path).exclude(pk=parent.pk)
    if on is not None:
        queryset = queryset.valid_on(on)
    if current_only:
        queryset = queryset.current()
    raw = _clean_query(q)
    folded = fold(raw)
    if not folded:
        return queryset.order_by("path")
    queryset = _text_filter(queryset, raw)
    # "luong phong" matches "Xã Lương Phong" exactly: the kind word is not part of the name.
    exact_names = [folded, *(f"{word} {folded}" for word in _kind_words())]
    rank = Case(
        When(Q(name_folded__in=exact_names) | Q(code__iexact=raw), then=Value(0)),
        When(
            Q(name_folded__startswith=folded)
            | Q(name_folded__endswith=f" {folded}")
            | Q(code__istartswith=raw),
            then=Value(1),
        ),
        When(Q(name_folded__contains=f" {folded}"), then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return queryset.annotate(_rank=rank, _closed=_closed_last()).order_by(
        "_rank", "_closed", "level", "name_folded", "code"
    )


def _links(edges: QuerySet[Lineage], attr: str) -> list[LinkedUnit]:
    return [
        LinkedUnit(
            unit=getattr(edge, attr),
            kind=edge.kind,
            kind_label=edge.get_kind_display(),
            is_default=edge.is_default,
            share=edge.share,
            effective_date=edge.effective_date,
        )
        for edge in edges
    ]


def unit_lineage(*, user: Any, unit: OrgUnit) -> dict[str, list[LinkedUnit]]:
    """Return the visible predecessors and successors of ``unit`` (default successor first)."""
    visible = _visible(user)
    predecessors = (
        Lineage.objects.filter(successor=unit, predecessor__in=visible)
        .select_related("predecessor")
        .order_by("predecessor__name_folded", "predecessor__code")
    )
    successors = (
        Lineage.objects.filter(predecessor=unit, successor__in=visible)
        .select_related("successor")
        .order_by("-is_default", "successor__name_folded", "successor__code")
    )
    return {
        "predecessors": _links(predecessors, "predecessor"),
        "successors": _links(successors, "successor"),
    }


def unit_ancestors(unit: OrgUnit, *, user: Any = None) -> list[Ancestor]:
    """Return the ancestors of ``unit`` from the root down, for breadcrumbs.

    Without ``user`` no ancestor is marked visible, so callers only get names.
    """
    codes = unit.ancestor_codes
    if not codes:
        return []
    found = {u.code: u for u in OrgUnit.objects.filter(code__in=codes).only("code", "name", "kind")}
    visible: set[str] = set()
    if user is not None:
        visible = set(_visible(user).filter(code__in=codes).values_list("code", flat=True))
    return [
        Ancestor(code=code, name=found[code].name, kind=found[code].kind, visible=code in visible)
        for code in codes
        if code in found
    ]


def unit_closed_since(unit: OrgUnit) -> date | None:
    """Return the first day ``unit`` no longer existed (the day after ``valid_to``)."""
    if unit.valid_to is None:
        return None
    return unit.valid_to + timedelta(days=1)


def unit_map_points(*, user: Any, unit: OrgUnit, limit: int = 500) -> list[dict[str, Any]]:
    """Return the unit and its visible children that have coordinates, for the map."""
    points: list[dict[str, Any]] = []
    if unit.latitude is not None and unit.longitude is not None:
        points.append(
            {
                "code": unit.code,
                "name": unit.name,
                "lat": unit.latitude,
                "lon": unit.longitude,
                "self": True,
            }
        )
    children = (
        unit_children(user=user, unit=unit)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .values("code", "name", "latitude", "longitude")[:limit]
    )
    points.extend(
        {
            "code": child["code"],
            "name": child["name"],
            "lat": child["latitude"],
            "lon": child["longitude"],
            "self": False,
        }
        for child in children
    )
    return points


def user_home_assignments(*, user: Any) -> list[RoleAssignment]:
    """Return the user's role assignments on units, outermost units first."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        RoleAssignment.objects.filter(user=user, orgunit__in=_visible(user))
        .select_related("orgunit", "orgunit__parent")
        .order_by("orgunit__level", "orgunit__name_folded", "role")
    )


def user_home_units(*, user: Any) -> list[OrgUnit]:
    """Return the units a user without assignments still reaches (the root for superusers)."""
    if permissions.is_superadmin(user):
        return list(OrgUnit.objects.filter(code=ROOT_CODE))
    return []


def units_visible(*, user: Any, units: list[OrgUnit]) -> list[OrgUnit]:
    """Return those of ``units`` that ``user`` may read, in the given order."""
    if not units:
        return []
    allowed = set(_visible(user).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))
    return [u for u in units if u.pk in allowed]

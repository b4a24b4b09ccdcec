"""Scope, units, clock and settings shared by the community reads.
Invariants:
- Every read that takes a ``user`` starts from ``OrgUnit.objects.visible_to(user)``: a
  record whose unit is outside the scope is indistinguishable from a missing one (the
  ``*_get`` functions raise the same ``Http404`` for both).
- Search is diacritic-insensitive (``binhyen.core.text.fold``), at most
  ``MAX_QUERY_LENGTH`` characters of the query are used.
- ``today`` is the app's one clock; ``setting`` reads ``settings.COMMUNITY`` at call time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts import permissions as perms
from binhyen.community import permissions as community_perms
from binhyen.core.text import fold
from binhyen.orgunits.models import OrgUnit, OrgUnitQuerySet, UnitKind

MAX_QUERY_LENGTH = 200


class DateSpan(NamedTuple):
    """A span of days: ``start`` and ``end`` (which end is open is said where it is used)."""

    start: date
    end: date


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


def manageable_communes(*, user: Any, limit: int = 500, history: bool = False) -> list[OrgUnit]:
    """Return open communes where ``user`` may record community data (at most ``limit``).

    With ``history`` the pre-reform communes whose history the user may record follow
    (``orgunits.selectors.communes_with_permission``), for pickers of records dated before
    the reform.
    """
    if history:
        from binhyen.orgunits.selectors import communes_with_permission

        found = communes_with_permission(
            user=user, permission=perms.MANAGE_COMMUNITY, history=True
        )[:limit]
        return [c for c in found if community_perms.can_manage(user, c)]
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
    """Return the open villages/establishments of ``commune`` (the user already sees it).

    A pre-reform commune offers the ones it had: its own (closed or not) and those whose
    former commune it was (``former_parent``), for records dated in its lifetime.
    """
    if commune.valid_to is not None:
        return OrgUnit.objects.filter(
            Q(parent=commune) | Q(former_parent=commune), kind__in=kinds
        ).order_by("kind", "name_folded")
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

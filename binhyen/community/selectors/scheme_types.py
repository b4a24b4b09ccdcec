"""Reads of the scheme-type catalogue.
Invariants:
- Every read that takes a ``user`` starts from ``OrgUnit.objects.visible_to(user)``: a
  record whose unit is outside the scope is indistinguishable from a missing one (the
  ``*_get`` functions raise the same ``Http404`` for both).
- A national type (no province) is readable by anyone who may view units somewhere; a
  province's type by users who see some unit in that province.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from binhyen.accounts import permissions as perms
from binhyen.community.models import (
    SchemeType,
)
from binhyen.community.selectors.units import _visible, not_found_message
from binhyen.orgunits.models import OrgUnit

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

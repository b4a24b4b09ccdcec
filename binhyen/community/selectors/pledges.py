"""Reads of security pledges.
Invariants:
- Every read that takes a ``user`` starts from ``OrgUnit.objects.visible_to(user)``: a
  record whose unit is outside the scope is indistinguishable from a missing one (the
  ``*_get`` functions raise the same ``Http404`` for both).
- Search (on the unit's name) is diacritic-insensitive; filters only narrow the user's
  scope, never widen it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.http import Http404

from binhyen.community.models import (
    Pledge,
)
from binhyen.community.selectors.history import history_ids, unit_or_history_q
from binhyen.community.selectors.units import _visible, _words, not_found_message
from binhyen.orgunits.models import OrgUnit

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
    on_predecessor: Any = Value(False)
    if unit is not None:
        history = history_ids(unit)
        queryset = queryset.filter(unit_or_history_q("orgunit", unit, history))
        if history:
            on_predecessor = ~Q(orgunit__path__startswith=unit.path)
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
    return (
        queryset.select_related("orgunit", "orgunit__parent", "document")
        .annotate(
            recorded_on_predecessor=ExpressionWrapper(on_predecessor, output_field=BooleanField())
        )
        .order_by("-year", "orgunit__path", "signer_kind")
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

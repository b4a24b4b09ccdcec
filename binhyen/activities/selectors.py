"""Reads of the activity log, always scoped to the requesting user.

Invariants:
- Every queryset starts from ``OrgUnit.objects.visible_to(user)``: an activity (or photo) on
  a unit outside the user's scope is indistinguishable from a missing one (``Http404``).
- Filtering by a unit means the unit and everything below it (a commune's list includes
  its villages' activities).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.http import Http404
from django.utils.translation import gettext as _

from binhyen.accounts import permissions
from binhyen.activities.models import Activity, ActivityPhoto
from binhyen.activities.permissions import can_record
from binhyen.core.collation import vi_order
from binhyen.core.search import text_search
from binhyen.orgunits.history import predecessor_ids, under_q
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.orgunits.selectors import communes_with_permission
from binhyen.orgunits.selectors import unit_get as unit_get

MAX_QUERY = 200
MAX_COMMUNES = 200


def commune_of(unit: OrgUnit) -> OrgUnit:
    """Return the commune of a commune or village."""
    if unit.kind == UnitKind.VILLAGE and unit.parent is not None:
        return unit.parent
    return unit


def not_found_message() -> str:
    """Return the one message for missing and forbidden activities alike."""
    return _("Không tìm thấy hoạt động hoặc bạn không có quyền xem hoạt động này.")


def _visible_activities(user: Any) -> QuerySet[Activity]:
    return Activity.objects.filter(orgunit__in=OrgUnit.objects.visible_to(user))


def activity_list(
    *,
    user: Any,
    unit: OrgUnit | None = None,
    kind: str | None = None,
    q: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Activity]:
    """Return the visible activities matching the filters, newest first.

    A current ``unit`` also finds the activities of its pre-2025 predecessors
    (``orgunits.history.predecessor_ids``, one id-set read), flagged ``recorded_on_predecessor``.
    """
    queryset = _visible_activities(user)
    on_predecessor: Any = Value(False)
    if unit is not None:
        history = predecessor_ids([unit.path]) if unit.valid_to is None else set()
        here = under_q("orgunit", unit)
        queryset = queryset.filter(here | Q(orgunit_id__in=history) if history else here)
        if history:
            on_predecessor = ~here
    if kind:
        queryset = queryset.filter(kind=kind)
    if date_from is not None:
        queryset = queryset.filter(date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(date__lte=date_to)
    text = (q or "").strip()[:MAX_QUERY]
    if text:
        queryset = text_search(queryset, text, ["title", "topic", "place"])
    return (
        queryset.select_related("orgunit", "orgunit__parent")
        .annotate(
            recorded_on_predecessor=ExpressionWrapper(on_predecessor, output_field=BooleanField())
        )
        .order_by("-date", "-id")
    )


def activity_get(*, user: Any, pk: int) -> Activity:
    """Return the activity if ``user`` may read it; raise ``Http404`` otherwise."""
    activity = (
        _visible_activities(user)
        .select_related("orgunit", "orgunit__parent", "recorded_by")
        .prefetch_related("villages", "items", "photos")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404(not_found_message())
    return activity


def photo_get(*, user: Any, pk: int) -> ActivityPhoto:
    """Return the photo if ``user`` may read its activity; raise ``Http404`` otherwise."""
    photo = (
        ActivityPhoto.objects.filter(activity__in=_visible_activities(user), pk=pk)
        .select_related("activity", "activity__orgunit")
        .first()
    )
    if photo is None:
        raise Http404(not_found_message())
    return photo


def recording_communes(
    *, user: Any, q: str | None = None, history: bool = False
) -> QuerySet[OrgUnit]:
    """Return the open communes where ``user`` may record activities.

    With ``history`` the pre-reform communes whose history the user may record follow.
    """
    return communes_with_permission(
        user=user, permission=permissions.RECORD_ACTIVITIES, q=q, history=history
    )


def commune_villages(*, user: Any, commune: OrgUnit) -> list[OrgUnit]:
    """Return the villages of ``commune`` that ``user`` may read, by name.

    An open commune offers its open villages; a pre-reform commune offers the villages it
    had (its own and those whose former commune it was).
    """
    queryset = OrgUnit.objects.visible_to(user).filter(kind=UnitKind.VILLAGE)
    if commune.is_current:
        queryset = queryset.filter(parent=commune, valid_to__isnull=True)
    else:
        queryset = queryset.filter(Q(parent=commune) | Q(former_parent=commune))
    return list(queryset.order_by(vi_order("name"), "code"))


def recordable_units(*, user: Any, commune: OrgUnit) -> list[OrgUnit]:
    """Return ``commune`` and its villages where ``user`` may record activities."""
    units = [commune, *commune_villages(user=user, commune=commune)]
    return [u for u in units if can_record(user, u)]


def units_by_code(*, user: Any, codes: list[str]) -> list[OrgUnit]:
    """Return the visible units among ``codes`` (missing and forbidden ones are left out)."""
    if not codes:
        return []
    return list(OrgUnit.objects.visible_to(user).filter(code__in=codes))

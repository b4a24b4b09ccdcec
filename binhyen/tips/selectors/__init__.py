"""Reads of the tips app, one module per concern, re-exported here for callers.

- ``tips``: the officers' inbox and tip page, the citizen's view with code and secret, the
  public unit lists of the intake form, the Zalo delivery queue.
- ``routing``: where a new tip goes (``route_tip``, ``zalo_unit``) and the per-process
  memory of units found by code.

Invariants:
- Officer reads start from ``OrgUnit.objects.visible_to(user)`` narrowed to the units where
  the user holds ``TRIAGE_TIPS``; a tip outside that scope and a missing tip both raise the
  same ``Http404``.
- Nothing here writes.
"""

from binhyen.tips.selectors.routing import (
    PIN_LATITUDE_RANGE,
    PIN_LONGITUDE_RANGE,
    PIN_SEARCH_DEGREES,
    UNIT_CACHE_MAX,
    Route,
    pin_check,
    route_tip,
    unit_cache_clear,
    zalo_unit,
)
from binhyen.tips.selectors.tips import (
    DUPLICATE_CANDIDATES,
    DUPLICATE_MIN_SCORE,
    DUPLICATE_SHOWN,
    DuplicateSuggestion,
    InboxFilter,
    categories,
    claim_active,
    claimer_name,
    is_overdue,
    not_found_message,
    officer_tip_record,
    public_communes,
    public_provinces,
    public_unit,
    public_villages,
    reply_templates,
    tip_duplicates,
    tip_for_citizen,
    tip_get,
    tip_inbox,
    tip_media,
    tip_media_get,
    tip_public_thread,
    tip_thread,
    tip_triage_officers,
    triage_units,
    zalo_pushes_for,
)

__all__ = [
    "DUPLICATE_CANDIDATES",
    "DUPLICATE_MIN_SCORE",
    "DUPLICATE_SHOWN",
    "PIN_LATITUDE_RANGE",
    "PIN_LONGITUDE_RANGE",
    "PIN_SEARCH_DEGREES",
    "UNIT_CACHE_MAX",
    "DuplicateSuggestion",
    "InboxFilter",
    "Route",
    "categories",
    "claim_active",
    "claimer_name",
    "is_overdue",
    "not_found_message",
    "officer_tip_record",
    "pin_check",
    "public_communes",
    "public_provinces",
    "public_unit",
    "public_villages",
    "reply_templates",
    "route_tip",
    "tip_duplicates",
    "tip_for_citizen",
    "tip_get",
    "tip_inbox",
    "tip_media",
    "tip_media_get",
    "tip_public_thread",
    "tip_thread",
    "tip_triage_officers",
    "triage_units",
    "unit_cache_clear",
    "zalo_pushes_for",
    "zalo_unit",
]

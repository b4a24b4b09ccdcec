"""Reads of the community app, scoped to the requesting user.

One module per sub-domain, re-exported here so callers write ``selectors.<name>``:
``units`` (scope, clock, settings), ``scheme_types``, ``schemes``, ``teams``, ``gradings``
(rules and the grading sheet), ``pledges``, ``decisions``, ``overview``.

Invariants:
- Every read that takes a ``user`` starts from ``OrgUnit.objects.visible_to(user)``: a
  record whose unit is outside the scope is indistinguishable from a missing one (the
  ``*_get`` functions raise the same ``Http404`` for both).
- ``communes_with_active_typical_scheme`` is the one read without a user: it answers a
  question about unit ids its caller (the hotspots app) has already scoped.
- Search is diacritic-insensitive (``binhyen.core.text.fold``).
"""

from binhyen.community.selectors.decisions import (
    decision_get,
)
from binhyen.community.selectors.gradings import (
    EffectiveRules,
    GradingSheet,
    MemberRow,
    TeamRow,
    active_span,
    add_months,
    current_team_year,
    grading_sheet,
    months_active,
    national_rules,
    rules_for,
    team_period,
)
from binhyen.community.selectors.history import (
    history_ids,
    history_notes,
    provinces_reached,
    scheme_unit_history,
    successor_names,
    unit_or_history_q,
)
from binhyen.community.selectors.overview import (
    MONTH_METRICS,
    Overview,
    overview,
)
from binhyen.community.selectors.pledges import (
    pledge_get,
    pledge_list,
    pledges_visible,
)
from binhyen.community.selectors.scheme_types import (
    scheme_type_get,
    scheme_type_list,
    scheme_types_available,
)
from binhyen.community.selectors.schemes import (
    CoveredUnit,
    SchemeUnit,
    communes_with_active_typical_scheme,
    scheme_active_q,
    scheme_can_edit,
    scheme_choices_for_replication,
    scheme_get,
    scheme_list,
    scheme_replicas,
    scheme_units,
    schemes_visible,
)
from binhyen.community.selectors.teams import (
    active_member_count,
    member_get,
    team_get,
    team_gradings,
    team_list,
    team_members,
    teams_visible,
    villages_without_team,
)
from binhyen.community.selectors.units import (
    MAX_QUERY_LENGTH,
    DateSpan,
    children_of,
    default_commune,
    home_unit,
    manageable_communes,
    not_found_message,
    province_get,
    province_of,
    setting,
    today,
    unit_get,
    units_visible,
)

__all__ = [
    "MAX_QUERY_LENGTH",
    "MONTH_METRICS",
    "CoveredUnit",
    "DateSpan",
    "EffectiveRules",
    "GradingSheet",
    "MemberRow",
    "Overview",
    "SchemeUnit",
    "TeamRow",
    "active_member_count",
    "active_span",
    "add_months",
    "children_of",
    "communes_with_active_typical_scheme",
    "current_team_year",
    "decision_get",
    "default_commune",
    "grading_sheet",
    "history_ids",
    "history_notes",
    "home_unit",
    "manageable_communes",
    "member_get",
    "months_active",
    "national_rules",
    "not_found_message",
    "overview",
    "pledge_get",
    "pledge_list",
    "pledges_visible",
    "province_get",
    "province_of",
    "provinces_reached",
    "rules_for",
    "scheme_active_q",
    "scheme_can_edit",
    "scheme_choices_for_replication",
    "scheme_get",
    "scheme_list",
    "scheme_replicas",
    "scheme_type_get",
    "scheme_type_list",
    "scheme_types_available",
    "scheme_unit_history",
    "scheme_units",
    "schemes_visible",
    "setting",
    "successor_names",
    "team_get",
    "team_gradings",
    "team_list",
    "team_members",
    "team_period",
    "teams_visible",
    "today",
    "unit_get",
    "unit_or_history_q",
    "units_visible",
    "villages_without_team",
]

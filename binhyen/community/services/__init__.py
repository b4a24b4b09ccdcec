"""Writes of the community app: schemes, security teams, gradings, pledges, their decisions.

One module per sub-domain, re-exported here so callers write ``services.<name>``:
``decisions``, ``scheme_types``, ``schemes``, ``teams`` (members, training), ``gradings``
(and their rules), ``pledges``, ``metrics`` (publishing numbers), ``checks`` (shared checks).

Invariants:
- Every function here is the only way its rows change: keyword-only, typed, one
  transaction, ``full_clean()`` before saving, and one ``AuditEvent`` per call.
- A missing permission raises ``PermissionDenied``; callers answer 404 as for a missing
  record, so existence never leaks.
- Bad input raises one ``ValidationError`` keyed by field name, listing every problem found.
  Nothing is saved: checks (including the upload check) all run before the first write.
"""

from binhyen.community.services.carry import (
    BulkResult,
    CarryPlan,
    carry_allowed,
    carry_may_try,
    scheme_carry_forward,
    scheme_carry_plan,
    schemes_carry_forward_all,
    team_carry_allowed,
    team_carry_forward,
    team_carry_may_try,
    team_carry_plan,
)
from binhyen.community.services.checks import (
    clean_upload,
)
from binhyen.community.services.decisions import (
    DecisionInput,
    decision_file_attach,
)
from binhyen.community.services.gradings import (
    GradeInput,
    GradingResult,
    grading_rules_save,
    team_gradings_save,
)
from binhyen.community.services.metrics import (
    community_metrics_sync,
    metrics_deferred,
)
from binhyen.community.services.pledges import (
    pledge_create,
    pledge_delete,
    pledge_update,
)
from binhyen.community.services.scheme_types import (
    scheme_type_create,
    scheme_type_typical_set,
    scheme_type_update,
)
from binhyen.community.services.schemes import (
    RosterEntry,
    scheme_create,
    scheme_grading_save,
    scheme_member_add,
    scheme_member_remove,
    scheme_site_add,
    scheme_site_end,
    scheme_status_set,
    scheme_update,
)
from binhyen.community.services.teams import (
    team_create,
    team_dissolve,
    team_member_add,
    team_member_update,
    team_update,
    training_add,
)

__all__ = [
    "BulkResult",
    "CarryPlan",
    "DecisionInput",
    "GradeInput",
    "GradingResult",
    "RosterEntry",
    "carry_allowed",
    "carry_may_try",
    "clean_upload",
    "community_metrics_sync",
    "decision_file_attach",
    "grading_rules_save",
    "metrics_deferred",
    "pledge_create",
    "pledge_delete",
    "pledge_update",
    "scheme_carry_forward",
    "scheme_carry_plan",
    "scheme_create",
    "scheme_grading_save",
    "scheme_member_add",
    "scheme_member_remove",
    "scheme_site_add",
    "scheme_site_end",
    "scheme_status_set",
    "scheme_type_create",
    "scheme_type_typical_set",
    "scheme_type_update",
    "scheme_update",
    "schemes_carry_forward_all",
    "team_carry_allowed",
    "team_carry_forward",
    "team_carry_may_try",
    "team_carry_plan",
    "team_create",
    "team_dissolve",
    "team_gradings_save",
    "team_member_add",
    "team_member_update",
    "team_update",
    "training_add",
]

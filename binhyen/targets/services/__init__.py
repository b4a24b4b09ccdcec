"""Writes of the targets app: plans and tasks, targets, allocations, campaigns.

Invariants:
- Every function here is the only way its rows change: keyword-only, one transaction,
  ``full_clean()``, one ``AuditEvent``; a refused call leaves nothing behind.
- Errors are ``ValidationError`` keyed by the field (imports: by row) with a Vietnamese
  message naming the field and the reason; a missing permission is ``PermissionDenied``.
- An allocation never overwrites history: it adds a version, keeps the earlier ones and
  their shares, and brings the allocated child targets to the new values.
- Shares of a count are whole numbers when the metric counts whole things, and their sum
  is the parent's target (largest remainder); rates and changes are given unchanged.
"""

from __future__ import annotations

from binhyen.targets.services.allocations import (
    _apply_shares,
    _weights,
    allocation_children,
    allocation_create,
    split,
)
from binhyen.targets.services.campaigns import (
    CampaignInput,
    campaign_close,
    campaign_create,
    campaign_periods,
)
from binhyen.targets.services.common import (
    ADMIN_KINDS,
    CAMPAIGN_FORM_PREFIX,
    MAX_CAMPAIGN_DAYS,
    PLAN_FIELDS,
    TARGET_FIELDS,
    _raise,
    _require,
    _text,
)
from binhyen.targets.services.hotspot_targets import hotspot_targets_seed
from binhyen.targets.services.imports import allocation_import, targets_import
from binhyen.targets.services.plans import (
    PlanInput,
    _plan_errors,
    plan_create,
    plan_task_add,
    plan_task_update,
    plan_update,
)
from binhyen.targets.services.targets import (
    TargetInput,
    _option_ok,
    _target_name,
    check_target,
    parse_value,
    target_create,
    target_delete,
    target_update,
)

__all__ = [
    "ADMIN_KINDS",
    "CAMPAIGN_FORM_PREFIX",
    "MAX_CAMPAIGN_DAYS",
    "PLAN_FIELDS",
    "TARGET_FIELDS",
    "CampaignInput",
    "PlanInput",
    "TargetInput",
    "_apply_shares",
    "_option_ok",
    "_plan_errors",
    "_raise",
    "_require",
    "_target_name",
    "_text",
    "_weights",
    "allocation_children",
    "allocation_create",
    "allocation_import",
    "campaign_close",
    "campaign_create",
    "campaign_periods",
    "check_target",
    "hotspot_targets_seed",
    "parse_value",
    "plan_create",
    "plan_task_add",
    "plan_task_update",
    "plan_update",
    "split",
    "target_create",
    "target_delete",
    "target_update",
    "targets_import",
]

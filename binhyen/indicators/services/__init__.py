"""Writes of the indicators app: catalogue, values, provider sync, the report workflow.

Invariants:
- Every function here is the only way its rows change; each runs in one transaction, calls
  ``full_clean()`` and records one ``AuditEvent`` summarising what changed (values: the
  before/after of every changed cell), so a failed call leaves nothing behind.
- A batch of values is all-or-nothing: one bad cell refuses the whole batch with an error
  per cell.
- Values of a (unit, period) whose report is submitted or approved are locked; only a
  reviewer's return or reopen unlocks them.
- Workflow: draft → submitted → approved, or submitted → returned (comment required) →
  submitted …; approved → reopened (comment required) by a reviewer. Submitting requires
  every metric of the form to have a value and no broken error-level validation rule.

One module per concern (``catalogue``, ``values``, ``rules``, ``reports``, ``reminders``);
callers import from ``binhyen.indicators.services``.
"""

from __future__ import annotations

from binhyen.indicators.services.catalogue import (
    METRIC_FIELDS,
    REPORT_FORM_FIELDS,
    RULE_FIELDS,
    metric_create,
    metric_update,
    owned_report_form_create,
    report_form_create,
    report_form_update,
    validation_rule_create,
    validation_rule_update,
)
from binhyen.indicators.services.reminders import (
    RemindResult,
    can_remind,
    completeness_remind,
    late_in,
    late_units,
    reminded_at,
)
from binhyen.indicators.services.reports import (
    SaveResult,
    submission_approve,
    submission_open,
    submission_reopen,
    submission_return,
    submission_save,
    submission_save_values,
    submission_submit,
)
from binhyen.indicators.services.rules import RuleResult, rules_check
from binhyen.indicators.services.values import (
    MetricSync,
    ValueInput,
    ValuesRefused,
    data_values_save,
    indicators_metrics_sync,
    provider_values_sync,
    rollups_rebuild,
    values_bulk_write,
)

__all__ = [
    "METRIC_FIELDS",
    "REPORT_FORM_FIELDS",
    "RULE_FIELDS",
    "MetricSync",
    "RemindResult",
    "RuleResult",
    "SaveResult",
    "ValueInput",
    "ValuesRefused",
    "can_remind",
    "completeness_remind",
    "data_values_save",
    "indicators_metrics_sync",
    "late_in",
    "late_units",
    "metric_create",
    "metric_update",
    "owned_report_form_create",
    "provider_values_sync",
    "reminded_at",
    "report_form_create",
    "report_form_update",
    "rollups_rebuild",
    "rules_check",
    "submission_approve",
    "submission_open",
    "submission_reopen",
    "submission_return",
    "submission_save",
    "submission_save_values",
    "submission_submit",
    "validation_rule_create",
    "validation_rule_update",
    "values_bulk_write",
]

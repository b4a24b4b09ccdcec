"""Writes of the programmes app: programmes, criteria sets, and each step of a unit's file.

Invariants:
- Every function here is the only way its rows change: keyword-only, typed, one
  transaction, ``full_clean()`` before saving, and one ``AuditEvent`` per call (the
  indicators app adds its own event for each period it resyncs). Workflow steps are
  audited on the enrolment (the decision on the decision), which is the file's timeline.
- A missing permission raises ``PermissionDenied``; callers answer 404 as for a missing
  record, so existence never leaks.
- Bad input raises one ``ValidationError`` keyed by field, listing every problem found
  (submission lists every missing item); nothing is saved when anything is refused.
- A locked criteria set (used by an enrolment) is never changed; edits go to a new version.
- Published numbers (units enrolled, recognised) are resynced in the same transaction after
  every enrolment, decision and withdrawal, so dashboards and other programmes' rules are
  never stale.

One module per sub-domain (``programmes``, ``criteria``, ``enrolment``, ``verification``,
``decisions``); callers import from ``binhyen.programs.services``.
"""

from __future__ import annotations

from binhyen.programs.services.common import (
    CRITERION_FIELDS,
    DECISION_FIELDS,
    PROGRAM_FIELDS,
    SET_FIELDS,
)
from binhyen.programs.services.criteria import (
    CriterionInput,
    SetInput,
    criteria_set_new_version,
    criteria_set_publish,
    criteria_set_replace,
    criteria_set_update,
    criterion_delete,
    criterion_save,
)
from binhyen.programs.services.decisions import (
    DecisionInput,
    decision_record,
    decision_scan_attach,
    enrollment_withdraw,
)
from binhyen.programs.services.enrolment import (
    assessment_save,
    enrollment_create,
    enrollment_submit,
    evidence_add,
    evidence_delete,
)
from binhyen.programs.services.programmes import (
    active_metric_codes,
    program_adopt,
    program_create,
    program_update,
)
from binhyen.programs.services.verification import (
    assessment_verify,
    enrollment_return,
    enrollment_verify,
)

__all__ = [
    "CRITERION_FIELDS",
    "DECISION_FIELDS",
    "PROGRAM_FIELDS",
    "SET_FIELDS",
    "CriterionInput",
    "DecisionInput",
    "SetInput",
    "active_metric_codes",
    "assessment_save",
    "assessment_verify",
    "criteria_set_new_version",
    "criteria_set_publish",
    "criteria_set_replace",
    "criteria_set_update",
    "criterion_delete",
    "criterion_save",
    "decision_record",
    "decision_scan_attach",
    "enrollment_create",
    "enrollment_return",
    "enrollment_submit",
    "enrollment_verify",
    "enrollment_withdraw",
    "evidence_add",
    "evidence_delete",
    "program_adopt",
    "program_create",
    "program_update",
]

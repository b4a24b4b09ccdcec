"""Writes of the tips app, one module per sub-domain, re-exported here for callers.

- ``intake``: a citizen's tip and follow-ups through the web form and the API;
- ``zalo_intake``: the same through the Zalo Official Account;
- ``triage``: officers' actions on a tip; ``escalation``: overdue tips to the level above;
- ``zalo_delivery``: pushing officer replies to Zalo senders, and its queue;
- ``fast_insert``: the one way a tip row is created, under a fresh tracking code;
- ``metrics``: re-syncing the published tip numbers after commit;
- ``common``: field validation, stored media and webhook events shared by the above.
Where a tip goes is a read: ``binhyen.tips.selectors.route_tip``.

Invariants:
- Each service is the only way its rows change; it runs in one transaction, calls
  ``full_clean()`` and records an ``AuditEvent`` (never with an IP address or contact data).
- Intake and follow-up are durable transactions: when they return, the tip is committed,
  so a tracking code shown to a citizen always names a stored tip.
- Published numbers (indicators) are re-synced by the task queue, never in the request.
- Nothing under this package imports ``binhyen.tips.tasks``, ``views`` or ``api``.
"""

from binhyen.tips.inputs import TipInput
from binhyen.tips.models import CONCLUDED_STATUSES
from binhyen.tips.selectors.routing import (
    PIN_LATITUDE_RANGE,
    PIN_LONGITUDE_RANGE,
    pin_check,
    route_tip,
    unit_cache_clear,
)
from binhyen.tips.services.escalation import (
    tips_escalate_overdue,
)
from binhyen.tips.services.fast_insert import (
    CODE_ATTEMPTS,
    tip_insert_with_fresh_code,
)
from binhyen.tips.services.intake import (
    Submitted,
    tip_follow_up,
    tip_submit,
)
from binhyen.tips.services.metrics import (
    metrics_resync_enqueue,
    metrics_sync_memo_clear,
    tips_metrics_sync,
)
from binhyen.tips.services.triage import (
    MIN_REASON,
    TRIAGE_FIELDS,
    Contact,
    tip_assign,
    tip_claim,
    tip_classify,
    tip_conclude,
    tip_contact_reveal,
    tip_mark_valuable,
    tip_merge,
    tip_note_add,
    tip_release,
    tip_reopen,
    tip_reply,
    tip_set_priority,
    tip_transfer,
    tip_verify_start,
)
from binhyen.tips.services.zalo_delivery import (
    zalo_contacts_purge,
    zalo_push_attempt,
    zalo_push_backoff,
    zalo_push_discard,
    zalo_push_retry,
    zalo_push_send,
    zalo_pushes_due,
    zalo_token_refresh_if_due,
)
from binhyen.tips.services.zalo_intake import (
    ZaloOutcome,
    zalo_event_receive,
)
from binhyen.tips.zalo import ZaloInbound

__all__ = [
    "CODE_ATTEMPTS",
    "CONCLUDED_STATUSES",
    "MIN_REASON",
    "PIN_LATITUDE_RANGE",
    "PIN_LONGITUDE_RANGE",
    "TRIAGE_FIELDS",
    "Contact",
    "Submitted",
    "TipInput",
    "ZaloInbound",
    "ZaloOutcome",
    "metrics_resync_enqueue",
    "metrics_sync_memo_clear",
    "pin_check",
    "route_tip",
    "tip_assign",
    "tip_claim",
    "tip_classify",
    "tip_conclude",
    "tip_contact_reveal",
    "tip_follow_up",
    "tip_insert_with_fresh_code",
    "tip_mark_valuable",
    "tip_merge",
    "tip_note_add",
    "tip_release",
    "tip_reopen",
    "tip_reply",
    "tip_set_priority",
    "tip_submit",
    "tip_transfer",
    "tip_verify_start",
    "tips_escalate_overdue",
    "tips_metrics_sync",
    "unit_cache_clear",
    "zalo_contacts_purge",
    "zalo_event_receive",
    "zalo_push_attempt",
    "zalo_push_backoff",
    "zalo_push_discard",
    "zalo_push_retry",
    "zalo_push_send",
    "zalo_pushes_due",
    "zalo_token_refresh_if_due",
]

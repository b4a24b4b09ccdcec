"""Service levels: open tips past their deadlines are escalated to the level above.

Invariants:
- Level 1: not acknowledged within ``TIPS_ACK_HOURS``; level 2: not concluded within
  ``TIPS_CONCLUDE_DAYS``. Each level is raised once per tip, with an event on the tip and
  an audit event.
- Rows another worker holds are skipped (``skip_locked``), never waited for.
- Escalation changes no published number; the tip metrics are re-synced by their own
  scheduled job (``services.tips_metrics_sync``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.tips import events
from binhyen.tips.models import OPEN_STATUSES, Status, Tip
from binhyen.tips.services.common import full_clean_fields


def _escalation_target(tip: Tip) -> OrgUnit | None:
    parent = tip.orgunit.parent
    while parent is not None and parent.kind == UnitKind.DISTRICT:
        parent = parent.parent
    return parent


@transaction.atomic
def tips_escalate_overdue(*, actor: Actor | None = None, now: datetime | None = None) -> int:
    """Escalate open tips past a deadline to the parent level; return how many were escalated.

    Level 1: not acknowledged within ``TIPS_ACK_HOURS``; level 2: not concluded within
    ``TIPS_CONCLUDE_DAYS``. Each level is raised once per tip.
    """
    now = now or timezone.now()
    ack_late = Tip.objects.filter(
        status=Status.NEW, acknowledged_at__isnull=True, ack_due_at__lt=now, escalation_level=0
    )
    conclude_late = Tip.objects.filter(
        status__in=OPEN_STATUSES, due_at__lt=now, escalation_level__lt=2
    )
    count = 0
    for level, queryset in ((2, conclude_late), (1, ack_late)):
        for tip in queryset.select_for_update(skip_locked=True, of=("self",)).select_related(
            "orgunit__parent"
        ):
            if tip.escalation_level >= level:
                continue
            before = model_snapshot(tip, ["escalation_level", "escalated_to"])
            target = _escalation_target(tip)
            tip.escalation_level = level
            tip.escalated_to = target
            tip.escalated_at = now
            full_clean_fields(tip)
            tip.save(
                update_fields=["escalation_level", "escalated_to", "escalated_at", "updated_at"]
            )
            events.event_record(
                tip,
                events.ESCALATED,
                {
                    "reason": "ack" if level == 1 else "conclude",
                    "unit": target.name if target else "—",
                },
            )
            audit_event_record(
                actor=actor,
                action="tip.escalate",
                obj=tip,
                orgunit=tip.orgunit,
                before=before,
                after={"escalation_level": level, "escalated_to": target.code if target else ""},
            )
            count += 1
    return count

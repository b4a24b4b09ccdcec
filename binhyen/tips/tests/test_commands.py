"""The scheduled escalation: management command and task share one service."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from binhyen.accounts.tests.factories import scene
from binhyen.tips.models import Tip
from binhyen.tips.tasks import escalate_overdue_tips
from binhyen.tips.tests.factories import make_tip

pytestmark = pytest.mark.django_db


def test_command_escalates_overdue_tips():
    s = scene()
    tip = make_tip(s.commune)
    Tip.objects.filter(pk=tip.pk).update(ack_due_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("tips_escalate", stdout=out)
    assert "Escalated 1" in out.getvalue()
    tip.refresh_from_db()
    assert tip.escalated_to == s.province


def test_task_runs_the_same_service():
    s = scene()
    tip = make_tip(s.commune)
    Tip.objects.filter(pk=tip.pk).update(due_at=timezone.now() - timedelta(hours=1))
    result = escalate_overdue_tips.enqueue()
    assert result.return_value == 1

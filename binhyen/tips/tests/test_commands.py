"""Scheduled jobs of the tips app: each management command and its task share one service."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from binhyen.accounts.tests.factories import scene
from binhyen.indicators.models import DataValue
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.tips.models import Tip
from binhyen.tips.tasks import escalate_overdue_tips, tips_metrics_sync
from binhyen.tips.tests.factories import make_tip

pytestmark = pytest.mark.django_db


def test_command_escalates_overdue_tips():
    # given a tip whose acknowledgement is an hour late
    s = scene()
    tip = make_tip(s.commune)
    Tip.objects.filter(pk=tip.pk).update(ack_due_at=timezone.now() - timedelta(hours=1))
    # when the escalation is run by hand
    out = StringIO()
    call_command("tips_escalate", stdout=out)
    # then it is reported and the tip is escalated to the province
    assert "Escalated 1" in out.getvalue()
    tip.refresh_from_db()
    assert tip.escalated_to == s.province


def test_task_runs_the_same_service():
    # given a tip past its conclusion deadline
    s = scene()
    tip = make_tip(s.commune)
    Tip.objects.filter(pk=tip.pk).update(due_at=timezone.now() - timedelta(hours=1))
    # when the scheduled task runs
    result = escalate_overdue_tips.enqueue()
    # then it escalated that one tip
    assert result.return_value == 1


def test_metrics_sync_command_and_task_publish_this_month():
    # given two tips received this month, not yet published
    s = scene()
    make_tip(s.commune)
    make_tip(s.commune)
    month = Period.containing(PeriodKind.MONTH, timezone.localdate()).code
    published = DataValue.objects.filter(
        metric__code="tips_received", orgunit=s.commune, period=month
    )
    published.delete()
    # when the command runs for this month
    out = StringIO()
    call_command("tips_metrics_sync", month, stdout=out)
    # then the count is published
    assert "Changed" in out.getvalue() and published.get().value == 2
    # and when the task publishes this month and the last twice, the second run changes nothing
    tips_metrics_sync.enqueue()
    assert tips_metrics_sync.enqueue().return_value == 0


def test_metrics_sync_command_refuses_a_period_that_is_not_a_month():
    # given a quarter instead of a month, then a code that names no period
    # when the command is asked for them
    # then it refuses, naming the code
    with pytest.raises(CommandError, match="2026-Q1"):
        call_command("tips_metrics_sync", "2026-Q1", stdout=StringIO())
    with pytest.raises(CommandError, match="tháng-ba"):
        call_command("tips_metrics_sync", "tháng-ba", stdout=StringIO())

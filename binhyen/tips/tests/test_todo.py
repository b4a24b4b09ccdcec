"""The tips items of the to-do home: unclaimed tips, tips past their deadline, in scope only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from binhyen.accounts.tests.factories import UserFactory, scene
from binhyen.core.todo import Severity
from binhyen.tips import services
from binhyen.tips.models import Tip
from binhyen.tips.tests.factories import make_tip
from binhyen.tips.todo import TipsTodo

pytestmark = pytest.mark.django_db


def _by_key(user):
    return {i.key: i for i in TipsTodo().items(user)}


def test_an_unclaimed_tip_is_listed_with_its_acknowledgement_deadline():
    # given two new tips in the officer's commune, nobody has taken them
    s = scene()
    tip = make_tip(s.commune)
    make_tip(s.commune)
    # when the commune officer's items are listed
    items = _by_key(s.commune_officer)
    # then two tips wait for someone to take them, due the day the first must be acknowledged
    assert items["tips.unclaimed"].count == 2
    assert items["tips.unclaimed"].severity == Severity.OPEN
    assert items["tips.unclaimed"].due == timezone.localdate(tip.ack_due_at)
    assert items["tips.unclaimed"].url == "/tips/inbox/?unclaimed=on"
    assert "tips.overdue" not in items


def test_a_tip_past_its_deadline_is_late_and_a_claimed_one_is_not_unclaimed():
    # given one tip claimed by the officer and past its deadline
    s = scene()
    tip = make_tip(s.commune)
    services.tip_claim(actor=s.commune_officer, tip=tip)
    Tip.objects.filter(pk=tip.pk).update(due_at=timezone.now() - timedelta(days=2))
    # when listed
    items = _by_key(s.commune_officer)
    # then it is overdue (late, linked to the overdue filter) and no longer "unclaimed"
    assert items["tips.overdue"].count == 1
    assert items["tips.overdue"].severity == Severity.LATE
    assert items["tips.overdue"].url == "/tips/inbox/?overdue=on"
    assert "tips.unclaimed" not in items


def test_tips_out_of_scope_are_not_counted():
    # given a tip in another province's commune
    s = scene()
    make_tip(s.far_commune)
    # when the first commune's officer lists their items; then nothing
    assert _by_key(s.commune_officer) == {}
    # and the far commune's officer sees it
    assert _by_key(s.far_officer)["tips.unclaimed"].count == 1


def test_without_tips_or_permission_nothing_is_listed():
    # given no tip at all, and a user without roles
    s = scene()
    # when listed; then nothing for either
    assert _by_key(s.commune_officer) == {}
    assert _by_key(UserFactory()) == {}
    # and a village member (no triage permission) has nothing even with tips around
    make_tip(s.village)
    assert _by_key(s.village_member) == {}

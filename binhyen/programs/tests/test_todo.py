"""The programme items of the to-do home: files to self-assess, verify, decide — in scope."""

from __future__ import annotations

from datetime import date

import pytest

from binhyen.accounts.tests.factories import UserFactory
from binhyen.core.todo import Severity
from binhyen.programs import services
from binhyen.programs.tests import factories as f
from binhyen.programs.todo import ProgramsTodo

pytestmark = pytest.mark.django_db


def _by_key(user):
    return {i.key: i for i in ProgramsTodo().items(user) if "thu-nghiem" in i.title}


def test_the_enrolled_units_officer_must_self_assess(world, today):
    # given the sibling commune's file still being self-assessed (deadline 30/11/2025)
    # when its officer's items are listed
    items = _by_key(world["sibling_officer"])
    # then one file to assess, linked to the file, due soon
    item = items["programs.assess"]
    assert item.count == 1
    assert item.url == f"/programs/files/{world['pending'].pk}/"
    assert item.severity in (Severity.DUE, Severity.LATE)
    assert isinstance(item.due, date)
    assert item.detail  # the cycle's label, never its code
    assert "2025" in item.detail and item.detail != "2025"


def test_the_province_verifies_submitted_files_and_decides_verified_ones(s, world, today):
    # given the pending file self-assessed and submitted
    pending = world["pending"]
    f.evidence_ready(world["sibling_officer"], pending)
    services.enrollment_submit(actor=world["sibling_officer"], enrollment=pending)
    # when the province officer's items are listed; then one file to verify
    items = _by_key(s.province_officer)
    assert items["programs.verify"].count == 1
    assert items["programs.verify"].url == f"/programs/files/{pending.pk}/verify/"
    assert "programs.decide" not in items
    # and once verified, one file to decide (the decision page of the cycle)
    f.verify_all(s.province_officer, pending)
    items = _by_key(s.province_officer)
    assert "programs.verify" not in items
    assert items["programs.decide"].url.startswith("/programs/thu-nghiem/decide/?period=")


def test_files_out_of_scope_are_not_listed(s, world, today):
    # given the sibling commune's pending file
    # when the other province's officer and the first commune's officer list their items
    # then neither sees a file to work on
    assert _by_key(s.far_officer) == {}
    assert _by_key(s.commune_officer) == {}


def test_a_user_without_roles_has_nothing(world, today):
    assert _by_key(UserFactory()) == {}

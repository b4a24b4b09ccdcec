"""The audit trail writer."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from binhyen.accounts.tests.factories import UserFactory
from binhyen.core.models import AuditEvent
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.orgunits.tests.factories import CommuneFactory

pytestmark = pytest.mark.django_db


def test_records_actor_object_unit_and_changes():
    # given a user and a unit
    user = UserFactory(username="canbo")
    commune = CommuneFactory(name="Xã Hiệp Hòa")
    # when an action is recorded
    event = audit_event_record(
        actor=user,
        action="orgunit.update",
        obj=commune,
        orgunit=commune,
        before={"population": None},
        after={"population": 18858},
    )
    # then every part is kept
    event.refresh_from_db()
    assert event.actor == user
    assert event.actor_label == "canbo"
    assert event.object_type == "orgunits.OrgUnit"
    assert event.object_id == str(commune.pk)
    assert event.object_repr == "Xã Hiệp Hòa"
    assert event.orgunit == commune
    assert event.changes == {"before": {"population": None}, "after": {"population": 18858}}


def test_anonymous_and_system_actions_have_no_actor():
    # when recorded without a signed-in user
    first = audit_event_record(actor=AnonymousUser(), action="tips.submit")
    second = audit_event_record(actor=None, action="orgunits.import")
    # then the actor is empty and labelled "system"
    assert first.actor is None and second.actor is None
    assert {first.actor_label, second.actor_label} == {"system"}
    assert AuditEvent.objects.count() == 2


def test_snapshot_is_json_safe():
    # given a unit with a parent (a model instance) and dates
    commune = CommuneFactory()
    # when a snapshot is taken
    snap = model_snapshot(commune, ["name", "parent", "valid_to", "population"])
    # then model instances become their primary keys and the rest stays readable
    assert snap["parent"] == str(commune.parent.pk)
    assert snap["valid_to"] is None
    assert snap["population"] == 10000

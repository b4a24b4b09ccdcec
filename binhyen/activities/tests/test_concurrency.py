"""Two activities recorded at the same moment publish their figures without colliding."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from binhyen.activities.models import Activity
from binhyen.activities.tests.factories import commune_scene
from binhyen.core.tests.test_idempotency import ACTIVITIES, patrol, send
from binhyen.indicators.models import DataValue
from binhyen.orgunits.tests.test_api import token_for


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_two_activities_of_one_month_sent_at_once_are_both_counted():
    # given two officers' phones sending a patrol of the same commune and month at once
    scene = commune_scene()
    token = token_for(scene.officer)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post(title: str) -> None:
        try:
            barrier.wait()
            answer = send(Client(), token, "post", ACTIVITIES, patrol(scene.commune, title))
            statuses.append(answer.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(f"Tuần tra {i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then both are stored (no collision on the figures' rows) and the month counts two
    assert sorted(statuses) == [201, 201]
    assert Activity.objects.filter(kind="patrol").count() == 2
    value = DataValue.objects.get(
        metric__code="patrols", orgunit=scene.commune, period="2025M03", option=""
    )
    assert value.value == 2

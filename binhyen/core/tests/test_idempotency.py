"""Exactly-once API writes (``Idempotency-Key``) and version-checked edits (``If-Match``)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from binhyen.activities.models import Activity
from binhyen.activities.tests.factories import commune_scene
from binhyen.core.idempotency import IdempotencyRecord, idempotency_purge, version_of
from binhyen.orgunits import services as unit_services
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.tests.test_api import token_for

pytestmark = pytest.mark.django_db
ACTIVITIES = "/api/v1/activities"


def send(client, token, method, path, body, **headers):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return getattr(client, method)(
        path,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **extra,
    )


def patrol(unit: OrgUnit, title: str = "Tuần tra đêm") -> dict:
    return {"kind": "patrol", "unit": unit.code, "date": "2025-03-10", "title": title}


@pytest.fixture
def scene():
    s = commune_scene()
    s.token = token_for(s.officer)  # type: ignore[attr-defined]
    return s


def test_a_retry_after_a_lost_answer_returns_the_first_result(client, scene):
    # given an activity sent with a key, whose answer the phone never received
    first = send(
        client,
        scene.token,
        "post",
        ACTIVITIES,
        patrol(scene.commune),
        **{"Idempotency-Key": "k-retry-0001"},
    )
    assert first.status_code == 201
    # when the phone sends it again with the same key
    again = send(
        client,
        scene.token,
        "post",
        ACTIVITIES,
        patrol(scene.commune),
        **{"Idempotency-Key": "k-retry-0001"},
    )
    # then it gets the first answer again, marked as replayed, and one activity exists
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Activity.objects.filter(title="Tuần tra đêm").count() == 1
    record = IdempotencyRecord.objects.get(key="k-retry-0001")
    assert (record.user, record.method, record.status) == (scene.officer, "POST", 201)


def test_without_a_key_every_request_writes(client, scene):
    # given no Idempotency-Key header (clients that do not use it)
    for _ in range(2):
        assert (
            send(client, scene.token, "post", ACTIVITIES, patrol(scene.commune)).status_code == 201
        )
    # then both requests wrote, and no key was stored
    assert Activity.objects.filter(title="Tuần tra đêm").count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_a_validation_error_is_returned_and_nothing_is_kept(client, scene):
    # given an entry the server refuses (a mediation with no case resolved)
    bad = {**patrol(scene.commune), "kind": "mediation"}
    refused = send(
        client, scene.token, "post", ACTIVITIES, bad, **{"Idempotency-Key": "k-fix-00001"}
    )
    # then the error names the field, and neither the write nor the key is kept
    assert refused.status_code == 400
    assert refused.json()["field"] == "cases_resolved"
    assert not IdempotencyRecord.objects.exists()
    # when the user corrects the entry and it is sent again with the same key
    fixed = send(
        client,
        scene.token,
        "post",
        ACTIVITIES,
        {**bad, "cases_resolved": 2},
        **{"Idempotency-Key": "k-fix-00001"},
    )
    # then it is stored once
    assert fixed.status_code == 201
    assert Activity.objects.filter(kind="mediation").count() == 1


def test_each_entry_of_an_outbox_gets_its_own_answer(client, scene):
    # given three entries, the second one invalid
    entries = [
        patrol(scene.commune, "Một"),
        {**patrol(scene.commune, "Hai"), "date": "2999-01-01"},
        patrol(scene.commune, "Ba"),
    ]
    answers = [
        send(
            client, scene.token, "post", ACTIVITIES, body, **{"Idempotency-Key": f"k-batch-{n:04d}"}
        )
        for n, body in enumerate(entries)
    ]
    # then the valid ones are stored, the invalid one answers 400 naming its field
    assert [a.status_code for a in answers] == [201, 400, 201]
    assert answers[1].json()["field"] == "date"
    assert set(Activity.objects.values_list("title", flat=True)) == {"Một", "Ba"}


def test_a_key_belongs_to_its_user_and_its_operation(client, scene):
    # given a key already used by the officer
    send(
        client,
        scene.token,
        "post",
        ACTIVITIES,
        patrol(scene.commune),
        **{"Idempotency-Key": "k-shared-001"},
    )
    # when another user sends the same key: it is theirs, the write happens
    other = token_for(scene.chief)
    assert (
        send(
            client,
            other,
            "post",
            ACTIVITIES,
            patrol(scene.commune),
            **{"Idempotency-Key": "k-shared-001"},
        ).status_code
        == 201
    )
    # when the officer reuses it for another operation: refused, naming the header
    reused = send(
        client,
        scene.token,
        "patch",
        f"/api/v1/orgunits/{scene.villages[0].code}",
        {"households": 5},
        **{"Idempotency-Key": "k-shared-001"},
    )
    assert reused.status_code == 422
    assert reused.json()["field"] == "Idempotency-Key"
    assert Activity.objects.count() == 2


@settings(max_examples=15, deadline=None)
@given(key=st.text(max_size=120))
def test_a_malformed_key_is_refused_before_anything_runs(key):
    from django.test import Client

    from binhyen.core.idempotency import KEY_PATTERN

    # given any key outside 8–100 letters, digits and . _ : -
    if KEY_PATTERN.match(key):
        return
    # when it is sent with a write, then the answer is 422 naming the header (never a 500)
    response = Client().post(
        ACTIVITIES, "{}", content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 422
    assert response.json()["field"] == "Idempotency-Key"


def test_stored_answers_are_purged_after_the_keep_days(client, scene, settings):
    # given an answer stored 40 days ago and one today
    settings.IDEMPOTENCY_KEEP_DAYS = 30
    send(
        client,
        scene.token,
        "post",
        ACTIVITIES,
        patrol(scene.commune),
        **{"Idempotency-Key": "k-old-00001"},
    )
    send(
        client,
        scene.token,
        "post",
        ACTIVITIES,
        patrol(scene.commune),
        **{"Idempotency-Key": "k-new-00001"},
    )
    IdempotencyRecord.objects.filter(key="k-old-00001").update(
        created_at=timezone.now() - timedelta(days=40)
    )
    # when purged, then only the old one goes
    assert idempotency_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k-new-00001"]


# --- versions ---------------------------------------------------------------------------------


def test_an_edit_from_an_older_version_answers_409_with_the_current_values(client, scene):
    village = scene.villages[0]
    unit_services.orgunit_update(actor=scene.officer, unit=village, households=120)
    village.refresh_from_db()
    started_from = version_of(village)
    # given another officer changed the village meanwhile
    unit_services.orgunit_update(actor=scene.chief, unit=village, households=125)
    # when the first edit arrives carrying the version it started from
    path = f"/api/v1/orgunits/{village.code}"
    answer = send(
        client, scene.token, "patch", path, {"households": 131}, **{"If-Match": f'"{started_from}"'}
    )
    # then it answers 409 with the record as it is now, and nothing is overwritten
    assert answer.status_code == 409
    body = answer.json()
    assert body["current"]["households"] == 125
    assert body["version"] != started_from
    village.refresh_from_db()
    assert village.households == 125
    # and the edit sent again from the current version is applied
    chosen = send(
        client, scene.token, "patch", path, {"households": 131}, **{"If-Match": body["version"]}
    )
    assert chosen.status_code == 200
    assert chosen.json()["households"] == 131
    assert chosen.json()["version"] != body["version"]


def test_an_edit_without_a_version_is_applied_as_before(client, scene):
    path = f"/api/v1/orgunits/{scene.villages[0].code}"
    answer = send(client, scene.token, "patch", path, {"households": 77})
    assert answer.status_code == 200
    assert answer.json()["households"] == 77


# --- concurrency (PostgreSQL: real row locks) -------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_a_concurrent_duplicate_never_writes_twice(scene):
    # given the same entry sent twice at once (two connections, one key)
    from django.test import Client

    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post() -> None:
        try:
            barrier.wait()
            answer = send(
                Client(),
                scene.token,
                "post",
                ACTIVITIES,
                patrol(scene.commune),
                **{"Idempotency-Key": "k-race-00001"},
            )
            statuses.append(answer.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then one activity exists and both got its answer (the second waited for the first)
    assert sorted(statuses) == [201, 201]
    assert Activity.objects.filter(title="Tuần tra đêm").count() == 1

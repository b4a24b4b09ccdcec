"""The world of the matrix and the link crawl: built once for the package, rolled back after.

Building the demo takes seconds; every test of this package reads the same rows, so they are
created once inside an outer transaction that is rolled back when the package is done (each
test still runs in its own savepoint). Uploaded files go to a temporary folder.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from binhyen.core.tests.matrix.world import TWO_FACTOR_KEYS, World, build


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, tmp_path_factory, _seed_snapshot) -> Iterator[World]:
    # (_seed_snapshot: the seeded rows are read before the world adds its own, see test_english)
    media = tmp_path_factory.mktemp("matrix-media")
    with override_settings(MEDIA_ROOT=str(media), TIPS_POW_BITS=4), django_db_blocker.unblock():
        outer = transaction.atomic()
        # As Django's TestCase does: the services' durable blocks may nest inside it.
        outer._from_testcase = True  # type: ignore[attr-defined]
        with outer:
            yield build()
            transaction.set_rollback(True)
    _forget_caches()


def _forget_caches() -> None:
    """Drop what the requests cached about rows that the rollback has just removed."""
    from django.core.cache import cache

    from binhyen.tips.services import metrics_sync_memo_clear, unit_cache_clear

    cache.clear()
    unit_cache_clear()
    metrics_sync_memo_clear()


@pytest.fixture
def clients(world, db) -> dict[str, Client]:
    """One signed-in client per user of the world (two-factor verified where required)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    result = {"anonymous": Client(raise_request_exception=False)}
    for key, user in world.users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        if key in TWO_FACTOR_KEYS:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="matrix", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        result[key] = client
    return result

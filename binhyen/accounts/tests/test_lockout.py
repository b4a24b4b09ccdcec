"""Lockout after repeated wrong passwords (django-axes), with a Vietnamese explanation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from binhyen.accounts.tests.factories import PASSWORD, scene

pytestmark = pytest.mark.django_db


def _attempt(client, password: str):
    return client.post(reverse("accounts:login"), {"username": "canbo", "password": password})


def test_five_wrong_passwords_lock_the_sign_in(client, settings):
    # given a commune officer
    scene()
    # when someone enters a wrong password as many times as allowed
    responses = [_attempt(client, f"sai-{i}") for i in range(settings.AXES_FAILURE_LIMIT)]
    # then the earlier attempts show the form again and the last one locks
    assert {r.status_code for r in responses[:-1]} == {400}
    locked = responses[-1]
    assert locked.status_code in (403, 429)
    body = locked.content.decode()
    assert "tạm khóa" in body
    assert "30 phút" in body
    # and even the right password is refused while the lock lasts
    again = _attempt(client, PASSWORD)
    assert again.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_resets_the_failure_count(client, settings):
    scene()
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, f"sai-{i}")
    assert _attempt(client, PASSWORD).status_code == 302
    client.logout()
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, f"sai-{i}").status_code == 400

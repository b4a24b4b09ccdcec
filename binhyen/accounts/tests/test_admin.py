"""Django's admin: superusers only, read-only records, changes through services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from binhyen.accounts import services
from binhyen.accounts.tests.factories import UserFactory, login_verified, scene
from binhyen.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    login_verified(client, UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize(
    "name",
    [
        "admin:accounts_user_changelist",
        "admin:accounts_roleassignment_changelist",
        "admin:accounts_apitoken_changelist",
        "admin:core_auditevent_changelist",
    ],
)
def test_superuser_sees_the_lists(admin_client, name):
    # Given a superuser and some accounts
    # Then every list of the admin opens
    scene()
    assert admin_client.get(reverse(name)).status_code == 200


def test_staff_without_superuser_status_is_kept_out(client):
    # Given a staff user who is not a superuser
    # When they open the admin
    # Then they are sent to its sign-in page
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_records_cannot_be_added_or_edited_in_place(admin_client):
    # Given a superuser
    # Then audit events and users cannot be added from the admin (services only)
    assert admin_client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert admin_client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_token_page_never_shows_the_hash(admin_client):
    # Given an API token
    s = scene()
    token, raw = services.api_token_create(actor=s.commune_officer, name="A")
    # When its admin page is opened
    # Then its name shows, never its hash or secret
    body = admin_client.get(
        reverse("admin:accounts_apitoken_change", args=[token.pk])
    ).content.decode()
    assert token.name in body
    assert token.key_hash not in body
    assert raw not in body


def test_deactivate_action_goes_through_the_service(admin_client):
    # Given an active commune officer
    s = scene()
    # When the admin's deactivate action is run on them
    # Then they are inactive and the service audited it
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate", "_selected_action": [s.commune_officer.pk]},
    )
    assert response.status_code == 302
    s.commune_officer.refresh_from_db()
    assert not s.commune_officer.is_active
    assert AuditEvent.objects.filter(action="user.deactivated").count() == 1

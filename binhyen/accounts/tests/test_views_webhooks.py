"""Webhook pages: system administrators only (404 for everyone else, sign-in for visitors)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import login_verified, scene, user_with_role
from binhyen.core import webhooks
from binhyen.core.models import AuditEvent, DeliveryStatus, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db
SECRET = "khoa-bi-mat-rat-dai-0123456789"


@pytest.fixture
def s(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    return scene()


@pytest.fixture
def admin(s):
    return user_with_role(Role.SYSTEM_ADMIN, s.province, username="quantri")


@pytest.fixture
def sub(admin):
    return webhooks.webhook_subscription_create(
        actor=admin,
        name="Kho dữ liệu tỉnh",
        url="http://127.0.0.1:9/h",
        secret=SECRET,
        events=["tip.received"],
    )


@pytest.fixture
def failed(sub):
    return WebhookDelivery.objects.create(
        subscription=sub,
        event="tip.received",
        event_id="e1",
        body="{}",
        status=DeliveryStatus.FAILED,
        attempts=8,
        last_error="HTTP 500",
    )


def _pages(sub, delivery):
    return [
        ("accounts:webhook_list", {}, "get"),
        ("accounts:webhook_create", {}, "get"),
        ("accounts:webhook_edit", {"pk": sub.pk}, "get"),
        ("accounts:webhook_set_active", {"pk": sub.pk}, "post"),
        ("accounts:webhook_deliveries", {"pk": sub.pk}, "get"),
        ("accounts:webhook_delivery_retry", {"pk": delivery.pk}, "post"),
    ]


def test_every_page_answers_the_admin(client, admin, sub, failed):
    # given a signed-in system administrator
    login_verified(client, admin)
    # when each page is opened / then it answers (forms 302 back after their action)
    for name, kwargs, method in _pages(sub, failed):
        response = getattr(client, method)(reverse(name, kwargs=kwargs))
        assert response.status_code == (200 if method == "get" else 302), name


@pytest.mark.parametrize(
    "who", ["province_officer", "commune_chief", "commune_officer", "village_member"]
)
def test_every_page_is_404_for_other_roles(client, s, sub, failed, who):
    # given a user of any other role (a province officer holds much, but not integrations)
    client.force_login(getattr(s, who))
    if who == "province_officer":
        login_verified(client, s.province_officer)
    # when each page is opened / then it does not exist for them and nothing changed
    for name, kwargs, method in _pages(sub, failed):
        assert getattr(client, method)(reverse(name, kwargs=kwargs)).status_code == 404, name
    sub.refresh_from_db()
    assert sub.is_active and WebhookDelivery.objects.get().status == "failed"


def test_anonymous_visitors_are_sent_to_sign_in(client, sub, failed):
    for name, kwargs, method in _pages(sub, failed):
        url = reverse(name, kwargs=kwargs)
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_missing_objects_are_404_for_the_admin(client, admin):
    login_verified(client, admin)
    assert client.get(reverse("accounts:webhook_edit", kwargs={"pk": 999})).status_code == 404
    url = reverse("accounts:webhook_delivery_retry", kwargs={"pk": 999})
    assert client.post(url).status_code == 404


def test_register_edit_switch_off_and_on(client, admin):
    login_verified(client, admin)
    # given the registration form (it offers a random secret)
    form = client.get(reverse("accounts:webhook_create"))
    assert form.context["form"].initial["secret"]
    # when it is posted
    response = client.post(
        reverse("accounts:webhook_create"),
        {"name": "Kho", "url": "http://127.0.0.1:8/h", "secret": SECRET, "events": ["tip.closed"]},
    )
    # then the webhook exists and is listed without its secret
    assert response.status_code == 302
    sub = WebhookSubscription.objects.get()
    listing = client.get(reverse("accounts:webhook_list")).content.decode()
    assert "Kho" in listing and SECRET not in listing
    # when it is edited with a blank secret, the secret is kept
    edit = reverse("accounts:webhook_edit", kwargs={"pk": sub.pk})
    assert SECRET not in client.get(edit).content.decode()
    client.post(
        edit,
        {
            "name": "Kho 2",
            "url": "http://127.0.0.1:8/h",
            "secret": "",
            "events": ["tip.received", "tip.closed"],
        },
    )
    sub.refresh_from_db()
    assert (sub.name, sub.secret, sub.events) == ("Kho 2", SECRET, ["tip.closed", "tip.received"])
    # when it is switched off and on again
    toggle = reverse("accounts:webhook_set_active", kwargs={"pk": sub.pk})
    client.post(toggle, {"active": "0"})
    sub.refresh_from_db()
    assert not sub.is_active
    client.post(toggle, {"active": "1"})
    sub.refresh_from_db()
    assert sub.is_active
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"webhook.create", "webhook.update", "webhook.disable", "webhook.enable"} <= actions


def test_bad_input_is_a_400_with_field_messages_and_nothing_saved(client, admin, settings):
    # given the production guard
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    login_verified(client, admin)
    # when a private URL, a short secret and no events are posted
    response = client.post(
        reverse("accounts:webhook_create"),
        {"name": "X", "url": "http://192.168.1.10/h", "secret": "ngan"},
    )
    # then each field says what is wrong, in Vietnamese, and nothing is saved
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "nội bộ" in errors["url"][0]
    assert "16" in errors["secret"][0]
    assert "sự kiện" in errors["events"][0]
    assert not WebhookSubscription.objects.exists()


def test_auto_disabled_webhooks_show_a_todo(client, admin, sub):
    # given a webhook switched off by failures
    WebhookSubscription.objects.filter(pk=sub.pk).update(
        is_active=False, disabled_reason=webhooks.DISABLED_FAILURES, consecutive_failures=20
    )
    login_verified(client, admin)
    # when the list is opened / then it says what to do
    page = client.get(reverse("accounts:webhook_list")).content.decode()
    assert 'data-testid="webhook-todo"' in page and "tự tắt" in page


def test_delivery_log_shows_attempts_and_retry_requeues(
    client, admin, sub, failed, django_capture_on_commit_callbacks
):
    # given a failed delivery with one logged attempt
    failed.attempt_log.create(status_code=500, duration_ms=12, error="HTTP 500")
    login_verified(client, admin)
    page = client.get(reverse("accounts:webhook_deliveries", kwargs={"pk": sub.pk}))
    assert page.status_code == 200 and "HTTP 500" in page.content.decode()
    # when the admin retries it (the receiver is unreachable, so it stays pending)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:webhook_delivery_retry", kwargs={"pk": failed.pk}))
    failed.refresh_from_db()
    # then it went back into the queue with a fresh budget and one new attempt
    assert (failed.status, failed.attempts) == ("pending", 1)

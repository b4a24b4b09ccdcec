"""Webhook API: the same services as the pages; admins only, 404 for others, 401 anonymous."""

from __future__ import annotations

import pytest

from binhyen.accounts import services
from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import scene, user_with_role
from binhyen.core import webhooks
from binhyen.core.models import DeliveryStatus, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db
BASE = "/api/v1/webhooks"
SECRET = "khoa-bi-mat-rat-dai-0123456789"


@pytest.fixture
def s(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    return scene()


@pytest.fixture
def admin(s):
    return user_with_role(Role.SYSTEM_ADMIN, s.province, username="quantri")


def _bearer(user):
    _token, raw = services.api_token_create(actor=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def sub(admin):
    return webhooks.webhook_subscription_create(
        actor=admin, name="Kho", url="http://127.0.0.1:9/h", secret=SECRET, events=["tip.closed"]
    )


def _calls(sub, delivery):
    return [
        ("get", BASE, None),
        (
            "post",
            BASE,
            {
                "name": "B",
                "url": "http://127.0.0.1:9/b",
                "secret": SECRET,
                "events": ["tip.closed"],
            },
        ),
        ("get", f"{BASE}/{sub.pk}", None),
        (
            "put",
            f"{BASE}/{sub.pk}",
            {"name": "C", "url": "http://127.0.0.1:9/c", "events": ["tip.received"]},
        ),
        ("post", f"{BASE}/{sub.pk}/active", {"active": False}),
        ("get", f"{BASE}/{sub.pk}/deliveries", None),
        ("post", f"{BASE}/deliveries/{delivery.pk}/retry", None),
    ]


@pytest.fixture
def failed(sub):
    return WebhookDelivery.objects.create(
        subscription=sub,
        event="tip.closed",
        event_id="e1",
        body="{}",
        status=DeliveryStatus.FAILED,
        attempts=8,
    )


def _call(client, method, url, body, headers):
    if body is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(url, body, content_type="application/json", **headers)


def test_admin_may_call_every_endpoint(client, admin, sub, failed):
    headers = _bearer(admin)
    expected = [200, 201, 200, 200, 200, 200, 200]
    for (method, url, body), status in zip(_calls(sub, failed), expected, strict=True):
        response = _call(client, method, url, body, headers)
        assert response.status_code == status, (method, url, response.content)
        assert SECRET not in response.content.decode()


@pytest.mark.parametrize("who", ["province_officer", "commune_chief", "commune_officer"])
def test_other_roles_get_404_everywhere(client, s, sub, failed, who):
    headers = _bearer(getattr(s, who))
    for method, url, body in _calls(sub, failed):
        assert _call(client, method, url, body, headers).status_code == 404, (method, url)
    assert WebhookSubscription.objects.count() == 1


def test_anonymous_gets_401(client, sub, failed):
    for method, url, body in _calls(sub, failed):
        assert _call(client, method, url, body, {}).status_code == 401, (method, url)


def test_bad_input_is_a_400_naming_the_field(client, admin):
    # given a credentialed URL / when registered / then 400 on the url field, nothing saved
    response = client.post(
        BASE,
        {"name": "B", "url": "https://u:p@x.vn/", "secret": SECRET, "events": ["tip.closed"]},
        content_type="application/json",
        **_bearer(admin),
    )
    assert response.status_code == 400
    assert response.json()["field"] == "url"
    assert not WebhookSubscription.objects.exists()


def test_missing_webhook_is_404(client, admin):
    assert client.get(f"{BASE}/999", **_bearer(admin)).status_code == 404

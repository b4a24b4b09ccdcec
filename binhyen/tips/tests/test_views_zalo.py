"""The Zalo dead-letter page: system administrators only, no message text, audited actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import login_verified, scene, user_with_role
from binhyen.core.models import AuditEvent
from binhyen.tips import services, zalo
from binhyen.tips.models import PushStatus, ZaloPush
from binhyen.tips.zalo import ZaloInbound

pytestmark = pytest.mark.django_db
BODY = "Chúng tôi đã bắt giữ đối tượng ở ngõ 3."


@pytest.fixture
def s(settings):
    sc = scene()
    settings.TIPS_ZALO_OA_UNITS = {"oa-1": sc.commune.code}
    return sc


@pytest.fixture
def admin(s):
    return user_with_role(Role.SYSTEM_ADMIN, s.province, username="quantri")


@pytest.fixture
def dead(s):
    outcome = services.zalo_event_receive(
        event=ZaloInbound(
            msg_id="m-1",
            event_name="user_send_text",
            sender_hash=zalo.sender_hash("u-1"),
            oa_id="oa-1",
            user_id="u-1",
            text="Có người lạ.",
        )
    )
    message = services.tip_reply(actor=s.commune_officer, tip=outcome.tip, body=BODY)
    ZaloPush.objects.filter(message=message).update(
        status=PushStatus.FAILED, attempts=6, last_error="zalo -201"
    )
    return ZaloPush.objects.get(message=message)


def _urls(push):
    return [
        ("get", reverse("tips:zalo_pushes")),
        ("post", reverse("tips:zalo_push_action", kwargs={"pk": push.pk, "action": "retry"})),
        ("post", reverse("tips:zalo_push_action", kwargs={"pk": push.pk, "action": "discard"})),
    ]


def test_admin_sees_dead_letters_without_their_text(client, admin, dead):
    # given a system administrator / when the page is opened
    login_verified(client, admin)
    page = client.get(reverse("tips:zalo_pushes"))
    # then the dead letter is listed by tip id and error, never with the reply or the Zalo id
    html = page.content.decode()
    assert page.status_code == 200 and f"#{dead.message.tip_id}" in html and "zalo -201" in html
    assert BODY not in html and "u-1" not in html


def test_admin_discards_and_the_action_is_audited(client, admin, dead):
    login_verified(client, admin)
    url = reverse("tips:zalo_push_action", kwargs={"pk": dead.pk, "action": "discard"})
    assert client.post(url).status_code == 302
    dead.refresh_from_db()
    assert dead.status == PushStatus.DISCARDED
    assert AuditEvent.objects.filter(action="zalo_push.discard", actor=admin).exists()
    # and a discarded push is no longer actionable (404, as if missing)
    assert client.post(url).status_code == 404


def test_admin_retries(client, admin, dead, django_capture_on_commit_callbacks, sent):
    login_verified(client, admin)
    url = reverse("tips:zalo_push_action", kwargs={"pk": dead.pk, "action": "retry"})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    dead.refresh_from_db()
    assert dead.status == PushStatus.SENT and sent[-1][2] == "u-1"


@pytest.mark.parametrize("who", ["province_officer", "commune_chief", "commune_officer"])
def test_other_roles_get_404_and_change_nothing(client, s, dead, who):
    user = getattr(s, who)
    client.force_login(user)
    if who == "province_officer":
        login_verified(client, user)
    for method, url in _urls(dead):
        assert getattr(client, method)(url).status_code == 404, url
    dead.refresh_from_db()
    assert dead.status == PushStatus.FAILED


def test_anonymous_visitors_are_sent_to_sign_in(client, dead):
    for method, url in _urls(dead):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_action_is_404(client, admin, dead):
    login_verified(client, admin)
    url = reverse("tips:zalo_push_action", kwargs={"pk": dead.pk, "action": "delete"})
    assert client.post(url).status_code == 404

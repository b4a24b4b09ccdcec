"""Notifications: the list page, marking read, the header count, the API, the to-do home."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from binhyen.accounts.tests.factories import UserFactory
from binhyen.core.models import AuditEvent, Notification
from binhyen.core.notifications import notifications_send, unread_count
from binhyen.core.todo import todo_items

pytestmark = pytest.mark.django_db
MESSAGE = "indicators.report_reminder"  # registered by the indicators app


@pytest.fixture(autouse=True)
def _no_otp(settings):
    settings.OTP_REQUIRED_ROLES = []


def send(user, n=1, link="/indicators/"):
    params = {"unit": "Xã An", "form": "Báo cáo tháng", "form_code": "m", "period": "2025M07"}
    for _ in range(n):
        notifications_send(
            recipients=[user],
            message=MESSAGE,
            params={**params, "due_date": "2025-08-05"},
            link=link,
        )


def test_the_list_shows_my_notifications_only_with_an_empty_state(client):
    # given two users, the first with a reminder
    me, other = UserFactory(), UserFactory()
    client.force_login(me)
    # when I have nothing yet, the page says so
    assert 'data-testid="empty"' in client.get(reverse("core:notifications")).content.decode()
    send(me)
    send(other)
    # then my list shows my one reminder, rendered, and the header counts it
    html = client.get(reverse("core:notifications")).content.decode()
    assert html.count('data-testid="notification"') == 1
    assert "Nhắc nộp báo cáo: Báo cáo tháng — Tháng 7/2025" in html
    assert "hạn nộp 05/08/2025" in html
    assert 'data-testid="notification-count">1<' in html


def test_the_list_is_paginated(client, settings):
    # given 30 notifications and pages of 25
    settings.PAGE_SIZE = 25
    me = UserFactory()
    send(me, n=30)
    client.force_login(me)
    # then the second page holds the last 5
    resp = client.get(reverse("core:notifications"), {"page": 2})
    assert resp.content.decode().count('data-testid="notification"') == 5


def test_marking_read_one_and_all(client):
    # given three unread reminders
    me = UserFactory()
    send(me, n=3)
    client.force_login(me)
    first = Notification.objects.filter(recipient=me).first()
    # when one is opened: it is read and I go to its link
    resp = client.post(reverse("core:notification_read", args=[first.pk]), {"open": "1"})
    assert resp["Location"] == "/indicators/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notification.objects.filter(recipient=me, read_at__isnull=True).count() == 2
    # when all are marked read
    resp = client.post(reverse("core:notifications_read_all"), follow=True)
    # then none is unread, and that is said; each change is audited once
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert "Đã đánh dấu 2 thông báo là đã đọc." in resp.content.decode()
    assert AuditEvent.objects.filter(action__startswith="notification.").count() == 2


def test_a_link_off_the_site_is_not_followed(client):
    # given a notification whose link points elsewhere
    me = UserFactory()
    send(me, link="https://example.com/x")
    client.force_login(me)
    n = Notification.objects.get(recipient=me)
    # when it is opened, the user stays on the site
    resp = client.post(reverse("core:notification_read", args=[n.pk]), {"open": "1"})
    assert resp["Location"] == reverse("core:notifications")


def test_page_permissions(client):
    # given someone else's notification
    me, other = UserFactory(), UserFactory()
    send(other)
    theirs = Notification.objects.get(recipient=other)
    # anonymous: to the login page, for the list and the actions
    for url in (
        reverse("core:notifications"),
        reverse("core:notification_read", args=[theirs.pk]),
    ):
        resp = client.get(url) if url.endswith("notifications/") else client.post(url)
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    # another user: 404 on it, as for a missing one; it stays unread
    client.force_login(me)
    assert client.post(reverse("core:notification_read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("core:notification_read", args=[999_999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # marking all read touches only my own
    client.post(reverse("core:notifications_read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_header_count_costs_one_query(client, django_assert_max_num_queries):
    # given a user with unread reminders
    me = UserFactory()
    send(me, n=2)
    # when the count is asked several times in one request
    with django_assert_max_num_queries(1):
        assert unread_count(me) == 2
        assert unread_count(me) == 2


def test_unread_reminders_appear_on_the_todo_home():
    # given two unread reminders
    me = UserFactory()
    send(me, n=2)
    # then the to-do home has one line counting them, linking to the list
    items = [i for i in todo_items(me) if i.key == "core.reminders"]
    assert [(i.count, i.url) for i in items] == [(2, reverse("core:notifications"))]
    assert items[0].title == "2 lời nhắc chưa đọc"


def test_parameters_are_short_strings_or_numbers_only():
    # given a parameter that is not a plain value (a person's record, a list)
    me = UserFactory()
    for bad in ({"unit": ["a"]}, {"unit": "x" * 500}):
        # then nothing is stored and the parameter is named
        with pytest.raises(ValidationError) as refused:
            notifications_send(recipients=[me], message=MESSAGE, params=bad)
        assert "unit" in refused.value.messages[0]
    assert not Notification.objects.exists()


# --- the API ---------------------------------------------------------------------------------


def test_api_lists_and_marks_my_notifications(client):
    me, other = UserFactory(), UserFactory()
    send(me, n=2)
    send(other)
    client.force_login(me)
    # when I list my notifications
    body = client.get("/api/v1/notifications/").json()
    # then I get mine, rendered, with the unread count
    assert body["count"] == 2 and body["unread"] == 2
    assert body["items"][0]["title"].startswith("Nhắc nộp báo cáo")
    # when one is marked read, then it comes back read
    first = body["items"][0]["id"]
    marked = client.post(f"/api/v1/notifications/{first}/read")
    assert marked.status_code == 200 and marked.json()["read_at"]
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 1
    # when all are marked read
    assert client.post("/api/v1/notifications/read").json() == {"changed": 1}


def test_api_permissions(client):
    me, other = UserFactory(), UserFactory()
    send(other)
    theirs = Notification.objects.get(recipient=other).pk
    # anonymous: 401 everywhere
    assert client.get("/api/v1/notifications/").status_code == 401
    assert client.post(f"/api/v1/notifications/{theirs}/read").status_code == 401
    assert client.post("/api/v1/notifications/read").status_code == 401
    # another user: 404 naming the parameter, and it stays unread
    client.force_login(me)
    resp = client.post(f"/api/v1/notifications/{theirs}/read")
    assert resp.status_code == 404 and resp.json()["field"] == "notification_id"
    assert client.get("/api/v1/notifications/").json()["count"] == 0
    assert Notification.objects.get(pk=theirs).read_at is None

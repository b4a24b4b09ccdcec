"""Officer replies pushed through the OA API (a local fake), retries, dead letters, tokens."""

from __future__ import annotations

import io
import logging
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import scene, user_with_role
from binhyen.core.models import AuditEvent
from binhyen.tips import services, zalo
from binhyen.tips.models import PushStatus, Tip, ZaloPush, ZaloToken
from binhyen.tips.tests import fake_zalo
from binhyen.tips.zalo import ZaloInbound

USER_ID = "4143027627557839389"


@pytest.fixture
def oa(settings):
    server, state = fake_zalo.start()
    settings.TIPS_ZALO_SENDER = "binhyen.tips.zalo.ZaloApiSender"
    settings.TIPS_ZALO_API_BASE = state.base
    settings.TIPS_ZALO_OAUTH_BASE = state.base
    settings.TIPS_ZALO_APP_SECRET = "app-secret-abc"
    settings.TIPS_ZALO_BACKOFF_SECONDS = 30
    settings.TIPS_ZALO_MAX_ATTEMPTS = 3
    yield state
    server.shutdown()
    server.server_close()


def seed_token(expires_in: timedelta = timedelta(hours=25)) -> None:
    ZaloToken.objects.update_or_create(
        pk=1,
        defaults={
            "access_token": "access-1",
            "refresh_token": "refresh-1",
            "access_expires_at": timezone.now() + expires_in,
        },
    )


@pytest.fixture
def s(settings):
    sc = scene()
    settings.TIPS_ZALO_OA_UNITS = {"oa-1": sc.commune.code}
    return sc


def zalo_tip(msg_id: str = "m-1") -> Tip:
    """A tip received from Zalo (its acknowledgement is not sent: no commit here)."""
    outcome = services.zalo_event_receive(
        event=ZaloInbound(
            msg_id=msg_id,
            event_name="user_send_text",
            sender_hash=zalo.sender_hash(USER_ID),
            oa_id="oa-1",
            user_id=USER_ID,
            text="Có người lạ ở đầu thôn.",
        )
    )
    assert outcome.tip is not None
    return outcome.tip


def reply(s, tip, capture, body="Đã cử người xác minh."):
    with capture(execute=True):
        return services.tip_reply(actor=s.commune_officer, tip=tip, body=body)


@pytest.mark.django_db
def test_reply_is_pushed_through_the_oa_api(oa, s, django_capture_on_commit_callbacks):
    # given a Zalo tip and a valid token
    seed_token()
    tip = zalo_tip()
    # when an officer replies
    message = reply(s, tip, django_capture_on_commit_callbacks)
    # then the OA received the customer-service message for the sender, with our token
    assert oa.messages == [
        {
            "recipient": {"user_id": USER_ID},
            "message": {"text": zalo.reply_text(tip.tracking_code, "Đã cử người xác minh.")},
        }
    ]
    assert oa.message_tokens == ["access-1"] and oa.refreshes == []
    push = ZaloPush.objects.get(message=message)
    assert (push.status, push.attempts, push.last_error) == (PushStatus.SENT, 1, "")


@pytest.mark.django_db
def test_server_errors_are_retried_with_backoff(oa, s, django_capture_on_commit_callbacks):
    # given an OA API that fails twice
    seed_token()
    tip = zalo_tip()
    oa.message_failures = 2
    # when an officer replies / then the first attempt failed and waits 30 s
    reply(s, tip, django_capture_on_commit_callbacks)
    push = ZaloPush.objects.get()
    assert (push.status, push.attempts, push.last_error) == ("pending", 1, "HTTPError")
    assert services.zalo_pushes_due() == 0
    # when the sweep runs after each wait (30 s, then 60 s) / then the third attempt succeeds
    t1 = timezone.now() + timedelta(seconds=31)
    assert services.zalo_pushes_due(now=t1) == 1
    push.refresh_from_db()
    assert push.attempts == 2 and push.next_attempt_at == t1 + timedelta(seconds=60)
    services.zalo_pushes_due(now=t1 + timedelta(seconds=61))
    push.refresh_from_db()
    assert (push.status, push.attempts) == (PushStatus.SENT, 3)
    assert len(oa.messages) == 1 and push.message.tip.messages.get(pk=push.message_id).delivered_at


@pytest.mark.django_db
def test_dead_letter_after_the_last_attempt_then_admin_retry_and_discard(
    oa, s, django_capture_on_commit_callbacks
):
    # given an OA API that keeps failing and three attempts allowed
    seed_token()
    tip = zalo_tip()
    oa.message_failures = 99
    reply(s, tip, django_capture_on_commit_callbacks)
    now = timezone.now()
    services.zalo_pushes_due(now=now + timedelta(minutes=1))
    services.zalo_pushes_due(now=now + timedelta(minutes=3))
    push = ZaloPush.objects.get()
    # then it is a dead letter, no longer retried, with an error class and no text
    assert (push.status, push.attempts, push.next_attempt_at) == (PushStatus.FAILED, 3, None)
    assert services.zalo_pushes_due(now=now + timedelta(days=1)) == 0
    assert "xác minh" not in push.last_error
    # when a commune officer tries to retry it / then they may not
    with pytest.raises(PermissionDenied):
        services.zalo_push_retry(actor=s.commune_officer, push=push)
    # when a system admin retries it and the API is back / then it is sent
    admin = user_with_role(Role.SYSTEM_ADMIN, s.province)
    oa.message_failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        services.zalo_push_retry(actor=admin, push=push)
    push.refresh_from_db()
    assert push.status == PushStatus.SENT and len(oa.messages) == 1
    # and a second dead letter can be discarded; both actions are audited
    oa.message_failures = 99
    reply(s, tip, django_capture_on_commit_callbacks, body="Lần hai.")
    second = ZaloPush.objects.exclude(pk=push.pk).get()
    ZaloPush.objects.filter(pk=second.pk).update(status=PushStatus.FAILED)
    services.zalo_push_discard(actor=admin, push=second)
    second.refresh_from_db()
    assert second.status == PushStatus.DISCARDED
    actions = list(
        AuditEvent.objects.filter(action__startswith="zalo_push.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["zalo_push.discard", "zalo_push.retry"]


@pytest.mark.django_db
def test_an_expired_token_is_refreshed_and_the_message_resent(
    oa, s, django_capture_on_commit_callbacks
):
    # given a token the OA now says is invalid
    seed_token()
    tip = zalo_tip()
    oa.token_expired = 1
    # when an officer replies
    reply(s, tip, django_capture_on_commit_callbacks)
    # then the token was refreshed with our app's credentials and the message went out
    assert oa.message_tokens == ["access-1", "access-2"] and len(oa.messages) == 1
    assert oa.refreshes == [
        {
            "refresh_token": "refresh-1",
            "app_id": "app-123",
            "grant_type": "refresh_token",
            "secret_key": "app-secret-abc",
        }
    ]
    row = ZaloToken.objects.get()
    assert (row.access_token, row.refresh_token) == ("access-2", "refresh-2")
    assert ZaloPush.objects.get().status == PushStatus.SENT


@pytest.mark.django_db
def test_the_token_is_refreshed_only_within_the_margin(oa):
    # given a token valid for another 25 hours / when asked / then no refresh
    seed_token()
    assert zalo.token_refresh() == "access-1" and oa.refreshes == []
    # given a token expiring in 10 minutes (margin one hour) / then it is refreshed
    seed_token(timedelta(minutes=10))
    assert zalo.token_refresh() == "access-2"
    row = ZaloToken.objects.get()
    lifetime = row.access_expires_at - timezone.now()
    assert timedelta(hours=24) < lifetime <= timedelta(seconds=90000)
    # and the spent refresh token is never used again
    zalo.token_refresh(force=True)
    assert [r["refresh_token"] for r in oa.refreshes] == ["refresh-1", "refresh-2"]


@pytest.mark.django_db
def test_a_failed_refresh_keeps_the_old_pair_and_logs_no_secret(oa, caplog):
    # given a token near expiry and an OA refusing the refresh
    seed_token(timedelta(minutes=5))
    oa.refresh_refused = True
    # when a refresh is attempted
    with caplog.at_level(logging.INFO), pytest.raises(zalo.ZaloTokenError):
        zalo.token_refresh()
    # then the old pair is intact and the log names the error, not the tokens
    row = ZaloToken.objects.get()
    assert (row.access_token, row.refresh_token) == ("access-1", "refresh-1")
    assert "-14014" in caplog.text
    for secret in ("access-1", "refresh-1", "app-secret-abc"):
        assert secret not in caplog.text
    # and the scheduled job reports the failure instead of raising
    assert services.zalo_token_refresh_if_due() is False


@pytest.mark.django_db
def test_refresh_command(oa):
    # given a fresh token / when forced from the command line / then refreshed, no token shown
    seed_token()
    out = io.StringIO()
    call_command("zalo_token_refresh", "--force", stdout=out)
    assert "valid until" in out.getvalue() and "access-2" not in out.getvalue()
    # when the OA refuses / then the command fails clearly and keeps the pair
    oa.refresh_refused = True
    with pytest.raises(CommandError, match="kept"):
        call_command("zalo_token_refresh", "--force")
    assert ZaloToken.objects.get().refresh_token == "refresh-2"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across connections")
def test_concurrent_workers_spend_the_refresh_token_once(oa):
    # given a token near expiry
    seed_token(timedelta(minutes=5))
    tokens: list[str] = []

    def worker() -> None:
        try:
            tokens.append(zalo.token_refresh())
        finally:
            connection.close()

    # when four workers need a token at the same time
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then the refresh token was spent once and every worker got the new access token
    assert [r["refresh_token"] for r in oa.refreshes] == ["refresh-1"]
    assert tokens == ["access-2"] * 4


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_pushes_and_retries_through_the_database_queue(oa, settings):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    # given the database queue, no wait between attempts and an OA API failing once
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.TIPS_ZALO_BACKOFF_SECONDS = 0
    sc = scene()
    settings.TIPS_ZALO_OA_UNITS = {"oa-1": sc.commune.code}
    seed_token()
    tip = zalo_tip()  # its acknowledgement goes out from the request, as it commits
    assert len(oa.messages) == 1
    oa.messages.clear()
    oa.message_failures = 1
    # when an officer's reply commits, nothing is pushed until a worker runs
    with transaction.atomic():
        services.tip_reply(actor=sc.commune_officer, tip=tip, body="Đã cử người xác minh.")
    assert oa.messages == []
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    # then the worker failed once, queued the retry itself, and delivered the reply
    push = ZaloPush.objects.get()
    assert (push.status, push.attempts) == (PushStatus.SENT, 2)
    assert len(oa.messages) == 1
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() >= 2

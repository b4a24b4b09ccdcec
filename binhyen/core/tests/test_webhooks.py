"""Outbound webhooks: signed deliveries, retries with backoff, auto-disable, no personal data."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.core import webhooks
from binhyen.core.models import (
    AuditEvent,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from binhyen.core.tests import receiver
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory

SECRET = "khoa-bi-mat-rat-dai-0123456789"
pytestmark = pytest.mark.django_db


@pytest.fixture
def hook(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    settings.WEBHOOKS_BACKOFF_SECONDS = 10
    settings.WEBHOOKS_DISABLE_AFTER = 5
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5
    server, state = receiver.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def admin():
    return user_with_role(Role.SYSTEM_ADMIN, ProvinceFactory(code="VX"))


def subscribe(admin, url, events=(WebhookEvent.TIP_RECEIVED, WebhookEvent.TIP_CLOSED)):
    return webhooks.webhook_subscription_create(
        actor=admin, name="Hệ thống tỉnh", url=url, secret=SECRET, events=events
    )


def emit(**overrides):
    data = {
        "event": WebhookEvent.TIP_RECEIVED,
        "object_type": "tip",
        "object_id": 7,
        "unit_code": "01001",
        "summary": {"status": "new"},
    }
    data.update(overrides)
    return webhooks.webhook_emit(**data)


def test_delivery_is_signed_over_timestamp_and_raw_body(
    hook, admin, django_capture_on_commit_callbacks
):
    # given a subscription for tip events
    subscribe(admin, hook.url)
    # when an event is emitted and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        assert emit() == 1
    # then one request arrived whose signature the receiver can verify with the secret
    [request] = hook.requests
    timestamp = request.headers["x-binhyen-timestamp"]
    expected = hmac.new(
        SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert request.headers["x-binhyen-signature"] == f"sha256={expected}"
    assert request.headers["x-binhyen-event"] == "tip.received"
    payload = json.loads(request.body)
    assert payload["event"] == "tip.received"
    assert payload["object"] == {"type": "tip", "id": "7"}
    assert (payload["unit"], payload["summary"]) == ("01001", {"status": "new"})
    assert request.headers["x-binhyen-delivery"] == payload["id"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("sent", 1, 200)


def test_a_rolled_back_write_sends_nothing(hook, admin, django_capture_on_commit_callbacks):
    # given a subscription
    subscribe(admin, hook.url)
    # when the write that emitted the event rolls back
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                emit()
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    # then no delivery exists and nothing was sent
    assert not WebhookDelivery.objects.exists() and hook.requests == []


def test_a_500_is_retried_with_backoff_then_succeeds(
    hook, admin, django_capture_on_commit_callbacks
):
    # given a receiver that fails twice
    sub = subscribe(admin, hook.url)
    hook.script = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        emit()
    delivery = WebhookDelivery.objects.get()
    # then the first attempt failed and the next one waits the base backoff
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
    first_wait = delivery.next_attempt_at - delivery.updated_at
    assert timedelta(seconds=9) < first_wait <= timedelta(seconds=11)
    # when the sweep runs before the time, nothing is sent
    assert webhooks.webhooks_deliver_due() == 0
    # when it runs after each wait, the second fails (wait doubles) and the third succeeds
    later = timezone.now() + timedelta(seconds=11)
    assert webhooks.webhooks_deliver_due(now=later) == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    assert delivery.next_attempt_at - later == timedelta(seconds=20)
    assert webhooks.webhooks_deliver_due(now=later + timedelta(seconds=21)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.delivered_at is not None) == (
        "sent",
        3,
        True,
    )
    # and every attempt is logged; the failure streak is reset by the success
    assert [a.status_code for a in delivery.attempt_log.order_by("id")] == [500, 503, 200]
    sub.refresh_from_db()
    assert sub.consecutive_failures == 0
    # and each retry carried the same body, freshly signed
    assert len({r.body for r in hook.requests}) == 1


def test_a_delivery_fails_after_the_last_attempt_and_can_be_retried(
    hook, admin, django_capture_on_commit_callbacks
):
    # given a receiver that is always down
    subscribe(admin, hook.url)
    hook.default = 500
    with django_capture_on_commit_callbacks(execute=True):
        emit()
    now = timezone.now()
    for step in (1, 2):
        webhooks.webhooks_deliver_due(now=now + timedelta(hours=step))
    delivery = WebhookDelivery.objects.get()
    # then after three attempts it is failed and no longer due
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert webhooks.webhooks_deliver_due(now=now + timedelta(days=1)) == 0
    # when an admin retries it and the receiver is back, it is sent (and the retry audited)
    hook.default = 200
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_delivery_retry(actor=admin, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert AuditEvent.objects.filter(action="webhook.delivery_retry").count() == 1
    # and a delivery that is not failed cannot be retried
    with pytest.raises(ValidationError):
        webhooks.webhook_delivery_retry(actor=admin, delivery=delivery)


def test_consecutive_failures_switch_the_subscription_off(
    hook, admin, django_capture_on_commit_callbacks, settings
):
    # given a receiver that is down and a limit of 5 failures in a row
    sub = subscribe(admin, hook.url)
    hook.default = 500
    # when five events fail once each
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            emit(object_id=n)
    # then the subscription is off, says why, and the switch-off is audited
    sub.refresh_from_db()
    assert (sub.is_active, sub.disabled_reason) == (False, webhooks.DISABLED_FAILURES)
    assert AuditEvent.objects.filter(action="webhook.auto_disable", actor=None).count() == 1
    # and new events are no longer queued for it, nor are pending ones swept
    assert emit() == 0
    assert webhooks.webhooks_deliver_due(now=timezone.now() + timedelta(days=1)) == 0
    # when an admin switches it back on, the failure count starts again
    webhooks.webhook_subscription_set_active(actor=admin, subscription=sub, active=True)
    sub.refresh_from_db()
    assert (sub.is_active, sub.consecutive_failures, sub.disabled_reason) == (True, 0, "")


def test_an_unreachable_receiver_is_logged_by_error_class(
    hook, admin, django_capture_on_commit_callbacks
):
    # given a subscription to a port nobody listens on
    sub = subscribe(admin, hook.url)
    WebhookSubscription.objects.filter(pk=sub.pk).update(url="http://127.0.0.1:9/hook")
    # when an event is emitted
    with django_capture_on_commit_callbacks(execute=True):
        emit()
    # then the attempt is logged with the error class and no status code
    attempt = WebhookDelivery.objects.get().attempt_log.get()
    assert attempt.status_code is None and attempt.error in ("URLError", "ConnectionRefusedError")


def test_only_subscriptions_wanting_the_event_get_it(
    hook, admin, django_capture_on_commit_callbacks
):
    # given one subscription for reports and one switched off
    subscribe(admin, hook.url, events=[WebhookEvent.REPORT_APPROVED])
    off = subscribe(admin, hook.url)
    webhooks.webhook_subscription_set_active(actor=admin, subscription=off, active=False)
    # when a tip event is emitted / then nobody is queued
    assert emit() == 0


def test_summary_refuses_free_text():
    # given a summary carrying a sentence / when emitted / then it is refused before any row
    with pytest.raises(TypeError):
        webhooks._summary_clean({"text": "Có người lạ trộm gà ban đêm ở đầu thôn, tôi thấy rõ mặt"})
    with pytest.raises(TypeError):
        webhooks._summary_clean({"contact": {"phone": "0912345678"}})


# --- URL validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://example.vn/hook", "http"),
        ("https://user:pass@example.vn/hook", "mật khẩu"),
        ("https:///hook", "máy chủ"),
        ("", "nhập"),
        ("http://127.0.0.1:8000/hook", "nội bộ"),
        ("http://10.1.2.3/hook", "nội bộ"),
        ("http://169.254.169.254/latest", "nội bộ"),
        ("http://[::1]/hook", "nội bộ"),
        ("http://[::ffff:192.168.1.1]/hook", "nội bộ"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(settings, url, fragment):
    # given the production guard
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    # when the URL is checked / then the url field carries a specific message
    with pytest.raises(ValidationError) as exc:
        webhooks.webhook_url_check(url)
    assert fragment in exc.value.message_dict["url"][0]


def test_public_targets_pass_and_loopback_passes_when_allowed(settings):
    # given the guard on, a public address passes
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    assert (
        webhooks.webhook_url_check(" https://93.184.216.34/hook ") == "https://93.184.216.34/hook"
    )
    # and with the setting, loopback passes
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    assert webhooks.webhook_url_check("http://127.0.0.1:8000/h") == "http://127.0.0.1:8000/h"


def test_sending_rechecks_the_target(hook, admin, settings, django_capture_on_commit_callbacks):
    # given a subscription saved while loopback was allowed
    subscribe(admin, hook.url)
    # when the guard is on at sending time (e.g. DNS now points inside)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with django_capture_on_commit_callbacks(execute=True):
        emit()
    # then nothing reached the receiver and the attempt says why
    assert hook.requests == []
    assert WebhookDelivery.objects.get().last_error == "BlockedTargetError"


def test_create_reports_every_bad_field_and_saves_nothing(admin, settings):
    # given a form with a short secret, no events and a credentialed URL
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    with pytest.raises(ValidationError) as exc:
        webhooks.webhook_subscription_create(
            actor=admin, name=" ", url="https://a:b@x.vn/", secret="ngan", events=[]
        )
    # then each field has its message and no row exists
    assert set(exc.value.message_dict) == {"name", "url", "secret", "events"}
    assert not WebhookSubscription.objects.exists()
    with pytest.raises(ValidationError) as exc:
        subscribe(admin, "https://x.vn/", events=["tip.deleted"])
    assert "tip.deleted" in exc.value.message_dict["events"][0]


def test_update_keeps_the_secret_when_blank_and_audits_without_it(admin, settings):
    # given a subscription
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    sub = subscribe(admin, "http://127.0.0.1:1/a")
    # when it is edited with a blank secret
    webhooks.webhook_subscription_update(
        actor=admin, subscription=sub, name="Mới", url="http://127.0.0.1:1/b", events=["tip.closed"]
    )
    sub.refresh_from_db()
    # then the secret is unchanged and never appears in the audit trail
    assert (sub.name, sub.secret, sub.events) == ("Mới", SECRET, ["tip.closed"])
    for event in AuditEvent.objects.filter(action__startswith="webhook."):
        assert SECRET not in json.dumps(event.changes)


# --- events from the domain services ------------------------------------------------------------


def test_tip_events_carry_no_personal_data(hook, admin, django_capture_on_commit_callbacks):
    from binhyen.tips import services as tip_services
    from binhyen.tips.tests.factories import submit

    # given a subscription for tip events and a named tip with contact details
    subscribe(admin, hook.url)
    commune = CommuneFactory(parent=ProvinceFactory())
    text = "Ông Nguyễn Văn Bảy buôn ma túy ở ngõ 12, tôi là hàng xóm."
    with django_capture_on_commit_callbacks(execute=True):
        result = submit(
            commune,
            description=text,
            is_anonymous=False,
            contact_name="Trần Thị Mai",
            contact_phone="0912345678",
            contact_email="mai@example.vn",
        )
    tip = result.tip
    # when it is concluded
    officer = user_with_role(Role.COMMUNE_OFFICER, commune)
    with django_capture_on_commit_callbacks(execute=True):
        tip_services.tip_conclude(
            actor=officer, tip=tip, status="resolved", outcome="Đã bắt giữ Nguyễn Văn Bảy."
        )
    # then both events arrived, by internal id, with nothing that identifies anyone
    assert [json.loads(r.body)["event"] for r in hook.requests] == ["tip.received", "tip.closed"]
    for request in hook.requests:
        raw = request.body.decode()
        payload = json.loads(raw)
        assert payload["object"] == {"type": "tip", "id": str(tip.pk)}
        assert payload["unit"] == commune.code
        assert set(payload["summary"]) == {"status", "channel"}
        for secret in (
            text,
            "Nguyễn Văn Bảy",
            "Trần Thị Mai",
            "0912345678",
            "mai@example.vn",
            tip.tracking_code,
            result.secret,
            "Đã bắt giữ",
        ):
            assert secret not in raw


def test_report_submit_and_approve_are_events(hook, admin, django_capture_on_commit_callbacks):
    from binhyen.indicators import services as ind
    from binhyen.indicators.services import ValueInput
    from binhyen.indicators.tests.factories import MetricFactory, form_with

    # given a commune report filled in and a subscription for report events
    subscribe(admin, hook.url, events=[WebhookEvent.REPORT_SUBMITTED, WebhookEvent.REPORT_APPROVED])
    province = ProvinceFactory()
    commune = CommuneFactory(parent=province)
    metric = MetricFactory(code="w_tips", capture_kinds=["commune"])
    form = form_with([metric])
    officer = user_with_role(Role.COMMUNE_OFFICER, commune)
    reviewer = user_with_role(Role.PROVINCE_OFFICER, province)
    sub = ind.submission_open(actor=officer, form=form, unit=commune, period_code="2025M07")
    ind.submission_save_values(actor=officer, submission=sub, values=[ValueInput(metric, 3)])
    # when it is submitted and approved
    with django_capture_on_commit_callbacks(execute=True):
        ind.submission_submit(actor=officer, submission=sub)
    with django_capture_on_commit_callbacks(execute=True):
        ind.submission_approve(actor=reviewer, submission=sub)
    # then both events arrived with the form, period and status
    payloads = [json.loads(r.body) for r in hook.requests]
    assert [p["event"] for p in payloads] == ["report.submitted", "report.approved"]
    assert payloads[1]["summary"] == {"form": form.code, "period": "2025M07", "status": "approved"}
    assert payloads[1]["object"] == {"type": "report", "id": str(sub.pk)}


def test_without_active_webhooks_writes_skip_the_lookup(
    hook, admin, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    # given no subscription at all
    cache.delete(webhooks.NONE_ACTIVE_KEY)
    assert emit() == 0
    # when another event is emitted / then no query is made
    with django_assert_num_queries(0):
        assert emit() == 0
    # when a webhook is registered / then the next event reaches it at once
    subscribe(admin, hook.url)
    with django_capture_on_commit_callbacks(execute=True):
        assert emit() == 1
    assert len(hook.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_through_the_database_queue(hook, settings):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    # given the database queue, no wait between attempts and a receiver failing once
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.WEBHOOKS_BACKOFF_SECONDS = 0
    admin = user_with_role(Role.SYSTEM_ADMIN, ProvinceFactory(code="VW"))
    subscribe(admin, hook.url)
    hook.script = [500]
    # when an event commits, nothing is sent until a worker runs
    with transaction.atomic():
        emit()
    assert hook.requests == []
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    # then the worker made the attempt, queued the retry itself, and ran it
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    first, second = (r.body for r in hook.requests)
    assert first == second
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2

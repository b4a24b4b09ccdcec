# mypy: disable-error-code="arg-type, union-attr"
"""Reminding late units from the completeness page: service, page and API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from binhyen.accounts.models import Role
from binhyen.accounts.tests.factories import user_with_role
from binhyen.core.errors import Conflict
from binhyen.core.models import AuditEvent, Notification
from binhyen.core.notifications import render
from binhyen.indicators import services
from binhyen.indicators.models import Submission, SubmissionStatus
from binhyen.indicators.periods import parse_period
from binhyen.indicators.tests.factories import MetricFactory, form_with
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory, country

pytestmark = pytest.mark.django_db
PERIOD = "2025M07"


@pytest.fixture(autouse=True)
def _no_otp(settings):
    settings.OTP_REQUIRED_ROLES = []


@pytest.fixture
def r():
    """A province with three communes: A sent its report, B (two officers) and C (none) not."""
    country()
    p = ProvinceFactory(code="95", name="Tỉnh Nhắc")
    a = CommuneFactory(code="95001", name="Xã An", parent=p)
    b = CommuneFactory(code="95002", name="Xã Bình", parent=p)
    c = CommuneFactory(code="95003", name="Xã Cúc", parent=p)
    other = ProvinceFactory(code="96", name="Tỉnh Khác")
    form = form_with([MetricFactory(code="r_tips", capture_kinds=["commune"])], code="r_monthly")
    period = parse_period(PERIOD)
    Submission.objects.create(
        form=form,
        orgunit=a,
        period=PERIOD,
        period_start=period.start,
        period_end=period.end,
        status=SubmissionStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    return {
        "p": p,
        "a": a,
        "b": b,
        "c": c,
        "form": form,
        "period": period,
        "reviewer": user_with_role(Role.PROVINCE_OFFICER, p, email="tinh@example.vn"),
        "outsider": user_with_role(Role.PROVINCE_OFFICER, other),
        "a_officer": user_with_role(Role.COMMUNE_OFFICER, a, email="a@example.vn"),
        "b_officer": user_with_role(Role.COMMUNE_OFFICER, b, email="b@example.vn"),
        "b_chief": user_with_role(Role.COMMUNE_CHIEF, b, email=""),  # no e-mail address
        "b_viewer": user_with_role(Role.VIEWER, b),
    }


def remind(r, actor=None, codes=None):
    return services.completeness_remind(
        actor=actor or r["reviewer"],
        form=r["form"],
        unit=r["p"],
        period=r["period"],
        unit_codes=codes,
    )


# --- the service -----------------------------------------------------------------------------


def test_reminding_notifies_the_officers_of_the_late_units_only(r):
    # given A sent its report, B has an officer and a chief, C has no account
    # when the province reminds every late unit
    result = remind(r)
    # then B's officer and chief get one notification each, nobody else
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {r["b_officer"].username, r["b_chief"].username}
    assert [u.code for u in result.reminded] == ["95002"]
    assert result.notified == 2
    # and C is named as having no officer account, not skipped in silence
    assert [u.code for u in result.without_officer] == ["95003"]
    assert result.warnings() == [
        "Xã Cúc chưa có tài khoản cán bộ nhập báo cáo: không gửi được lời nhắc."
    ]
    # and the notification names the form, period and due date, and links to the entry page
    n = Notification.objects.filter(recipient=r["b_officer"]).get()
    assert n.link == reverse("indicators:report", args=["r_monthly", "95002", PERIOD])
    assert n.orgunit == r["b"]
    title, body = render(n)
    assert title == "Nhắc nộp báo cáo: Biểu r_monthly — Tháng 7/2025"
    assert "Xã Bình" in body and "hạn nộp" in body
    # and one audit event with counts and codes, no names of people
    event = AuditEvent.objects.get(action="report.remind")
    assert event.changes["after"]["notifications"] == 2
    assert event.changes["after"]["without_officer"] == 1
    assert r["b_officer"].username not in json.dumps(event.changes)


def test_the_notification_is_rendered_in_the_readers_language(r):
    # given a reminder stored once
    remind(r, codes=["95002"])
    n = Notification.objects.filter(recipient=r["b_officer"]).get()
    # when it is read in English
    with translation.override("en"):
        title, body = render(n)
    # then it is English
    assert title.startswith("Reminder")
    assert "has not sent" in body


def test_a_unit_reminded_recently_is_not_reminded_again_and_the_message_says_when(r, settings):
    # given B was reminded a moment ago
    settings.COMPLETENESS_REMIND_HOURS = 24
    remind(r, codes=["95002"])
    # when the province reminds B again
    with pytest.raises(Conflict) as refused:
        remind(r, codes=["95002"])
    # then nothing more is sent, and the refusal says when it was reminded and for how long
    assert Notification.objects.count() == 2
    message = refused.value.messages[0]
    assert message.startswith("Xã Bình đã được nhắc lúc ") and "24 giờ" in message
    # and once the hours have passed it may be reminded again
    Notification.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert remind(r, codes=["95002"]).notified == 2


def test_a_unit_that_sent_its_report_or_is_not_below_is_refused_by_name(r):
    # when the province asks to remind A (which sent its report) or a unit of another province
    for code in ("95001", "96001"):
        with pytest.raises(ValidationError) as refused:
            remind(r, codes=[code])
        # then the refusal names the unit and nothing is sent
        assert code in refused.value.message_dict["unit"][0]
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="report.remind").exists()


def test_only_a_reviewer_of_the_units_may_remind_them(r):
    # given a commune officer, and a province officer of another province
    for actor in (r["b_officer"], r["outsider"]):
        # when they try to remind the province's communes
        with pytest.raises(PermissionDenied):
            remind(r, actor=actor)
    # then nothing is sent
    assert not Notification.objects.exists()


# --- e-mail ----------------------------------------------------------------------------------


def test_email_goes_through_the_task_to_officers_with_an_address_when_configured(
    r, settings, django_capture_on_commit_callbacks
):
    # given e-mail configured (the locmem backend records what is sent)
    settings.EMAIL_HOST_CONFIGURED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # when B is reminded and the transaction commits (the task runs)
    with django_capture_on_commit_callbacks(execute=True):
        remind(r, codes=["95002"])
    # then one e-mail leaves, to the officer with an address; the chief without one is skipped
    assert [m.to for m in mail.outbox] == [["b@example.vn"]]
    assert "Nhắc nộp báo cáo" in mail.outbox[0].subject
    assert reverse("indicators:report", args=["r_monthly", "95002", PERIOD]) in mail.outbox[0].body
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 1


def test_no_email_is_sent_when_no_mail_server_is_configured(
    r, settings, django_capture_on_commit_callbacks
):
    # given no EMAIL_HOST
    settings.EMAIL_HOST_CONFIGURED = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # when B is reminded
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        remind(r, codes=["95002"])
    # then the notifications exist in the product, and nothing is queued or sent
    assert Notification.objects.count() == 2
    assert callbacks == []
    assert mail.outbox == []


# --- the page --------------------------------------------------------------------------------


def page_url(r, name="indicators:completeness", unit="95"):
    return reverse(name, args=["r_monthly", unit, PERIOD])


def test_the_page_shows_a_remind_button_per_late_unit_and_one_for_all(client, r):
    # given the province's reviewer
    client.force_login(r["reviewer"])
    # when the completeness page is shown
    resp = client.get(page_url(r))
    html = resp.content.decode()
    # then B and C have a button, A (sent) has none, and the bulk button asks first
    assert resp.context["remindable"] == {"95002", "95003"}
    assert html.count('data-testid="remind"') == 2
    assert 'data-testid="remind-all"' in html and "data-confirm=" in html


def test_the_page_hides_the_reminders_from_who_cannot_review(client, r):
    # given a viewer of commune B (sees B's completeness but reviews nothing)
    client.force_login(r["b_viewer"])
    resp = client.get(page_url(r, unit="95002"))
    # then there is no reminder column
    assert resp.status_code == 200
    assert 'data-testid="remind' not in resp.content.decode()


def test_reminding_from_the_page(client, r):
    # given the reviewer on the completeness page
    client.force_login(r["reviewer"])
    url = page_url(r, name="indicators:completeness_remind")
    # when every late unit is reminded
    resp = client.post(url, {"show": "late"}, follow=True)
    # then the page comes back, filtered as it was, saying what was done and what was not
    assert resp.redirect_chain[-1][0] == page_url(r) + "?show=late"
    text = resp.content.decode()
    assert "Đã nhắc 1 đơn vị (2 cán bộ nhận thông báo)." in text
    assert "Xã Cúc chưa có tài khoản cán bộ" in text
    assert 'data-testid="reminded-at"' in text
    # and B's button is off until the hours have passed
    assert resp.context["remind_recent"] == {"95002"}
    # when B is reminded again at once
    again = client.post(url, {"unit": "95002"})
    # then a 409 says when it was last reminded, nothing more is sent
    assert again.status_code == 409
    assert "đã được nhắc lúc" in again.content.decode()
    assert Notification.objects.count() == 2
    # when a unit that is not late is asked for: a 400 naming it
    bad = client.post(url, {"unit": "95001"})
    assert bad.status_code == 400 and "95001" in bad.content.decode()


def test_remind_page_permissions(client, r):
    url = page_url(r, name="indicators:completeness_remind")
    # anonymous: to the login page
    assert client.post(url)["Location"].startswith(reverse("accounts:login"))
    # out of scope, and in scope without the right to review: 404, nothing sent
    for user in (r["outsider"], r["b_officer"]):
        client.force_login(user)
        assert client.post(url).status_code == 404
    assert not Notification.objects.exists()
    # a GET is not an action
    client.force_login(r["reviewer"])
    assert client.get(url).status_code == 405


# --- the API ---------------------------------------------------------------------------------


def api_url(unit="95"):
    return f"/api/v1/indicators/reports/r_monthly/{unit}/{PERIOD}/completeness/remind"


def test_remind_through_the_api(client, r):
    # given the reviewer's session
    client.force_login(r["reviewer"])
    # when every late unit is reminded
    resp = client.post(api_url(), data="{}", content_type="application/json")
    # then the answer lists what was done and what was not
    assert resp.status_code == 200
    body = resp.json()
    assert body["reminded"] == ["95002"] and body["notified"] == 2
    assert body["without_officer"] == ["95003"]
    # and reminding B again at once is a 409 saying when
    again = client.post(
        api_url(), data=json.dumps({"units": ["95002"]}), content_type="application/json"
    )
    assert again.status_code == 409
    assert "đã được nhắc lúc" in again.json()["message"]
    # and a unit that is not late is a 400 naming the field
    bad = client.post(
        api_url(), data=json.dumps({"units": ["95001"]}), content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["field"] == "unit"


def test_remind_api_permissions(client, r):
    # anonymous: 401
    assert client.post(api_url(), data="{}", content_type="application/json").status_code == 401
    # out of scope, and in scope without the right to review: 404, nothing sent
    for user in (r["outsider"], r["b_officer"]):
        client.force_login(user)
        resp = client.post(api_url(), data="{}", content_type="application/json")
        assert resp.status_code == 404
    assert not Notification.objects.exists()

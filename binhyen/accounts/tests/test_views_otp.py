"""The second factor: set-up with a QR code, verification, backup codes, and what an
unverified session may reach."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from binhyen.accounts.tests.factories import PASSWORD, UserFactory, scene
from binhyen.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    return scene()


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


def _wrong(device: TOTPDevice) -> str:
    return f"{(int(_code(device)) + 500_000) % 1_000_000:06d}"


def _password_login(client, username: str, next_url: str = ""):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": PASSWORD})


def test_first_sign_in_sets_up_the_authenticator(client, s):
    # given a province officer without an authenticator
    # when they sign in with their password
    response = _password_login(client, "tinh")
    # then they are sent to the code page, which sends them on to set-up
    assert response["Location"] == f"{reverse('accounts:otp_verify')}?next=%2F"
    response = client.get(response["Location"])
    assert response["Location"] == f"{reverse('accounts:otp_setup')}?next=%2F"
    # and set-up shows a server-rendered QR code and the secret for manual entry
    setup = client.get(response["Location"])
    body = setup.content.decode()
    assert setup.status_code == 200
    assert "<svg" in body
    device = TOTPDevice.objects.get(user=s.province_officer, confirmed=False)
    assert setup.context["secret"].replace(" ", "")[:8] in body.replace(" ", "")
    # when they enter the code from the app
    done = client.post(reverse("accounts:otp_setup"), {"code": _code(device), "next": "/"})
    # then the device is confirmed, ten backup codes are shown once, and the session is verified
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    # and every step was audited
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"auth.login", "otp.setup_started", "otp.device_confirmed"} <= actions


def test_setup_with_a_wrong_code_is_a_400_with_an_error(client, s):
    client.force_login(s.province_officer)
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=s.province_officer)
    response = client.post(reverse("accounts:otp_setup"), {"code": _wrong(device)})
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    again = client.post(reverse("accounts:otp_setup"), {"code": "12ab"})
    assert again.status_code == 400
    assert "6 chữ số" in again.context["form"].errors["code"][0]


def test_setup_is_refused_once_a_device_exists(client, s):
    # given a confirmed authenticator; a password-only session cannot replace it
    TOTPDevice.objects.create(user=s.province_officer, name="a", confirmed=True)
    client.force_login(s.province_officer)
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    assert TOTPDevice.objects.filter(user=s.province_officer).count() == 1


def test_setup_is_not_offered_to_roles_that_do_not_need_it(client, s):
    client.force_login(s.commune_officer)
    assert client.get(reverse("accounts:otp_setup"))["Location"] == reverse("accounts:profile")
    assert not TOTPDevice.objects.exists()


def test_sign_in_with_a_device_asks_for_the_code(client, s, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=s.province_officer, name="a", confirmed=True)
    response = _password_login(client, "tinh", next_url=reverse("accounts:profile"))
    verify = response["Location"]
    assert verify.startswith(reverse("accounts:otp_verify"))
    assert client.get(verify).status_code == 200
    wrong = client.post(verify, {"code": _wrong(device)})
    assert wrong.status_code == 400
    assert "Mã không đúng" in wrong.content.decode()
    right = client.post(verify, {"code": _code(device)})
    assert right.status_code == 302
    assert right["Location"] == reverse("accounts:profile")
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_repeated_wrong_codes_are_throttled(client, s):
    device = TOTPDevice.objects.create(user=s.province_officer, name="a", confirmed=True)
    client.force_login(s.province_officer)
    url = reverse("accounts:otp_verify")
    assert client.post(url, {"code": _wrong(device)}).status_code == 400
    throttled = client.post(url, {"code": _code(device)})
    assert throttled.status_code == 429
    assert "Hãy đợi" in throttled.content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_backup_code_signs_in_once(client, s):
    from binhyen.accounts import services

    TOTPDevice.objects.create(user=s.province_officer, name="a", confirmed=True)
    codes = services.otp_backup_codes_regenerate(actor=s.province_officer)
    client.force_login(s.province_officer)
    url = reverse("accounts:otp_verify")
    ok = client.post(url, {"kind": "backup", "backup-code": codes[0]})
    assert ok.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    client.logout()
    client.force_login(s.province_officer)
    reused = client.post(url, {"kind": "backup", "backup-code": codes[0]})
    assert reused.status_code == 400
    assert "backup-code" not in reused.context["form"].errors
    assert "code" in reused.context["backup_form"].errors


def test_verify_ignores_a_foreign_next(client, s, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=s.province_officer, name="a", confirmed=True)
    client.force_login(s.province_officer)
    response = client.post(
        reverse("accounts:otp_verify"), {"code": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_verified_user_skips_the_code_page(client, s, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=s.province_officer, name="a", confirmed=True)
    client.force_login(s.province_officer)
    client.post(reverse("accounts:otp_verify"), {"code": _code(device)})
    assert client.get(reverse("accounts:otp_verify"))["Location"] == reverse("home")


def test_backup_codes_can_be_regenerated_from_the_profile(client, s, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=s.province_officer, name="a", confirmed=True)
    client.force_login(s.province_officer)
    client.post(reverse("accounts:otp_verify"), {"code": _code(device)})
    profile = client.get(reverse("accounts:profile"))
    assert profile.context["totp_enabled"] is True
    response = client.post(reverse("accounts:otp_backup_codes"))
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10


# --- what an unverified session may reach (RequireTwoFactorMiddleware) -----------------------

GUARDED = [
    "home",
    "accounts:profile",
    "accounts:password_change",
    "accounts:user_list",
    "accounts:user_create",
    "accounts:audit_list",
    "admin:index",
]


@pytest.mark.parametrize("name", GUARDED)
def test_unverified_province_officer_is_sent_to_the_code_page(client, s, name):
    client.force_login(s.province_officer)
    url = reverse(name)
    response = client.get(url, {"a": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('accounts:otp_verify')}?next=")
    assert "%3Fa%3D1" in response["Location"]  # the full path survives, URL-encoded


@pytest.mark.parametrize("name", GUARDED[:-1])
def test_commune_officer_needs_no_second_factor(client, s, name):
    client.force_login(s.commune_officer)
    response = client.get(reverse(name))
    assert not response.get("Location", "").startswith(reverse("accounts:otp_verify"))


def test_unverified_session_may_reach_the_allowed_pages(client, s):
    TOTPDevice.objects.create(user=s.province_officer, name="a", confirmed=True)
    client.force_login(s.province_officer)
    assert client.get(reverse("accounts:otp_verify")).status_code == 200
    assert client.get(reverse("core:healthz")).status_code == 200
    assert client.post(reverse("accounts:logout"))["Location"] == reverse("accounts:login")


def test_superusers_need_the_second_factor_too(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))

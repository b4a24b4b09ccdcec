"""Account pages: sign-in, profile and tokens, user administration, audit trail.

For every view: an in-scope user gets the page, an out-of-scope user a 404, an anonymous
visitor the sign-in page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from binhyen.accounts.models import ApiToken, Role, RoleAssignment, User
from binhyen.accounts.tests.factories import (
    PASSWORD,
    UserFactory,
    login_verified,
    scene,
    user_with_role,
)
from binhyen.core.models import AuditEvent
from binhyen.core.services import audit_event_record

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Cong-an-xa-2025!"


@pytest.fixture
def s():
    return scene()


def _login_url(next_url: str) -> str:
    return f"{reverse('accounts:login')}?next={next_url}"


# --- anonymous visitors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs", "method"),
    [
        ("accounts:profile", {}, "get"),
        ("accounts:password_change", {}, "get"),
        ("accounts:token_create", {}, "post"),
        ("accounts:token_revoke", {"pk": 1}, "post"),
        ("accounts:otp_verify", {}, "get"),
        ("accounts:otp_setup", {}, "get"),
        ("accounts:otp_backup_codes", {}, "post"),
        ("accounts:user_list", {}, "get"),
        ("accounts:user_create", {}, "get"),
        ("accounts:unit_lookup", {}, "get"),
        ("accounts:user_detail", {"pk": 1}, "get"),
        ("accounts:role_grant", {"pk": 1}, "post"),
        ("accounts:role_revoke", {"pk": 1, "assignment_pk": 1}, "post"),
        ("accounts:user_set_active", {"pk": 1}, "post"),
        ("accounts:user_otp_reset", {"pk": 1}, "post"),
        ("accounts:audit_list", {}, "get"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, name, kwargs, method):
    # Given a visitor who is not signed in
    # When they open any accounts page
    # Then they are sent to sign in, with the page as next
    url = reverse(name, kwargs=kwargs)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == _login_url(url)


# --- sign-in and sign-out --------------------------------------------------------------------


def test_login_page_is_vietnamese_by_default(client):
    # Given a browser that asks for nothing in particular
    # Then the sign-in page is in Vietnamese
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode()
    assert 'lang="vi"' in response.content.decode()


def test_login_with_the_right_password_goes_home(client, s):
    # Given a commune officer
    # When they sign in with the right password
    # Then they go home and the sign-in is audited
    response = client.post(reverse("accounts:login"), {"username": "canbo", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert AuditEvent.objects.filter(action="auth.login", actor=s.commune_officer).exists()


def test_login_with_a_wrong_password_shows_a_vietnamese_error(client, s):
    # Given a commune officer
    # When they sign in with a wrong password
    # Then a 400 says why in Vietnamese and the failure is audited
    response = client.post(reverse("accounts:login"), {"username": "canbo", "password": "sai"})
    assert response.status_code == 400
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed").exists()


def test_login_keeps_a_safe_next_and_drops_a_foreign_one(client, s):
    # Given a next page on this site, then one on another site
    # Then the first is followed after sign-in, the second replaced by home
    profile = reverse("accounts:profile")
    ok = client.post(
        f"{reverse('accounts:login')}?next={profile}", {"username": "canbo", "password": PASSWORD}
    )
    assert ok["Location"] == profile
    client.logout()
    foreign = client.post(
        f"{reverse('accounts:login')}?next=https://evil.example/",
        {"username": "canbo", "password": PASSWORD},
    )
    assert foreign["Location"] == reverse("home")


def test_login_page_in_english(client, s, settings):
    # Given the language cookie set to English
    # Then the sign-in page is in English
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("accounts:login"))
    assert 'lang="en"' in response.content.decode()


def test_logout_needs_post_and_signs_out(client, s):
    # Given a signed-in officer
    # When they sign out with GET, then with POST
    # Then GET is refused, POST signs out and is audited
    client.force_login(s.commune_officer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("accounts:profile")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout").exists()


# --- profile and tokens ----------------------------------------------------------------------


def test_profile_lists_roles_with_unit_links_and_two_factor_status(client, s):
    # Given an officer with two roles
    # When they open their profile
    # Then each role links to its unit and the second-factor status is shown
    RoleAssignment.objects.create(user=s.commune_officer, role=Role.VIEWER, orgunit=s.village)
    client.force_login(s.commune_officer)
    response = client.get(reverse("accounts:profile"))
    body = response.content.decode()
    assert response.status_code == 200
    assert s.commune_officer.full_name in body
    assert reverse("orgunits:detail", kwargs={"code": s.commune.code}) in body
    assert reverse("orgunits:detail", kwargs={"code": s.village.code}) in body
    assert "không yêu cầu xác thực hai lớp" in body


def test_profile_without_roles_says_what_to_do(client):
    # Given a user without any role
    # Then the profile says no role has been assigned
    client.force_login(UserFactory())
    body = client.get(reverse("accounts:profile")).content.decode()
    assert "chưa được phân công vai trò" in body


def test_token_create_shows_the_secret_once(client, s):
    # Given a signed-in officer
    # When they create an API token
    # Then its secret is shown once and never again
    client.force_login(s.commune_officer)
    response = client.post(reverse("accounts:token_create"), {"name": "Phần mềm A"})
    assert response.status_code == 200
    raw = response.context["raw"]
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=s.commune_officer)
    # the profile afterwards shows the name and prefix but never the secret
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Phần mềm A" in profile
    assert token.prefix in profile
    assert raw not in profile


def test_token_create_without_a_name_is_a_400_naming_the_field(client, s):
    # Given a signed-in officer
    # When they create a token without a name
    # Then a 400 names the field and nothing is stored
    client.force_login(s.commune_officer)
    response = client.post(reverse("accounts:token_create"), {"name": ""})
    assert response.status_code == 400
    assert "name" in response.context["token_form"].errors
    assert not ApiToken.objects.exists()


def test_token_revoke_by_owner_and_404_for_others(client, s):
    # Given an officer's token
    # When someone else, then the owner, revokes it
    # Then others get a 404, the owner revokes it once
    token = ApiToken.objects.create(
        user=s.commune_officer, name="A", prefix="abcd1234", key_hash="x" * 64
    )
    client.force_login(s.commune_chief)
    assert client.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk})).status_code == 404
    client.force_login(s.commune_officer)
    response = client.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk})).status_code == 404


def test_password_change_is_audited_and_keeps_the_session(client, s):
    # Given a signed-in officer
    # When they change their password, first with a wrong old one
    # Then the wrong one is a 400; the change is saved, audited and keeps the session
    client.force_login(s.commune_officer)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    wrong = client.post(
        url, {"old_password": "sai", "new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    )
    assert wrong.status_code == 400
    assert "old_password" in wrong.context["form"].errors
    response = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    s.commune_officer.refresh_from_db()
    assert s.commune_officer.check_password(GOOD_PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.password_changed").count() == 1


def test_password_change_rejects_a_weak_password(client, s):
    # Given a signed-in officer
    # When the new password is too weak
    # Then a 400 names the field
    client.force_login(s.commune_officer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 400
    assert "new_password2" in response.context["form"].errors


# --- user administration ---------------------------------------------------------------------


def test_user_list_shows_only_manageable_users(client, s):
    # Given a commune chief
    # Then the user list holds only the users of their commune
    client.force_login(s.commune_chief)
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    listed = {u.username for u in response.context["page"].object_list}
    assert listed == {"truong", "canbo", "tobv"}


def test_user_list_search_and_empty_state(client, s):
    # Given a commune chief
    # When they search by name, then for someone who does not exist
    # Then the match is listed, then the empty state says so
    client.force_login(s.commune_chief)
    response = client.get(reverse("accounts:user_list"), {"q": "tobv"})
    assert [u.username for u in response.context["page"].object_list] == ["tobv"]
    empty = client.get(reverse("accounts:user_list"), {"q": "khong-co-ai"})
    assert "Không có người dùng nào khớp" in empty.content.decode()


def test_user_list_paginates(client, s, settings):
    # Given more users than a page holds
    # Then the list pages by PAGE_SIZE and a bad page number still answers
    for _i in range(30):
        user_with_role(Role.COMMUNE_OFFICER, s.commune)
    client.force_login(s.commune_chief)
    first = client.get(reverse("accounts:user_list"))
    assert len(first.context["page"].object_list) == settings.PAGE_SIZE
    second = client.get(reverse("accounts:user_list"), {"page": 2})
    assert second.context["page"].number == 2
    assert client.get(reverse("accounts:user_list"), {"page": "x"}).status_code == 200


@pytest.mark.parametrize(
    "name", ["accounts:user_list", "accounts:user_create", "accounts:audit_list"]
)
def test_manager_pages_are_404_for_users_without_the_permission(client, s, name):
    # Given a commune officer who manages nobody
    # Then the manager pages answer 404
    client.force_login(s.commune_officer)
    assert client.get(reverse(name)).status_code == 404


def test_user_create_in_scope(client, s):
    # Given a commune chief
    # When they create an officer of their commune
    # Then the user exists with the role on the chosen village, and their page opens
    client.force_login(s.commune_chief)
    url = reverse("accounts:user_create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "username": "moi",
            "full_name": "Nguyễn Thị Mới",
            "email": "",
            "phone": "0912 345 678",
            "position": "",
            "role": Role.VILLAGE_MEMBER,
            "unit_code": s.village.code,
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )
    user = User.objects.get(username="moi")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", kwargs={"pk": user.pk})
    assert user.role_assignments.get().orgunit == s.village


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"unit_code": "KHONG-CO"}, "unit_code"),
        ({"unit_code": "__far__"}, "unit_code"),
        ({"role": Role.PROVINCE_OFFICER}, "role"),
        ({"password2": "khac-hoan-toan-2025"}, "password2"),
        ({"password1": "12345678", "password2": "12345678"}, "password1"),
        ({"username": "CANBO"}, "username"),
        ({"username": "có dấu cách"}, "username"),
        ({"phone": "abc"}, "phone"),
        ({"email": "sai"}, "email"),
    ],
)
def test_user_create_bad_input_names_the_field(client, s, changes, field):
    # Given a commune chief
    # When a new user's data is wrong in one field
    # Then a 400 names that field and no user is created
    client.force_login(s.commune_chief)
    data = {
        "username": "moi",
        "full_name": "Nguyễn Thị Mới",
        "role": Role.COMMUNE_OFFICER,
        "unit_code": s.commune.code,
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(changes)
    if data["unit_code"] == "__far__":
        data["unit_code"] = s.far_commune.code
    users = User.objects.count()
    response = client.post(reverse("accounts:user_create"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert User.objects.count() == users


def test_unknown_and_out_of_scope_units_get_the_same_message(client, s):
    # Given a commune chief
    # When a new user's unit is unknown, or outside the chief's scope
    # Then both get the same message, so existence does not leak
    client.force_login(s.commune_chief)
    base = {"username": "moi", "full_name": "A", "role": Role.COMMUNE_OFFICER}
    unknown = client.post(reverse("accounts:user_create"), {**base, "unit_code": "99999999"})
    far = client.post(reverse("accounts:user_create"), {**base, "unit_code": s.far_commune.code})
    assert "phạm vi bạn quản lý" in unknown.context["form"].errors["unit_code"][0]
    assert "phạm vi bạn quản lý" in far.context["form"].errors["unit_code"][0]


def test_user_detail_in_scope_and_404_out_of_scope(client, s):
    # Given a commune chief
    # Then a user of their commune opens, others and missing ones are 404
    client.force_login(s.commune_chief)
    ok = client.get(reverse("accounts:user_detail", kwargs={"pk": s.commune_officer.pk}))
    assert ok.status_code == 200
    assert ok.context["can_change"] is True
    assert (
        client.get(reverse("accounts:user_detail", kwargs={"pk": s.far_officer.pk})).status_code
        == 404
    )
    assert (
        client.get(
            reverse("accounts:user_detail", kwargs={"pk": s.province_officer.pk})
        ).status_code
        == 404
    )
    assert client.get(reverse("accounts:user_detail", kwargs={"pk": 999999})).status_code == 404


def test_user_with_any_role_outside_scope_is_404(client, s):
    # Given an officer holding one role outside the chief's scope
    # Then the chief neither opens nor lists them
    RoleAssignment.objects.create(user=s.commune_officer, role=Role.VIEWER, orgunit=s.far_commune)
    client.force_login(s.commune_chief)
    url = reverse("accounts:user_detail", kwargs={"pk": s.commune_officer.pk})
    assert client.get(url).status_code == 404
    assert "canbo" not in {
        u.username for u in client.get(reverse("accounts:user_list")).context["page"].object_list
    }


def test_own_detail_page_is_read_only(client, s):
    # Given a commune chief on their own page
    # Then it is read-only and granting oneself a role is refused
    client.force_login(s.commune_chief)
    response = client.get(reverse("accounts:user_detail", kwargs={"pk": s.commune_chief.pk}))
    assert response.status_code == 200
    assert response.context["is_self"] is True
    grant = client.post(
        reverse("accounts:role_grant", kwargs={"pk": s.commune_chief.pk}),
        {"role": Role.VIEWER, "unit_code": s.village.code},
    )
    assert grant.status_code == 400
    assert s.commune_chief.role_assignments.count() == 1


def test_role_grant_in_scope_and_errors(client, s):
    # Given a commune chief and an officer of their commune
    # When roles are granted: in scope, twice, outside the scope
    # Then the first is saved, the others are a 400 naming the field
    client.force_login(s.commune_chief)
    url = reverse("accounts:role_grant", kwargs={"pk": s.commune_officer.pk})
    response = client.post(url, {"role": Role.VIEWER, "unit_code": s.village.code})
    assert response.status_code == 302
    assert s.commune_officer.role_assignments.filter(role=Role.VIEWER).exists()
    duplicate = client.post(url, {"role": Role.VIEWER, "unit_code": s.village.code})
    assert duplicate.status_code == 400
    assert "role" in duplicate.context["grant_form"].errors
    outside = client.post(url, {"role": Role.VIEWER, "unit_code": s.sibling_commune.code})
    assert outside.status_code == 400
    assert "unit_code" in outside.context["grant_form"].errors


def test_role_grant_for_out_of_scope_user_is_404(client, s):
    # Given a user outside the chief's scope
    # When the chief grants them a role
    # Then it is a 404 and nothing changes
    client.force_login(s.commune_chief)
    response = client.post(
        reverse("accounts:role_grant", kwargs={"pk": s.far_officer.pk}),
        {"role": Role.VIEWER, "unit_code": s.commune.code},
    )
    assert response.status_code == 404
    assert s.far_officer.role_assignments.count() == 1


def test_role_revoke_in_scope_last_role_and_out_of_scope(client, s):
    # Given an officer with two roles, and a user outside the chief's scope
    # When roles are revoked
    # Then one is revoked, the last one is refused, the outside one is a 404
    extra = RoleAssignment.objects.create(
        user=s.commune_officer, role=Role.VIEWER, orgunit=s.village
    )
    client.force_login(s.commune_chief)
    ok = client.post(
        reverse(
            "accounts:role_revoke", kwargs={"pk": s.commune_officer.pk, "assignment_pk": extra.pk}
        )
    )
    assert ok.status_code == 302
    last = s.commune_officer.role_assignments.get()
    refused = client.post(
        reverse(
            "accounts:role_revoke", kwargs={"pk": s.commune_officer.pk, "assignment_pk": last.pk}
        )
    )
    assert refused.status_code == 400
    assert "vai trò cuối cùng" in refused.context["error"]
    far = s.far_officer.role_assignments.get()
    assert (
        client.post(
            reverse(
                "accounts:role_revoke", kwargs={"pk": s.far_officer.pk, "assignment_pk": far.pk}
            )
        ).status_code
        == 404
    )
    # an assignment of another user through a manageable user's URL is a 404 too
    assert (
        client.post(
            reverse(
                "accounts:role_revoke", kwargs={"pk": s.commune_officer.pk, "assignment_pk": far.pk}
            )
        ).status_code
        == 404
    )


def test_set_active_in_scope_out_of_scope_and_bad_value(client, s):
    # Given a commune chief
    # When they lock users: in scope, with a bad value, outside, themselves
    # Then only the first works; the others are a 400 or a 404
    client.force_login(s.commune_chief)
    url = reverse("accounts:user_set_active", kwargs={"pk": s.commune_officer.pk})
    assert client.post(url, {"is_active": "0"}).status_code == 302
    s.commune_officer.refresh_from_db()
    assert not s.commune_officer.is_active
    assert client.post(url, {"is_active": "maybe"}).status_code == 400
    far = reverse("accounts:user_set_active", kwargs={"pk": s.far_officer.pk})
    assert client.post(far, {"is_active": "0"}).status_code == 404
    mine = reverse("accounts:user_set_active", kwargs={"pk": s.commune_chief.pk})
    assert client.post(mine, {"is_active": "0"}).status_code == 400
    s.commune_chief.refresh_from_db()
    assert s.commune_chief.is_active


def test_deactivated_user_cannot_sign_in(client, s):
    # Given a locked account
    # Then it cannot sign in
    s.commune_officer.is_active = False
    s.commune_officer.save()
    response = client.post(reverse("accounts:login"), {"username": "canbo", "password": PASSWORD})
    assert response.status_code == 400


def test_otp_reset_in_scope_and_out_of_scope(client, s):
    # Given a province officer with an authenticator in scope, and one outside
    # When their second factor is reset
    # Then the first is reset, the other is a 404
    from django_otp.plugins.otp_totp.models import TOTPDevice

    second = user_with_role(Role.PROVINCE_OFFICER, s.province)
    TOTPDevice.objects.create(user=second, name="a", confirmed=True)
    login_verified(client, s.province_officer)
    response = client.post(reverse("accounts:user_otp_reset", kwargs={"pk": second.pk}))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=second).exists()
    assert (
        client.post(reverse("accounts:user_otp_reset", kwargs={"pk": s.far_officer.pk})).status_code
        == 404
    )


def test_unit_lookup_lists_only_units_in_scope(client, s):
    # Given a commune chief and a commune officer
    # Then the unit lookup finds units in the chief's scope only, and is a 404 for the officer
    client.force_login(s.commune_chief)
    response = client.get(reverse("accounts:unit_lookup"), {"q": "thon cam"})
    assert response.status_code == 200
    assert [u.code for u in response.context["units"]] == [s.village.code]
    none = client.get(reverse("accounts:unit_lookup"), {"q": "Phường Bắc Giang"})
    assert list(none.context["units"]) == []
    client.force_login(s.commune_officer)
    assert client.get(reverse("accounts:unit_lookup"), {"q": "x"}).status_code == 404


def test_superuser_manages_everyone(client, s):
    # Given a superuser
    # Then every user is listed and can be opened
    admin = UserFactory(is_superuser=True, is_staff=True)
    login_verified(client, admin)
    response = client.get(reverse("accounts:user_list"))
    assert {"tinh", "canboxa"} <= {u.username for u in response.context["page"].object_list}
    assert (
        client.get(reverse("accounts:user_detail", kwargs={"pk": s.far_officer.pk})).status_code
        == 200
    )


# --- audit trail -----------------------------------------------------------------------------


def _events(s):
    audit_event_record(
        actor=s.commune_chief, action="unit.changed", obj=s.commune, orgunit=s.commune
    )
    audit_event_record(
        actor=s.far_officer, action="unit.changed", obj=s.far_commune, orgunit=s.far_commune
    )
    audit_event_record(actor=s.commune_officer, action="auth.login", obj=s.commune_officer)
    audit_event_record(actor=s.far_officer, action="auth.login", obj=s.far_officer)


def test_audit_list_shows_only_events_in_scope(client, s):
    # Given audit events in and out of the chief's scope
    # Then only those in scope are listed
    _events(s)
    client.force_login(s.commune_chief)
    response = client.get(reverse("accounts:audit_list"))
    assert response.status_code == 200
    seen = {(e.action, e.actor_label) for e in response.context["page"].object_list}
    assert ("unit.changed", "truong") in seen
    assert ("auth.login", "canbo") in seen
    assert not any(label == "canboxa" for _a, label in seen)


def test_audit_list_filters(client, s):
    # Given audit events
    # When they are filtered by unit, action, actor and dates
    # Then only matches are listed; a unit outside the scope is a 400 naming it
    _events(s)
    client.force_login(s.commune_chief)
    url = reverse("accounts:audit_list")
    by_unit = client.get(url, {"unit": s.province.code})
    assert by_unit.status_code == 400  # the chief may not read the whole province
    assert "unit" in by_unit.context["form"].errors
    by_commune = client.get(url, {"unit": s.commune.code})
    assert {e.action for e in by_commune.context["page"].object_list} == {"unit.changed"}
    by_action = client.get(url, {"action": "auth."})
    assert {e.action for e in by_action.context["page"].object_list} == {"auth.login"}
    by_actor = client.get(url, {"actor": "canbo"})
    assert {e.actor_label for e in by_actor.context["page"].object_list} == {"canbo"}
    today = timezone.localdate()
    everything = client.get(url).context["page"].paginator.count
    dated = client.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()})
    assert dated.context["page"].paginator.count == everything
    future = client.get(url, {"date_from": (today + timedelta(days=1)).isoformat()})
    assert "Không có hoạt động nào khớp" in future.content.decode()


def test_audit_list_rejects_bad_dates_with_clear_errors(client, s):
    # Given dates that are invalid or in the wrong order
    # Then the audit list is a 400 naming the date field; a Vietnamese date is understood
    client.force_login(s.commune_chief)
    url = reverse("accounts:audit_list")
    reversed_range = client.get(url, {"date_from": "2025-05-02", "date_to": "2025-05-01"})
    assert reversed_range.status_code == 400
    assert "date_to" in reversed_range.context["form"].errors
    garbage = client.get(url, {"date_from": "hôm qua"})
    assert garbage.status_code == 400
    assert "date_from" in garbage.context["form"].errors
    vietnamese = client.get(url, {"date_from": "01/05/2025"})
    assert vietnamese.status_code == 200


def test_audit_list_empty_state(client, s):
    # Given no matching event
    # Then the audit list says so
    client.force_login(s.commune_chief)
    AuditEvent.objects.all().delete()
    body = client.get(reverse("accounts:audit_list")).content.decode()
    assert "Chưa có hoạt động nào" in body


def test_audit_list_paginates_by_25(client, s):
    # Given more than 25 events
    # Then the audit list pages by 25
    for i in range(30):
        audit_event_record(actor=s.commune_chief, action=f"x.{i}", orgunit=s.commune)
    client.force_login(s.commune_chief)
    response = client.get(reverse("accounts:audit_list"))
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.num_pages == 2

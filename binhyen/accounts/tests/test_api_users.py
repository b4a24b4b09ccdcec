"""/api/v1/accounts/users… and /api/v1/accounts/audit: the user-administration and audit
pages' rules over the API — scope, 404 for what one may not manage, 400 naming the field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from binhyen.accounts.models import ApiToken, Role, RoleAssignment, User
from binhyen.accounts.tests.factories import UserFactory, user_with_role
from binhyen.accounts.tokens import generate_secret, hash_secret, prefix_of
from binhyen.core.models import AuditEvent
from binhyen.orgunits.tests.factories import CommuneFactory, ProvinceFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Ngựa-vằn-7-bay-qua-sông"


def bearer(user: Any) -> dict[str, str]:
    raw = generate_secret()
    ApiToken.objects.create(user=user, name="t", prefix=prefix_of(raw), key_hash=hash_secret(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def send(client, method: str, path: str, user: Any = None, body: Any = None):
    headers = bearer(user) if user is not None else {}
    kwargs: dict[str, Any] = {"content_type": "application/json", **headers}
    if body is not None:
        kwargs["data"] = body
    return getattr(client, method)(path, **kwargs)


@pytest.fixture
def w() -> dict[str, Any]:
    province = ProvinceFactory(code="31")
    a = CommuneFactory(code="31001", parent=province)
    b = CommuneFactory(code="31002", parent=province)
    other = ProvinceFactory(code="32")
    return {
        "province": province,
        "a": a,
        "b": b,
        "manager": user_with_role(Role.PROVINCE_OFFICER, province, username="tinh31"),
        "chief": user_with_role(Role.COMMUNE_CHIEF, a, username="truong_a"),
        "officer": user_with_role(
            Role.COMMUNE_OFFICER, a, username="canbo_a", full_name="Lê Văn An"
        ),
        "officer_b": user_with_role(Role.COMMUNE_OFFICER, b, username="canbo_b"),
        "viewer": user_with_role(Role.VIEWER, province, username="xem31"),
        "stranger": user_with_role(Role.PROVINCE_OFFICER, other, username="tinh32"),
        "outsider": user_with_role(Role.COMMUNE_OFFICER, CommuneFactory(parent=other)),
    }


def url(user: Any = None, tail: str = "") -> str:
    base = "/api/v1/accounts/users"
    return f"{base}/{user.pk}{tail}" if user is not None else base


# --- list and detail -------------------------------------------------------------------------


def test_manager_lists_only_users_in_scope_with_search_and_pages(client, w):
    # when the province officer lists users
    resp = send(client, "get", url(), w["manager"])
    # then exactly the users wholly inside the province are listed, never another province's
    assert resp.status_code == 200, resp.content
    names = {u["username"] for u in resp.json()["items"]}
    assert {"truong_a", "canbo_a", "canbo_b", "xem31", "tinh31"} <= names
    assert "tinh32" not in names and w["outsider"].username not in names
    # a search narrows, and pages follow limit/offset
    found = send(client, "get", url() + "?q=Lê Văn", w["manager"]).json()
    assert [u["username"] for u in found["items"]] == ["canbo_a"]
    page = send(client, "get", url() + "?limit=2&offset=1", w["manager"]).json()
    assert len(page["items"]) == 2 and page["count"] == len(names)


def test_commune_chief_sees_only_their_commune(client, w):
    names = {u["username"] for u in send(client, "get", url(), w["chief"]).json()["items"]}
    assert "canbo_a" in names and "canbo_b" not in names and "tinh31" not in names


def test_list_and_detail_permissions(client, w):
    assert send(client, "get", url()).status_code == 401
    # no MANAGE_USERS anywhere: 404
    for who in ("viewer", "officer"):
        assert send(client, "get", url(), w[who]).status_code == 404, who
    # detail in scope, out of scope, missing
    resp = send(client, "get", url(w["officer"]), w["manager"])
    assert resp.status_code == 200
    assert resp.json()["roles"][0]["role"] == "commune_officer"
    assert send(client, "get", url(w["officer"]), w["stranger"]).status_code == 404
    assert send(client, "get", url(w["officer_b"]), w["chief"]).status_code == 404
    assert send(client, "get", "/api/v1/accounts/users/999999", w["manager"]).status_code == 404


# --- create ----------------------------------------------------------------------------------


def new_user(**over: Any) -> dict[str, Any]:
    body = {
        "username": "canbo_moi",
        "full_name": "Trần Thị Mới",
        "email": "moi@example.vn",
        "phone": "0912345678",
        "position": "Cán bộ",
        "password": PASSWORD,
        "role": "commune_officer",
        "unit": "31002",
    }
    body.update(over)
    return body


def test_manager_creates_a_user_with_a_first_role(client, w):
    resp = send(client, "post", url(), w["manager"], new_user())
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["username"] == "canbo_moi"
    assert [(r["role"], r["unit_code"]) for r in body["roles"]] == [("commune_officer", "31002")]
    user = User.objects.get(username="canbo_moi")
    assert user.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="user.created", object_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"unit": "32"}, "unit"),  # another province
        ({"unit": "99999"}, "unit"),
        ({"role": "ministry_officer"}, "role"),  # above the manager's level
        ({"role": "nonsense"}, "role"),
        ({"username": "canbo_a"}, "username"),  # taken
        ({"username": "có dấu cách"}, "username"),
        ({"phone": "gọi tôi"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "123"}, "password"),
    ],
)
def test_create_bad_input_is_400_naming_the_field(client, w, over, field):
    before = User.objects.count()
    resp = send(client, "post", url(), w["manager"], new_user(**over))
    assert resp.status_code == 400, resp.content
    assert resp.json()["field"] == field
    assert User.objects.count() == before


def test_create_permissions(client, w):
    before = User.objects.count()
    assert send(client, "post", url(), None, new_user()).status_code == 401
    for who in ("viewer", "officer"):
        assert send(client, "post", url(), w[who], new_user()).status_code == 404, who
    # a chief cannot create in another commune: the unit is outside their scope
    resp = send(client, "post", url(), w["chief"], new_user())
    assert resp.status_code == 400 and resp.json()["field"] == "unit"
    assert User.objects.count() == before


# --- update, lock, second factor -------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(client, w):
    target = w["officer"]
    target.phone = "0911111111"
    target.save()
    resp = send(client, "patch", url(target), w["manager"], {"position": "Phó trưởng"})
    assert resp.status_code == 200, resp.content
    target.refresh_from_db()
    assert (target.position, target.phone, target.full_name) == (
        "Phó trưởng",
        "0911111111",
        "Lê Văn An",
    )
    assert AuditEvent.objects.filter(action="user.updated").count() == 1
    # an empty string clears an optional field
    send(client, "patch", url(target), w["manager"], {"phone": ""})
    target.refresh_from_db()
    assert target.phone == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [({"phone": "abc"}, "phone"), ({"email": "x@"}, "email"), ({"full_name": " "}, "full_name")],
)
def test_patch_bad_input_is_400_and_nothing_changes(client, w, body, field):
    resp = send(client, "patch", url(w["officer"]), w["manager"], body)
    assert resp.status_code == 400 and resp.json()["field"] == field
    w["officer"].refresh_from_db()
    assert w["officer"].full_name == "Lê Văn An" and w["officer"].email == "canbo_a@example.vn"


def test_patch_permissions(client, w):
    body = {"position": "X"}
    assert send(client, "patch", url(w["officer"]), None, body).status_code == 401
    assert send(client, "patch", url(w["officer"]), w["viewer"], body).status_code == 404
    assert send(client, "patch", url(w["officer"]), w["stranger"], body).status_code == 404
    assert send(client, "patch", url(w["officer_b"]), w["chief"], body).status_code == 404
    # a chief may not change a province officer (a role above theirs, outside their scope)
    assert send(client, "patch", url(w["manager"]), w["chief"], body).status_code == 404
    w["officer"].refresh_from_db()
    assert w["officer"].position == ""


def test_lock_and_unlock(client, w):
    resp = send(client, "post", url(w["officer"], "/active"), w["chief"], {"is_active": False})
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    assert not User.objects.get(pk=w["officer"].pk).is_active
    resp = send(client, "post", url(w["officer"], "/active"), w["chief"], {"is_active": True})
    assert resp.json()["is_active"] is True


def test_lock_refusals(client, w):
    # oneself: 400 with the reason; another commune, a viewer, anonymous: 404/401
    resp = send(client, "post", url(w["manager"], "/active"), w["manager"], {"is_active": False})
    assert resp.status_code == 400 and resp.json()["message"]
    assert (
        send(client, "post", url(w["officer"], "/active"), None, {"is_active": False}).status_code
        == 401
    )
    for who in ("viewer", "stranger"):
        resp = send(client, "post", url(w["officer"], "/active"), w[who], {"is_active": False})
        assert resp.status_code == 404, who
    # a missing flag is a malformed body
    assert send(client, "post", url(w["officer"], "/active"), w["chief"], {}).status_code == 422
    assert User.objects.filter(is_active=False).count() == 0


def test_otp_reset(client, w):
    resp = send(client, "post", url(w["officer"], "/otp-reset"), w["chief"])
    assert resp.status_code == 200
    assert AuditEvent.objects.filter(action="otp.reset").count() == 1
    assert send(client, "post", url(w["officer"], "/otp-reset"), w["viewer"]).status_code == 404
    assert send(client, "post", url(w["officer"], "/otp-reset"), w["stranger"]).status_code == 404


# --- role assignments ------------------------------------------------------------------------


def test_grant_list_and_revoke_a_role(client, w):
    target = w["officer"]
    resp = send(
        client, "post", url(target, "/roles"), w["manager"], {"role": "viewer", "unit": "31002"}
    )
    assert resp.status_code == 201, resp.content
    granted = resp.json()
    assert (granted["role"], granted["unit_code"], granted["granted_by"]) == (
        "viewer",
        "31002",
        "tinh31",
    )
    roles = send(client, "get", url(target, "/roles"), w["manager"]).json()
    assert {(r["role"], r["unit_code"]) for r in roles} == {
        ("commune_officer", "31001"),
        ("viewer", "31002"),
    }
    resp = send(client, "delete", url(target, f"/roles/{granted['id']}"), w["manager"])
    assert resp.status_code == 204
    assert RoleAssignment.objects.filter(user=target).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "viewer", "unit": "32"}, "unit"),
        ({"role": "system_admin", "unit": "31001"}, "role"),
        ({"role": "commune_officer", "unit": "31001"}, "role"),  # already held
    ],
)
def test_grant_bad_input_is_400_naming_the_field(client, w, body, field):
    resp = send(client, "post", url(w["officer"], "/roles"), w["manager"], body)
    assert resp.status_code == 400 and resp.json()["field"] == field
    assert RoleAssignment.objects.filter(user=w["officer"]).count() == 1


def test_revoking_the_last_role_is_409(client, w):
    only = RoleAssignment.objects.get(user=w["officer"])
    resp = send(client, "delete", url(w["officer"], f"/roles/{only.pk}"), w["manager"])
    assert resp.status_code == 409 and resp.json()["message"]
    assert RoleAssignment.objects.filter(pk=only.pk).exists()


def test_role_permissions(client, w):
    target = w["officer"]
    only = RoleAssignment.objects.get(user=target)
    body = {"role": "viewer", "unit": "31001"}
    assert send(client, "get", url(target, "/roles")).status_code == 401
    assert send(client, "post", url(target, "/roles"), None, body).status_code == 401
    for who in ("viewer", "stranger", "officer_b"):
        assert send(client, "get", url(target, "/roles"), w[who]).status_code == 404, who
        assert send(client, "post", url(target, "/roles"), w[who], body).status_code == 404, who
        resp = send(client, "delete", url(target, f"/roles/{only.pk}"), w[who])
        assert resp.status_code == 404, who
    # a role of another user, named under this user: 404
    other = RoleAssignment.objects.get(user=w["officer_b"])
    assert (
        send(client, "delete", url(target, f"/roles/{other.pk}"), w["manager"]).status_code == 404
    )
    # one's own roles: 400 with the reason
    resp = send(client, "post", url(w["manager"], "/roles"), w["manager"], body)
    assert resp.status_code == 400
    assert RoleAssignment.objects.filter(user=target).count() == 1


# --- audit trail -----------------------------------------------------------------------------


AUDIT = "/api/v1/accounts/audit"


def event(unit: Any, action: str, actor: str, days_ago: int = 0) -> AuditEvent:
    e = AuditEvent.objects.create(action=action, actor_label=actor, orgunit=unit, object_repr="x")
    AuditEvent.objects.filter(pk=e.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return e


@pytest.fixture
def trail(w):
    AuditEvent.objects.all().delete()
    return {
        "a_login": event(w["a"], "auth.login", "canbo_a"),
        "a_old": event(w["a"], "user.created", "tinh31", days_ago=40),
        "b_save": event(w["b"], "data_value.save", "canbo_b", days_ago=1),
        "elsewhere": event(w["outsider"].role_assignments.get().orgunit, "auth.login", "x"),
    }


def ids(resp) -> set[int]:
    assert resp.status_code == 200, resp.content
    return {e["id"] for e in resp.json()["items"]}


def test_audit_is_scoped_like_the_page(client, w, trail):
    province = ids(send(client, "get", AUDIT, w["manager"]))
    assert province == {trail["a_login"].pk, trail["a_old"].pk, trail["b_save"].pk}
    assert ids(send(client, "get", AUDIT, w["chief"])) == {trail["a_login"].pk, trail["a_old"].pk}


def test_audit_filters_and_pages(client, w, trail):
    m = w["manager"]
    assert ids(send(client, "get", AUDIT + "?unit=31002", m)) == {trail["b_save"].pk}
    assert ids(send(client, "get", AUDIT + "?action=auth.", m)) == {trail["a_login"].pk}
    assert ids(send(client, "get", AUDIT + "?actor=tinh", m)) == {trail["a_old"].pk}
    since = (timezone.localdate() - timedelta(days=2)).isoformat()
    assert ids(send(client, "get", AUDIT + f"?date_from={since}", m)) == {
        trail["a_login"].pk,
        trail["b_save"].pk,
    }
    page = send(client, "get", AUDIT + "?limit=1&offset=1", m).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    assert page["items"][0]["id"] == trail["b_save"].pk  # newest first


def test_audit_bad_filters_are_400_naming_them(client, w, trail):
    m = w["manager"]
    resp = send(client, "get", AUDIT + "?unit=32", m)  # outside the audit scope
    assert resp.status_code == 400 and resp.json()["field"] == "unit"
    resp = send(client, "get", AUDIT + "?date_from=2025-05-02&date_to=2025-05-01", m)
    assert resp.status_code == 400 and resp.json()["field"] == "date_to"
    assert send(client, "get", AUDIT + "?date_from=hôm-qua", m).status_code == 422


def test_audit_permissions(client, w, trail):
    assert send(client, "get", AUDIT).status_code == 401
    for who in ("viewer", "officer"):
        assert send(client, "get", AUDIT, w[who]).status_code == 404, who
    assert ids(send(client, "get", AUDIT, w["stranger"])) == {trail["elsewhere"].pk}


def test_superuser_without_roles_is_not_listed_for_scoped_managers(client, w):
    UserFactory(username="root", is_superuser=True)
    names = {u["username"] for u in send(client, "get", url(), w["manager"]).json()["items"]}
    assert "root" not in names


def test_audit_far_dates_and_offsets_are_answered_not_crashed(client, w, trail):
    m = w["manager"]
    resp = send(client, "get", AUDIT + "?date_from=0001-01-01&date_to=9999-12-31", m)
    assert resp.status_code == 200 and resp.json()["count"] == 3
    assert send(client, "get", AUDIT + "?offset=99999999999", m).status_code == 422


@pytest.mark.parametrize("pk", ["-5", "0", "99999999999999999999"])
def test_ids_no_row_can_have_answer_json_404(client, w, pk):
    resp = send(client, "get", f"/api/v1/accounts/users/{pk}", w["manager"])
    assert resp.status_code == 404 and resp.json()["message"]
    assert send(client, "get", "/api/v1/accounts/users/abc", w["manager"]).status_code == 422

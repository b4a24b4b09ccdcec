"""The /api/v1/community endpoints: scope, JSON errors naming the field, writes, token auth."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from binhyen.accounts.models import ApiToken
from binhyen.accounts.tokens import generate_secret, hash_secret, prefix_of
from binhyen.community.models import Pledge, Scheme, SecurityTeam, TeamGrading
from binhyen.community.tests import factories as f

pytestmark = pytest.mark.django_db
BASE = "/api/v1/community"


class Api:
    """A test client sending a bearer token of ``user`` (none: anonymous)."""

    def __init__(self, client: Any, user: Any = None) -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        if user is not None:
            raw = generate_secret()
            ApiToken.objects.create(
                user=user, name="test", prefix=prefix_of(raw), key_hash=hash_secret(raw)
            )
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{BASE}{path}", params, **self.headers)

    def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return getattr(self.client, method)(
            f"{BASE}{path}",
            json.dumps(body or {}),
            content_type="application/json",
            **self.headers,
        )


READS = [
    lambda w: f"/schemes/{w['scheme'].pk}",
    lambda w: f"/teams/{w['team'].pk}",
    lambda w: f"/pledges/{w['pledge'].pk}",
]
LISTS = ["/schemes", "/teams", "/pledges", "/scheme-types"]


@pytest.mark.parametrize("path", READS)
def test_details_answer_in_scope_404_outside_401_anonymous(client, s, world, path):
    # Given a record in the village
    url = path(world)
    # When a member of the village, an officer of another commune and an anonymous caller read it
    # Then the member gets it, the outsider 404 and the anonymous caller 401
    assert Api(client, s.village_member).get(url).status_code == 200
    response = Api(client, s.far_officer).get(url)
    assert response.status_code == 404
    assert response.json()["message"]
    assert Api(client).get(url).status_code == 401


@pytest.mark.parametrize("path", LISTS)
def test_lists_are_scoped(client, s, world, path):
    # Given one record of each kind in the commune
    # When the commune officer, a far officer and an anonymous caller list them
    # Then only the commune officer sees it
    assert Api(client).get(path).status_code == 401
    mine = Api(client, s.commune_officer).get(path).json()
    theirs = Api(client, s.far_officer).get(path).json()
    if path == "/scheme-types":
        assert any(t["code"] == "to_tu_quan" for t in mine)
        return
    assert mine["count"] == 1
    assert theirs["count"] == 0


def test_scheme_detail_has_units_roster_sites_and_decision(client, s, world):
    # Given a scheme with a roster, a site and a founding decision
    # When the commune officer reads it
    body = Api(client, s.commune_officer).get(f"/schemes/{world['scheme'].pk}").json()
    # Then every part is in the answer
    assert body["units"] == [{"code": s.village.code, "name": s.village.name, "kind": "village"}]
    assert body["category"] == "to_tu_quan"
    assert body["roster"][0]["full_name"] == "Lê Văn Tư"
    assert body["sites"][0]["unit"]["code"] == s.village.code
    assert body["founding_decision"]["number"] == "12/QĐ-UBND"
    assert body["founding_decision"]["file_url"].endswith("/file/")


def test_scheme_create_and_bad_input(client, s, world):
    # Given a valid scheme payload
    api = Api(client, s.commune_officer)
    payload = {
        "scheme_type": world["national_type"].pk,
        "name": "Tổ hòa giải thôn Cấm",
        "units": [s.village.code],
        "lead_org_kind": "front",
        "founded_on": "2025-04-01",
        "roster": [{"full_name": "Nguyễn Văn A", "role": "Tổ trưởng"}],
        "founding_decision": {"number": "3/QĐ", "issued_on": "2025-04-01"},
    }
    # When the commune officer posts it, then variants with bad fields
    response = api.send("post", "/schemes", payload)
    # Then the valid one is created and each bad one is refused naming its field
    assert response.status_code == 201, response.content
    assert response.json()["roster"][0]["role"] == "Tổ trưởng"
    # a negative count: 400 naming the field, nothing saved
    before = Scheme.objects.count()
    response = api.send("post", "/schemes", {**payload, "member_count": -2})
    assert response.status_code == 400
    assert response.json()["field"] == "member_count"
    assert Scheme.objects.count() == before
    # a unit outside the scope: 400 naming the field
    response = api.send("post", "/schemes", {**payload, "units": [s.far_commune.code]})
    assert response.status_code == 400 and response.json()["field"] == "units"
    # an unknown enum value is refused by the schema
    response = api.send("post", "/schemes", {**payload, "lead_org_kind": "x"})
    assert response.status_code == 422 and response.json()["field"] == "lead_org_kind"


def test_scheme_patch_status_site_and_grading(client, s, world):
    # Given a scheme of the commune
    api = Api(client, s.commune_officer)
    scheme = world["scheme"]
    # When the commune officer patches it, sets its status, adds a site and a grading
    response = api.send("patch", f"/schemes/{scheme.pk}", {"name": "Đổi tên", "member_count": 9})
    # Then each change answers as documented and outsiders get 404
    assert response.status_code == 200
    assert response.json()["name"] == "Đổi tên" and response.json()["member_count"] == 9
    assert response.json()["founding_decision"]["has_file"] is True
    response = api.send(
        "post", f"/schemes/{scheme.pk}/status", {"status": "suspended", "since": "2000-01-01"}
    )
    assert response.status_code == 400 and response.json()["field"] == "since"
    response = api.send(
        "post",
        f"/schemes/{scheme.pk}/status",
        {"status": "suspended", "since": f.today().isoformat()},
    )
    assert response.json()["status"] == "suspended"
    response = api.send(
        "post",
        f"/schemes/{scheme.pk}/sites",
        {"unit": s.commune.code, "established_on": f.today().isoformat()},
    )
    assert response.status_code == 201
    response = api.send(
        "post",
        f"/schemes/{scheme.pk}/gradings",
        {"period": str(f.today().year), "level": "fair", "graded_on": f.today().isoformat()},
    )
    assert response.status_code == 200 and response.json()["level"] == "fair"
    assert Api(client, s.far_officer).send("patch", f"/schemes/{scheme.pk}", {}).status_code == 404
    assert (
        Api(client, s.village_member).send("patch", f"/schemes/{scheme.pk}", {}).status_code == 404
    )


def test_team_endpoints(client, s, world):

    # Given a new village of the commune
    api = Api(client, s.commune_officer)
    village = f.village(s.commune)
    # When the officer creates a team, adds members and trainings, then dissolves it
    response = api.send("post", "/teams", {"village": village.code, "established_on": "2024-07-01"})
    # Then bad input answers 400 naming the field and the team ends dissolved
    assert response.status_code == 201
    team_id = response.json()["id"]
    response = api.send("post", "/teams", {"village": village.code, "established_on": "2024-07-01"})
    assert response.status_code == 400 and response.json()["field"] == "village"
    member = world["member"]
    response = api.send(
        "post",
        f"/teams/{team_id}/members",
        {
            "full_name": member.full_name,
            "birth_date": member.birth_date.isoformat(),
            "role": "member",
            "origin": "civil_guard",
            "joined_on": "2025-01-01",
        },
    )
    assert response.status_code == 400
    assert response.json()["field"] == "full_name"
    assert "hai tổ cùng lúc" in response.json()["message"]
    response = api.send("patch", f"/members/{member.pk}", {"left_on": "2025-01-01"})
    assert response.status_code == 200 and response.json()["left_on"] == "2025-01-01"
    response = api.send(
        "post",
        f"/teams/{team_id}/trainings",
        {"held_on": "2025-02-01", "title": "Tập huấn PCCC", "attendees": -1},
    )
    assert response.status_code == 400 and response.json()["field"] == "attendees"
    detail = api.get(f"/teams/{team_id}").json()
    assert detail["members"] == [] and detail["commune"]["code"] == s.commune.code
    response = api.send("post", f"/teams/{team_id}/dissolve", {"dissolved_on": "2025-06-01"})
    assert response.json()["is_active"] is False
    assert SecurityTeam.objects.filter(village=village, dissolved_on__isnull=False).exists()


def test_grading_endpoints(client, s, world):
    # Given a team with a member in the commune
    team, member = world["team"], world["member"]
    chief = Api(client, s.commune_chief)
    # When the chief saves grades breaking the leader rule, then valid ones
    sheet = chief.get(f"/gradings/{s.commune.code}/2025").json()
    # Then the first is refused and nothing saved, the second saves both rows
    assert sheet["teams"][0]["id"] == team.pk
    assert sheet["teams"][0]["members"][0]["id"] == member.pk
    body = {
        "teams": [{"id": team.pk, "level": "completed"}],
        "members": [{"id": member.pk, "level": "good"}],
    }
    response = chief.send("post", f"/gradings/{s.commune.code}/2025", body)
    assert response.status_code == 400
    assert response.json()["field"] == f"m{member.pk}_level"
    assert not TeamGrading.objects.exists()
    body["teams"][0]["level"] = "good"
    response = chief.send("post", f"/gradings/{s.commune.code}/2025", body)
    assert response.json() == {"saved": 2, "removed": 0}
    officer = Api(client, s.commune_officer)
    assert officer.send("post", f"/gradings/{s.commune.code}/2025", body).status_code == 404
    assert Api(client, s.far_officer).get(f"/gradings/{s.commune.code}/2025").status_code == 404


def test_pledge_endpoints(client, s, world):

    # Given a village with 80 households
    api = Api(client, s.commune_officer)
    village = f.village(s.commune, households=80)
    year = f.today().year
    payload = {
        "unit": village.code,
        "signer_kind": "households",
        "year": year,
        "signed_on": date(year, 1, 5).isoformat(),
        "signed_by": "Trưởng thôn",
        "household_count": -1,
    }
    # When the officer records, corrects and deletes a pledge
    response = api.send("post", "/pledges", payload)
    # Then bad counts answer 400, outsiders 404 and the delete 204
    assert response.status_code == 400 and response.json()["field"] == "household_count"
    response = api.send("post", "/pledges", {**payload, "household_count": 70})
    assert response.status_code == 201
    pledge_id = response.json()["id"]
    response = api.send("patch", f"/pledges/{pledge_id}", {"household_count": 90})
    assert response.status_code == 400 and "lớn hơn số hộ" in response.json()["message"]
    assert Api(client, s.far_officer).send("delete", f"/pledges/{pledge_id}").status_code == 404
    assert api.send("delete", f"/pledges/{pledge_id}").status_code == 204
    assert not Pledge.objects.filter(pk=pledge_id).exists()


def test_decision_file_upload(client, s, world):
    # Given a decision of the commune
    api = Api(client, s.commune_officer)
    url = f"{BASE}/decisions/{world['decision'].pk}/file"
    # When a scan, an executable and an outsider's upload are posted
    response = client.post(url, {"file": f.upload("a.png", f.png_bytes())}, **api.headers)
    # Then the scan is kept, the executable refused and the outsider gets 404
    assert response.status_code == 200
    assert response.json()["has_file"] is True
    response = client.post(url, {"file": f.upload("a.exe", b"MZ\x90\x00")}, **api.headers)
    assert response.status_code == 400
    assert "PDF, JPG hoặc PNG" in response.json()["message"]
    far = Api(client, s.far_officer)
    response = client.post(url, {"file": f.upload()}, **far.headers)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("path", "field", "code", "says"),
    [
        ("/teams", "village", "", "Nhập mã đơn vị"),
        ("/teams", "village", "   ", "Nhập mã đơn vị"),
        ("/teams", "village", "99999999", "Không tìm thấy đơn vị"),
        ("/teams", "village", "commune", "không phải là thôn/tổ dân phố"),
        ("/pledges", "unit", "", "Nhập mã đơn vị"),
        ("/pledges", "unit", "province", "Không tìm thấy đơn vị"),
        ("/schemes", "units", "", "Nhập mã đơn vị"),
    ],
)
def test_creating_with_an_empty_unknown_or_wrong_kind_unit_code_is_a_400_naming_it(
    client, s, world, path, field, code, says
):
    # Given an in-scope commune officer and the records already there
    api = Api(client, s.commune_officer)
    code = {"commune": s.commune.code, "province": s.province.code}.get(code, code)
    counts = (SecurityTeam.objects.count(), Pledge.objects.count(), Scheme.objects.count())
    body: dict[str, Any] = {
        "/teams": {"village": code, "established_on": "2024-07-01"},
        "/pledges": {
            "unit": code,
            "signer_kind": "households",
            "year": 2025,
            "signed_on": "2025-01-10",
            "signed_by": "Nguyễn Văn A",
        },
        "/schemes": {
            "units": [code],
            "scheme_type": world["scheme"].scheme_type_id,
            "name": "Mô hình thử",
            "lead_org_kind": "police",
            "founded_on": "2024-01-01",
        },
    }[path]
    # When the unit code is empty, unknown or of the wrong kind
    response = api.send("post", path, body)
    # Then a 400 names the field, and nothing was created
    assert response.status_code == 400
    assert response.json()["field"] == field and says in response.json()["message"]
    after = (SecurityTeam.objects.count(), Pledge.objects.count(), Scheme.objects.count())
    assert after == counts


def test_scheme_decision_matches_its_published_component(client, s, world):
    from config.api import api

    # given the published document and a scheme with its founding decision
    components = api.get_openapi_schema()["components"]["schemas"]
    prop = components["SchemeDetailOut"]["properties"]["founding_decision"]
    ref = next(option["$ref"] for option in prop["anyOf"] if "$ref" in option)
    published = components[ref.rsplit("/", 1)[-1]]
    # when reading the scheme
    body = Api(client, s.commune_officer).get(f"/schemes/{world['scheme'].pk}").json()
    # then the decision carries exactly the fields of the component the document names
    assert set(body["founding_decision"]) == set(published["properties"])
    assert set(published["required"]) <= set(body["founding_decision"])


def test_an_offset_past_the_limit_is_refused_not_a_500(client, s, world):
    # when paging far beyond what the database can count
    response = Api(client, s.commune_officer).get("/schemes", offset=2**63)
    # then the parameter is named, nothing breaks
    assert response.status_code == 422 and response.json()["field"] == "offset"


def test_a_filter_with_a_nul_character_is_refused_not_a_500(client, s, world):
    # when searching with a NUL character (PostgreSQL cannot compare one)
    response = Api(client, s.commune_officer).get("/schemes", q="tự\x00quản")
    # then the parameter is named, nothing breaks
    assert response.status_code == 422 and response.json()["field"] == "q"


def test_a_path_code_with_a_nul_character_is_refused_not_a_500(client, s, world):
    # when asking for a grading sheet of a unit code holding a NUL character
    response = Api(client, s.commune_officer).get(f"/gradings/{s.commune.code}%00/2025")
    # then the parameter is named, nothing breaks
    assert response.status_code == 422 and response.json()["field"] == "code"

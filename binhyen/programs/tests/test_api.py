"""The /api/v1/programs endpoints: scope, positions of CEL errors, the workflow, JSON errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from binhyen.accounts.models import ApiToken
from binhyen.accounts.tokens import generate_secret, hash_secret, prefix_of
from binhyen.programs import services
from binhyen.programs.models import Criterion, EnrollmentStatus, Program
from binhyen.programs.tests import factories as f

pytestmark = pytest.mark.django_db
BASE = "/api/v1/programs"


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

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"{BASE}{path}", json.dumps(body or {}), content_type="application/json", **self.headers
        )


@pytest.fixture
def world(s):
    admin = f.ministry_admin()
    program = f.program(admin)
    f.crimes_data(s.commune, crimes_now=8, crimes_before=10, serious=0)
    enrollment = services.enrollment_create(
        actor=s.commune_officer, program=program, unit=s.commune, period_code="2025"
    )
    return {"admin": admin, "program": program, "enrollment": enrollment}


def test_file_answers_in_scope_404_outside_401_anonymous(client, s, world):
    url = f"/enrollments/{world['enrollment'].pk}"
    response = Api(client, s.commune_officer).get(url)
    assert response.status_code == 200
    body = response.json()
    assert (body["progress"]["met"], body["progress"]["total"]) == (2, 4)
    rule = next(r for r in body["progress"]["results"] if r["code"] == "2")
    assert rule["figures"][0]["current"] == 8.0 and rule["figures"][0]["previous"] == 10.0
    assert Api(client, s.far_officer).get(url).status_code == 404
    assert Api(client).get(url).status_code == 401


def test_programme_list_and_detail(client, s, world):
    codes = [p["code"] for p in Api(client, s.commune_officer).get("").json()]
    assert "thu-nghiem" in codes and "an-toan-antt-xa" in codes
    detail = Api(client, s.commune_officer).get("/thu-nghiem").json()
    assert detail["current_set"]["locked"] is True
    assert [c["code"] for c in detail["current_set"]["criteria"]] == ["1", "2", "3", "4"]
    assert Api(client, s.commune_officer).get("/khong-co").status_code == 404


def test_validate_reports_the_position_of_a_cel_error(client, s, world):
    api = Api(client, world["admin"])
    bad = api.post("/thu-nghiem/sets/1/validate", {"expression": "m.crimes <= \n  prev.crimez"})
    assert bad.json() == {
        "valid": False,
        "message": bad.json()["message"],
        "code": "unknown_metric",
        "line": 2,
        "column": 8,
        "metrics": [],
    }
    good = api.post("/thu-nghiem/sets/1/validate", {"expression": "m.crimes <= prev.crimes"})
    assert good.json()["valid"] is True and good.json()["metrics"] == ["crimes"]


def test_invalid_criterion_answers_400_naming_the_field(client, s, world):
    api = Api(client, world["admin"])
    draft = api.post("/thu-nghiem/sets")
    assert draft.status_code == 201 and draft.json()["version"] == 2
    response = api.post(
        "/thu-nghiem/sets/2/criteria",
        {"code": "9", "title": "Sai", "kind": "rule", "expression": "m.x >"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "expression"
    assert "dòng 1, cột 6" in response.json()["message"]


def test_submitting_with_missing_evidence_answers_400_with_the_list(client, s, world):
    response = Api(client, s.commune_officer).post(f"/enrollments/{world['enrollment'].pk}/submit")
    assert response.status_code == 400
    messages = [e["message"] for e in response.json()["errors"]]
    assert len(messages) == 2 and all(e["field"] == "missing" for e in response.json()["errors"])


def test_whole_workflow_through_the_api(client, s, world):
    enrollment = world["enrollment"]
    officer = Api(client, s.commune_officer)
    for criterion in Criterion.objects.filter(
        criteria_set=enrollment.criteria_set, kind="evidence"
    ):
        assert (
            officer.post(
                f"/enrollments/{enrollment.pk}/assessments/{criterion.pk}", {"self_met": True}
            ).status_code
            == 200
        )
        upload = client.post(
            f"{BASE}/enrollments/{enrollment.pk}/evidence/{criterion.pk}",
            {"file": f.png()},
            **officer.headers,
        )
        assert upload.status_code == 201, upload.content
    assert officer.post(f"/enrollments/{enrollment.pk}/submit").status_code == 200
    province = Api(client, s.province_officer)
    for criterion in enrollment.criteria_set.criteria.all():
        response = province.post(
            f"/enrollments/{enrollment.pk}/verdicts/{criterion.pk}", {"verdict": "agree"}
        )
        assert response.status_code == 200
    assert province.post(f"/enrollments/{enrollment.pk}/verify", {"note": "Đạt"}).status_code == 200
    decision = {
        "period": "2025",
        "enrollments": [enrollment.pk],
        "recognised": [enrollment.pk],
        "number": "15/QĐ-UBND",
        "issued_on": "2025-12-01",
        "signer": "Trần Văn Chủ",
        "issuing_body": "UBND tỉnh",
    }
    # the commune itself cannot decide: answered like a missing file
    assert officer.post("/thu-nghiem/decisions", decision).status_code == 404
    response = province.post("/thu-nghiem/decisions", decision)
    assert response.status_code == 201, response.content
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.RECOGNISED
    timeline = officer.get(f"/enrollments/{enrollment.pk}/timeline").json()
    assert timeline[-1]["action"] == "decision.record"
    overview = province.get("/thu-nghiem/overview", unit=s.province.code, period="2025").json()
    assert overview["totals"]["recognised"] == 1


def test_import_json_answers_row_errors(client, s, world):
    api = Api(client, world["admin"])
    api.post("/thu-nghiem/sets")
    document = api.get("/thu-nghiem/sets/1/export").json()
    document["criteria"][0]["expression"] = "m.khong_co > 1.0"
    response = client.post(
        f"{BASE}/thu-nghiem/sets/2/import",
        json.dumps(document),
        content_type="application/json",
        **api.headers,
    )
    assert response.status_code == 400
    assert response.json()["field"] == "row 1: expression"
    document["criteria"][0]["expression"] = "m.crimes > 1.0"
    ok = client.post(
        f"{BASE}/thu-nghiem/sets/2/import",
        json.dumps(document),
        content_type="application/json",
        **api.headers,
    )
    assert ok.status_code == 200 and ok.json()["criteria"] == 4


def test_programme_create_update_settings_and_delete_criterion(client, s, world):
    api = Api(client, s.province_officer)
    body = {
        "code": "tinh-rieng",
        "name": "Chương trình của tỉnh",
        "owner": s.province.code,
        "kind": "classification",
        "unit_kinds": ["commune"],
        "groups": ["I. Chung"],
    }
    created = api.post("", body)
    assert created.status_code == 201, created.content
    assert created.json()["owner"] == s.province.code
    # the province cannot create a national programme: answered like a missing unit scope
    assert api.post("", {**body, "code": "quoc-gia", "owner": None}).status_code == 404
    updated = client.put(
        f"{BASE}/tinh-rieng",
        json.dumps({**body, "name": "Tên mới"}),
        content_type="application/json",
        **api.headers,
    )
    assert updated.json()["name"] == "Tên mới"
    settings = client.put(
        f"{BASE}/tinh-rieng/sets/1/settings",
        json.dumps(
            {
                "groups": ["I. Chung"],
                "levels": [
                    {"level": "excellent", "min_points": 90},
                    {"level": "weak", "min_points": None},
                ],
                "caps": [{"level": "excellent", "max_share": 20, "base": ""}],
            }
        ),
        content_type="application/json",
        **api.headers,
    )
    assert settings.status_code == 200 and settings.json()["caps"][0]["max_share"] == 20
    item = api.post(
        "/tinh-rieng/sets/1/criteria",
        {"code": "1", "title": "Mục 1", "kind": "points", "max_points": 10, "group": "I. Chung"},
    )
    assert item.status_code == 201, item.content
    gone = client.delete(f"{BASE}/tinh-rieng/sets/1/criteria/{item.json()['id']}", **api.headers)
    assert gone.status_code == 204
    far = Api(client, s.far_officer)
    assert far.get("/tinh-rieng").status_code == 404


def test_files_under_an_unknown_unit_is_a_documented_404(client, s, world):
    from config.api import api

    # when listing the files under a unit the caller cannot see
    response = Api(client, s.commune_officer).get("/enrollments", unit=s.far_commune.code)
    # then it is not found, and the document says the operation may answer so
    assert response.status_code == 404 and response.json()["message"]
    assert 404 in api.get_openapi_schema()["paths"][f"{BASE}/enrollments"]["get"]["responses"]


def test_an_offset_past_the_limit_is_refused_not_a_500(client, s, world):
    # when paging far beyond what the database can count
    response = Api(client, s.commune_officer).get("/enrollments", offset=2**63)
    # then the parameter is named, nothing breaks
    assert response.status_code == 422 and response.json()["field"] == "offset"


def test_decisions_publish_their_own_schema(client, s, world):
    from config.api import api

    # given the published document
    document = api.get_openapi_schema()
    ref = document["paths"][f"{BASE}/decisions/{{pk}}"]["get"]["responses"][200]
    name = ref["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    # then a programme decision is its own component, not the community's decision record
    assert name == "ProgramDecisionOut"
    published = document["components"]["schemas"][name]["properties"]
    assert {"program", "period", "signer"} <= set(published)


def test_text_with_a_nul_character_is_refused_not_a_500(client, s, world):
    api = Api(client, s.commune_officer)
    # when filtering, or writing a reason, with a NUL character (PostgreSQL cannot store one)
    listing = api.get("/enrollments", status="draft\x00")
    withdraw = api.post(f"/enrollments/{world['enrollment'].pk}/withdraw", {"reason": "Rút\x00"})
    # then the field is named, nothing breaks, nothing changes
    assert listing.status_code == 422 and listing.json()["field"] == "status"
    assert withdraw.status_code == 422 and withdraw.json()["field"] == "reason"
    world["enrollment"].refresh_from_db()
    assert world["enrollment"].status == EnrollmentStatus.ENROLLED


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\ufeff"])
def test_a_name_with_a_hidden_character_is_refused_through_the_api(client, s, world, hidden):
    # Given a province officer creating a programme through the API
    body = {
        "code": "tinh-an",
        "name": f"Chương trình{hidden} ẩn",
        "owner": s.province.code,
        "kind": "classification",
        "unit_kinds": ["commune"],
    }
    # When the name carries a right-to-left override, a zero-width space or a byte-order mark
    response = Api(client, s.province_officer).post("", body)
    # Then the API refuses it naming the field and the code point, and nothing is stored
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "name"
    assert f"U+{ord(hidden):04X}" in response.json()["message"]
    assert not Program.objects.filter(code="tinh-an").exists()


def test_a_name_typed_with_combining_accents_is_stored_precomposed(client, s, world):
    import unicodedata

    # Given a name whose accents are typed as combining marks
    decomposed = unicodedata.normalize("NFD", "Chương trình Bình Yên")
    body = {
        "code": "tinh-nfc",
        "name": decomposed,
        "owner": s.province.code,
        "kind": "classification",
        "unit_kinds": ["commune"],
    }
    # When it is created through the API
    response = Api(client, s.province_officer).post("", body)
    # Then the stored name is the precomposed (NFC) one
    assert response.status_code == 201, response.content
    stored = Program.objects.get(code="tinh-nfc").name
    assert stored == unicodedata.normalize("NFC", decomposed) != decomposed

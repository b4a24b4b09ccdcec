"""The field app's pages: shell, manifest, service worker and the scoped offline bundle."""

from __future__ import annotations

import json

import pytest

from binhyen.activities.tests.factories import commune_scene
from binhyen.community.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return commune_scene()


def test_the_shell_is_the_same_public_page_for_everyone(client):
    # when anyone opens the shell, then it is served without personal data
    response = client.get("/field/")
    assert response.status_code == 200
    assert b"data-field-shell" in response.content
    assert b'rel="manifest"' in response.content


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/field/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/field/"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_the_service_worker_precaches_the_shell_only_and_no_api(client):
    response = client.get("/sw.js")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "workbox-sw.js" in body
    assert '"/field/"' in body
    assert "/api/" not in body  # never caches an API answer (tips, cases or any other)


def test_the_bundle_needs_a_signed_in_user(client):
    response = client.get("/field/bootstrap.json")
    assert response.status_code == 302


def test_the_bundle_holds_the_users_communes_only(client, scene):
    # given a team in the officer's commune
    f.team(scene.officer, scene.villages[0])
    client.force_login(scene.officer)
    # when the officer's device loads the bundle
    response = client.get("/field/bootstrap.json")
    data = response.json()
    # then it holds their commune, its villages with versions and teams, and a CSRF token
    assert response["Cache-Control"] == "no-store"
    assert [c["code"] for c in data["communes"]] == [scene.commune.code]
    commune = data["communes"][0]
    assert [v["code"] for v in commune["villages"]] == [v.code for v in scene.villages]
    assert all(v["version"] and v["can_change"] for v in commune["villages"])
    assert len(commune["teams"]) == 1
    assert data["csrf_token"]
    kinds = {k["value"] for k in data["catalogues"]["activity_kinds"]}
    assert {"outreach", "weapons_surrender", "camera", "patrol", "volunteer"} <= kinds
    # and nothing of another commune, and no person's data (no members are listed)
    assert scene.other_commune.code not in response.content.decode()
    assert "members" not in commune


def test_a_viewer_gets_an_empty_bundle(client, scene):
    client.force_login(scene.viewer)
    assert client.get("/field/bootstrap.json").json()["communes"] == []


def test_the_bundle_holds_the_cells_of_the_reports_the_commune_fills(client, scene):
    from binhyen.indicators.tests.factories import MetricFactory, form_with

    # given a monthly report form that communes submit
    metric = MetricFactory(code="t_patrols", name="Số lượt tuần tra")
    form_with([metric], code="t_monthly")
    client.force_login(scene.officer)
    # when the bundle is loaded, then the report's cells and current period are in it
    reports = client.get("/field/bootstrap.json").json()["communes"][0]["reports"]
    report = next(r for r in reports if r["form"] == "t_monthly")
    assert report["cells"][0]["metric"] == "t_patrols"
    assert report["period"]

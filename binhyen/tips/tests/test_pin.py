"""A pin dropped on the public form's map: checked against Việt Nam's area, routed to the
nearest commune when none was chosen, stored on the tip; the same through the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from binhyen.accounts.tests.factories import scene
from binhyen.tips import pow, services
from binhyen.tips.forms import PublicTipForm
from binhyen.tips.models import Tip
from binhyen.tips.tests.factories import make_tip

pytestmark = pytest.mark.django_db
NEW = "/tips/new/"
API = "/api/v1/tips"


@pytest.fixture
def s():
    scenery = scene()
    scenery.commune.latitude, scenery.commune.longitude = 21.35, 105.95
    scenery.commune.save()
    scenery.sibling_commune.latitude, scenery.sibling_commune.longitude = 21.30, 106.20
    scenery.sibling_commune.save()
    return scenery


def form_data(s, **extra):
    challenge = pow.challenge_issue()
    data = {
        "kind": "crime",
        "description": "Có nhóm người lạ đánh bạc ven sông.",
        "province": s.province.code,
        "anonymous": "1",
        "website": "",
        "pow_token": challenge.token,
        "pow_solution": pow.solve(challenge.token, challenge.bits),
    }
    data.update(extra)
    return data


# --- form ----------------------------------------------------------------------------------------


def test_form_accepts_a_pin_in_vietnam(s):
    # given a pin near the sibling commune and no commune chosen
    form = PublicTipForm(form_data(s, latitude="21.301", longitude="106.199"))
    # then the form is valid and passes the pin on
    assert form.is_valid(), form.errors
    data = form.to_input()
    assert (data.latitude, data.longitude) == (21.301, 106.199)
    assert data.commune_code == ""


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [("13.75", "100.50"), ("48.85", "2.35"), ("-21.3", "105.9"), ("21.3", "121.0")],
)
def test_form_refuses_a_pin_outside_vietnam(s, latitude, longitude):
    # given a pin in Bangkok, Paris, the southern hemisphere or east of the islands
    form = PublicTipForm(form_data(s, latitude=latitude, longitude=longitude))
    # then the map's field carries a clear error
    assert not form.is_valid()
    assert "ngoài lãnh thổ Việt Nam" in form.errors["latitude"][0]


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [("abc", "105.9", "latitude"), ("21.3", "", "latitude"), ("nan", "105.9", "latitude")],
)
def test_form_refuses_a_broken_pin(s, latitude, longitude, field):
    form = PublicTipForm(form_data(s, latitude=latitude, longitude=longitude))
    assert not form.is_valid() and form.errors[field]


def test_form_drops_the_pin_when_the_place_is_unknown(s):
    form = PublicTipForm(form_data(s, latitude="48.85", longitude="2.35", location_unknown="on"))
    assert form.is_valid(), form.errors
    assert form.to_input().latitude is None


def test_form_fields_carry_the_accepted_area(s):
    html = str(PublicTipForm())
    south, north = services.PIN_LATITUDE_RANGE
    assert f'data-min="{south}"' in html and f'data-max="{north}"' in html


# --- service -------------------------------------------------------------------------------------


def test_pin_check():
    services.pin_check(None, None)
    services.pin_check(21.03, 105.85)  # Hà Nội
    services.pin_check(8.64, 111.92)  # Trường Sa
    with pytest.raises(ValidationError) as caught:
        services.pin_check(13.75, 100.5)
    assert "latitude" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.pin_check(21.03, None)


def test_pin_routes_to_the_nearest_commune_and_is_stored(s):
    # given a pin close to the sibling commune's centre and no commune chosen
    tip = make_tip(province_code=s.province.code, latitude=21.31, longitude=106.18)
    # then the tip goes to that commune's queue, with the pin kept
    assert tip.orgunit == s.sibling_commune and tip.commune == s.sibling_commune
    assert (tip.latitude, tip.longitude) == (21.31, 106.18)


def test_chosen_commune_wins_over_the_pin(s):
    tip = make_tip(s.commune, latitude=21.31, longitude=106.18)
    assert tip.orgunit == s.commune


def test_pin_far_from_any_commune_goes_to_the_province_queue(s):
    # given a pin in Việt Nam but more than the search radius from every commune centre
    tip = make_tip(province_code=s.province.code, latitude=10.8, longitude=106.7)
    assert tip.orgunit == s.province and tip.commune is None


def test_service_refuses_a_pin_outside_vietnam_and_stores_nothing(s):
    with pytest.raises(ValidationError) as caught:
        make_tip(province_code=s.province.code, latitude=13.75, longitude=100.5)
    assert "latitude" in caught.value.message_dict
    assert not Tip.objects.exists()


# --- pages ---------------------------------------------------------------------------------------


def test_page_has_the_map_hidden_until_its_script_runs(client, s):
    response = client.get(NEW)
    body = response.content.decode()
    assert response.status_code == 200
    assert "data-pin-map-box hidden" in body and "tips/pin-map.js" in body
    assert "vendor/leaflet/leaflet.js" in body


def test_commune_options_carry_their_centre(client, s):
    response = client.get("/tips/units/", {"province": s.province.code})
    assert 'data-lat="21.350000" data-lon="105.950000"' in response.content.decode()


def test_web_tip_with_a_pin_reaches_the_nearest_commune(client, s):
    # given a citizen who only tapped the map (no commune chosen)
    response = client.post(NEW, form_data(s, latitude="21.349", longitude="105.952"))
    # then the tip is filed in the nearest commune
    assert response.status_code == 201, response.content.decode()[:2000]
    tip = Tip.objects.get()
    assert tip.orgunit == s.commune and tip.latitude == 21.349


def test_web_tip_with_a_pin_outside_vietnam_is_refused_on_the_field(client, s):
    response = client.post(NEW, form_data(s, latitude="13.75", longitude="100.5"))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="pin-error"' in body and "ngoài lãnh thổ Việt Nam" in body
    assert not Tip.objects.exists()


# --- API -----------------------------------------------------------------------------------------


def proof(client):
    challenge = client.get(f"{API}/challenge").json()
    return {
        "token": challenge["token"],
        "solution": pow.solve(challenge["token"], challenge["bits"]),
    }


def test_api_submit_with_a_pin(client, s):
    payload = {
        "kind": "crime",
        "description": "Trộm cắp ven sông.",
        "latitude": 21.301,
        "longitude": 106.199,
        "province_code": s.province.code,
        "proof": proof(client),
    }
    response = client.post(f"{API}/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["unit"] == s.sibling_commune.name
    outside = client.post(
        f"{API}/",
        {**payload, "latitude": 13.75, "longitude": 100.5, "proof": proof(client)},
        content_type="application/json",
    )
    assert outside.status_code == 400 and outside.json()["field"] == "latitude"
    assert "ngoài lãnh thổ Việt Nam" in outside.json()["message"]
    assert Tip.objects.count() == 1

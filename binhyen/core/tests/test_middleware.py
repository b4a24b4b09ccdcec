"""Pages open in Vietnamese unless the user switched; the API honours Accept-Language."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_pages_ignore_an_english_browser(client):
    # given a browser that prefers English
    # when the login page is opened
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    # then it is in Vietnamese
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi"


def test_the_language_switch_wins(client):
    # given a user who chose English with the switch
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when a page is opened
    response = client.get("/accounts/login/")
    # then it is in English
    assert response.headers["Content-Language"] == "en"


def test_api_clients_may_ask_for_english(client):
    # when an API client asks for English
    response = client.get("/api/v1/orgunits/VN", HTTP_ACCEPT_LANGUAGE="en")
    # then the error message is English
    assert response.status_code == 401
    assert response.headers["Content-Language"] == "en"

"""The API's one exception mapping, the caller and the page helper (``binhyen.core.api_kit``)."""

import json
from types import SimpleNamespace

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.test import RequestFactory

from binhyen.core.api_kit import PageQuery, api_page, api_user
from binhyen.core.web import not_found
from config.api import api


def _answer(exc):
    response = api.on_exception(RequestFactory().get("/api/v1/x"), exc)
    return response.status_code, json.loads(response.content)


@pytest.mark.parametrize("exc", [PermissionDenied("secret reason"), ObjectDoesNotExist()])
def test_refusals_and_missing_records_answer_the_same_404(exc):
    # Given a service refusing the caller, or a record that does not exist
    # When the API answers
    status, body = _answer(exc)
    # Then it is a 404 with the shared message; the refusal's reason does not leak
    assert status == 404
    assert body == {"message": "Không tìm thấy hoặc bạn không có quyền xem.", "field": None}


def test_a_404_keeps_its_message_and_field():
    # Given an app's own 404 naming the input that pointed at nothing
    status, body = _answer(not_found("Không tìm thấy địa bàn.", field="unit"))
    # Then the body carries both
    assert (status, body) == (404, {"message": "Không tìm thấy địa bàn.", "field": "unit"})
    assert _answer(Http404())[1]["message"] == "Không tìm thấy."


def test_a_validation_error_answers_400_naming_the_field():
    # Given a service refusing two fields
    exc = ValidationError({"name": "Tên trống.", "code": ["Mã sai.", "Mã trùng."]})
    # When the API answers
    status, body = _answer(exc)
    # Then it is a 400 naming the first field, and listing every error in order
    assert status == 400
    assert (body["message"], body["field"]) == ("Tên trống.", "name")
    assert body["errors"] == [
        {"field": "name", "message": "Tên trống."},
        {"field": "code", "message": "Mã sai."},
        {"field": "code", "message": "Mã trùng."},
    ]


def test_a_validation_error_without_a_field():
    status, body = _answer(ValidationError("Đơn vị đã giải thể."))
    assert (status, body["message"], body["field"]) == (400, "Đơn vị đã giải thể.", None)


def test_api_user_prefers_the_token_user():
    # Given a request authenticated by a token, and one by a session only
    token_request = SimpleNamespace(auth="token-user", user="session-user")
    session_request = SimpleNamespace(auth=None, user="session-user")
    # Then the token's user wins, else the session's
    assert api_user(token_request) == "token-user"
    assert api_user(session_request) == "session-user"


class _Items(list):
    def count(self):
        return len(self)


def test_api_page_counts_all_and_slices():
    # Given 120 items and a page of 50 from offset 100
    page = api_page(_Items(range(120)), PageQuery(limit=50, offset=100))
    # Then all are counted and the last 20 are returned
    assert page == {"count": 120, "items": list(range(100, 120))}

"""The API's one exception mapping, the caller and the list pages (``binhyen.core.api_kit``)."""

import json
from types import SimpleNamespace

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory

from binhyen.core.api_kit import (
    ImportRefused,
    PageQuery,
    api_import,
    api_page,
    api_user,
    not_found_as,
)
from binhyen.core.errors import Conflict
from binhyen.core.tabular import BulkValidationError, ImportProblem, ImportResult, RowError
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


def test_a_conflict_answers_409_with_the_same_body():
    # Given a service refusing because of the record's state, not the input
    exc = Conflict("Tin đang do A xử lý.")
    # When the API answers
    status, body = _answer(exc)
    # Then it is a 409 with the message, like a 400's body
    assert (status, body["message"], body["field"]) == (409, "Tin đang do A xử lý.", None)
    # and pages still treat it as any refusal (it is a ValidationError)
    assert isinstance(exc, ValidationError)


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


@pytest.mark.parametrize("exc", [Http404("Không có."), PermissionDenied(), ObjectDoesNotExist()])
def test_not_found_as_names_the_field(exc):
    # Given a block that meets a missing or forbidden record
    # When it runs under not_found_as("unit", message)
    with pytest.raises(Http404) as caught, not_found_as("unit", "Không tìm thấy địa bàn."):
        raise exc
    # Then the API answers 404 naming the field, with the message
    assert _answer(caught.value) == (
        404,
        {"message": "Không tìm thấy địa bàn.", "field": "unit"},
    )


def test_not_found_as_keeps_the_404s_own_message():
    with pytest.raises(Http404) as caught, not_found_as("id"):
        raise Http404("Không tìm thấy hoạt động.")
    assert _answer(caught.value)[1] == {"message": "Không tìm thấy hoạt động.", "field": "id"}


def _upload(content: bytes = b"x") -> SimpleUploadedFile:
    return SimpleUploadedFile("f.xlsx", content)


def test_an_import_without_a_file_or_with_an_empty_one_is_refused():
    # Given no file, then an empty one
    # When the import runs
    for file, message in ((None, "Hãy chọn một tệp"), (_upload(b""), "không có nội dung")):
        with pytest.raises(ImportRefused) as caught:
            api_import(file, lambda upload: ImportResult())
        # Then the API answers 400 naming the file
        status, body = _answer(caught.value)
        assert status == 400
        assert body["field"] == "file" and message in body["message"]
        assert body["errors"] == [{"row": None, "field": "file", "message": body["message"]}]


def test_an_import_lists_every_problem_of_its_result_or_its_bulk_service():
    # Given an import whose rows have problems, and one whose bulk service refuses rows
    def rows_refused(upload):
        return ImportResult(
            problems=[ImportProblem(2, "Tên", "Trống."), ImportProblem(3, "", "Sai.")]
        )

    def bulk_refused(upload):
        raise BulkValidationError([RowError(4, "name", "Trùng.")])

    # When each runs
    with pytest.raises(ImportRefused) as caught:
        api_import(_upload(), rows_refused)
    # Then every problem comes back with its row and column, the first one also on top
    status, body = _answer(caught.value)
    assert status == 400
    assert body == {
        "message": "Trống.",
        "field": "Tên",
        "errors": [
            {"row": 2, "field": "Tên", "message": "Trống."},
            {"row": 3, "field": None, "message": "Sai."},
        ],
    }
    with pytest.raises(ImportRefused) as caught:
        api_import(_upload(), bulk_refused)
    assert _answer(caught.value)[1]["errors"] == [{"row": 4, "field": "name", "message": "Trùng."}]


def test_an_import_that_passes_returns_its_result():
    # Given an import that creates two records
    # When it runs on a file
    result = api_import(_upload(), lambda upload: ImportResult(created=[upload.name, "b"]))
    # Then its result is returned as it is
    assert result.created == ["f.xlsx", "b"]

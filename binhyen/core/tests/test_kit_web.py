"""Paging, links, 404s and the form page of the core kit (``binhyen.core.web``)."""

import json
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from binhyen.core import web
from binhyen.core.forms import BootstrapForm
from binhyen.core.tabular import ImportProblem, ImportResult


class NameForm(BootstrapForm):
    name = forms.CharField(max_length=50)


def _request(method="get", data=None, path="/x/"):
    request = getattr(RequestFactory(), method)(path, data or {})
    request.user = SimpleNamespace(pk=7, is_authenticated=True)
    request._messages = CookieStorage(request)
    return request


@pytest.fixture
def rendered(monkeypatch):
    """Record what form_view renders instead of loading a template."""
    calls = []

    def fake_render(request, template, context, status=200):
        calls.append((template, context))
        body = {"errors": context["form"].errors, "extra": context.get("title")}
        return HttpResponse(json.dumps(body), status=status)

    monkeypatch.setattr(web, "render", fake_render)
    return calls


# --- paginate, querystring, current_user, not_found --------------------------------------------


def test_paginate_returns_the_requested_page(settings):
    # Given 60 items and a page size of 25
    settings.PAGE_SIZE = 25
    # When page 2 is asked for
    page = web.paginate(_request(data={"page": "2"}), list(range(60)))
    # Then it holds items 25..49
    assert list(page) == list(range(25, 50))
    assert page.paginator.num_pages == 3


def test_paginate_out_of_range_or_garbage_gives_a_page():
    # Given a page number that is not a number, then one past the end
    first = web.paginate(_request(data={"page": "abc"}), list(range(10)), per_page=3)
    last = web.paginate(_request(data={"page": "99"}), list(range(10)), per_page=3)
    # Then the first and the last page are served, never an error
    assert first.number == 1
    assert last.number == 4


def test_querystring_leaves_out_empty_filters():
    # Given filters some of which are empty
    # When the query is built
    query = web.querystring(q="hà", status="", unit=None, current=False, page=2)
    # Then only the set ones appear, encoded
    assert query == "q=h%C3%A0&page=2"


def test_current_user_is_the_requests_user():
    request = _request()
    assert web.current_user(request) is request.user


def test_not_found_is_a_404_with_a_message_and_a_field():
    # Given no message, then an app's own message and a field
    plain = web.not_found()
    own = web.not_found("Không tìm thấy tổ.", field="team")
    # Then both are Http404; the default says missing or forbidden alike
    assert isinstance(plain, Http404)
    assert str(plain) == "Không tìm thấy hoặc bạn không có quyền xem."
    assert (str(own), own.field) == ("Không tìm thấy tổ.", "team")


# --- call_service ------------------------------------------------------------------------------


def test_call_service_returns_the_result():
    form = NameForm({"name": "a"})
    assert form.is_valid()
    assert web.call_service(form, lambda **kw: kw["x"] * 2, x=21) == (True, 42)


def test_call_service_puts_validation_errors_on_the_form():
    # Given a service refusing the input
    form = NameForm({"name": "a"})
    assert form.is_valid()

    def refuse(**_kw):
        raise ValidationError({"name": "Trùng tên."})

    # When it is called
    outcome = web.call_service(form, refuse)
    # Then the outcome is not ok and the message is on the field
    assert outcome == (False, None)
    assert form.errors == {"name": ["Trùng tên."]}


@pytest.mark.parametrize("exc", [PermissionDenied(), ObjectDoesNotExist()])
def test_call_service_turns_refusals_into_404(exc):
    # Given a service refusing the actor (or not finding the record)
    form = NameForm({"name": "a"})
    assert form.is_valid()

    def refuse(**_kw):
        raise exc

    # Then the caller gets the one 404, with the app's message
    with pytest.raises(Http404, match="Không có tổ"):
        web.call_service(form, refuse, not_found_message="Không có tổ")


# --- form_view ---------------------------------------------------------------------------------


def _view(request, service, **kwargs):
    return web.form_view(
        request,
        NameForm(request.POST or None),
        service,
        template="any/form.html",
        context={"title": "Thêm tổ"},
        success_url="/done/",
        success_message="Đã lưu.",
        **kwargs,
    )


def test_form_view_get_renders_the_form(rendered):
    # Given a GET
    response = _view(_request(), lambda **kw: None)
    # Then the form is shown with the context, status 200, and no service ran
    assert response.status_code == 200
    assert rendered[0][0] == "any/form.html"
    assert json.loads(response.content)["extra"] == "Thêm tổ"


def test_form_view_post_calls_the_service_as_the_user_and_redirects(rendered):
    # Given a valid POST
    calls = []
    request = _request("post", {"name": "Tổ 1"})
    # When the view runs
    response = _view(request, lambda **kw: calls.append(kw))
    # Then the service got the actor and the cleaned data, and the user is redirected
    assert calls == [{"actor": request.user, "name": "Tổ 1"}]
    assert (response.status_code, response["Location"]) == (302, "/done/")
    assert [str(m) for m in get_messages(request)] == ["Đã lưu."]


def test_form_view_arguments_shape_the_call_and_urls_use_the_result(rendered):
    # Given arguments adding the record, and a success url built from the result
    request = _request("post", {"name": "Tổ 1"})
    response = web.form_view(
        request,
        NameForm(request.POST),
        lambda **kw: SimpleNamespace(pk=5, **kw),
        template="any/form.html",
        arguments=lambda data: {"team": "T", "label": data["name"]},
        success_url=lambda saved: f"/teams/{saved.pk}/",
        success_message=lambda saved: f"Đã lưu {saved.label}.",
    )
    # Then the redirect and the message name the saved record
    assert response["Location"] == "/teams/5/"
    assert [str(m) for m in get_messages(request)] == ["Đã lưu Tổ 1."]


def test_form_view_invalid_post_is_400_and_calls_nothing(rendered):
    # Given a POST with an empty name
    calls = []
    response = _view(_request("post", {"name": ""}), lambda **kw: calls.append(kw))
    # Then the form is shown again with 400 and the service never ran
    assert response.status_code == 400
    assert "name" in json.loads(response.content)["errors"]
    assert calls == []


def test_form_view_service_error_is_400_on_the_field(rendered):
    # Given a service refusing the input
    def refuse(**_kw):
        raise ValidationError({"name": "Trùng tên."})

    # When the form is posted
    response = _view(_request("post", {"name": "Tổ 1"}), refuse)
    # Then the page says why, on the field, with 400
    assert response.status_code == 400
    assert json.loads(response.content)["errors"] == {"name": ["Trùng tên."]}


def test_form_view_arguments_error_goes_on_the_form(rendered):
    # Given arguments that cannot resolve what was typed
    def arguments(data):
        raise ValidationError({"name": "Không tìm thấy mã."})

    # When the form is posted
    response = _view(_request("post", {"name": "X"}), lambda **kw: None, arguments=arguments)
    # Then it is a 400 on the field
    assert response.status_code == 400
    assert json.loads(response.content)["errors"] == {"name": ["Không tìm thấy mã."]}


def test_form_view_permission_denied_is_404(rendered):
    # Given a service refusing the actor
    def refuse(**_kw):
        raise PermissionDenied

    # Then the page is the same 404 as a missing record
    with pytest.raises(Http404):
        _view(_request("post", {"name": "Tổ 1"}), refuse)


def test_call_or_404_answers_a_refusal_or_a_missing_record_as_404() -> None:
    # given services that refuse, find nothing, or succeed
    def refuses(**kwargs: object) -> None:
        raise PermissionDenied

    def misses(**kwargs: object) -> None:
        raise ObjectDoesNotExist

    # when each is called through the kit
    # then refusals and missing records are the same 404, and a result comes back unchanged
    with pytest.raises(Http404):
        web.call_or_404(refuses, actor=None)
    with pytest.raises(Http404):
        web.call_or_404(misses, actor=None)
    assert web.call_or_404(lambda **kw: kw["value"], value=3) == 3


class UploadForm(BootstrapForm):
    file = forms.FileField()


def _import(request, run):
    return web.import_view(
        request,
        UploadForm,
        run,
        template="any/import.html",
        context=lambda: {"title": "Nhập tổ"},
        success_url="/done/",
        success_message=lambda result: f"Đã nhập {len(result.created)}.",
        not_found_message="Không thấy.",
    )


def _file_request():
    return _request("post", {"file": SimpleUploadedFile("f.xlsx", b"x")})


def test_import_view_runs_the_import_as_the_user_and_redirects(rendered):
    # Given a POST with a file and an import that creates two records
    calls = []
    request = _file_request()

    def run(**kw):
        calls.append(kw)
        return ImportResult(created=["a", "b"])

    # When the page is posted
    response = _import(request, run)
    # Then the import got the actor and the upload, and the user is redirected with the count
    assert calls[0]["actor"] is request.user and calls[0]["upload"].name == "f.xlsx"
    assert (response.status_code, response["Location"]) == (302, "/done/")
    assert [str(m) for m in get_messages(request)] == ["Đã nhập 2."]


def test_import_view_shows_the_problems_or_the_missing_file_with_400(rendered):
    # Given an import refusing a row, then a POST without a file
    refused = ImportResult(problems=[ImportProblem(2, "Tên", "Trống.")])
    response = _import(_file_request(), lambda **kw: refused)
    # Then the page is shown again with status 400 and the result
    assert response.status_code == 400
    assert rendered[-1][1]["result"] is refused and rendered[-1][1]["title"] == "Nhập tổ"
    response = _import(_request("post"), lambda **kw: pytest.fail("nothing to import"))
    assert response.status_code == 400 and rendered[-1][1]["result"] is None
    # And a GET shows the empty form with 200
    assert _import(_request(), lambda **kw: None).status_code == 200


def test_import_view_permission_denied_is_404(rendered):
    # Given an import refusing the user
    def run(**kw):
        raise PermissionDenied

    # When the page is posted, then it answers the same 404 as a missing record
    with pytest.raises(Http404, match="Không thấy"):
        _import(_file_request(), run)

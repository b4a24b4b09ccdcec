"""The published OpenAPI document: one class per component name, the API-wide statuses.

Every component of the document comes from exactly one schema class. django-ninja names a
component after its class and silently keeps the last class of a name (two classes named
``DecisionOut`` once made the community responses point at the programmes' schema). The test
walks every schema class an operation of the API reads or answers with and fails on a name
two classes share.
"""

from __future__ import annotations

import typing
from collections import defaultdict
from typing import Any

import pytest
from pydantic import BaseModel

from config.api import api


def _models_in(annotation: Any, found: set[type[BaseModel]]) -> None:
    """Collect the pydantic models an annotation names, nested ones included."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for info in annotation.model_fields.values():
            _models_in(info.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, found)


def schema_classes() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _models_in(model, found)
                for model in operation.response_models.values():
                    _models_in(model, found)
    return found


def test_every_component_name_belongs_to_one_schema_class():
    # given the published document and every schema class its operations use
    components = set(api.get_openapi_schema()["components"]["schemas"])
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in schema_classes():
        if cls.__name__ in components:
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    # then each component comes from one class: no name is shared, none is unaccounted for
    shared = {name: sorted(classes) for name, classes in by_name.items() if len(classes) > 1}
    assert shared == {}
    assert components == set(by_name)


def test_the_walk_sees_a_name_two_classes_share():
    # given two classes of one name, as two apps once had
    class DecisionOut(BaseModel):
        number: str

    class Wrapper(BaseModel):
        first: DecisionOut
        second: list[dict[str, Any]] | None

    other = type("DecisionOut", (BaseModel,), {"__annotations__": {"kind": str}})
    # when walking a model naming both
    found: set[type[BaseModel]] = set()
    _models_in(Wrapper, found)
    _models_in(dict[str, other], found)
    # then both classes are seen
    assert [c.__name__ for c in found].count("DecisionOut") == 2


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    paths = api.get_openapi_schema()["paths"]
    return [(path, method, op) for path, item in paths.items() for method, op in item.items()]


def test_every_operation_documents_the_statuses_the_api_itself_answers():
    # given every operation of the published document
    for path, method, op in _operations():
        responses = op["responses"]
        label = f"{method.upper()} {path}"
        # then credentials, unreadable bodies and off-schema input are documented where they apply
        if op.get("security"):
            assert 401 in responses, label
        if "requestBody" in op:
            assert 400 in responses, label
        if "requestBody" in op or op.get("parameters"):
            assert 422 in responses, label


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_refused_in_vietnamese(client):
    from binhyen.accounts import services
    from binhyen.accounts.tests.factories import scene

    # given a signed-in caller
    _token, raw = services.api_token_create(actor=scene().commune_officer, name="A")
    # when the body of a JSON operation is not JSON
    response = client.post(
        "/api/v1/accounts/tokens",
        "{không phải json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    # then a documented 400 says so in the user's language
    assert response.status_code == 400
    assert response.json() == {
        "message": "Nội dung gửi lên không đọc được: cần JSON hợp lệ.",
        "field": None,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/accounts/users?q=an%00", "q"),
        ("/api/v1/activities?q=an%00", "q"),
        ("/api/v1/orgunits/%00", "code"),
    ],
)
def test_every_router_refuses_a_nul_character(client, path, field):
    from binhyen.accounts.models import Role
    from binhyen.accounts.tests.factories import login_verified, scene, user_with_role

    # given a signed-in province officer (second factor verified)
    s = scene()
    officer = user_with_role(Role.PROVINCE_OFFICER, s.province, username="tinh2")
    login_verified(client, officer)
    # when a parameter carries a NUL character (PostgreSQL cannot store or compare one)
    response = client.get(path)
    # then the API refuses it naming the parameter, before the operation runs
    assert response.status_code == 422
    assert response.json()["field"] == field

"""The API page's catalog: every route of the app, once, with its permission and usable examples."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from flowport.api.app import create_app
from flowport.config import Settings
from flowport.web.api_catalog import Catalog, build_catalog
from flowport.web.api_examples import SchemaResolver, example_value, non_null_variant
from tests.helpers import STATIC_AUTH_SETTINGS

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data_dir: Path = tmp_path_factory.mktemp("catalog")
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'flowport.db'}",  # type: ignore[arg-type]
        auth=STATIC_AUTH_SETTINGS,  # type: ignore[arg-type]
    )
    document: dict[str, Any] = create_app(settings).openapi()
    return document


@pytest.fixture(scope="module")
def catalog(openapi: dict[str, Any]) -> Catalog:
    return build_catalog(openapi)


def routes(openapi: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, item in openapi["paths"].items()
        for method in item
        if method in HTTP_METHODS
    ]


def test_every_route_appears_exactly_once(openapi: dict[str, Any], catalog: Catalog) -> None:
    listed = Counter((op.method, op.path) for op in catalog.operations())
    assert all(count == 1 for count in listed.values())
    assert set(listed) == set(routes(openapi))
    assert len(routes(openapi)) > 100  # native, three facades, GraphQL, OAuth: not a stub document


def test_permissions_are_the_routes_x_permission(openapi: dict[str, Any], catalog: Catalog) -> None:
    for op in catalog.operations():
        assert op.permission == openapi["paths"][op.path][op.method.lower()].get("x-permission"), op.id
    assert catalog.find("POST", "/api/v1/process-instances").permission == "instances:start"
    assert catalog.find("PATCH", "/v1/task-instances/{task_id}").permission == "tasks:complete"
    assert catalog.find("GET", "/.well-known/jwks.json").public


def test_ids_are_unique_anchors(catalog: Catalog) -> None:
    ids = [op.id for op in catalog.operations()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", op_id) for op_id in ids)
    assert catalog.operation("post-api-v1-process-instances").path == "/api/v1/process-instances"
    assert all(re.fullmatch(r"[a-z0-9-]+", group.id) for group in catalog.groups)


def test_groups_have_names_a_user_knows(catalog: Catalog) -> None:
    titles = [group.title for group in catalog.groups]
    for title in (
        "Native API: process instances",
        "Native API: tasks",
        "OAuth 2.0 and OpenID Connect",
        "OptimaJet Workflow API",
        "SAP Workflow API",
        "Camunda Tasklist",
        "Camunda Tasklist GraphQL",
    ):
        assert title in titles
    assert "Other" not in titles  # every tag the routers use has a name
    by_title = {group.title: group for group in catalog.groups}
    assert [op.path for op in by_title["Camunda Tasklist GraphQL"].operations] == ["/graphql"]
    assert all(op.path.startswith("/workflowapi/") for op in by_title["OptimaJet Workflow API"].operations)


def test_the_token_endpoint_lists_its_form_fields(catalog: Catalog) -> None:
    token = catalog.find("POST", catalog.token_path)
    assert token.public and token.body is not None
    assert token.body.media_type == "application/x-www-form-urlencoded"
    fields = {field.name: field for field in token.body.form_fields}
    assert fields["grant_type"].required and "client_credentials" in fields["grant_type"].enum
    assert {"client_id", "client_secret", "scope"} <= set(fields)
    assert "/oauth/token" in token.aliases
    assert catalog.find("POST", "/oauth/token") is token


def test_the_bpmn_upload_is_a_multipart_file_field(catalog: Catalog) -> None:
    deploy = catalog.find("POST", "/api/v1/process-definitions")
    assert [body.media_type for body in deploy.bodies] == ["multipart/form-data", "application/xml"]
    assert deploy.body is not None
    assert [(f.name, f.is_file) for f in deploy.body.form_fields] == [("file", True)]


def test_parameters_carry_type_default_and_place(catalog: Catalog) -> None:
    search = catalog.find("GET", "/api/v1/process-instances")
    params = {p.name: p for p in search.parameters}
    assert params["limit"].type == "integer" and params["limit"].default == 50
    assert params["startedAfter"].type == "string (date-time)" and not params["startedAfter"].required
    complete = catalog.find("POST", "/api/v1/tasks/{task_id}/complete")
    assert [(p.name, p.location, p.required) for p in complete.params_in("path")] == [
        ("task_id", "path", True)
    ]


def conforms(value: Any, schema: dict[str, Any], resolver: SchemaResolver, depth: int = 0) -> bool:
    """A small structural check of JSON Schema: types, required, properties, enum, items."""
    schema = dict(resolver.deref(schema))
    if "anyOf" in schema or "oneOf" in schema:
        return any(conforms(value, s, resolver, depth + 1) for s in schema.get("anyOf") or schema["oneOf"])
    if "enum" in schema and value not in schema["enum"]:
        return False
    kind = schema.get("type")
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    if isinstance(kind, str) and not checks[kind](value):
        return False
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        if not set(schema.get("required") or ()) <= set(value):
            return False
        if schema.get("additionalProperties") is False and not set(value) <= set(props):
            return False
        return all(conforms(v, props[k], resolver, depth + 1) for k, v in value.items() if k in props)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return all(conforms(v, schema["items"], resolver, depth + 1) for v in value)
    if isinstance(value, str) and "maxLength" in schema:
        return len(value) <= schema["maxLength"]
    return True


def test_json_examples_fit_their_schemas(openapi: dict[str, Any], catalog: Catalog) -> None:
    resolver = SchemaResolver(openapi)
    checked = 0
    for op in catalog.operations():
        for body in op.bodies:
            if body.is_json and body.schema and not op.path.startswith("/workflowapi/"):
                assert conforms(body.example, dict(body.schema), resolver), (op.id, body.example)
                checked += 1
    assert checked > 30
    start = catalog.find("POST", "/api/v1/process-instances").body
    assert start is not None and "definitionKey" in start.example  # the field a caller needs first


def test_examples_resolve_refs_nullable_arrays_and_stop_on_recursion() -> None:
    document = {
        "components": {
            "schemas": {
                "Node": {
                    "type": "object",
                    "required": ["name", "children", "parent"],
                    "properties": {
                        "name": {"type": "string", "minLength": 8},
                        "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                        "parent": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]},
                        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                        "kind": {"type": "string", "enum": ["a", "b"]},
                        "size": {"type": "integer", "minimum": 3},
                    },
                }
            }
        }
    }
    resolver = SchemaResolver(document)
    value = example_value({"$ref": "#/components/schemas/Node"}, resolver)
    assert value["kind"] == "a" and value["size"] == 3 and len(value["name"]) >= 8
    assert "note" not in value  # optional and nullable: left out
    depth, node = 0, value
    while isinstance(node, dict) and node.get("children"):
        node, depth = node["children"][0], depth + 1
    assert 1 <= depth <= 3  # recursion is bounded, yet shown
    assert non_null_variant({"type": ["integer", "null"]}, resolver) == ({"type": "integer"}, True)

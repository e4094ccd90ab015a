"""The console's API page as data: every operation of the OpenAPI document, grouped for a reader.

:func:`build_catalog` reads the document the app serves (``create_app(settings).openapi()``), so
the page lists exactly the routes the server has: the native API, the product facades (OptimaJet,
SAP, Camunda Tasklist and its GraphQL), the OAuth 2.0 endpoints and the operations routes. Only the
documentation routes themselves (``/docs``, ``/openapi.json``) are left out. Each operation keeps
the permission its route declares (``x-permission``; ``None`` for a public one).

Some endpoints read their body themselves (the token service, RFC 6749 section 4.4; the console
login), so their OpenAPI operations declare none; the catalog adds the form fields they accept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flowport.auth.endpoints import INTROSPECT_PATHS, REVOKE_PATHS, TOKEN_PATHS
from flowport.web.api_examples import SchemaResolver, example_value, non_null_variant, type_label

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DOC_PATHS = frozenset({"/docs", "/openapi.json", "/docs/oauth2-redirect", "/redoc"})
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
_MEDIA_PREFERENCE = ("application/json", MULTIPART, FORM)


@dataclass(frozen=True)
class Parameter:
    """A path, query or header parameter (OpenAPI 3.1 section 4.8.12)."""

    name: str
    location: str  # "path" | "query" | "header" | "cookie"
    required: bool
    type: str  # a short label: "string", "integer", "string (date-time)", "array of string"
    description: str = ""
    enum: tuple[Any, ...] = ()
    default: Any = None
    example: Any = None  # a value to put in generated code


@dataclass(frozen=True)
class FormField:
    """A field of an ``application/x-www-form-urlencoded`` or ``multipart/form-data`` body."""

    name: str
    required: bool
    type: str
    description: str = ""
    is_file: bool = False  # multipart file upload (``format: binary``)
    enum: tuple[Any, ...] = ()
    example: str = ""


@dataclass(frozen=True)
class BodyExample:
    """A named example of a body (the media type's ``examples``)."""

    name: str
    summary: str
    value: Any


@dataclass(frozen=True)
class RequestBody:
    """One media type an operation accepts, with an example or the form's fields."""

    media_type: str
    required: bool
    description: str = ""
    schema: Mapping[str, Any] = field(default_factory=dict)  # as in the document ($refs kept)
    example: Any = None  # JSON bodies: a value built from the schema (or the document's example)
    examples: tuple[BodyExample, ...] = ()
    form_fields: tuple[FormField, ...] = ()

    @property
    def is_json(self) -> bool:
        return self.media_type == "application/json" or self.media_type.endswith("+json")

    @property
    def is_form(self) -> bool:
        return self.media_type in (FORM, MULTIPART)


@dataclass(frozen=True)
class ResponseCode:
    status: str  # "200", "4XX", "default"
    description: str
    media_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:
    """One method on one path, as the API page shows it."""

    id: str  # stable and URL-safe: an HTML anchor (``post-api-v1-process-instances``)
    method: str  # upper case
    path: str  # the template, e.g. ``/api/v1/tasks/{task_id}/complete``
    summary: str
    description: str
    permission: str | None  # ``x-permission``; None: public (no token needed)
    tag: str
    group: str  # the title of its group
    parameters: tuple[Parameter, ...] = ()
    bodies: tuple[RequestBody, ...] = ()  # the preferred media type first
    responses: tuple[ResponseCode, ...] = ()
    aliases: tuple[str, ...] = ()  # other paths that serve the same operation
    operation_id: str = ""  # the document's operationId
    deprecated: bool = False

    @property
    def body(self) -> RequestBody | None:
        return self.bodies[0] if self.bodies else None

    @property
    def public(self) -> bool:
        return self.permission is None

    def params_in(self, location: str) -> tuple[Parameter, ...]:
        return tuple(param for param in self.parameters if param.location == location)


@dataclass(frozen=True)
class Group:
    id: str  # an HTML anchor
    title: str
    description: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class Catalog:
    title: str
    version: str
    token_path: str  # where a client asks for a token (client credentials): ``/connect/token``
    groups: tuple[Group, ...]

    def operations(self) -> Iterator[Operation]:
        for group in self.groups:
            yield from group.operations

    def operation(self, operation_id: str) -> Operation:
        """The operation with this :attr:`Operation.id` (``KeyError`` if there is none)."""
        for operation in self.operations():
            if operation.id == operation_id:
                return operation
        raise KeyError(operation_id)

    def find(self, method: str, path: str) -> Operation:
        """The operation of ``method`` on the path template ``path`` (``KeyError`` if there is none)."""
        for operation in self.operations():
            if operation.method == method.upper() and (path == operation.path or path in operation.aliases):
                return operation
        raise KeyError(f"{method.upper()} {path}")


# (tag, title, description), in page order; a tag not listed here gets a group after these.
_GROUPS: tuple[tuple[str, str, str], ...] = (
    (
        "process definitions",
        "Native API: process definitions",
        "Deploy BPMN 2.0 files and read their versions.",
    ),
    (
        "process instances",
        "Native API: process instances",
        "Start, search, change and end process instances.",
    ),
    ("tasks", "Native API: tasks", "User tasks: search, claim and complete them."),
    (
        "messages and signals",
        "Native API: messages and signals",
        "Correlate BPMN messages, broadcast signals.",
    ),
    (
        "jobs and incidents",
        "Native API: jobs and incidents",
        "External workers' jobs and failed-job incidents.",
    ),
    ("administration", "Native API: administration", "OAuth clients, users, environments, keys, audit."),
    ("oauth", "OAuth 2.0 and OpenID Connect", "Tokens (client credentials), introspection, discovery, keys."),
    (
        "OptimaJet Workflow API",
        "OptimaJet Workflow API",
        "OptimaJet Workflow Server's /workflowapi operations.",
    ),
    ("SAP Workflow API v1", "SAP Workflow API", "SAP Workflow Management's REST API (/v1/workflow-*)."),
    ("Camunda Tasklist", "Camunda Tasklist", "Camunda Tasklist's REST API (/v1/tasks)."),
    ("Camunda Tasklist GraphQL", "Camunda Tasklist GraphQL", "Camunda Tasklist's GraphQL API (/graphql)."),
    ("operations", "Operations: health and metrics", "Liveness, readiness and Prometheus metrics."),
    ("session", "Console session", "Log a human user in and out of the web console (a cookie)."),
)
_OTHER = "Other"

_OAUTH_CLIENT_FIELDS = (
    FormField(
        "client_id", False, "string", "The client's id (or send it with HTTP Basic)", example="my-client"
    ),
    FormField("client_secret", False, "string", "The client's secret (or send it with HTTP Basic)"),
    FormField("client_assertion_type", False, "string", "private_key_jwt (RFC 7523)"),
    FormField("client_assertion", False, "string", "A JWT signed with the client's key (RFC 7523)"),
)
_UNDECLARED_FORMS: dict[str, tuple[FormField, ...]] = {
    TOKEN_PATHS[0]: (
        FormField(
            "grant_type",
            True,
            "string",
            "client_credentials, or refresh_token",
            enum=("client_credentials", "refresh_token"),
            example="client_credentials",
        ),
        *_OAUTH_CLIENT_FIELDS,
        FormField("scope", False, "string", "Space-separated permissions to narrow the token to"),
        FormField("audience", False, "string", "The API the token is for"),
        FormField("refresh_token", False, "string", "With grant_type=refresh_token"),
    ),
    INTROSPECT_PATHS[0]: (
        FormField("token", True, "string", "The token to inspect"),
        FormField("token_type_hint", False, "string", "access_token or refresh_token"),
        *_OAUTH_CLIENT_FIELDS,
    ),
    REVOKE_PATHS[0]: (
        FormField("token", True, "string", "The token to revoke"),
        FormField("token_type_hint", False, "string", "access_token or refresh_token"),
        *_OAUTH_CLIENT_FIELDS,
    ),
    "/api/login": (
        FormField("username", True, "string", "The user's name", example="alice"),
        FormField("password", True, "string", "The user's password"),
    ),
}
_ALIASES: dict[str, tuple[str, ...]] = {
    TOKEN_PATHS[0]: TOKEN_PATHS[1:],
    INTROSPECT_PATHS[0]: INTROSPECT_PATHS[1:],
    REVOKE_PATHS[0]: REVOKE_PATHS[1:],
}
_OPTIMAJET_WITH_ID = re.compile(r"^(/workflowapi/[a-z]+)/\{processId\}$")


def build_catalog(openapi: Mapping[str, Any]) -> Catalog:
    """Group every operation of ``openapi`` (an OpenAPI 3.1 document) for the API page."""
    resolver = SchemaResolver(openapi)
    by_group: dict[str, list[Operation]] = {}
    used_ids: set[str] = set()
    for path, item in (openapi.get("paths") or {}).items():
        if path in DOC_PATHS or not isinstance(item, Mapping):
            continue
        shared = [p for p in item.get("parameters") or () if isinstance(p, Mapping)]
        for method in METHODS:
            raw = item.get(method)
            if not isinstance(raw, Mapping):
                continue
            operation = _operation(path, method, raw, shared, resolver, used_ids)
            by_group.setdefault(operation.group, []).append(operation)
    known = [(title, text) for _, title, text in _GROUPS]
    titles = [title for title, _ in known]
    extra = sorted(title for title in by_group if title not in titles)
    groups = [
        Group(_slug(title), title, text, tuple(by_group[title]))
        for title, text in [*known, *((title, "") for title in extra)]
        if title in by_group
    ]
    info = openapi.get("info") or {}
    return Catalog(
        title=str(info.get("title", "API")),
        version=str(info.get("version", "")),
        token_path=_token_path(openapi),
        groups=tuple(groups),
    )


def _operation(
    path: str,
    method: str,
    raw: Mapping[str, Any],
    shared: list[Mapping[str, Any]],
    resolver: SchemaResolver,
    used_ids: set[str],
) -> Operation:
    tags = raw.get("tags") or []
    tag = str(tags[0]) if tags else ""
    if tag == "Camunda Tasklist" and path == "/graphql":
        tag = "Camunda Tasklist GraphQL"
    group = next((title for key, title, _ in _GROUPS if key == tag), tag or _OTHER)
    declared = {(str(p.get("name")), str(p.get("in"))): p for p in [*shared, *(raw.get("parameters") or ())]}
    permission = raw.get("x-permission")
    return Operation(
        id=_unique(_slug(f"{method}-{path}"), used_ids),
        method=method.upper(),
        path=path,
        summary=str(raw.get("summary") or ""),
        description=str(raw.get("description") or ""),
        permission=str(permission) if permission else None,
        tag=tag,
        group=group,
        parameters=tuple(_parameter(p, resolver) for p in declared.values()),
        bodies=_bodies(path, raw.get("requestBody"), resolver),
        responses=_responses(raw.get("responses")),
        aliases=_aliases(path),
        operation_id=str(raw.get("operationId") or ""),
        deprecated=bool(raw.get("deprecated")),
    )


def _parameter(raw: Mapping[str, Any], resolver: SchemaResolver) -> Parameter:
    schema = raw.get("schema") if isinstance(raw.get("schema"), Mapping) else {}
    assert isinstance(schema, Mapping)
    variant, _ = non_null_variant(schema, resolver)
    example = raw["example"] if "example" in raw else example_value(schema, resolver)
    location = str(raw.get("in", "query"))
    if location == "path" and (example is None or example == "string"):
        example = str(raw.get("name"))  # a readable placeholder the developer replaces
    enum = variant.get("enum")
    return Parameter(
        name=str(raw.get("name")),
        location=location,
        required=bool(raw.get("required")) or location == "path",
        type=type_label(schema, resolver),
        description=str(raw.get("description") or schema.get("description") or ""),
        enum=tuple(enum) if isinstance(enum, list) else (),
        default=variant.get("default", schema.get("default")),
        example=example,
    )


def _bodies(path: str, raw: Any, resolver: SchemaResolver) -> tuple[RequestBody, ...]:
    if not isinstance(raw, Mapping):
        fields = _UNDECLARED_FORMS.get(path)
        return (
            (RequestBody(FORM, True, "Parameters as a form (or a JSON object)", form_fields=fields),)
            if fields
            else ()
        )
    content = raw.get("content") or {}
    required = bool(raw.get("required"))
    description = str(raw.get("description") or "")
    ordered = sorted(content, key=lambda media: (_rank(media), list(content).index(media)))
    return tuple(_body(media, content[media], required, description, resolver) for media in ordered)


def _rank(media: str) -> int:
    return _MEDIA_PREFERENCE.index(media) if media in _MEDIA_PREFERENCE else len(_MEDIA_PREFERENCE)


def _body(
    media: str, raw: Mapping[str, Any], required: bool, description: str, resolver: SchemaResolver
) -> RequestBody:
    schema = raw.get("schema") if isinstance(raw.get("schema"), Mapping) else {}
    assert isinstance(schema, Mapping)
    named = tuple(
        BodyExample(str(name), str(value.get("summary") or name), value.get("value"))
        for name, value in (raw.get("examples") or {}).items()
        if isinstance(value, Mapping)
    )
    if media in (FORM, MULTIPART):
        return RequestBody(media, required, description, schema, None, named, _form_fields(schema, resolver))
    if "example" in raw:
        example = raw["example"]
    elif named:
        example = named[0].value
    else:
        example = example_value(schema, resolver)
    return RequestBody(media, required, description, schema, example, named)


def _form_fields(schema: Mapping[str, Any], resolver: SchemaResolver) -> tuple[FormField, ...]:
    resolved = resolver.deref(schema)
    required = set(resolved.get("required") or ())
    fields = []
    for name, prop in (resolved.get("properties") or {}).items():
        variant, _ = non_null_variant(prop, resolver)
        is_file = variant.get("format") == "binary" or "contentMediaType" in variant
        value = "" if is_file else example_value(prop, resolver)
        enum = variant.get("enum")
        fields.append(
            FormField(
                name=str(name),
                required=name in required,
                type="file" if is_file else type_label(prop, resolver),
                description=str(variant.get("description") or ""),
                is_file=is_file,
                enum=tuple(enum) if isinstance(enum, list) else (),
                example="" if value is None else str(value),
            )
        )
    return tuple(fields)


def _responses(raw: Any) -> tuple[ResponseCode, ...]:
    if not isinstance(raw, Mapping):
        return ()
    return tuple(
        ResponseCode(str(status), str(value.get("description") or ""), tuple(value.get("content") or ()))
        for status, value in raw.items()
        if isinstance(value, Mapping)
    )


def _aliases(path: str) -> tuple[str, ...]:
    if path in _ALIASES:
        return _ALIASES[path]
    # OptimaJet's operations also take processId from the query or the body (``/workflowapi/<name>``)
    match = _OPTIMAJET_WITH_ID.match(path)
    return (match.group(1),) if match else ()


def _token_path(openapi: Mapping[str, Any]) -> str:
    paths = openapi.get("paths") or {}
    return next((path for path in TOKEN_PATHS if path in paths), TOKEN_PATHS[0])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "operation"


def _unique(candidate: str, used: set[str]) -> str:
    name, n = candidate, 2
    while name in used:
        name, n = f"{candidate}-{n}", n + 1
    used.add(name)
    return name

"""The console's API page (``/console/api``): every operation, a form to try it, code to copy.

Like OptimaJet's admin panel "Workflow API" page. The page is built from the OpenAPI document the
app serves (:func:`flowport.web.api_catalog.build_catalog`), so it never drifts from the routes.
Test requests are sent by the browser itself (``static/api.js``), with the viewer's session or
with a token it gets for a client whose secret is typed into the page and sent only to the token
endpoint; the server never sees that secret otherwise. Generated code stays in Python
(:mod:`flowport.web.codegen`), built once per app for the example values. The page carries no code
(137 operations x 5 targets would make it megabytes): ``/console/api/code/all`` gives the browser
the code of every target of one operation when it is opened, for what its form holds, and
``/console/api/code`` gives one target as plain text (the page links to it for readers without
JavaScript).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

from flowport.errors import NotFound
from flowport.web.api_catalog import Catalog, Operation, build_catalog
from flowport.web.codegen import TARGET_LABELS, ExampleRequest, Target, generate
from flowport.web.console import PREFIX, ConsoleRoute, ViewerDep, render

router = APIRouter(prefix=f"{PREFIX}/api", route_class=ConsoleRoute, include_in_schema=False)

# Form fields whose value is a secret: the page never sends them to /console/api/code, and the
# generated code reads them from an environment variable.
SECRET_FIELDS: dict[str, str] = {"client_secret": "FLOWPORT_CLIENT_SECRET", "password": "FLOWPORT_PASSWORD"}
DEFAULT_CLIENT_ID = "my-client"
# Operations whose answer names the process instances they started: the page links to them.
# (method, path) -> the path parameter that is the new instance's id, or "" (read from the answer).
INSTANCE_CREATORS: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/process-instances"): "",
    ("POST", "/api/v1/messages"): "",
    ("POST", "/v1/workflow-instances"): "",
    ("POST", "/v1/messages"): "",
    ("GET", "/workflowapi/createinstance/{processId}"): "processId",
    ("POST", "/workflowapi/createinstance/{processId}"): "processId",
}
_MAX_VALUE = 100_000  # a value in the code endpoint's query; longer is not an example any more


@dataclass(frozen=True)
class Snippet:
    target: str
    label: str
    code: str


@dataclass(frozen=True)
class OperationView:
    """One operation as the page shows it: the catalog's facts, the form's first values, code."""

    operation: Operation
    path_values: Mapping[str, str]
    query_values: Mapping[str, str]
    body_text: str  # the JSON body's example, pretty-printed ("" when there is none)
    form_values: Mapping[str, str]
    example: ExampleRequest  # the values the code of ``snippets`` is for
    snippets: tuple[Snippet, ...]
    creates_instances: bool
    instance_param: str  # the path parameter that names the created instance ("" if none)


@dataclass(frozen=True)
class ApiPage:
    catalog: Catalog
    base_url: str
    views: Mapping[str, OperationView]


def page_of(app: FastAPI, base_url: str) -> ApiPage:
    """The page's data, built once per app (and public URL) and kept on ``app.state``."""
    cached: ApiPage | None = getattr(app.state, "console_api_page", None)
    if cached is None or cached.base_url != base_url:
        catalog = build_catalog(app.openapi())
        views = {op.id: _view(op, catalog, base_url) for op in catalog.operations()}
        cached = ApiPage(catalog, base_url, views)
        app.state.console_api_page = cached
    return cached


def _view(op: Operation, catalog: Catalog, base_url: str) -> OperationView:
    example = _example(op, catalog, base_url, DEFAULT_CLIENT_ID)
    body = op.body
    body_text = ""
    if body is not None and body.is_json and example.json_body is not None:
        body_text = json.dumps(example.json_body, indent=2, ensure_ascii=False)
    form_values = {name: value for name, value in (example.form or {}).items() if name not in SECRET_FIELDS}
    snippets = tuple(Snippet(t.value, TARGET_LABELS[t], generate(op, example, t)) for t in Target)
    key = (op.method, op.path)
    return OperationView(
        operation=op,
        path_values=dict(example.path_params),
        query_values=dict(example.query),
        body_text=body_text,
        form_values=form_values,
        example=example,
        snippets=snippets,
        creates_instances=key in INSTANCE_CREATORS,
        instance_param=INSTANCE_CREATORS.get(key, ""),
    )


def _example(op: Operation, catalog: Catalog, base_url: str, client_id: str) -> ExampleRequest:
    example = ExampleRequest.example_for(op, base_url, client_id=client_id, token_path=catalog.token_path)
    if example.form is None:
        return example
    form_env = {**example.form_env}
    form = {}
    for name, value in example.form.items():
        if name in SECRET_FIELDS:
            form_env[name] = SECRET_FIELDS[name]
        else:
            form[name] = value
    return ExampleRequest(
        example.base_url,
        example.path_params,
        example.query,
        example.headers,
        example.json_body,
        form,
        form_env,
        example.files,
        example.auth,
    )


@router.get("")
def api_page(request: Request, looking: ViewerDep) -> HTMLResponse:
    """Every operation of the native and product-compatible APIs, to read, try and copy."""
    page = page_of(request.app, looking.services.settings.effective_public_url)
    held = {op.id: op.permission is None or looking.can(op.permission) for op in page.catalog.operations()}
    return render(
        request,
        looking,
        "api.html",
        title="API",
        page=page,
        catalog=page.catalog,
        held=held,
        total=len(held),
        targets=[(t.value, TARGET_LABELS[t]) for t in Target],
        secret_fields=SECRET_FIELDS,
    )


@router.get("/code")
def api_code(
    request: Request, looking: ViewerDep, operation: str = "", target: str = "curl"
) -> PlainTextResponse:
    """The code of one operation for the values the page's form holds (``text/plain``).

    The query carries ``operation`` and ``target``, then ``path.NAME``, ``query.NAME``,
    ``header.NAME``, ``form.NAME`` and ``file.NAME`` (a file's name) values, ``body`` (the JSON
    text) and ``client_id``. Secrets never come here: the code reads them from the environment.
    Without values it is the code of the example (the page's links for readers without JavaScript).
    """
    page = page_of(request.app, looking.services.settings.effective_public_url)
    op = _operation(page, operation)
    try:
        chosen = Target(target)
        snippets = _snippets(op, page, request.query_params.multi_items(), only=chosen)
    except ValueError as exc:
        return PlainTextResponse(f"No code for these values: {exc}", status_code=400)
    return PlainTextResponse(snippets[0].code)


@router.get("/code/all")
def api_code_all(request: Request, looking: ViewerDep, operation: str = "") -> JSONResponse:
    """The code of one operation in every target, as JSON: what the page shows when it is opened.

    The same values as ``/code`` (no ``target``). The answer is ``{"operation": ID, "snippets":
    [{"target", "label", "code"}, ...]}`` in the order of the page's tabs, or ``{"detail": why}``
    with status 400 when the values make no request.
    """
    page = page_of(request.app, looking.services.settings.effective_public_url)
    op = _operation(page, operation)
    try:
        snippets = _snippets(op, page, request.query_params.multi_items())
    except ValueError as exc:
        return JSONResponse({"detail": f"No code for these values: {exc}"}, status_code=400)
    return JSONResponse(
        {
            "operation": op.id,
            "snippets": [{"target": s.target, "label": s.label, "code": s.code} for s in snippets],
        }
    )


def _operation(page: ApiPage, operation: str) -> Operation:
    try:
        return page.catalog.operation(operation)
    except KeyError:
        raise NotFound(f"There is no API operation {operation!r}") from None


def _snippets(
    op: Operation, page: ApiPage, items: list[tuple[str, str]], only: Target | None = None
) -> tuple[Snippet, ...]:
    """The code for the query's values: the cached code when they are the example's (or none)."""
    view = page.views[op.id]
    values = [(key, value) for key, value in items if key not in ("operation", "target")]
    example = _example_from_query(op, page, values) if values else view.example
    targets = [only] if only is not None else list(Target)
    if example == view.example:
        return tuple(s for s in view.snippets if Target(s.target) in targets)
    return tuple(Snippet(t.value, TARGET_LABELS[t], generate(op, example, t)) for t in targets)


def _example_from_query(op: Operation, page: ApiPage, items: list[tuple[str, str]]) -> ExampleRequest:
    values: dict[str, dict[str, str]] = {"path": {}, "query": {}, "header": {}, "form": {}, "file": {}}
    body_text, client_id = "", DEFAULT_CLIENT_ID
    for key, value in items:
        if len(value) > _MAX_VALUE:
            raise ValueError(f"the value of {key} is too long")
        kind, _, name = key.partition(".")
        if kind in values and name:
            values[kind][name] = value
        elif key == "body":
            body_text = value
        elif key == "client_id" and value.strip():
            client_id = value.strip()
    base = _example(op, page.catalog, page.base_url, client_id)
    declared = {(p.location, p.name) for p in op.parameters}
    path_params = {**base.path_params, **{k: v for k, v in values["path"].items() if ("path", k) in declared}}
    query = {k: v for k, v in values["query"].items() if v != "" and ("query", k) in declared}
    headers = {k: v for k, v in values["header"].items() if v != "" and ("header", k) in declared}
    json_body: Any = None
    if body_text.strip():
        try:
            json_body = json.loads(body_text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"the body is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    body = op.body
    form: dict[str, str] | None = None
    files: dict[str, str] = {}
    form_env = dict(base.form_env)
    if body is not None and body.is_form:
        known = {field.name: field for field in body.form_fields}
        form = {
            k: v
            for k, v in values["form"].items()
            if v != "" and k in known and not known[k].is_file and k not in SECRET_FIELDS
        }
        chosen_files = {k: v or base.files.get(k, "process.bpmn") for k, v in values["file"].items()}
        files = {**base.files, **{k: v for k, v in chosen_files.items() if k in known and known[k].is_file}}
        json_body = None
    return ExampleRequest(
        base.base_url,
        path_params,
        query,
        headers,
        json_body,
        form,
        form_env,
        files,
        base.auth,
    )

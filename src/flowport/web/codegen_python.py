"""Generated Python: with requests, and with Flowport's own SDK (:mod:`flowport.client`).

The SDK snippet calls the SDK's typed method when there is one for the operation and the request
uses only what that method takes. Otherwise it sends the request through ``Client.execute`` with
an ``Operation`` (the SDK's lower-level request: token, retries and error mapping included).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from flowport.web.api_catalog import Operation
from flowport.web.codegen_literals import python_str, python_value
from flowport.web.codegen_request import Call, ClientCredentials, ExampleRequest

_SHORT_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def requests_code(call: Call) -> str:
    lines = ["import os", "", "import requests", ""] if _needs_os(call) else ["import requests", ""]
    if call.auth is not None:
        lines += _requests_token(call.auth)
    headers = [f"{python_str(k)}: {python_str(v)}" for k, v in call.headers]
    if call.auth is not None:
        headers.insert(0, '"Authorization": f"Bearer {access_token}"')
    func = f"requests.{call.method.lower()}" if call.method in _SHORT_METHODS else "requests.request"
    args = (
        [python_str(call.url)]
        if func != "requests.request"
        else [python_str(call.method), python_str(call.url)]
    )
    if headers:
        args.append("headers={" + ", ".join(headers) + "}")
    if call.json_body is not None:
        args.append(f"json={python_value(call.json_body, 4)}")
    elif call.form is not None or call.form_env:
        fields = [f"        {python_str(k)}: {python_str(v)}," for k, v in call.form or ()]
        fields += [f"        {python_str(k)}: os.environ[{python_str(env)}]," for k, env in call.form_env]
        if fields:
            args.append("data={\n" + "\n".join(fields) + "\n    }")
    opened = [(name, path, f"file_{index}") for index, (name, path) in enumerate(call.files)]
    if opened:
        args.append("files={" + ", ".join(f"{python_str(name)}: {var}" for name, _, var in opened) + "}")
    args.append("timeout=30")
    request = [f"response = {func}(", *(f"    {arg}," for arg in args), ")"]
    indent = ""
    for _, path, var in opened:
        lines.append(f"{indent}with open({python_str(path)}, {python_str('rb')}) as {var}:")
        indent += "    "
    lines += [indent + line if line else line for line in request]
    lines.append("response.raise_for_status()")
    lines.append(
        "print(response.json())" if call.returns_json else "print(response.status_code, response.text)"
    )
    return "\n".join(lines) + "\n"


def _needs_os(call: Call) -> bool:
    return call.auth is not None or bool(call.form_env)


def _requests_token(auth: ClientCredentials) -> list[str]:
    fields = [
        '        "grant_type": "client_credentials",',
        f'        "client_id": {python_str(auth.client_id)},',
        f'        "client_secret": os.environ[{python_str(auth.secret_env)}],',
    ]
    if auth.scope:
        fields.append(f'        "scope": {python_str(auth.scope)},')
    return [
        "# An access token (OAuth 2.0 client credentials); the secret comes from the environment",
        "token_response = requests.post(",
        f"    {python_str(auth.token_url)},",
        "    data={",
        *fields,
        "    },",
        "    timeout=30,",
        ")",
        "token_response.raise_for_status()",
        'access_token = token_response.json()["access_token"]',
        "",
    ]


@dataclass(frozen=True)
class SdkMethod:
    """An SDK method and where its arguments come from: ``(source, api name, python name or None)``.

    ``source`` is ``path``, ``query``, ``body`` or ``file``; a python name of None is positional.
    """

    call: str
    args: tuple[tuple[str, str, str | None], ...]
    result: str = "value"  # "value" (print it), "pages" (iterate), "none"


_SDK: dict[tuple[str, str], SdkMethod] = {
    ("POST", "/api/v1/process-definitions"): SdkMethod("definitions.deploy", (("file", "file", None),)),
    ("GET", "/api/v1/process-definitions"): SdkMethod(
        "definitions.list", (("query", "key", None), ("query", "latest", "latest")), "pages"
    ),
    ("GET", "/api/v1/process-definitions/{definition_id}"): SdkMethod("definitions.get", ()),
    ("GET", "/api/v1/process-definitions/{definition_id}/xml"): SdkMethod("definitions.xml", ()),
    ("DELETE", "/api/v1/process-definitions/{definition_id}"): SdkMethod(
        "definitions.delete", (("query", "cascade", "cascade"),), "none"
    ),
    ("POST", "/api/v1/process-instances"): SdkMethod(
        "instances.start",
        (
            ("body", "definitionKey", None),
            ("body", "variables", None),
            ("body", "businessKey", "business_key"),
            ("body", "definitionId", "definition_id"),
            ("body", "version", "version"),
            ("body", "id", "instance_id"),
        ),
    ),
    ("GET", "/api/v1/process-instances"): SdkMethod(
        "instances.search",
        (
            ("query", "status", "status"),
            ("query", "definitionKey", "definition_key"),
            ("query", "businessKey", "business_key"),
        ),
        "pages",
    ),
    ("GET", "/api/v1/process-instances/{instance_id}"): SdkMethod("instances.get", ()),
    ("DELETE", "/api/v1/process-instances/{instance_id}"): SdkMethod("instances.delete", (), "none"),
    ("POST", "/api/v1/process-instances/{instance_id}/cancel"): SdkMethod("instances.cancel", ()),
    ("POST", "/api/v1/process-instances/{instance_id}/suspend"): SdkMethod("instances.suspend", ()),
    ("POST", "/api/v1/process-instances/{instance_id}/resume"): SdkMethod("instances.resume", ()),
    ("POST", "/api/v1/process-instances/{instance_id}/move"): SdkMethod(
        "instances.move", (("body", "toElementId", None), ("body", "fromElementId", "from_element_id"))
    ),
    ("GET", "/api/v1/process-instances/{instance_id}/variables"): SdkMethod("instances.variables", ()),
    ("PATCH", "/api/v1/process-instances/{instance_id}/variables"): SdkMethod(
        "instances.set_variables", (("body", "*", None),)
    ),
    ("GET", "/api/v1/process-instances/{instance_id}/history"): SdkMethod("instances.history", (), "pages"),
    ("GET", "/api/v1/tasks"): SdkMethod(
        "tasks.search",
        tuple(
            ("query", api, py)
            for api, py in (
                ("state", "state"),
                ("assignee", "assignee"),
                ("candidateUser", "candidate_user"),
                ("candidateGroup", "candidate_group"),
                ("processInstanceId", "process_instance_id"),
                ("definitionKey", "definition_key"),
                ("elementId", "element_id"),
            )
        ),
        "pages",
    ),
    ("GET", "/api/v1/tasks/{task_id}"): SdkMethod("tasks.get", ()),
    ("POST", "/api/v1/tasks/{task_id}/claim"): SdkMethod("tasks.claim", (("body", "assignee", None),)),
    ("POST", "/api/v1/tasks/{task_id}/unclaim"): SdkMethod("tasks.unclaim", ()),
    ("POST", "/api/v1/tasks/{task_id}/complete"): SdkMethod("tasks.complete", (("body", "variables", None),)),
    ("POST", "/api/v1/messages"): SdkMethod(
        "messages.correlate",
        (
            ("body", "name", None),
            ("body", "variables", None),
            ("body", "processInstanceId", "process_instance_id"),
            ("body", "businessKey", "business_key"),
            ("body", "correlationKey", "correlation_key"),
        ),
    ),
    ("POST", "/api/v1/signals"): SdkMethod(
        "signals.broadcast", (("body", "name", None), ("body", "variables", None))
    ),
    ("GET", "/api/v1/incidents"): SdkMethod(
        "incidents.search", (("query", "processInstanceId", "process_instance_id"),), "pages"
    ),
    ("POST", "/api/v1/incidents/{incident_id}/resolve"): SdkMethod(
        "incidents.resolve", (("body", "retries", "retries"),)
    ),
    ("GET", "/api/v1/admin/clients/{client_id}"): SdkMethod("admin.clients.get", ()),
    ("GET", "/api/v1/admin/environments"): SdkMethod("admin.environments.list", ()),
    ("GET", "/api/v1/admin/keys"): SdkMethod("admin.keys.list", ()),
}


def sdk_code(operation: Operation, request: ExampleRequest, call: Call) -> str:
    lines = ["import os", ""] if call.auth is not None or call.form_env else []
    lines += ["from flowport.client import Client"]
    method = _SDK.get((operation.method, operation.path))
    statement = _typed_call(method, operation, request) if method is not None else None
    if statement is None and call.files:
        return (
            "# The Flowport SDK has no method for this upload: the same call with requests\n"
            + requests_code(call)
        )
    if statement is None:
        lines += ["from flowport.client.operations import Operation"]
    base = urlsplit(call.url)
    origin = f"{base.scheme}://{base.netloc}"
    lines += ["", *_client_open(request.base_url or origin, call.auth)]
    if statement is not None:
        lines += [f"    {line}" for line in statement]
    else:
        lines += _execute(operation, request, call)
    return "\n".join(lines) + "\n"


def _client_open(base_url: str, auth: ClientCredentials | None) -> list[str]:
    if auth is None:
        return [f"with Client({python_str(base_url)}) as flowport:"]
    args = [
        python_str(base_url),
        f"client_id={python_str(auth.client_id)}",
        f"client_secret=os.environ[{python_str(auth.secret_env)}]",
        f"token_url={python_str(auth.token_url)}",
    ]
    if auth.scope:
        args.append(f"scope={python_str(auth.scope)}")
    return [
        "# The client asks the token endpoint for an access token (OAuth 2.0 client credentials)",
        "# with the secret from the environment, and renews it before it expires.",
        "with Client(",
        *(f"    {arg}," for arg in args),
        ") as flowport:",
    ]


def _typed_call(method: SdkMethod, operation: Operation, request: ExampleRequest) -> list[str] | None:
    """The SDK method call, or None when the request holds something the method does not take."""
    body = request.json_body if request.json_body is not None else {}
    if not isinstance(body, Mapping) or request.headers or request.form:
        return None
    sources: dict[str, Mapping[str, Any]] = {
        "query": request.query,
        "body": body,
        "file": {name: path for name, path in request.files.items()},
    }
    taken = {(source, name) for source, name, _ in method.args}
    for source in ("query", "body", "file"):
        if any((source, name) not in taken for name in sources[source]) and (source, "*") not in taken:
            return None
    args = [python_str(value) for value in (request.path_params[p.name] for p in operation.params_in("path"))]
    for source, name, keyword in method.args:
        if name == "*":
            args.append(python_value(dict(body), 8))
            continue
        if name not in sources[source]:
            continue
        value = sources[source][name]
        value = _query_value(value) if source == "query" else value
        text = python_value(value, 8)
        args.append(text if keyword is None else f"{keyword}={text}")
    if _positional_gap(method, sources):
        return None
    invocation = f"flowport.{method.call}({', '.join(args)})"
    if method.result == "pages":
        return [f"for item in {invocation}:", "    print(item)"]
    if method.result == "none":
        return [invocation]
    return [f"result = {invocation}", "print(result)"]


def _positional_gap(method: SdkMethod, sources: Mapping[str, Mapping[str, Any]]) -> bool:
    """A later positional argument given while an earlier one is missing (it would shift)."""
    missing = False
    for source, name, keyword in method.args:
        if keyword is not None or name == "*":
            continue
        present = name in sources[source]
        if present and missing:
            return True
        missing = missing or not present
    return False


def _query_value(value: Any) -> Any:
    if value in ("true", "false"):
        return value == "true"
    return value


def _execute(operation: Operation, request: ExampleRequest, call: Call) -> list[str]:
    path = operation.path
    for param in operation.params_in("path"):
        path = path.replace("{" + param.name + "}", quote(request.path_params[param.name], safe=""))
    parse = "lambda response: response.json()" if call.returns_json else "lambda response: response.text"
    args = [python_str(operation.method), python_str(path), parse]
    if request.query:
        args.append(f"params={python_value(dict(request.query), 12)}")
    if request.json_body is not None:
        args.append(f"json={python_value(request.json_body, 12)}")
    if request.form is not None or request.form_env:
        fields = [f"{python_str(k)}: {python_str(v)}" for k, v in (request.form or {}).items()]
        fields += [f"{python_str(k)}: os.environ[{python_str(env)}]" for k, env in request.form_env.items()]
        args.append("form={" + ", ".join(fields) + "}")
    if request.headers:
        args.append(f"headers={python_value(dict(request.headers), 12)}")
    if call.auth is None:
        args.append("authenticated=False")
    return [
        "    # The SDK has no method of its own for this operation: Client.execute sends it",
        "    # (with the token, retries and the mapping of errors to exceptions).",
        "    result = flowport.execute(",
        "        Operation(",
        *(f"            {arg}," for arg in args),
        "        )",
        "    )",
        "    print(result)",
    ]

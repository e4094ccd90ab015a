"""Code to copy from the console's API page: one operation called in curl, Python, JavaScript or C#.

Every snippet that calls a protected operation first asks the token endpoint for an access token
with the client credentials grant (RFC 6749 section 4.4) and then sends it as a bearer token
(RFC 6750). The client secret is read from an environment variable, never written into the code.
Values are quoted for each language by :mod:`flowport.web.codegen_literals`; path parameters are
percent-encoded (RFC 3986 section 3.3) so an id with ``/`` or ``?`` in it stays one segment.
"""

from __future__ import annotations

import re
from enum import StrEnum

from flowport.web import codegen_other, codegen_python
from flowport.web.api_catalog import MULTIPART, Operation
from flowport.web.codegen_request import (
    DEFAULT_SECRET_ENV,
    DEFAULT_TOKEN_PATH,
    Call,
    ClientCredentials,
    ExampleRequest,
)

__all__ = [
    "DEFAULT_SECRET_ENV",
    "DEFAULT_TOKEN_PATH",
    "Call",
    "ClientCredentials",
    "ExampleRequest",
    "Target",
    "generate",
    "prepare",
]


class Target(StrEnum):
    CURL = "curl"
    PYTHON_REQUESTS = "python-requests"
    PYTHON_SDK = "python-sdk"
    JAVASCRIPT_FETCH = "javascript-fetch"
    CSHARP_HTTPCLIENT = "csharp-httpclient"


TARGET_LABELS: dict[Target, str] = {
    Target.CURL: "curl",
    Target.PYTHON_REQUESTS: "Python (requests)",
    Target.PYTHON_SDK: "Python (Flowport SDK)",
    Target.JAVASCRIPT_FETCH: "JavaScript (fetch)",
    Target.CSHARP_HTTPCLIENT: "C# (HttpClient)",
}


def generate(operation: Operation, request: ExampleRequest, target: Target | str) -> str:
    """Source code in ``target``'s language that makes ``request`` to ``operation``."""
    target = Target(target)
    call = prepare(operation, request)
    if target is Target.CURL:
        return codegen_other.curl(call)
    if target is Target.PYTHON_REQUESTS:
        return codegen_python.requests_code(call)
    if target is Target.PYTHON_SDK:
        return codegen_python.sdk_code(operation, request, call)
    if target is Target.JAVASCRIPT_FETCH:
        return codegen_other.javascript(call)
    return codegen_other.csharp(call)


def prepare(operation: Operation, request: ExampleRequest) -> Call:
    """Check the request (no line breaks in headers, one kind of body) and resolve its URL."""
    for name, value in request.headers.items():
        if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
            raise ValueError(f"Not a valid header name: {name!r}")
        if any(ch in value for ch in "\r\n\0"):
            raise ValueError(f"The value of header {name} has a line break")
    if request.json_body is not None and (request.form is not None or request.files):
        raise ValueError("Give a JSON body or form fields, not both")
    body = operation.body
    multipart = bool(request.files) or (
        request.form is not None and body is not None and body.media_type == MULTIPART
    )
    returns_json = any(
        code.status.startswith("2") and any("json" in media for media in code.media_types)
        for code in operation.responses
    )
    return Call(
        method=operation.method,
        url=request.url(operation),
        headers=tuple(request.headers.items()),
        json_body=request.json_body,
        form=tuple(request.form.items()) if request.form is not None else None,
        form_env=tuple(request.form_env.items()),
        files=tuple(request.files.items()),
        multipart=multipart,
        auth=request.auth,
        returns_json=returns_json,
    )

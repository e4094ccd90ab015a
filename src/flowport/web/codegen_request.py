"""A request to generate code for (:class:`ExampleRequest`) and its resolved form (:class:`Call`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from flowport.web.api_catalog import Operation

DEFAULT_SECRET_ENV = "FLOWPORT_CLIENT_SECRET"
DEFAULT_TOKEN_PATH = "/connect/token"
_PLACEHOLDER = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True)
class ClientCredentials:
    """OAuth 2.0 client credentials: the id in the code, the secret in an environment variable."""

    client_id: str
    token_url: str  # the server's token endpoint (discovery's ``token_endpoint``)
    secret_env: str = DEFAULT_SECRET_ENV
    scope: str | None = None  # space-separated permissions; None: all the client has


@dataclass(frozen=True)
class Call:
    """What a language generator needs: the checked, resolved parts of one request."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    json_body: Any
    form: tuple[tuple[str, str], ...] | None
    form_env: tuple[tuple[str, str], ...]
    files: tuple[tuple[str, str], ...]
    multipart: bool
    auth: ClientCredentials | None
    returns_json: bool


@dataclass(frozen=True)
class ExampleRequest:
    """The values of one call: what the page's form holds when the user asks for code."""

    base_url: str
    path_params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    json_body: Any = None  # a JSON value; None: no JSON body
    form: Mapping[str, str] | None = None  # form fields (urlencoded, or multipart with files)
    form_env: Mapping[str, str] = field(default_factory=dict)  # form field -> env var holding it
    files: Mapping[str, str] = field(default_factory=dict)  # multipart file field -> local path
    auth: ClientCredentials | None = None  # None: no token (public operations)

    @classmethod
    def example_for(
        cls,
        operation: Operation,
        base_url: str,
        *,
        client_id: str = "my-client",
        token_path: str = DEFAULT_TOKEN_PATH,
        secret_env: str = DEFAULT_SECRET_ENV,
    ) -> ExampleRequest:
        """The request the page shows first: examples for path parameters, required query values, the body."""
        base = base_url.rstrip("/")
        path_params = {p.name: _text(p.example) for p in operation.params_in("path")}
        query = {p.name: _text(p.example) for p in operation.params_in("query") if p.required}
        body = operation.body
        json_body = body.example if body is not None and body.is_json else None
        form: dict[str, str] | None = None
        form_env: dict[str, str] = {}
        files: dict[str, str] = {}
        if body is not None and body.is_form:
            form = {}
            for item in body.form_fields:
                if item.is_file:
                    files[item.name] = "process.bpmn"
                elif item.name == "client_secret":
                    form_env[item.name] = secret_env
                elif item.name == "client_id":
                    form[item.name] = client_id
                elif item.required or item.example:
                    form[item.name] = item.example or item.name
        auth = None if operation.public else ClientCredentials(client_id, base + token_path, secret_env)
        return cls(base, path_params, query, {}, json_body, form, form_env, files, auth)

    def url(self, operation: Operation) -> str:
        """The full URL: path parameters percent-encoded as one segment each, then the query."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.path_params:
                raise ValueError(f"No value for the path parameter {name!r}")
            return quote(self.path_params[name], safe="")

        url = self.base_url.rstrip("/") + _PLACEHOLDER.sub(fill, operation.path)
        if self.query:
            url += "?" + urlencode(list(self.query.items()), quote_via=quote)
        return url

    @property
    def multipart(self) -> bool:
        return bool(self.files)


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)

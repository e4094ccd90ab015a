"""One API call as data: what to send and how to read the answer, shared by the sync and async clients.

The clients only execute :class:`Operation` objects (send, retry, renew the token); everything
that knows the API (paths, parameters, bodies, models) is built here and in ``endpoints*.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx

from flowport.client import errors
from flowport.client.models import Model, Page

T = TypeVar("T")
M = TypeVar("M", bound=Model)

# RFC 9110 section 9.2.2: repeating these has the effect of sending them once.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
ENVIRONMENT_HEADER = "x-ws-env"
Params = Mapping[str, str | int | bool | datetime | None]


@dataclass(frozen=True)
class Operation(Generic[T]):
    """A request to make and the parser of its successful answer.

    ``idempotent`` decides whether a lost answer may be retried; it defaults to the method's
    semantics, and an operation that is safe to repeat although it is a POST says so.
    """

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Params = field(default_factory=dict)
    json: Any = field(default=None, repr=False)
    content: bytes | None = field(default=None, repr=False)
    # Kept out of repr: a token request carries the client's credentials here.
    form: Mapping[str, str] | None = field(default=None, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    idempotent: bool | None = None
    authenticated: bool = True
    error: Callable[[httpx.Response], errors.ApiError] = errors.from_response

    @property
    def retry_safe(self) -> bool:
        return self.idempotent if self.idempotent is not None else self.method in IDEMPOTENT_METHODS


def build_request(
    http: httpx.Client | httpx.AsyncClient, op: Operation[Any], token: str | None, environment: str | None
) -> httpx.Request:
    """The HTTP request for ``op``: bearer token, environment header and the body."""
    headers = {"Accept": "application/json, application/problem+json", **op.headers}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if environment is not None and op.authenticated:
        headers[ENVIRONMENT_HEADER] = environment
    return http.build_request(
        op.method,
        op.path,
        params=_query(op.params),
        json=op.json,
        content=op.content,
        data=op.form,
        headers=headers,
    )


def _query(params: Params) -> dict[str, str | int]:
    query: dict[str, str | int] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            query[name] = "true" if value else "false"
        elif isinstance(value, datetime):
            query[name] = value.isoformat()
        else:
            query[name] = value
    return query


def segment(value: str) -> str:
    """A path segment: an id with ``/`` or ``?`` in it must not change the path."""
    return quote(value, safe="")


def body(**values: Any) -> dict[str, Any]:
    """A JSON body of the given camelCase fields, leaving out those not given (None)."""
    return {name: value for name, value in values.items() if value is not None}


def model(cls: type[M]) -> Callable[[httpx.Response], M]:
    return lambda response: cls.from_json(response.json())


def page(cls: type[M]) -> Callable[[httpx.Response], Page[M]]:
    def parse(response: httpx.Response) -> Page[M]:
        data = response.json()
        items = tuple(cls.from_json(item) for item in data.get("items", []))
        return Page(items, data.get("nextCursor"))

    return parse


def items(cls: type[M]) -> Callable[[httpx.Response], list[M]]:
    return lambda response: [cls.from_json(item) for item in response.json().get("items", [])]


def json_object(response: httpx.Response) -> dict[str, Any]:
    data = response.json()
    return data if isinstance(data, dict) else {}


def nothing(response: httpx.Response) -> None:
    return None


def text(response: httpx.Response) -> str:
    return response.text

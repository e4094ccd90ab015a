"""OptimaJet's parameters: from the path, a JSON or form body and the query string, names in any case.

OptimaJet's clients send the same parameter in any of these places (``schemeCode`` in a JSON body,
``processId`` in the query, ``parameters`` as a JSON text in a form field); :class:`Params` reads
them in that order of precedence and converts each to the type an operation needs, refusing a
wrong one with a message naming the parameter. The ``token`` parameter is OptimaJet's "Api access
token": :func:`token_parameter` lets the request authenticator take it as the static API token.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from flowport.api import json_body, media_types
from flowport.auth.asgi import Authenticator
from flowport.errors import InvalidRequest

PROCESS_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
MAX_TEXT = 255


class Params:
    """The request's parameters by lower-cased name; the typed getters raise :class:`InvalidRequest`."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def raw(self, name: str) -> Any:
        return self._values.get(name.lower())

    def text(self, name: str, *, required: bool = False, max_length: int = MAX_TEXT) -> str | None:
        value = self.raw(name)
        if value is None or value == "":
            if required:
                raise InvalidRequest(f"The parameter '{name}' is required", parameter=name)
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InvalidRequest(f"The parameter '{name}' must be a string", parameter=name)
        text = str(value)
        if len(text) > max_length or "\x00" in text:
            raise InvalidRequest(
                f"The parameter '{name}' must be at most {max_length} characters, without NUL", parameter=name
            )
        return text

    def process_id(self) -> str:
        value = self.text("processId", required=True)
        assert value is not None
        if not PROCESS_ID.fullmatch(value):
            raise InvalidRequest(
                "The parameter 'processId' must be 1 to 64 letters, digits or . _ : -", parameter="processId"
            )
        return value

    def integer(self, name: str, default: int, *, low: int, high: int) -> int:
        value = self.raw(name)
        if value is None or value == "":
            return default
        number = _as_int(value)
        if number is None or not low <= number <= high:
            raise InvalidRequest(
                f"The parameter '{name}' must be a whole number from {low} to {high}", parameter=name
            )
        return number

    def when(self, name: str) -> datetime | None:
        """An ISO 8601 date or date-time; without a zone it is UTC."""
        text = self.text(name)
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidRequest(f"The parameter '{name}' must be an ISO 8601 date", parameter=name) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def json_object(self, name: str) -> dict[str, Any]:
        """An object, given as JSON or as JSON text (a form field); OptimaJet's ``[{Name, Value}]`` too."""
        value = self.raw(name)
        if value is None or value == "":
            return {}
        if isinstance(value, str):
            try:
                value = json_body.loads(value)
            except json_body.JsonBodyError as exc:
                raise InvalidRequest(
                    f"The parameter '{name}' is not JSON: {exc.detail}", parameter=name
                ) from None
        if isinstance(value, list) and all(isinstance(p, dict) and "Name" in p for p in value):
            value = {str(p["Name"]): p.get("Value") for p in value}
        if not isinstance(value, dict):
            raise InvalidRequest(f"The parameter '{name}' must be a JSON object", parameter=name)
        return value

    def names(self, name: str) -> list[str]:
        """A list of strings: a JSON array, or a comma-separated text."""
        value = self.raw(name)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("["):
                return self._strings(name, _loads(name, value))
            return [part.strip() for part in value.split(",") if part.strip()]
        return self._strings(name, value)

    def flag(self, name: str) -> bool | None:
        value = self.raw(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise InvalidRequest(f"The parameter '{name}' must be true or false", parameter=name)

    def _strings(self, name: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(
            isinstance(v, str) and v and len(v) <= MAX_TEXT and "\x00" not in v for v in value
        ):
            raise InvalidRequest(
                f"The parameter '{name}' must be a list of non-empty strings", parameter=name
            )
        return list(value)


async def params_of(request: Request) -> Params:
    """Path, then body (JSON object or form), then query; the first place that has a name wins."""
    values: dict[str, Any] = {}
    sources: list[dict[str, Any]] = [
        dict(request.path_params),
        await _body(request),
        dict(request.query_params),
    ]
    for source in sources:
        for key, value in source.items():
            values.setdefault(str(key).lower(), value)
    return Params(values)


ParamsDep = Annotated[Params, Depends(params_of)]


async def token_parameter(request: Request, params: ParamsDep) -> None:
    """OptimaJet's ``token`` parameter, taken as the static API token when no Authorization is sent.

    A router-level dependency of every operation: FastAPI runs those before the route's own, so
    ``require(...)`` then finds the request authenticated.
    """
    token = params.raw("token")
    if isinstance(token, str) and token and "authorization" not in request.headers:
        authenticator: Authenticator = request.app.state.authenticator
        authenticator.principal_for_static_token(request, token)


async def _body(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type")
    if media_types.is_json(content_type):
        if not await request.body():
            return {}
        parsed = await request.json()  # the strict parser (the route's JsonRequest)
        if not isinstance(parsed, dict):
            raise InvalidRequest("A JSON body holds the parameters as one object")
        return parsed
    if content_type and content_type.split(";")[0].strip().lower() in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        try:
            form = await request.form()
        except HTTPException as exc:  # a malformed multipart body
            raise InvalidRequest(f"The form body cannot be read: {exc.detail}") from None
        if any(isinstance(value, UploadFile) for _, value in form.multi_items()):
            raise InvalidRequest("Parameters are text; this API takes no files")
        return {key: value for key, value in form.multi_items() if isinstance(value, str)}
    if await request.body():
        raise InvalidRequest("Send the parameters as JSON, as a form or in the query string")
    return {}


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]{1,18}", value.strip()):
        return int(value)
    return None


def _loads(name: str, text: str) -> Any:
    try:
        return json_body.loads(text)
    except json_body.JsonBodyError as exc:
        raise InvalidRequest(f"The parameter '{name}' is not JSON: {exc.detail}", parameter=name) from None

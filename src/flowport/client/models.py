"""The API's resources as frozen dataclasses: snake_case attributes, built from the camelCase JSON.

Tolerant by design: a field the server adds later is ignored (and kept in ``raw``), a field it
leaves out is ``None``. Lists become tuples so the models stay immutable.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar, Union, get_args, get_origin, get_type_hints

M = TypeVar("M", bound="Model")
T = TypeVar("T")


def camel(name: str) -> str:
    """``process_instance_id`` -> ``processInstanceId`` (the API's wire names)."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@dataclasses.dataclass(frozen=True)
class Model:
    """Base of the resources; ``raw`` is the JSON object as the server sent it."""

    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False, kw_only=True)

    @classmethod
    def from_json(cls: type[M], data: Mapping[str, Any]) -> M:
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            if field.name == "raw":
                continue
            kind = _kinds(cls).get(field.name)
            value = data.get(camel(field.name))
            if value is not None and kind is datetime:
                value = datetime.fromisoformat(value)
            elif isinstance(value, list) and kind is tuple:
                value = tuple(value)
            values[field.name] = value
        return cls(**values, raw=data)


_KINDS: dict[type[Model], dict[str, type]] = {}


def _kinds(cls: type[Model]) -> dict[str, type]:
    """Per field, the type its JSON value needs converting to (``datetime`` or ``tuple``), if any."""
    if cls in _KINDS:
        return _KINDS[cls]
    kinds: dict[str, type] = {}
    for name, hint in get_type_hints(cls).items():
        options = get_args(hint) if get_origin(hint) in (Union, types.UnionType) else (hint,)
        for option in options:
            if option is datetime:
                kinds[name] = datetime
            elif get_origin(option) is tuple:
                kinds[name] = tuple
    _KINDS[cls] = kinds
    return kinds


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a collection; pass ``next_cursor`` back to get the next (None: this was the last)."""

    items: tuple[T, ...]
    next_cursor: str | None = None


@dataclasses.dataclass(frozen=True)
class Definition(Model):
    id: str
    key: str
    version: int
    name: str | None
    deployed_at: datetime
    deployed_by: str | None = None


@dataclasses.dataclass(frozen=True)
class Deployment:
    """What a deployment did: per process definition, whether it is new (False: same XML as before)."""

    definitions: tuple[Definition, ...]
    created: tuple[bool, ...]

    @classmethod
    def merge(cls, deployments: list[Deployment]) -> Deployment:
        """Several files' deployments as one answer."""
        return cls(
            tuple(d for each in deployments for d in each.definitions),
            tuple(c for each in deployments for c in each.created),
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Deployment:
        return cls(
            definitions=tuple(Definition.from_json(d) for d in data.get("definitions", [])),
            created=tuple(bool(c) for c in data.get("created", [])),
        )


@dataclasses.dataclass(frozen=True)
class Instance(Model):
    """A process instance; ``variables`` is None in search results (collections do not carry them)."""

    id: str
    definition_id: str
    definition_key: str
    version: int
    status: str  # RUNNING, SUSPENDED, COMPLETED, CANCELED
    business_key: str | None
    active_element_ids: tuple[str, ...]
    has_incidents: bool
    started_at: datetime
    ended_at: datetime | None
    started_by: str | None
    variables: dict[str, Any] | None = None


@dataclasses.dataclass(frozen=True)
class HistoryEntry(Model):
    id: int
    at: datetime
    element_id: str | None
    element_name: str | None
    element_type: str | None
    event: str
    actor: str | None
    details: dict[str, Any] | None


@dataclasses.dataclass(frozen=True)
class Task(Model):
    """A user task."""

    id: str
    element_id: str
    name: str | None
    process_instance_id: str
    definition_key: str
    assignee: str | None
    candidate_users: tuple[str, ...]
    candidate_groups: tuple[str, ...]
    state: str  # READY, COMPLETED, CANCELED
    created_at: datetime
    due_at: datetime | None
    ended_at: datetime | None
    completed_by: str | None


@dataclasses.dataclass(frozen=True)
class Delivery(Model):
    """Where a message or signal went: an instance that was waiting, or one it started."""

    process_instance_id: str
    definition_key: str
    status: str
    started: bool


@dataclasses.dataclass(frozen=True)
class Job(Model):
    """An external job (a service task with a topic); ``variables`` are the instance's, when locked."""

    id: str
    topic: str
    process_instance_id: str
    definition_key: str
    element_id: str
    retries: int | None
    worker_id: str | None
    lock_expires_at: datetime | None
    error_message: str | None
    created_at: datetime
    variables: dict[str, Any] | None = None


@dataclasses.dataclass(frozen=True)
class Incident(Model):
    id: str
    process_instance_id: str
    element_id: str
    kind: str
    message: str
    created_at: datetime
    resolved_at: datetime | None
    job_id: str | None = None


@dataclasses.dataclass(frozen=True)
class OAuthClient(Model):
    """A registered client (admin API); never its secret."""

    client_id: str
    name: str
    environment: str
    profile: str | None
    permissions: tuple[str, ...]
    audiences: tuple[str, ...]
    token_lifetime: int
    refresh_tokens: bool
    visibility: str
    enabled: bool
    source: str
    created_at: datetime
    last_used_at: datetime | None
    has_jwks: bool
    previous_secret_valid_until: datetime | None


@dataclasses.dataclass(frozen=True)
class IssuedClient(OAuthClient):
    """A client with the secret the server shows this once (left out of ``repr``)."""

    client_secret: str = dataclasses.field(default="", repr=False)


@dataclasses.dataclass(frozen=True)
class User(Model):
    id: str
    username: str
    environment: str
    groups: tuple[str, ...]
    roles: tuple[str, ...]
    profile: str | None
    permissions: tuple[str, ...]
    visibility: str
    locked: bool
    created_at: datetime


@dataclasses.dataclass(frozen=True)
class Environment(Model):
    name: str
    created_at: datetime


@dataclasses.dataclass(frozen=True)
class SigningKey(Model):
    kid: str
    alg: str
    created_at: datetime
    active: bool
    retired_at: datetime | None
    publish_until: datetime | None
    published: bool


@dataclasses.dataclass(frozen=True)
class AuditEvent(Model):
    id: int
    at: datetime
    event: str
    environment: str | None
    actor: str | None
    subject: str | None
    source_ip: str | None
    details: dict[str, Any] | None

"""Request and response bodies of the native API (camelCase JSON)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from flowport.states import IncidentKind, InstanceStatus, TaskState

T = TypeVar("T")


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# A timestamp a caller sends (a query filter): the API's times are UTC, so one without a zone is
# read as UTC (the database's columns refuse naive times; that must not become a 500).
UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]


class ApiModel(BaseModel):
    """Responses: camelCase on the wire, built from the services' views (``Model.model_validate(view)``)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


def read_from(attribute: str) -> Any:
    """A response field filled from the view's ``attribute`` where the API names it otherwise.

    The wire name stays the field's own camelCase; the validation alias only says where to read.
    """
    return Field(validation_alias=attribute)


# Integer columns are 32-bit on PostgreSQL (and 64-bit on SQLite): a number that reaches one is
# bounded here, so a larger one is a 400 naming the field rather than a database overflow (a 500).
INT32_MAX = 2**31 - 1


class ApiIn(BaseModel):
    """Requests: camelCase on the wire; unknown fields are an error, not silently dropped.

    Strict: a value of the wrong JSON type is refused, not coerced (``"1"`` or ``true`` is not the
    integer 1). A field whose JSON form is a string of another type (a datetime, an enum) declares
    ``Field(strict=False)``.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", strict=True)


class PageOut(ApiModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class DefinitionOut(ApiModel):
    id: str
    key: str
    version: int
    name: str | None
    deployed_at: datetime
    deployed_by: str | None = None


class DeploymentOut(ApiModel):
    definitions: list[DefinitionOut]
    created: list[bool] = Field(description="Per definition: false when identical XML was already deployed")


class StartInstanceIn(ApiIn):
    definition_key: str | None = Field(default=None, max_length=255)
    definition_id: str | None = Field(default=None, max_length=64)
    version: int | None = Field(default=None, ge=1, le=INT32_MAX)
    variables: dict[str, Any] = Field(default_factory=dict)
    business_key: str | None = Field(default=None, max_length=255)
    id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")


class InstanceOut(ApiModel):
    id: str
    definition_id: str
    definition_key: str
    version: int
    status: InstanceStatus
    business_key: str | None
    active_element_ids: list[str]
    has_incidents: bool
    started_at: datetime
    ended_at: datetime | None
    started_by: str | None
    variables: dict[str, Any] | None = None

    @classmethod
    def summary(cls, view: object) -> InstanceOut:
        """Without variables: collections do not carry them."""
        return cls.model_validate(view).model_copy(update={"variables": None})


class MoveIn(ApiIn):
    to_element_id: str = Field(min_length=1, max_length=255)
    from_element_id: str | None = Field(default=None, max_length=255)


class HistoryOut(ApiModel):
    id: int
    at: datetime
    element_id: str | None
    element_name: str | None
    element_type: str | None
    event: str
    actor: str | None
    details: dict[str, Any] | None


class TaskOut(ApiModel):
    id: str
    element_id: str
    name: str | None
    process_instance_id: str = read_from("instance_id")
    definition_key: str
    assignee: str | None
    candidate_users: list[str]
    candidate_groups: list[str]
    state: TaskState
    created_at: datetime
    due_at: datetime | None
    ended_at: datetime | None
    completed_by: str | None


class ClaimIn(ApiIn):
    assignee: str | None = Field(default=None, max_length=255)


class CompleteTaskIn(ApiIn):
    variables: dict[str, Any] = Field(default_factory=dict)


class MessageIn(ApiIn):
    name: str = Field(min_length=1, max_length=255)
    process_instance_id: str | None = Field(default=None, max_length=64)
    business_key: str | None = Field(default=None, max_length=255)
    correlation_key: str | None = Field(default=None, max_length=255)
    variables: dict[str, Any] = Field(default_factory=dict)


class DeliveryOut(ApiModel):
    process_instance_id: str = read_from("instance_id")
    definition_key: str
    status: InstanceStatus
    started: bool


class DeliveriesOut(ApiModel):
    items: list[DeliveryOut]


class SignalIn(ApiIn):
    name: str = Field(min_length=1, max_length=255)
    variables: dict[str, Any] = Field(default_factory=dict)


class TopicIn(ApiIn):
    name: str = Field(min_length=1, max_length=255)
    lock_duration: int = Field(default=300_000, ge=1, le=7 * 24 * 3600 * 1000, description="milliseconds")


class FetchAndLockIn(ApiIn):
    worker_id: str = Field(min_length=1, max_length=255)
    max_jobs: int = Field(default=10, ge=1, le=1000)
    topics: list[TopicIn] = Field(min_length=1, max_length=100)


class JobOut(ApiModel):
    id: str
    topic: str
    process_instance_id: str = read_from("instance_id")
    definition_key: str
    element_id: str
    retries: int | None
    worker_id: str | None
    lock_expires_at: datetime | None
    error_message: str | None
    created_at: datetime
    variables: dict[str, Any] | None = None


class CompleteJobIn(ApiIn):
    worker_id: str = Field(min_length=1, max_length=255)
    variables: dict[str, Any] = Field(default_factory=dict)


class FailJobIn(ApiIn):
    worker_id: str = Field(min_length=1, max_length=255)
    error_message: str | None = Field(default=None, max_length=10_000)
    retries: int = Field(ge=0, le=1000)
    retry_timeout: int = Field(default=0, ge=0, le=30 * 24 * 3600 * 1000, description="milliseconds")


class ExtendLockIn(ApiIn):
    worker_id: str = Field(min_length=1, max_length=255)
    new_duration: int = Field(ge=1, le=7 * 24 * 3600 * 1000, description="milliseconds")


class IncidentOut(ApiModel):
    id: str
    process_instance_id: str = read_from("instance_id")
    element_id: str
    kind: IncidentKind
    message: str
    created_at: datetime
    resolved_at: datetime | None
    job_id: str | None = None


class ResolveIncidentIn(ApiIn):
    retries: int = Field(default=1, ge=1, le=1000)

"""Flowport's Python SDK: the native API over httpx, sync and async, with tokens handled for you.

It imports nothing from the server, so ``pip install flowport`` (without the ``server`` extra)
is enough to call a Flowport server:

>>> from flowport.client import Client
>>> with Client("http://127.0.0.1:8077", client_id="...", client_secret="...") as flowport:
...     instance = flowport.instances.start("approval", {"amount": 250})
"""

from __future__ import annotations

from flowport.client.async_client import AsyncClient
from flowport.client.errors import (
    ApiError,
    AuthenticationError,
    Conflict,
    FlowportClientError,
    InvalidDefinition,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    TransportError,
    Unauthorized,
)
from flowport.client.models import (
    AuditEvent,
    Definition,
    Delivery,
    Deployment,
    Environment,
    HistoryEntry,
    Incident,
    Instance,
    IssuedClient,
    Job,
    OAuthClient,
    Page,
    SigningKey,
    Task,
    User,
)
from flowport.client.sync_client import Client
from flowport.client.worker import Worker
from flowport.client.worker_async import AsyncWorker
from flowport.client.worker_core import JobFailed

__all__ = [
    "ApiError",
    "AsyncClient",
    "AsyncWorker",
    "AuditEvent",
    "AuthenticationError",
    "Client",
    "Conflict",
    "Definition",
    "Delivery",
    "Deployment",
    "Environment",
    "FlowportClientError",
    "HistoryEntry",
    "Incident",
    "Instance",
    "InvalidDefinition",
    "InvalidRequest",
    "IssuedClient",
    "Job",
    "JobFailed",
    "NotFound",
    "OAuthClient",
    "Page",
    "PayloadTooLarge",
    "PermissionDenied",
    "RateLimited",
    "ServerError",
    "ServiceUnavailable",
    "SigningKey",
    "Task",
    "TransportError",
    "Unauthorized",
    "User",
    "Worker",
]

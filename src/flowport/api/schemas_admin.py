"""Request and response bodies of the admin API (clients, environments, users, audit) and of login."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, SecretStr

from flowport.api.schemas import ApiIn, ApiModel, read_from
from flowport.states import Visibility

# Lax: the JSON string "own" is the enum member (strict models take only members from Python).
VisibilityIn = Annotated[Visibility, Field(strict=False)]
Names = list[str]


class ClientIn(ApiIn):
    name: str = Field(min_length=1, max_length=255)
    client_id: str | None = Field(default=None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")
    profile: str | None = "ObjectReadWrite"
    permissions: Names = Field(default_factory=list, max_length=200)
    audiences: Names = Field(default_factory=list, max_length=50)
    token_lifetime: int | None = Field(default=None, ge=60, le=86400 * 30, description="seconds")
    refresh_tokens: bool = False
    environment: str | None = Field(default=None, description="default: the caller's environment")
    visibility: VisibilityIn = Visibility.SHARED
    jwks: dict[str, Any] | None = Field(default=None, description="public keys for private_key_jwt")


class ClientPatch(ApiIn):
    """Only the fields sent change; the client id and environment never do."""

    name: str | None = Field(default=None, min_length=1, max_length=255)
    profile: str | None = None
    permissions: Names | None = Field(default=None, max_length=200)
    audiences: Names | None = Field(default=None, max_length=50)
    token_lifetime: int | None = Field(default=None, ge=60, le=86400 * 30)
    refresh_tokens: bool | None = None
    visibility: VisibilityIn | None = None
    jwks: dict[str, Any] | None = None


class ClientOut(ApiModel):
    client_id: str = read_from("id")
    name: str
    environment: str = read_from("env")
    profile: str | None
    permissions: Names
    audiences: Names
    token_lifetime: int
    refresh_tokens: bool
    visibility: Visibility
    enabled: bool
    source: str
    created_at: datetime
    last_used_at: datetime | None
    has_jwks: bool
    previous_secret_valid_until: datetime | None = Field(
        description="until when the secret before the last rotation is still accepted"
    )


class ClientWithSecretOut(ClientOut):
    client_secret: str = Field(description="shown this once; only a keyed hash is stored")


class RotateSecretIn(ApiIn):
    now: bool = Field(default=False, description="invalidate the previous secret at once")
    grace_seconds: int | None = Field(
        default=None, ge=0, le=86400 * 30, description="default: the configured grace period"
    )


class EnvironmentIn(ApiIn):
    name: str = Field(min_length=1, max_length=63)


class EnvironmentOut(ApiModel):
    name: str
    created_at: datetime


class UserIn(ApiIn):
    username: str = Field(min_length=1, max_length=255)
    password: SecretStr = Field(min_length=8, max_length=1024)
    groups: Names = Field(default_factory=list, max_length=200)
    roles: Names = Field(default_factory=list, max_length=200)
    profile: str | None = "ObjectRead"
    permissions: Names = Field(default_factory=list, max_length=200)
    environment: str | None = Field(default=None, description="default: the caller's environment")
    visibility: VisibilityIn = Visibility.SHARED


class UserPatch(ApiIn):
    """Only the fields sent change; a new password or ``locked: true`` ends the user's sessions."""

    password: SecretStr | None = Field(default=None, min_length=8, max_length=1024)
    groups: Names | None = Field(default=None, max_length=200)
    roles: Names | None = Field(default=None, max_length=200)
    profile: str | None = None
    permissions: Names | None = Field(default=None, max_length=200)
    visibility: VisibilityIn | None = None
    locked: bool | None = None


class UserOut(ApiModel):
    id: str
    username: str
    environment: str = read_from("env")
    groups: Names
    roles: Names
    profile: str | None
    permissions: Names
    visibility: Visibility
    locked: bool
    created_at: datetime


class AuditEventOut(ApiModel):
    id: int
    at: datetime
    event: str
    environment: str | None = read_from("env")
    actor: str | None
    subject: str | None
    source_ip: str | None
    details: dict[str, Any] | None


class LoginIn(ApiIn):
    username: str = Field(min_length=1, max_length=255)
    password: SecretStr = Field(max_length=1024)


class LoginOut(ApiModel):
    csrf_token: str = Field(description="send it as the x-csrf-token header on requests that change data")
    username: str
    environment: str
    expires_at: datetime


class SigningKeyOut(ApiModel):
    """A token-signing key as operators see it: never any private part."""

    kid: str
    alg: str
    created_at: datetime
    active: bool = Field(description="new tokens are signed with it")
    retired_at: datetime | None
    publish_until: datetime | None = Field(description="when it leaves the JWKS (None while active)")
    published: bool

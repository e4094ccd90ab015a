"""Settings: ``flowport.toml`` plus ``FLOWPORT_*`` environment variables (pydantic-settings).

There is no module-level instance: call :func:`load_settings` and pass the result along.
"""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from flowport.permissions import UnknownPermission, expand
from flowport.states import Visibility

LogLevel = Literal["debug", "info", "warning", "error", "critical"]
AuthMode = Literal["oauth", "external", "open"]
SigningAlg = Literal["RS256", "ES256", "EdDSA"]


# The environment that always exists: where clients, users and data live unless told otherwise.
DEFAULT_ENV = "default"


class ClientConfig(BaseModel):
    """A client declared in the settings file (as OptimaJet's ``ClientCredentials``)."""

    client_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")
    client_secret: SecretStr
    name: str | None = None
    profile: str | None = "ObjectReadWrite"
    permissions: list[str] = Field(default_factory=list)
    audiences: list[str] = Field(default_factory=list)
    environment: str = DEFAULT_ENV
    visibility: Visibility = Visibility.SHARED
    refresh_tokens: bool = False
    token_lifetime: int | None = Field(default=None, ge=60, le=86400 * 30)


class ExternalIssuer(BaseModel):
    """An external OpenID Connect issuer whose JWTs the API accepts."""

    issuer: str
    jwks_uri: str | None = Field(default=None, description="default: from the issuer's discovery document")
    audience: str | None = Field(default=None, description="default: the API audience")
    permissions_claim: str = "scope"
    role_permissions: dict[str, list[str]] = Field(
        default_factory=dict, description="external role or scope -> Flowport permissions/profiles"
    )
    environment: str = DEFAULT_ENV
    jwks_cache_seconds: float = Field(
        default=3600.0, gt=0, description="keys are fetched again after this long (dropped keys stop working)"
    )
    jwks_min_refetch_seconds: float = Field(
        default=30.0, ge=0, description="at most one refetch per this long when an unknown kid appears"
    )

    @field_validator("role_permissions")
    @classmethod
    def _known_permissions(cls, mapping: dict[str, list[str]]) -> dict[str, list[str]]:
        """A typo in the mapping stops the start, instead of silently granting nothing."""
        for role, names in mapping.items():
            try:
                expand(names)
            except UnknownPermission as exc:
                raise ValueError(f"role_permissions[{role!r}]: {exc}") from None
        return mapping


class AuthSettings(BaseModel):
    """How requests are authenticated (``[auth]`` in flowport.toml, ``FLOWPORT_AUTH__*`` variables)."""

    mode: AuthMode = "oauth"
    allow_open_on_network: bool = Field(
        default=False, description="open mode refuses non-loopback addresses unless this is set"
    )
    audience: str = "flowport"
    audience_aliases: list[str] = Field(
        default_factory=lambda: ["tasklist-api", "operate-api"],
        description="other names clients ask for this API by (Camunda's); tokens for them are accepted",
    )
    signing_alg: SigningAlg = "RS256"
    master_key: SecretStr | None = Field(
        default=None, description="encrypts private keys at rest; default: data_dir/master.key (0600)"
    )
    token_lifetime: int = Field(default=3600, ge=60, le=86400 * 30)
    refresh_token_lifetime: int = Field(default=30 * 86400, ge=300)
    secret_grace_seconds: int = Field(default=86400, ge=0)
    env_header: str = "x-ws-env"
    static_token: SecretStr | None = None
    static_token_profile: str = "ObjectReadWrite"
    clients: list[ClientConfig] = Field(default_factory=list)
    external_issuers: list[ExternalIssuer] = Field(default_factory=list)
    failure_threshold: int = Field(default=10, ge=1, description="failed authentications per window")
    failure_window_seconds: int = Field(default=300, ge=1)
    session_lifetime: int = Field(default=8 * 3600, ge=60)


class Settings(BaseSettings):
    """Effective configuration of one Flowport process."""

    model_config = SettingsConfigDict(
        env_prefix="FLOWPORT_", env_nested_delimiter="__", extra="ignore", toml_file=None
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8077, ge=0, le=65535)
    data_dir: Path = Path("data")
    database_url: SecretStr | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file flowport.db in data_dir"
    )
    workers: int = Field(default=1, ge=1, le=64)
    public_url: str | None = None
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="addresses or networks of reverse proxies whose X-Forwarded-For/-Proto are believed; "
        "from anyone else those headers are ignored (FLOWPORT_TRUSTED_PROXIES: comma-separated)",
    )
    log_level: LogLevel = "info"
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_bpmn_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    script_time_limit: float = Field(default=1.0, gt=0, le=60)
    script_workers: int = Field(default=2, ge=1, le=64, description="sandbox processes running scripts")
    shutdown_timeout: int = Field(
        default=10,
        ge=1,
        description="on SIGTERM, requests in flight get this long, then are cancelled; clean-up gets as "
        "long again, then the process exits regardless",
    )
    stuck_write_seconds: float = Field(
        default=30.0,
        ge=0,
        description="/readyz fails while a write transaction has waited for or held the write lock this long",
    )
    scheduler_enabled: bool = True
    scheduler_max_sleep: float = Field(default=5.0, gt=0)
    job_lock_default_ms: int = Field(default=5 * 60 * 1000, ge=1)
    command_variable: str = Field(
        default="command",
        min_length=1,
        max_length=255,
        description="the variable a user task's chosen command (OptimaJet's executecommand) is stored in",
    )
    deploy_examples: bool = False
    demo: bool = Field(default=False, description="create the demo/demo user (never in production)")
    admin_client_id: str | None = None
    admin_client_secret: SecretStr | None = None
    auth: AuthSettings = Field(default_factory=AuthSettings)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        """``10.0.0.1, 10.1.0.0/16`` from the environment; a JSON list works too."""
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        """Canonical addresses/networks; a typo stops the start (uvicorn would silently trust nobody)."""
        canonical = []
        for entry in value:
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"trusted_proxies: not an IP address or network: {entry!r}") from None
            single = network.num_addresses == 1 and "/" not in entry
            canonical.append(str(network.network_address) if single else str(network))
        return canonical

    @property
    def effective_database_url(self) -> str:
        if self.database_url is not None:
            return normalize_database_url(self.database_url.get_secret_value())
        return f"sqlite:///{(self.data_dir / 'flowport.db').resolve()}"

    @property
    def effective_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Precedence: explicit arguments, environment, then the TOML file.
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_file = settings_cls.model_config.get("toml_file") or _default_config_path()
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


def _default_config_path() -> Path | None:
    env = os.environ.get("FLOWPORT_CONFIG")
    if env:
        return Path(env)
    default = Path("flowport.toml")
    return default if default.is_file() else None


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from ``config_file`` (or ``FLOWPORT_CONFIG``/``./flowport.toml``), env and overrides."""
    if config_file is None:
        return Settings(**overrides)
    if not config_file.is_file():
        raise FileNotFoundError(f"configuration file not found: {config_file}")
    # The file travels in the class's model_config (pydantic-settings reads sources per class), not
    # in module state, so concurrent loads of different files cannot see each other's.
    config = SettingsConfigDict(**{**Settings.model_config, "toml_file": config_file})
    from_file: type[Settings] = type("Settings", (Settings,), {"model_config": config})
    return from_file(**overrides)


def normalize_database_url(url: str) -> str:
    """Make ``postgresql://`` URLs use psycopg 3, the driver Flowport ships with."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    return url


def masked(settings: Settings) -> dict[str, Any]:
    """Settings as a plain dict with secrets (and passwords inside URLs) masked."""
    out: dict[str, Any] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            out[name] = _mask_url(value.get_secret_value())
        elif isinstance(value, Path):
            out[name] = str(value)
        elif isinstance(value, BaseModel):
            out[name] = value.model_dump(mode="json")  # SecretStr fields dump as "**********"
        else:
            out[name] = value
    out["effective_database_url"] = _mask_url(settings.effective_database_url)
    return out


def _mask_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL: a plain secret
        return "********"

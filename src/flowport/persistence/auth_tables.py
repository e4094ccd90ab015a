"""Schema of the token service: environments, clients, keys, tokens, users, sessions, audit."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, LargeBinary, String, Table, Text

from flowport.persistence.tables import ENV, ID, UTCDateTime, metadata

environments = Table(
    "environments",
    metadata,
    Column("name", ENV, primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

clients = Table(
    "clients",
    metadata,
    Column("id", String(128), primary_key=True),  # the OAuth client_id; immutable
    Column("env", ENV, nullable=False),
    Column("name", String(255), nullable=False),
    Column("profile", String(64)),
    Column("permissions", JSON, nullable=False),  # extra permissions beyond the profile
    Column("audiences", JSON, nullable=False),
    Column("token_lifetime", Integer, nullable=False),
    Column("refresh_tokens", Boolean, nullable=False),
    Column("visibility", String(8), nullable=False),  # "own" | "shared"
    Column("enabled", Boolean, nullable=False),
    Column("secret_hash", String(128)),
    Column("previous_secret_hash", String(128)),
    Column("previous_secret_expires_at", UTCDateTime()),
    Column("jwks", JSON),  # public keys for private_key_jwt (RFC 7523)
    Column("source", String(16), nullable=False),  # api, cli, config, code, bootstrap, environment
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_used_at", UTCDateTime()),
    Index(None, "env", "created_at"),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("alg", String(16), nullable=False),
    Column("public_jwk", JSON, nullable=False),
    Column("private_encrypted", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("active_from", UTCDateTime(), nullable=False),
    Column("retired_at", UTCDateTime()),  # stops signing
    Column("publish_until", UTCDateTime()),  # leaves the JWKS once every token it signed expired
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(128), primary_key=True),
    Column("family_id", ID, nullable=False),
    Column("client_id", String(128), nullable=False),
    Column("env", ENV, nullable=False),
    Column("scope", Text, nullable=False),
    Column("audience", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime()),
    Column("revoked_at", UTCDateTime()),
    Index(None, "family_id"),
    Index(None, "client_id"),
)

revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("jti", String(128), primary_key=True),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=False),
    Index(None, "revoked_at"),
)

# Ids of private_key_jwt client assertions already used (RFC 7523 section 3), kept until they expire,
# so a captured assertion cannot be replayed against any server process.
used_client_assertions = Table(
    "used_client_assertions",
    metadata,
    Column("key", String(320), primary_key=True),  # client id + " " + jti
    Column("expires_at", UTCDateTime(), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("env", ENV, nullable=False),
    Column("username", String(255), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("groups", JSON, nullable=False),
    Column("profile", String(64)),
    Column("permissions", JSON, nullable=False),
    Column("visibility", String(8), nullable=False),
    Column("locked", Boolean, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index(None, "env", "username", unique=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(128), primary_key=True),
    Column("user_id", ID, nullable=False),
    Column("env", ENV, nullable=False),
    Column("csrf_hash", String(128), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index(None, "user_id"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("env", ENV),
    Column("at", UTCDateTime(), nullable=False),
    Column("event", String(64), nullable=False),
    Column("actor", String(255)),
    Column("subject", String(255)),
    Column("source_ip", String(64)),
    Column("details", JSON),
    Index(None, "at"),
    Index(None, "env", "at"),
    # the audit log's filters by who and by kind, newest first (``id`` keys the paging)
    Index(None, "subject", "id"),
    Index(None, "event", "id"),
)

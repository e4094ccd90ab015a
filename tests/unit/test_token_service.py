"""The OAuth protocol without HTTP: token endpoint, introspection and revocation called directly."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flowport.auth import introspection, revocation, runtime, token_endpoint
from flowport.auth.client_secrets import hash_secret
from flowport.auth.oauth_request import OAuthError, OAuthRequest
from flowport.auth.runtime import AuthRuntime
from flowport.config import Settings
from flowport.persistence import migrate
from flowport.persistence.db import open_database, write_transaction
from flowport.persistence.repositories import clients as client_repo


@pytest.fixture
def service(tmp_path: Path) -> Iterator[AuthRuntime]:
    settings = Settings(data_dir=tmp_path, public_url="https://fp.example.com")
    db = open_database(settings.effective_database_url)
    migrate.upgrade(db)
    auth = runtime.build(settings, db)
    with write_transaction(db) as conn:
        conn.exec_driver_sql("INSERT INTO environments (name, created_at) VALUES ('default', '2026-01-01')")
        for client_id, refresh in (("app", True), ("other", False)):
            client_repo.insert_client(
                conn,
                id=client_id,
                env="default",
                name=client_id,
                profile="ObjectRead",
                permissions=[],
                audiences=[],
                token_lifetime=600,
                refresh_tokens=refresh,
                visibility="shared",
                enabled=True,
                secret_hash=hash_secret(f"{client_id}-secret", auth.pepper),
                previous_secret_hash=None,
                previous_secret_expires_at=None,
                jwks=None,
                source="api",
                created_at=datetime.now(UTC),
                last_used_at=None,
            )
    yield auth
    auth.close()
    db.dispose()


def _basic(client_id: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{client_id}-secret".encode()).decode()


def _request(client_id: str, **params: str) -> OAuthRequest:
    return OAuthRequest(params={k: [v] for k, v in params.items()}, authorization=_basic(client_id))


def test_a_client_credentials_token_verifies_as_an_api_token(service: AuthRuntime) -> None:
    body = token_endpoint.token(service, _request("app", grant_type="client_credentials", scope="tasks:read"))
    claims = service.verify_access_token(body["access_token"])
    assert claims["client_id"] == "app" and claims["scope"] == "tasks:read"
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600


def test_a_scope_beyond_the_grant_is_invalid_scope(service: AuthRuntime) -> None:
    with pytest.raises(OAuthError) as raised:
        token_endpoint.token(service, _request("app", grant_type="client_credentials", scope="jobs:work"))
    assert raised.value.error == "invalid_scope" and raised.value.status == 400


def test_a_wrong_secret_is_invalid_client_with_basic_challenge(service: AuthRuntime) -> None:
    request = OAuthRequest(
        params={"grant_type": ["client_credentials"]},
        authorization="Basic " + base64.b64encode(b"app:wrong").decode(),
    )
    with pytest.raises(OAuthError) as raised:
        token_endpoint.token(service, request)
    assert raised.value.status == 401 and "WWW-Authenticate" in raised.value.headers


def test_refresh_rotates_and_a_replay_revokes_the_family(service: AuthRuntime) -> None:
    first = token_endpoint.token(service, _request("app", grant_type="client_credentials"))
    second = token_endpoint.token(
        service, _request("app", grant_type="refresh_token", refresh_token=first["refresh_token"])
    )
    assert second["refresh_token"] != first["refresh_token"]
    with pytest.raises(OAuthError) as raised:  # the used token again: stolen, so the family stops
        token_endpoint.token(
            service, _request("app", grant_type="refresh_token", refresh_token=first["refresh_token"])
        )
    assert raised.value.error == "invalid_grant"
    assert service.active_access_claims(second["access_token"]) is None
    replay = _request("app", grant_type="refresh_token", refresh_token=second["refresh_token"])
    with pytest.raises(OAuthError):
        token_endpoint.token(service, replay)


def test_an_expired_refresh_token_is_judged_by_the_request_time(service: AuthRuntime) -> None:
    issued = token_endpoint.token(service, _request("app", grant_type="client_credentials"))
    later = _request("app", grant_type="refresh_token", refresh_token=issued["refresh_token"])
    late = OAuthRequest(
        params=later.params,
        authorization=later.authorization,
        at=later.at + timedelta(seconds=service.refresh_token_lifetime + 1),
    )
    with pytest.raises(OAuthError) as raised:
        token_endpoint.token(service, late)
    assert raised.value.error == "invalid_grant"


def test_introspection_shows_own_tokens_and_hides_others(service: AuthRuntime) -> None:
    mine = token_endpoint.token(service, _request("app", grant_type="client_credentials"))["access_token"]
    answer = introspection.introspect(service, _request("app", token=mine))
    assert answer["active"] is True and answer["client_id"] == "app"
    assert introspection.introspect(service, _request("other", token=mine)) == {"active": False}


def test_revoking_an_access_token_stops_it(service: AuthRuntime) -> None:
    mine = token_endpoint.token(service, _request("app", grant_type="client_credentials"))["access_token"]
    revocation.revoke(service, _request("other", token=mine))  # not its token: a silent no-op
    assert service.active_access_claims(mine) is not None
    revocation.revoke(service, _request("app", token=mine))
    assert service.active_access_claims(mine) is None
    assert introspection.introspect(service, _request("app", token=mine)) == {"active": False}


def test_scope_workflow_api_asks_for_the_whole_grant(service: AuthRuntime) -> None:
    """OptimaJet's clients send ``scope=WorkflowApi``: it means what the client is granted."""
    body = token_endpoint.token(
        service, _request("app", grant_type="client_credentials", scope="WorkflowApi")
    )
    assert body["scope"] == "definitions:read instances:read tasks:read"  # the ObjectRead profile
    narrowed = token_endpoint.token(
        service, _request("app", grant_type="client_credentials", scope="WorkflowApi tasks:read")
    )
    assert narrowed["scope"] == "tasks:read"


def test_camunda_audience_names_this_api(service: AuthRuntime) -> None:
    """Camunda's clients ask for ``audience=tasklist-api``: an alias of the API, so the token works."""
    body = token_endpoint.token(
        service, _request("app", grant_type="client_credentials", audience="tasklist-api")
    )
    assert service.verify_access_token(body["access_token"])["aud"] == "tasklist-api"
    with pytest.raises(OAuthError) as raised:
        token_endpoint.token(service, _request("app", grant_type="client_credentials", audience="billing"))
    assert raised.value.error == "invalid_target"

"""``private_key_jwt``: the SDK signs its client assertions with a key file (the ``jwt`` extra)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from joserfc.jwk import RSAKey

from flowport.client import AuthenticationError, Client
from tests.e2e.server import LiveServer


def test_a_client_authenticates_with_its_private_key(
    flowport: Client, server: LiveServer, tmp_path: Path
) -> None:
    key = RSAKey.generate_key(2048, private=True)
    public = {**key.as_dict(private=False), "kid": "sdk-key-1", "alg": "RS256", "use": "sig"}
    client_id = f"signed-{uuid.uuid4().hex[:8]}"
    flowport.admin.clients.create(
        "Signed", client_id=client_id, profile="ObjectRead", jwks={"keys": [public]}
    )
    pem = tmp_path / "key.pem"
    pem.write_bytes(key.as_pem(private=True))

    with Client(server.url, client_id=client_id, private_key_file=pem, key_id="sdk-key-1") as app:
        assert app.definitions.list(page_size=1).page() is not None
        assert "PRIVATE" not in repr(app)

    other = RSAKey.generate_key(2048, private=True)
    wrong = tmp_path / "other.pem"
    wrong.write_bytes(other.as_pem(private=True))
    impostor = Client(server.url, client_id=client_id, private_key_file=wrong)
    with impostor, pytest.raises(AuthenticationError) as refused:
        impostor.definitions.list().page()
    assert refused.value.error == "invalid_client"

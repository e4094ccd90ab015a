"""Tokens against a real token service: renewed before expiry, and after a revocation, with no failed call."""

from __future__ import annotations

import time
import uuid

import httpx

from flowport.client import Client
from tests.e2e.server import LiveServer

DEADLINE = 30.0  # seconds: a bound for a loop that ends in about two on a healthy machine


def _short_lived_client(flowport: Client) -> tuple[str, str]:
    issued = flowport.admin.clients.create(
        "Short-lived tokens",
        client_id=f"short-{uuid.uuid4().hex[:8]}",
        profile="ObjectReadWrite",
        token_lifetime=60,
    )
    return issued.client_id, issued.client_secret


def test_a_token_expiring_mid_run_is_renewed_without_a_failed_call(
    flowport: Client, server: LiveServer
) -> None:
    client_id, secret = _short_lived_client(flowport)
    # A 60 s token renewed 58 s before it expires: a new token every 2 s, so the run crosses renewals.
    with Client(server.url, client_id=client_id, client_secret=secret, token_renew_margin=58) as app:
        seen: set[str] = set()
        calls = 0
        deadline = time.monotonic() + DEADLINE
        while len(seen) < 3 and time.monotonic() < deadline:
            app.definitions.list(page_size=1).page()  # raises if any call fails
            calls += 1
            token = app.access_token()
            assert token is not None
            seen.add(token)
            time.sleep(0.1)
    assert len(seen) >= 3
    assert calls >= 3


def test_a_revoked_token_is_replaced_and_the_call_goes_through_once(
    flowport: Client, server: LiveServer
) -> None:
    client_id, secret = _short_lived_client(flowport)
    flowport.definitions.deploy(b"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="revocation_probe" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="wait"><bpmn:incoming>f</bpmn:incoming></bpmn:userTask>
    <bpmn:sequenceFlow id="f" sourceRef="start" targetRef="wait"/>
  </bpmn:process>
</bpmn:definitions>""")
    key = f"probe-{uuid.uuid4().hex[:8]}"
    with Client(server.url, client_id=client_id, client_secret=secret) as app:
        revoked = app.access_token()
        assert revoked is not None
        answer = httpx.post(
            f"{server.url}/connect/revoke", data={"token": revoked}, auth=(client_id, secret), timeout=10
        )
        assert answer.status_code == 200
        # A POST: refused with 401 invalid_token, so not applied; sent once more with a new token.
        app.instances.start("revocation_probe", business_key=key)
        assert app.access_token() != revoked
    assert len(list(flowport.instances.search(business_key=key))) == 1

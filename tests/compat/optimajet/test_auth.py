"""Who may call: Flowport's tokens (or the static API token as OptimaJet's ``token`` parameter) guard
every operation, with the same permissions, environments and visibility as the native API."""

from __future__ import annotations

import requests

from tests.compat.optimajet.conftest import Workflow, token
from tests.e2e.server import LiveServer
from tests.helpers import STATIC_TOKEN


def test_without_a_credential_the_answer_is_a_401_challenge(wf: Workflow) -> None:
    response = wf.call("getinstances", "anonymous")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="flowport"'
    assert response.json()["success"] is False and response.json()["error"] == "Unauthenticated"
    forged = wf.call("getinstances", "anonymous", headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 401 and 'error="invalid_token"' in forged.headers["www-authenticate"]


def test_a_missing_permission_is_a_403_naming_it_and_nothing_happens(wf: Workflow) -> None:
    response = wf.call("createinstance/reader-made-this", "oj-reader", json={"schemeCode": "TestScheme"})
    assert response.status_code == 403
    body = response.json()
    assert body["success"] is False and body["error"] == "PermissionDenied"
    assert body["details"]["missingPermission"] == "instances:start"
    assert 'scope="instances:start"' in response.headers["www-authenticate"]
    assert wf.ok("isexistprocess/reader-made-this") is False
    # reading is what the reader may do
    assert isinstance(wf.ok("getinstances", "oj-reader"), list)


def test_the_static_api_token_works_as_the_token_parameter(wf: Workflow) -> None:
    process_id = wf.create()
    for where in ("params", "data", "json"):
        response = requests.post(
            f"{wf.url}/workflowapi/getinstanceinfo/{process_id}",
            timeout=30,
            **{where: {"token": STATIC_TOKEN}},
        )
        assert response.status_code == 200, where
        assert response.json()["data"]["Id"] == process_id, where
    wrong = requests.get(f"{wf.url}/workflowapi/getinstances", params={"token": "guess"}, timeout=30)
    assert wrong.status_code == 401
    elsewhere = requests.get(
        f"{wf.url}/workflowapi/getinstances",
        params={"token": STATIC_TOKEN},
        headers={"x-ws-env": "sandbox"},  # the static token belongs to the default environment
        timeout=30,
    )
    assert elsewhere.status_code == 401 and "environment" in elsewhere.json()["message"]


def test_another_environments_token_finds_nothing_and_changes_nothing(wf: Workflow) -> None:
    process_id = wf.create()
    for operation in ("getinstanceinfo", "getavailablecommands", "getparameter"):
        failure = wf.failure(f"{operation}/{process_id}", "oj-sandbox", json={"name": "x"})
        assert failure["error"] == "NotFound" and "does not exist" in failure["message"]
    assert wf.ok(f"isexistprocess/{process_id}", "oj-sandbox") is False
    wf.failure(f"executecommand/{process_id}", "oj-sandbox", json={"command": "Approve"})
    wf.failure(f"deleteinstance/{process_id}", "oj-sandbox")
    assert wf.ok(f"getinstanceinfo/{process_id}")["ActivityName"] == "review"
    assert process_id not in [i["Id"] for i in wf.ok("getinstances", "oj-sandbox", json={"take": 1000})]
    # the sandbox's own token cannot be sent into the default environment either
    pinned = wf.call("getinstances", "oj-sandbox", headers={"x-ws-env": "default"})
    assert pinned.status_code == 401


def test_an_own_client_sees_only_the_instances_it_started(wf: Workflow) -> None:
    theirs = wf.create()
    mine = wf.create(client="oj-own")
    assert wf.ok(f"isexistprocess/{theirs}", "oj-own") is False
    assert wf.failure(f"getinstanceinfo/{theirs}", "oj-own")["error"] == "NotFound"
    wf.failure(f"setparameter/{theirs}", "oj-own", json={"name": "intruder", "value": True})
    assert wf.ok(f"getparameter/{theirs}", json={"name": "intruder"}) is None
    listed = [i["Id"] for i in wf.ok("getinstances", "oj-own", json={"take": 1000})]
    assert mine in listed and theirs not in listed


def test_a_token_requested_with_scope_workflowapi_gets_what_the_client_is_granted(server: LiveServer) -> None:
    # OptimaJet's clients ask for scope=WorkflowApi; the token service maps it to the client's grants.
    issued = token(server.url, "oj-app", scope="WorkflowApi")
    assert issued.status_code == 200, issued.text
    headers = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    response = requests.post(
        f"{server.url}/workflowapi/createinstance",
        headers=headers,
        json={"schemeCode": "TestScheme"},
        timeout=30,
    )
    assert response.json()["success"] is True

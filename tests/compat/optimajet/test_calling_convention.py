"""The calling convention: one operation however it is addressed, parameters from anywhere, the envelope."""

from __future__ import annotations

import json
import uuid
from typing import Any

import requests

from tests.compat.optimajet.conftest import SECRET, Workflow, token
from tests.compat.readme import bash_blocks, run_bash
from tests.e2e.server import LiveServer
from tests.helpers import STATIC_TOKEN


def test_the_documented_request_creates_an_instance_with_that_id(server: LiveServer) -> None:
    issued = token(server.url, "oj-app")
    assert issued.status_code == 200, issued.text
    process_id = str(uuid.uuid4())  # f54104f0-5de2-ea7b-e3be-47c9199a3967 in the documentation
    response = requests.post(
        f"{server.url}/workflowapi/createinstance/{process_id}",
        headers={
            "Authorization": f"Bearer {issued.json()['access_token']}",
            "Content-Type": "application/json",
        },
        data='{"schemeCode" : "TestScheme"}',
        timeout=30,
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"success", "data", "error", "message"}
    assert body["success"] is True and body["error"] is None
    assert (body["data"]["Id"], body["data"]["SchemeCode"]) == (process_id, "TestScheme")
    assert body["data"]["ActivityName"] == "review" and body["data"]["StateName"] == "Review"


def test_the_three_url_forms_and_any_letter_case_are_the_same_call(wf: Workflow) -> None:
    process_id = wf.create()
    by_path = wf.ok(f"getinstanceinfo/{process_id}", method="GET")
    by_query = wf.ok("getinstanceinfo", method="GET", params={"processId": process_id})
    by_operation = requests.get(
        f"{wf.url}/workflowapi",
        params={"operation": "getinstanceinfo", "processId": process_id},
        headers=wf.bearer["oj-app"],
        timeout=30,
    ).json()["data"]
    shouting = requests.post(
        f"{wf.url}/WorkflowApi/GetInstanceInfo",
        params={"PROCESSID": process_id},
        headers=wf.bearer["oj-app"],
        timeout=30,
    ).json()["data"]
    assert by_path == by_query == by_operation == shouting
    assert by_path["Id"] == process_id


def test_parameters_come_from_a_form_a_json_body_or_the_query(wf: Workflow) -> None:
    from_form = str(uuid.uuid4())
    wf.ok(
        f"createinstance/{from_form}",
        data={"schemeCode": "TestScheme", "parameters": '{"amount": 250}'},  # a form, as OptimaJet's docs say
    )
    from_json = str(uuid.uuid4())
    wf.ok(
        "createinstance",
        json={"processId": from_json, "SchemeCode": "TestScheme", "Parameters": {"amount": 7}},
    )
    from_query = str(uuid.uuid4())
    wf.ok("createinstance", params={"processId": from_query, "schemecode": "TestScheme"})
    assert wf.ok("getparameter", params={"processId": from_form, "name": "amount"}) == 250
    assert wf.ok("getparameter", params={"processId": from_json, "name": "amount"}) == 7
    assert wf.ok(f"isexistprocess/{from_query}") is True


def test_an_unknown_operation_is_a_failure_naming_it(wf: Workflow) -> None:
    failure = wf.failure("frobnicate/some-id")
    assert failure["message"] == "Unknown operation 'frobnicate'"
    no_operation = requests.get(f"{wf.url}/workflowapi", headers=wf.bearer["oj-app"], timeout=30)
    assert no_operation.status_code == 200 and no_operation.json()["success"] is False
    assert wf.call("frobnicate", "anonymous").status_code == 401  # only callers learn what is spoken here


def test_bad_input_is_a_failure_with_a_clear_message_and_changes_nothing(wf: Workflow) -> None:
    process_id = str(uuid.uuid4())
    broken = wf.failure(
        f"createinstance/{process_id}",
        data=b'{"schemeCode": "TestScheme", "schemeCode": "Other"}',
        headers={"Content-Type": "application/json"},
    )
    assert broken["error"] == "InvalidJson" and "repeats the key 'schemeCode'" in broken["message"]
    not_an_object = wf.failure(f"createinstance/{process_id}", json=["TestScheme"])
    assert "one object" in not_an_object["message"]
    wrong_parameters = wf.failure(
        f"createinstance/{process_id}", json={"schemeCode": "TestScheme", "parameters": "not json"}
    )
    assert "'parameters' is not JSON" in wrong_parameters["message"]
    missing = wf.failure(f"createinstance/{process_id}", json={})
    assert missing["message"] == "The parameter 'schemeCode' is required"
    bad_id = wf.failure("createinstance/has spaces", json={"schemeCode": "TestScheme"})
    assert "'processId'" in bad_id["message"]
    assert wf.ok(f"isexistprocess/{process_id}") is False


def test_the_readme_section_runs_as_written(server: LiveServer) -> None:
    session, static_token = bash_blocks("## Coming from OptimaJet Workflow Server")
    env = {"CLIENT_ID": "oj-admin", "CLIENT_SECRET": SECRET, "STATIC_TOKEN": STATIC_TOKEN}
    lines = _answers(run_bash(session, server.url, env))
    created, info, commands, executed = lines[1:5]
    assert created["data"]["Id"] == "f54104f0-5de2-ea7b-e3be-47c9199a3967"
    assert info["data"]["ActivityName"] == "review"
    assert [c["CommandName"] for c in commands["data"]] == ["Approve", "Reject"]
    assert executed["data"]["ProcessInstance"]["ActivityName"] == "archive"
    moved, parameter_set, parameter = lines[5:8]
    assert (moved["data"]["ActivityName"], parameter_set["success"], parameter["data"]) == (
        "review",
        True,
        250,
    )
    assert all(line["success"] for line in lines[8:])
    [schemes] = [answer["data"] for answer in _answers(run_bash(static_token, server.url, env))]
    assert "TestScheme" in [s["Code"] for s in schemes]


def _answers(output: str) -> list[Any]:
    """The JSON documents curl printed one after the other (curl adds no newline between them)."""
    decoder, answers, at = json.JSONDecoder(), [], 0
    while at < len(output):
        if output[at].isspace():
            at += 1
            continue
        answer, at = decoder.raw_decode(output, at)
        answers.append(answer)
    return answers

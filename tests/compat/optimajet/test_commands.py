"""Commands: the named outcomes of ready user tasks, offered to the identities allowed on the task."""

from __future__ import annotations

from tests.compat.optimajet.conftest import Workflow


def test_commands_are_offered_to_the_identities_allowed_on_the_task(wf: Workflow) -> None:
    process_id = wf.create()
    offered = wf.ok(f"getavailablecommands/{process_id}", json={"identityId": "alice"})
    assert [c["CommandName"] for c in offered] == ["Approve", "Reject"]
    approve = offered[0]
    assert approve["LocalizedName"] == "Approve" and approve["ValidForActivityName"] == "review"
    assert approve["Identities"] == ["alice"] and approve["Groups"] == ["managers"]
    assert approve["Parameters"] == []
    assert wf.ok(f"getavailablecommands/{process_id}", params={"identityId": "mallory"}) == []
    # without an identity: every command of the instance
    assert len(wf.ok(f"getavailablecommands/{process_id}")) == 2
    missing = wf.failure("getavailablecommands/no-such-instance", json={"identityId": "alice"})
    assert missing["error"] == "NotFound"


def test_a_member_of_a_candidate_group_is_offered_the_commands(wf: Workflow) -> None:
    login = "gina-" + wf.create()[:8]
    wf.ok(
        "createuser", "oj-admin", json={"login": login, "password": "a-long-password", "roles": ["managers"]}
    )
    process_id = wf.create()
    offered = wf.ok(f"getavailablecommands/{process_id}", json={"identityId": login})
    assert [c["CommandName"] for c in offered] == ["Approve", "Reject"]


def test_executecommand_completes_the_task_and_the_gateway_routes_on_the_command(wf: Workflow) -> None:
    process_id = wf.create()
    done = wf.ok(
        f"executecommand/{process_id}",
        json={"command": "Approve", "identityId": "alice", "parameters": {"comment": "looks fine"}},
    )
    assert done["WasExecuted"] is True
    assert done["ProcessInstance"]["Id"] == process_id
    assert done["ProcessInstance"]["ActivityName"] == "archive"  # the Approve branch
    parameters = {p["Name"]: p["Value"] for p in wf.ok(f"getinstanceinfo/{process_id}")["ProcessParameters"]}
    assert parameters == {"command": "Approve", "comment": "looks fine"}
    # a task that declares no commands offers one named after it
    [archive] = wf.ok(f"getavailablecommands/{process_id}")
    assert (archive["CommandName"], archive["LocalizedName"], archive["Identities"]) == (
        "archive",
        "Archive",
        [],
    )
    finished = wf.ok(f"executecommand/{process_id}", data={"command": "archive", "identityId": "bob"})
    assert finished["ProcessInstance"]["InstanceStatus"] == 3

    rejected = wf.create()
    after = wf.ok(f"executecommand/{rejected}", json={"command": "Reject", "identityId": "alice"})
    assert after["ProcessInstance"]["InstanceStatus"] == 3  # the default branch ends the process


def test_a_command_not_offered_is_a_failure_and_changes_nothing(wf: Workflow) -> None:
    process_id = wf.create()
    unknown = wf.failure(f"executecommand/{process_id}", json={"command": "Escalate", "identityId": "alice"})
    assert unknown["error"] == "Conflict"
    assert "'Escalate' is not available" in unknown["message"] and "Approve, Reject" in unknown["message"]
    stranger = wf.failure(
        f"executecommand/{process_id}", json={"command": "Approve", "identityId": "mallory"}
    )
    assert "to 'mallory'" in stranger["message"]
    assert wf.failure(f"executecommand/{process_id}", json={"identityId": "alice"})["message"] == (
        "The parameter 'command' is required"
    )
    assert wf.ok(f"getinstanceinfo/{process_id}")["ActivityName"] == "review"


def test_a_command_already_executed_cannot_be_executed_again(wf: Workflow) -> None:
    process_id = wf.create()
    wf.ok(f"executecommand/{process_id}", json={"command": "Approve", "identityId": "alice"})
    again = wf.failure(f"executecommand/{process_id}", json={"command": "Approve", "identityId": "alice"})
    assert again["error"] == "Conflict" and "available: archive" in again["message"]
    assert wf.ok(f"getinstanceinfo/{process_id}")["ActivityName"] == "archive"


def test_a_suspended_instance_takes_no_command(wf: Workflow) -> None:
    process_id = wf.create()
    wf.native("POST", f"/api/v1/process-instances/{process_id}/suspend")
    failure = wf.failure(f"executecommand/{process_id}", json={"command": "Approve", "identityId": "alice"})
    assert failure["error"] == "Conflict" and "suspended" in failure["message"]
    wf.native("POST", f"/api/v1/process-instances/{process_id}/resume")
    assert wf.ok(f"executecommand/{process_id}", json={"command": "Approve", "identityId": "alice"})[
        "WasExecuted"
    ]


def test_the_values_of_a_camunda_enum_field_are_commands(wf: Workflow) -> None:
    process_id = wf.create("EnumScheme")
    offered = wf.ok(f"getavailablecommands/{process_id}")
    assert [(c["CommandName"], c["LocalizedName"]) for c in offered] == [
        ("yes", "Yes, go ahead"),
        ("no", "No"),
    ]
    done = wf.ok(f"executecommand/{process_id}", json={"command": "yes"})
    assert done["ProcessInstance"]["ActivityName"] == "carry_out"  # the gateway read the field's value


def test_a_client_without_tasks_complete_cannot_execute_commands(wf: Workflow) -> None:
    process_id = wf.create()
    response = wf.call(f"executecommand/{process_id}", "oj-reader", json={"command": "Approve"})
    assert response.status_code == 403
    assert response.json()["details"]["missingPermission"] == "tasks:complete"
    assert wf.ok(f"getinstanceinfo/{process_id}")["ActivityName"] == "review"


def test_inbox_and_outbox_list_where_an_identity_can_act_and_has_acted(wf: Workflow) -> None:
    login = "ivan-" + wf.create()[:8]
    process_id = wf.create()
    assert process_id in [i["ProcessId"] for i in wf.ok("inbox", json={"identityId": "alice"})]
    assert process_id not in [i["ProcessId"] for i in wf.ok("inbox", json={"identityId": login})]
    wf.ok(f"executecommand/{process_id}", json={"command": "Approve", "identityId": "alice"})
    assert process_id not in [i["ProcessId"] for i in wf.ok("inbox", json={"identityId": "alice"})]
    [item] = [i for i in wf.ok("outbox", params={"identityId": "alice"}) if i["ProcessId"] == process_id]
    assert (item["IdentityId"], item["ActivityName"]) == ("alice", "review")
    assert "'identityId'" in wf.failure("inbox")["message"]

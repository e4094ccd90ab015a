"""Instances: create, read (with OptimaJet's status numbers), list, check, delete."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.compat.optimajet.conftest import Workflow


def test_createinstance_takes_the_process_id_and_parameters_and_refuses_a_duplicate(wf: Workflow) -> None:
    process_id = str(uuid.uuid4())
    created = wf.ok(
        f"createinstance/{process_id}",
        json={"schemeCode": "TestScheme", "identityId": "alice", "parameters": {"amount": 250, "tag": "x"}},
    )
    assert created["Id"] == process_id and created["InstanceStatus"] == 2
    duplicate = wf.failure(f"createinstance/{process_id}", json={"schemeCode": "TestScheme"})
    assert duplicate["error"] == "Conflict" and process_id in duplicate["message"]
    unknown = wf.failure(f"createinstance/{uuid.uuid4()}", json={"schemeCode": "NoSuchScheme"})
    assert unknown["error"] == "NotFound" and "NoSuchScheme" in unknown["message"]
    info = wf.ok(f"getinstanceinfo/{process_id}")
    assert {p["Name"]: p["Value"] for p in info["ProcessParameters"]} == {"amount": 250, "tag": "x"}


def test_getinstanceinfo_describes_state_commands_and_history(wf: Workflow) -> None:
    process_id = wf.create()
    info = wf.ok(f"getinstanceinfo/{process_id}", method="GET")
    assert {"Id", "StateName", "ActivityName", "SchemeCode", "ProcessParameters", "InstanceStatus"} <= set(
        info
    )
    assert (info["SchemeCode"], info["ActivityName"], info["StateName"]) == ("TestScheme", "review", "Review")
    assert info["InstanceStatus"] == 2  # Idled: waiting for a command
    assert sorted(t["Name"] for t in info["Transitions"]) == ["Approve", "Reject"]
    assert [h["Event"] for h in info["History"]][:1] == ["instance started"]
    assert any(h["ActivityName"] == "review" and h["Event"] == "activated" for h in info["History"])
    missing = wf.failure(f"getinstanceinfo/{uuid.uuid4()}")
    assert missing["error"] == "NotFound" and "does not exist" in missing["message"]


def test_instance_status_uses_optimajets_numbers(wf: Workflow) -> None:
    finalized = wf.create()
    wf.ok(f"executecommand/{finalized}", json={"command": "Reject", "identityId": "alice"})
    terminated = wf.create()
    wf.native("POST", f"/api/v1/process-instances/{terminated}/cancel")
    suspended = wf.create()
    wf.native("POST", f"/api/v1/process-instances/{suspended}/suspend")
    failed = wf.create("script_divide", parameters={"x": 0})
    statuses = {
        pid: wf.ok(f"getinstanceinfo/{pid}")["InstanceStatus"]
        for pid in (finalized, terminated, suspended, failed)
    }
    assert statuses == {finalized: 3, terminated: 4, suspended: 4, failed: 5}
    # and the status filter of getinstances speaks the same numbers
    for number, expected in ((3, finalized), (4, terminated), (4, suspended), (5, failed)):
        listed = [i["Id"] for i in wf.ok("getinstances", json={"status": number, "take": 1000})]
        assert expected in listed, number
    assert wf.ok("getinstances", json={"status": 1}) == []  # nothing is mid-run between requests


def test_getinstances_filters_sorts_and_pages(wf: Workflow) -> None:
    marker = uuid.uuid4().hex[:10]
    ids = [f"{marker}-{n}" for n in range(3)]
    for process_id in ids:
        wf.ok(f"createinstance/{process_id}", json={"schemeCode": "TestScheme"})
    found = wf.ok("getinstances", json={"search": marker, "sort": "CreationDate"})
    assert [i["Id"] for i in found] == ids
    newest_first = wf.ok("getinstances", params={"search": marker, "sort": "CreationDate desc"})
    assert [i["Id"] for i in newest_first] == ids[::-1]
    page = wf.ok("getinstances", data={"search": marker, "sort": "Id", "skip": "1", "take": "1"})
    assert [i["Id"] for i in page] == [ids[1]]
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert wf.ok("getinstances", json={"search": marker, "creationDateFrom": later}) == []
    assert len(wf.ok("getinstances", json={"search": marker, "creationDateTo": later})) == 3
    assert wf.ok("getinstances", json={"search": marker, "status": 2, "take": 2})[0]["InstanceStatus"] == 2


def test_getinstances_refuses_wrong_types(wf: Workflow) -> None:
    assert "'take'" in wf.failure("getinstances", json={"take": "many"})["message"]
    assert "'take'" in wf.failure("getinstances", json={"take": 5000})["message"]
    assert "'status'" in wf.failure("getinstances", json={"status": 9})["message"]
    assert "'sort'" in wf.failure("getinstances", json={"sort": "Color"})["message"]
    assert (
        "'creationDateFrom'" in wf.failure("getinstances", json={"creationDateFrom": "yesterday"})["message"]
    )
    assert "'search'" in wf.failure("getinstances", json={"search": {"nested": True}})["message"]


def test_isexistprocess_and_deleteinstance(wf: Workflow) -> None:
    process_id = wf.create()
    assert wf.ok(f"isexistprocess/{process_id}") is True
    assert wf.ok(f"deleteinstance/{process_id}") is None
    assert wf.ok(f"isexistprocess/{process_id}") is False
    again = wf.failure(f"deleteinstance/{process_id}")
    assert again["error"] == "NotFound"
    reader = wf.call(f"deleteinstance/{wf.create()}", "oj-reader")
    assert reader.status_code == 403 and reader.json()["details"]["missingPermission"] == "instances:delete"


def test_deleteinstances_deletes_all_or_none(wf: Workflow) -> None:
    first, second = wf.create(), wf.create()
    missing = str(uuid.uuid4())
    failure = wf.failure("deleteinstances", json={"processIds": [first, missing, second]})
    assert failure["error"] == "NotFound" and missing in failure["message"]
    assert wf.ok(f"isexistprocess/{first}") is True and wf.ok(f"isexistprocess/{second}") is True
    deleted = wf.ok("deleteinstances", data={"processIds": f"{first},{second}"})
    assert deleted == [first, second]
    assert wf.ok(f"isexistprocess/{first}") is False and wf.ok(f"isexistprocess/{second}") is False

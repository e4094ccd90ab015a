"""States a token can be moved to, setting the state, and process parameters."""

from __future__ import annotations

from tests.compat.optimajet.conftest import Workflow


def test_getavailablestatetoset_lists_the_activities_and_events_of_the_scheme(wf: Workflow) -> None:
    process_id = wf.create()
    states = wf.ok(f"getavailablestatetoset/{process_id}")
    assert sorted(s["Name"] for s in states) == ["archive", "review"]
    assert {s["SchemeCode"] for s in states} == {"TestScheme"}
    assert {s["Name"]: s["VisibleName"] for s in states}["archive"] == "Archive"
    assert wf.failure("getavailablestatetoset/no-such-instance")["error"] == "NotFound"


def test_setstate_moves_the_token_with_the_parameters_given(wf: Workflow) -> None:
    process_id = wf.create()
    moved = wf.ok(
        f"setstate/{process_id}",
        json={"state": "archive", "identityId": "alice", "parameters": {"reason": "skip review"}},
    )
    assert moved["ActivityName"] == "archive"
    info = wf.ok(f"getinstanceinfo/{process_id}")
    assert {p["Name"]: p["Value"] for p in info["ProcessParameters"]} == {"reason": "skip review"}
    assert [t["Name"] for t in info["Transitions"]] == ["archive"]
    back = wf.ok(f"setstate/{process_id}", data={"state": "review"})
    assert back["ActivityName"] == "review"


def test_setstate_to_an_unknown_state_is_a_failure_and_changes_nothing(wf: Workflow) -> None:
    process_id = wf.create()
    failure = wf.failure(f"setstate/{process_id}", json={"state": "nowhere", "parameters": {"lost": True}})
    assert failure["error"] == "InvalidRequest" and "nowhere" in failure["message"]
    info = wf.ok(f"getinstanceinfo/{process_id}")
    assert info["ActivityName"] == "review" and info["ProcessParameters"] == []
    suspended = wf.create()
    wf.native("POST", f"/api/v1/process-instances/{suspended}/suspend")
    assert "suspended" in wf.failure(f"setstate/{suspended}", json={"state": "archive"})["message"]


def test_setparameter_and_getparameter(wf: Workflow) -> None:
    process_id = wf.create()
    assert (
        wf.ok(f"setparameter/{process_id}", json={"name": "amount", "value": {"net": 100, "vat": 20}}) is None
    )
    assert wf.ok(f"getparameter/{process_id}", params={"name": "amount"}) == {"net": 100, "vat": 20}
    wf.ok(f"setparameter/{process_id}", data={"name": "note", "value": "from a form"})
    wf.ok(f"setparameter/{process_id}", json={"parameters": {"a": 1, "b": [2]}})
    info = wf.ok(f"getinstanceinfo/{process_id}")
    assert {p["Name"]: p["Value"] for p in info["ProcessParameters"]} == {
        "amount": {"net": 100, "vat": 20},
        "note": "from a form",
        "a": 1,
        "b": [2],
    }
    assert wf.ok(f"getparameter/{process_id}", json={"name": "never-set"}) is None
    assert wf.failure(f"setparameter/{process_id}", json={"value": 1})["message"] == (
        "The parameter 'name' is required"
    )
    assert wf.failure(f"getparameter/{process_id}", json={"name": ["a"]})["message"] == (
        "The parameter 'name' must be a string"
    )
    denied = wf.call(f"setparameter/{process_id}", "oj-reader", json={"name": "x", "value": 1})
    assert denied.status_code == 403 and denied.json()["details"]["missingPermission"] == "instances:manage"

"""Schemes, users and roles, and the timer processing of the server process."""

from __future__ import annotations

import uuid

import requests

from tests.compat.optimajet.conftest import Workflow


def test_getschemelist_lists_the_deployed_processes(wf: Workflow) -> None:
    schemes = {s["Code"]: s for s in wf.ok("getschemelist")}
    assert {"TestScheme", "EnumScheme"} <= set(schemes)
    assert (schemes["TestScheme"]["Name"], schemes["TestScheme"]["Version"]) == ("Test scheme", 1)
    assert wf.ok("getschemelist", "oj-sandbox") == []  # another environment's schemes are its own


def test_users_are_created_changed_and_deleted(wf: Workflow) -> None:
    login = f"olga-{uuid.uuid4().hex[:8]}"
    created = wf.ok(
        "createuser", "oj-admin", json={"login": login, "password": "a-long-password", "roles": "a,b"}
    )
    assert (created["Login"], created["Roles"], created["IsLocked"]) == (login, ["a", "b"], False)
    assert login in [u["Login"] for u in wf.ok("getusers", "oj-admin")]
    duplicate = wf.failure("createuser", "oj-admin", json={"login": login, "password": "a-long-password"})
    assert duplicate["error"] == "Conflict"
    weak = wf.failure("createuser", "oj-admin", json={"login": f"{login}-2", "password": "short"})
    assert weak["error"] == "InvalidRequest"
    bad_flag = wf.failure(
        "createuser",
        "oj-admin",
        json={"login": f"{login}-3", "password": "a-long-password", "isLocked": "maybe"},
    )
    assert "'isLocked'" in bad_flag["message"]
    assert not {f"{login}-2", f"{login}-3"} & {u["Login"] for u in wf.ok("getusers", "oj-admin")}

    changed = wf.ok("updateuser", "oj-admin", json={"login": login, "roles": ["c"], "isLocked": True})
    assert (changed["Roles"], changed["IsLocked"]) == (["c"], True)
    login_attempt = requests.post(
        f"{wf.url}/api/login", json={"username": login, "password": "a-long-password"}, timeout=30
    )
    assert login_attempt.status_code in (401, 403)  # locked out

    assert wf.ok("deleteuser", "oj-admin", json={"login": login}) is None
    assert login not in [u["Login"] for u in wf.ok("getusers", "oj-admin")]
    assert wf.failure("deleteuser", "oj-admin", json={"login": login})["error"] == "NotFound"


def test_roles_are_groups_and_give_access_to_the_groups_tasks(wf: Workflow) -> None:
    login = f"max-{uuid.uuid4().hex[:8]}"
    wf.ok("createuser", "oj-admin", json={"login": login, "password": "a-long-password"})
    process_id = wf.create()
    assert wf.ok(f"getavailablecommands/{process_id}", json={"identityId": login}) == []
    joined = wf.ok("addusertorole", "oj-admin", json={"login": login, "role": "managers"})
    assert joined["Roles"] == ["managers"]
    assert len(wf.ok(f"getavailablecommands/{process_id}", json={"identityId": login})) == 2
    assert process_id in [i["ProcessId"] for i in wf.ok("inbox", json={"identityId": login})]
    left = wf.ok("removeuserfromrole", "oj-admin", data={"login": login, "role": "managers"})
    assert left["Roles"] == []
    assert wf.failure("removeuserfromrole", "oj-admin", json={"login": login, "role": "managers"})[
        "error"
    ] == ("Conflict")
    assert wf.failure("addusertorole", "oj-admin", json={"login": "nobody-at-all", "role": "x"})["error"] == (
        "NotFound"
    )


def test_user_administration_needs_admin_users(wf: Workflow) -> None:
    response = wf.call("createuser", "oj-app", json={"login": "sneaky", "password": "a-long-password"})
    assert response.status_code == 403
    assert response.json()["details"]["missingPermission"] == "admin:users"


def test_stop_start_and_isactive_switch_timer_processing(wf: Workflow) -> None:
    assert wf.ok("isactive", "oj-admin") is True
    try:
        assert wf.ok("stop", "oj-admin") is True
        assert wf.ok("isactive", "oj-admin") is False
    finally:
        assert wf.ok("start", "oj-admin") is True
    assert wf.ok("isactive", "oj-admin") is True
    denied = wf.call("stop", "oj-app")
    assert denied.status_code == 403 and denied.json()["details"]["missingPermission"] == "admin:scheduler"
    assert wf.ok("isactive", "oj-admin") is True

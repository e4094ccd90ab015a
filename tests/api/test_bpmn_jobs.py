"""External service tasks as jobs: fetch-and-lock, complete, fail, retries, incidents."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import complete, deploy, ready_tasks, start

TOPIC = "work-topic"


def _fetch(client: TestClient, worker: str, lock_ms: int = 60_000) -> list[dict[str, Any]]:
    response = client.post(
        "/api/v1/jobs/fetch-and-lock",
        json={"workerId": worker, "maxJobs": 10, "topics": [{"name": TOPIC, "lockDuration": lock_ms}]},
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _fetch_one(client: TestClient, worker: str, lock_ms: int = 60_000) -> dict[str, Any]:
    [job] = _fetch(client, worker, lock_ms)
    return job


def _instance(client: TestClient, instance_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/v1/process-instances/{instance_id}").json()
    return body


def _fail(client: TestClient, job_id: str, worker: str, retries: int, timeout_ms: int = 0) -> Any:
    return client.post(
        f"/api/v1/jobs/{job_id}/fail",
        json={
            "workerId": worker,
            "errorMessage": "backend down",
            "retries": retries,
            "retryTimeout": timeout_ms,
        },
    )


def _incidents(client: TestClient, instance_id: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/incidents", params={"processInstanceId": instance_id})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_fetch_and_lock_then_complete_with_variables(client: TestClient) -> None:
    deploy(client, "service_task.bpmn")
    instance = start(client, "service_task", {"amount": 10})
    assert instance["activeElementIds"] == ["work"]
    assert ready_tasks(client, instance["id"]) == []  # a job is not a user task
    job = _fetch_one(client, "w1")
    assert job["processInstanceId"] == instance["id"]
    assert job["elementId"] == "work"
    assert job["topic"] == TOPIC
    assert job["workerId"] == "w1"
    assert job["variables"] == {"amount": 10}
    assert _fetch(client, "w2") == []  # locked by w1
    wrong = client.post(f"/api/v1/jobs/{job['id']}/complete", json={"workerId": "w2", "variables": {}})
    assert wrong.status_code == 409
    done = client.post(
        f"/api/v1/jobs/{job['id']}/complete", json={"workerId": "w1", "variables": {"result": "ok"}}
    )
    assert done.status_code == 204, done.text
    [after] = ready_tasks(client, instance["id"])
    assert after["elementId"] == "after_work"
    assert client.get(f"/api/v1/process-instances/{instance['id']}/variables").json() == {
        "amount": 10,
        "result": "ok",
    }
    again = client.post(f"/api/v1/jobs/{job['id']}/complete", json={"workerId": "w1", "variables": {}})
    assert again.status_code == 404
    complete(client, after["id"])
    assert _instance(client, instance["id"])["status"] == "COMPLETED"


def test_expired_lock_returns_the_job_to_the_pool(client: TestClient) -> None:
    deploy(client, "service_task.bpmn")
    start(client, "service_task")
    job = _fetch_one(client, "w1", lock_ms=1000)  # long enough for a slow machine to ask again in time
    assert _fetch(client, "w2") == []
    time.sleep(1.05)
    taken = _fetch_one(client, "w2")
    assert taken["id"] == job["id"]
    late = client.post(f"/api/v1/jobs/{job['id']}/complete", json={"workerId": "w1", "variables": {}})
    assert late.status_code == 409


def test_failure_with_retries_makes_the_job_fetchable_after_the_timeout(client: TestClient) -> None:
    deploy(client, "service_task.bpmn")
    instance = start(client, "service_task")
    job = _fetch_one(client, "w1")
    failed = _fail(client, job["id"], "w1", retries=2, timeout_ms=1000)
    assert failed.status_code == 200, failed.text
    assert failed.json()["retries"] == 2
    assert failed.json()["errorMessage"] == "backend down"
    assert _fetch(client, "w1") == []  # waiting out the retry timeout
    time.sleep(1.05)
    assert _fetch_one(client, "w1")["id"] == job["id"]
    assert _instance(client, instance["id"])["hasIncidents"] is False
    assert _incidents(client, instance["id"]) == []


def test_failure_without_retries_is_an_incident_until_resolved(client: TestClient) -> None:
    deploy(client, "service_task.bpmn")
    instance = start(client, "service_task")
    job = _fetch_one(client, "w1")
    assert _fail(client, job["id"], "w1", retries=0).status_code == 200
    [incident] = _incidents(client, instance["id"])
    assert incident["kind"] == "failedJob"
    assert incident["jobId"] == job["id"]
    assert incident["elementId"] == "work"
    assert incident["message"] == "backend down"
    assert _instance(client, instance["id"])["hasIncidents"] is True
    assert _fetch(client, "w1") == []
    resolved = client.post(f"/api/v1/incidents/{incident['id']}/resolve")
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["resolvedAt"] is not None
    assert _instance(client, instance["id"])["hasIncidents"] is False
    assert _incidents(client, instance["id"]) == []
    again = _fetch_one(client, "w1")
    assert again["id"] == job["id"]
    assert client.post(f"/api/v1/jobs/{job['id']}/complete", json={"workerId": "w1"}).status_code == 204
    assert [t["elementId"] for t in ready_tasks(client, instance["id"])] == ["after_work"]

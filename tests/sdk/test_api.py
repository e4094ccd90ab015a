"""Every SDK method against a real server: what the caller sees, end to end."""

from __future__ import annotations

import uuid

import pytest

from flowport.client import (
    Client,
    Conflict,
    InvalidDefinition,
    NotFound,
    PermissionDenied,
)
from tests.e2e.server import LiveServer
from tests.helpers import FIXTURES, bpmn
from tests.sdk.conftest import EXAMPLES


def _unique() -> str:
    return uuid.uuid4().hex[:8]


def test_definitions(flowport: Client) -> None:
    deployment = flowport.definitions.deploy(EXAMPLES / "approval.bpmn", bpmn("user_task.bpmn"))
    assert [d.key for d in deployment.definitions] == ["approval", "user_task"]
    again = flowport.definitions.deploy(str(FIXTURES / "user_task.bpmn"))
    assert again.created == (False,)  # the same XML: nothing new
    definition = deployment.definitions[1]
    assert flowport.definitions.get(definition.id).key == "user_task"
    assert "user_task" in flowport.definitions.xml(definition.id)
    assert [d.key for d in flowport.definitions.list("user_task", latest=True)] == ["user_task"]
    flowport.definitions.deploy(bpmn("two_processes.bpmn"))
    page = flowport.definitions.list(page_size=1).page()
    assert len(page.items) == 1 and page.next_cursor
    assert len(list(flowport.definitions.list(page_size=1))) >= 4
    flowport.definitions.delete(flowport.definitions.deploy(bpmn("manual_task.bpmn")).definitions[0].id)


def test_instances(flowport: Client) -> None:
    flowport.definitions.deploy(EXAMPLES / "approval.bpmn")
    key = f"req-{_unique()}"
    started = [flowport.instances.start("approval", {"amount": n}, business_key=key) for n in range(3)]
    assert started[0].status == "RUNNING" and started[0].active_element_ids == ("review",)
    found = list(flowport.instances.search(business_key=key, page_size=2))  # two pages
    assert {i.id for i in found} == {i.id for i in started}
    first = started[0]
    assert flowport.instances.get(first.id).variables == {"amount": 0}
    assert flowport.instances.set_variables(first.id, {"note": "x"}) == {"amount": 0, "note": "x"}
    assert flowport.instances.set_variables(first.id, {"amount": 5}, replace=True) == {"amount": 5}
    assert flowport.instances.variables(first.id) == {"amount": 5}
    assert flowport.instances.suspend(first.id).status == "SUSPENDED"
    assert flowport.instances.resume(first.id).status == "RUNNING"
    assert flowport.instances.move(first.id, "revise").active_element_ids == ("revise",)
    events = [entry.event for entry in flowport.instances.history(first.id, page_size=2)]
    assert len(events) >= 3
    assert flowport.instances.cancel(started[1].id).status == "CANCELED"
    flowport.instances.delete(started[2].id)
    with pytest.raises(NotFound):
        flowport.instances.get(started[2].id)
    own_id = f"order-{_unique()}"
    assert flowport.instances.start(definition_key="approval", instance_id=own_id).id == own_id
    with pytest.raises(Conflict):
        flowport.instances.start("approval", instance_id=own_id)


def test_tasks(flowport: Client) -> None:
    flowport.definitions.deploy(bpmn("user_task.bpmn"))
    instance = flowport.instances.start("user_task")
    (task,) = flowport.tasks.search(process_instance_id=instance.id)
    assert flowport.tasks.claim(task.id, "alice").assignee == "alice"
    assert [t.id for t in flowport.tasks.search(assignee="alice", process_instance_id=instance.id)] == [
        task.id
    ]
    assert flowport.tasks.unclaim(task.id).assignee is None
    done = flowport.tasks.complete(task.id, {"ok": True})
    assert done.state == "COMPLETED"
    assert flowport.tasks.get(task.id).state == "COMPLETED"
    assert flowport.instances.get(instance.id).status == "COMPLETED"
    with pytest.raises(Conflict):
        flowport.tasks.complete(task.id)


def test_messages_and_signals(flowport: Client) -> None:
    flowport.definitions.deploy(EXAMPLES / "order.bpmn", bpmn("signal_catch.bpmn"))
    key = f"order-{_unique()}"
    order = flowport.instances.start("order", business_key=key)
    (prepare,) = flowport.tasks.search(process_instance_id=order.id)
    flowport.tasks.complete(prepare.id)
    (delivery,) = flowport.messages.correlate("PaymentReceived", {"paid": 99.5}, business_key=key)
    assert (delivery.process_instance_id, delivery.started) == (order.id, False)
    assert flowport.instances.variables(order.id)["paid"] == 99.5
    with pytest.raises(NotFound):
        flowport.messages.correlate("PaymentReceived", business_key=key)
    waiting = flowport.instances.start("signal_catch")
    deliveries = flowport.signals.broadcast("Alarm", {"loud": True})
    assert waiting.id in {d.process_instance_id for d in deliveries}


def test_jobs_and_incidents(flowport: Client) -> None:
    flowport.definitions.deploy(bpmn("service_task.bpmn"))
    instance = flowport.instances.start("service_task")
    worker = f"w-{_unique()}"
    jobs = flowport.jobs.fetch_and_lock(worker, ["work-topic"], max_jobs=50, lock_duration=30)
    job = next(j for j in jobs if j.process_instance_id == instance.id)
    assert job.worker_id == worker and job.lock_expires_at is not None
    assert flowport.jobs.extend_lock(job.id, worker, 60).lock_expires_at > job.lock_expires_at  # type: ignore[operator]
    assert job.id in {j.id for j in flowport.jobs.search(topic="work-topic", process_instance_id=instance.id)}
    failed = flowport.jobs.fail(job.id, worker, "boom", retries=0)
    assert failed.retries == 0
    (incident,) = flowport.incidents.search(process_instance_id=instance.id)
    assert incident.job_id == job.id and incident.message == "boom"
    assert flowport.incidents.resolve(incident.id, retries=1).resolved_at is not None
    (again,) = [j for j in flowport.jobs.fetch_and_lock(worker, {"work-topic": 30}) if j.id == job.id]
    flowport.jobs.complete(again.id, worker, {"worked": True})
    assert flowport.instances.get(instance.id).active_element_ids == ("after_work",)
    with pytest.raises(NotFound):
        flowport.jobs.complete(again.id, worker)  # never twice


def test_admin(flowport: Client, server: LiveServer) -> None:
    name = _unique()
    env = flowport.admin.environments.create(f"env-{name}")
    assert env.name in {e.name for e in flowport.admin.environments.list()}
    assert flowport.admin.environments.get(env.name).name == env.name
    issued = flowport.admin.clients.create("Reporting", client_id=f"rep-{name}", profile="ObjectRead")
    assert issued.client_secret and issued.profile == "ObjectRead"
    assert flowport.admin.clients.get(issued.client_id).name == "Reporting"
    assert issued.client_id in {c.client_id for c in flowport.admin.clients.list(page_size=1)}
    assert flowport.admin.clients.update(issued.client_id, tokenLifetime=600).token_lifetime == 600
    assert flowport.admin.clients.disable(issued.client_id).enabled is False
    assert flowport.admin.clients.enable(issued.client_id).enabled is True
    rotated = flowport.admin.clients.rotate_secret(issued.client_id, now=True)
    assert rotated.client_secret != issued.client_secret
    with Client(server.url, client_id=issued.client_id, client_secret=rotated.client_secret) as reader:
        assert list(reader.definitions.list(page_size=1)) is not None
        with pytest.raises(PermissionDenied) as denied:
            reader.instances.start("user_task")
        assert denied.value.missing_permission == "instances:start"
    flowport.admin.clients.delete(issued.client_id)
    user = flowport.admin.users.create(f"u-{name}", "a-long-password", groups=["ops"])
    assert flowport.admin.users.get(user.username).groups == ("ops",)
    assert flowport.admin.users.update(user.username, locked=True).locked is True
    assert user.username in {u.username for u in flowport.admin.users.list()}
    flowport.admin.users.delete(user.username)
    flowport.admin.environments.delete(env.name)
    before = {k.kid for k in flowport.admin.keys.list()}
    assert flowport.admin.keys.rotate().kid not in before
    events = flowport.admin.audit.search().page().items
    assert events and events[0].event


def test_invalid_definitions_say_where(flowport: Client) -> None:
    with pytest.raises(InvalidDefinition) as raised:
        flowport.definitions.deploy(bpmn("bad_missing_target.bpmn"))
    assert (raised.value.status, raised.value.element_id) == (422, "task1")
    with pytest.raises(InvalidDefinition) as malformed:
        flowport.definitions.deploy(bpmn("bad_malformed.bpmn"))
    assert malformed.value.line == 15
    with pytest.raises(NotFound):
        flowport.instances.get("no-such-instance")

"""The dashboard's use cases on a real database: exact counts, environments, visibility, days."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from flowport.errors import InvalidRequest
from flowport.services import (
    clients,
    dashboard,
    definitions,
    environments,
    instance_listing,
    instances,
    jobs,
    keys,
    task_listing,
    tasks,
)
from flowport.services.context import Actor, Services
from flowport.services.counted import OffsetPage
from flowport.services.dashboard import DayCount, InstanceCounts, JobCounts, TaskCounts, TimerCounts
from flowport.services.jobs import TopicRequest
from flowport.states import InstanceStatus, TaskState, Visibility
from tests.helpers import bpmn

TESTER = Actor(subject="tester")
ALICE = Actor(subject="alice")  # user_task.bpmn assigns its task to alice


@pytest.fixture
def database_url(database_url: str) -> str:
    """The suite's database; PostgreSQL sessions in Honolulu (UTC-10), so days must be taken in UTC."""
    if database_url.startswith("sqlite"):
        return database_url
    return f"{database_url}%20-ctimezone%3DPacific/Honolulu"


def services_of(client: TestClient) -> Services:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services


def deploy(services: Services, actor: Actor, *names: str) -> None:
    for name in names:
        definitions.deploy(services, actor, bpmn(name))


def start(services: Services, actor: Actor, key: str, **variables: object) -> str:
    return instances.start(services, actor, definition_key=key, variables=dict(variables)).id


def complete_task(services: Services, actor: Actor, instance_id: str) -> None:
    [task] = tasks.search(services, actor, instance_id=instance_id, cursor=None, limit=10).items
    tasks.complete(services, actor, task.id, {})


@contextmanager
def clock_at(services: Services, at: datetime) -> Iterator[None]:
    """Run what the block does as if it were ``at`` (the services read the time from their clock)."""
    real = services.clock
    services.clock = lambda: at
    try:
        yield
    finally:
        services.clock = real


def test_overview_counts_every_kind_of_work_exactly(client: TestClient) -> None:
    services = services_of(client)
    deploy(services, TESTER, "user_task.bpmn", "user_task_candidates.bpmn", "service_task.bpmn")
    deploy(services, TESTER, "timer_expression.bpmn")
    _running, done, canceled, suspended = (start(services, TESTER, "user_task") for _ in range(4))
    complete_task(services, ALICE, done)
    instances.cancel(services, TESTER, canceled)
    instances.suspend(services, TESTER, suspended)
    start(services, TESTER, "user_task_candidates")  # a ready task offered, assigned to nobody
    for _ in range(3):
        start(services, TESTER, "service_task")
    topic = [TopicRequest("work-topic", 60_000)]
    locked, failed = jobs.fetch_and_lock(services, TESTER, "w1", topic, 2)
    jobs.fail(services, TESTER, failed.id, "w1", "backend down", 0, 0)  # no retries left: an incident
    start(services, TESTER, "timer_expression", delay="PT30M")
    start(services, TESTER, "timer_expression", delay="PT90M")
    now = services.clock()

    seen = dashboard.overview(services, TESTER, now=now)

    assert seen.env == "default" and seen.at == now
    # user_task 1 + candidates 1 + service_task 3 + timer_expression 2
    assert seen.instances == InstanceCounts(running=7, suspended=1, completed=1, canceled=1, with_incidents=1)
    # the running and the suspended user_task (alice's), and the offered one
    assert seen.tasks == TaskCounts(waiting=3, unassigned=1)
    # one job nobody holds, one locked; the failed one waits for its incident, not for a worker
    assert seen.jobs == JobCounts(waiting=1, locked=1)
    assert seen.timers == TimerCounts(overdue=0, due_within_hour=1)
    assert seen.open_incidents == 1
    assert seen.days[-1] == DayCount(now.date(), started=10, completed=1)

    later = dashboard.overview(services, TESTER, now=now + timedelta(minutes=45))
    assert later.timers == TimerCounts(overdue=1, due_within_hour=1)  # the 30-minute one is late
    assert later.jobs == JobCounts(waiting=2, locked=0)  # the one-minute lock expired
    assert locked.instance_id != failed.instance_id


def test_other_environments_are_not_counted(client: TestClient) -> None:
    services = services_of(client)
    environments.create(services, TESTER, "other")
    elsewhere = Actor(env="other", subject="tester")
    deploy(services, TESTER, "user_task.bpmn", "service_task.bpmn", "timer_expression.bpmn")
    deploy(services, elsewhere, "user_task.bpmn", "service_task.bpmn", "timer_expression.bpmn")
    start(services, TESTER, "user_task")
    for _ in range(2):
        start(services, elsewhere, "user_task")
        start(services, elsewhere, "service_task")
        start(services, elsewhere, "timer_expression", delay="PT10M")
    [job] = jobs.fetch_and_lock(services, elsewhere, "w", [TopicRequest("work-topic", 60_000)], 1)
    jobs.fail(services, elsewhere, job.id, "w", "down", 0, 0)

    here = dashboard.overview(services, TESTER)
    there = dashboard.overview(services, elsewhere)

    assert here.instances == InstanceCounts(running=1, suspended=0, completed=0, canceled=0, with_incidents=0)
    assert here.tasks == TaskCounts(waiting=1, unassigned=0)
    assert (here.jobs, here.timers, here.open_incidents) == (JobCounts(0, 0), TimerCounts(0, 0), 0)
    assert there.env == "other"
    assert there.instances == InstanceCounts(
        running=6, suspended=0, completed=0, canceled=0, with_incidents=1
    )
    assert there.tasks == TaskCounts(waiting=2, unassigned=0)
    assert there.jobs == JobCounts(waiting=1, locked=0)
    assert there.timers == TimerCounts(overdue=0, due_within_hour=2)
    assert there.open_incidents == 1
    assert sum(d.started for d in here.days) == 1 and sum(d.started for d in there.days) == 6


def test_an_own_caller_counts_only_what_its_lists_show(client: TestClient) -> None:
    services = services_of(client)
    dave = Actor(subject="dave", visibility=Visibility.OWN)
    bob = Actor(subject="bob", groups=("sales",), visibility=Visibility.OWN)
    deploy(services, TESTER, "user_task.bpmn", "user_task_candidates.bpmn", "service_task.bpmn")
    start(services, dave, "user_task")  # dave's instance; its task is alice's
    start(services, dave, "service_task")
    start(services, TESTER, "user_task_candidates")  # offered to bob: bob sees the task, not the instance
    start(services, TESTER, "service_task")
    start(services, TESTER, "user_task")
    [job] = jobs.fetch_and_lock(services, TESTER, "w", [TopicRequest("work-topic", 60_000)], 2)[1:]
    jobs.fail(services, TESTER, job.id, "w", "down", 0, 0)  # the incident is on the second job's instance

    for actor in (dave, bob, TESTER):
        seen = dashboard.overview(services, actor)
        listed = instance_listing.search(
            services,
            actor,
            instance_listing.InstanceFilter(
                statuses=(instance_listing.StatusFilter(InstanceStatus.RUNNING),)
            ),
            OffsetPage(with_total=True),
        )
        ready = task_listing.search(
            services,
            actor,
            task_listing.TaskFilter(states=(task_listing.TaskStateFilter(TaskState.READY),)),
            OffsetPage(with_total=True),
        )
        incidents = jobs.search_incidents(services, actor, None, True, None, 100).items
        assert seen.instances.running == listed.total, actor
        assert seen.tasks.waiting == ready.total, actor
        assert seen.open_incidents == len(incidents), actor
    assert dashboard.overview(services, dave).instances.running == 2
    assert dashboard.overview(services, dave).tasks == TaskCounts(waiting=0, unassigned=0)
    assert dashboard.overview(services, bob).instances.running == 0
    assert dashboard.overview(services, bob).tasks == TaskCounts(waiting=1, unassigned=1)
    assert dashboard.overview(services, TESTER).instances.running == 5


def test_days_count_starts_and_completions_by_utc_day(client: TestClient) -> None:
    services = services_of(client)
    deploy(services, TESTER, "user_task.bpmn")

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 3, day, hour, minute, tzinfo=UTC)

    with clock_at(services, at(1, 9)):
        old = start(services, TESTER, "user_task")  # before the window; completes inside it
    with clock_at(services, at(7, 23, 59)):
        late_evening = [start(services, TESTER, "user_task") for _ in range(2)]
    with clock_at(services, at(8, 0, 0)):
        midnight = start(services, TESTER, "user_task")
    with clock_at(services, at(8, 12)):
        complete_task(services, ALICE, old)
    with clock_at(services, at(9, 10)):
        complete_task(services, ALICE, late_evening[0])
        instances.cancel(services, TESTER, late_evening[1])  # an end, not a completion
    with clock_at(services, at(11, 0)):
        complete_task(services, ALICE, midnight)  # after the window's last day

    seen = dashboard.overview(services, TESTER, now=at(10, 18), days=5)

    assert seen.days == (
        DayCount(date(2026, 3, 6), started=0, completed=0),
        DayCount(date(2026, 3, 7), started=2, completed=0),
        DayCount(date(2026, 3, 8), started=1, completed=1),
        DayCount(date(2026, 3, 9), started=0, completed=1),
        DayCount(date(2026, 3, 10), started=0, completed=0),
    )
    assert seen.instances == InstanceCounts(running=0, suspended=0, completed=3, canceled=1, with_incidents=0)
    two_weeks = dashboard.overview(services, TESTER, now=at(10, 18)).days  # the default: 14 days
    assert (len(two_weeks), two_weeks[0].day, two_weeks[-1].day) == (14, date(2026, 2, 25), date(2026, 3, 10))
    # a time given in another zone is read as the UTC instant it is
    east = datetime(2026, 3, 11, 1, 0, tzinfo=UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    assert dashboard.overview(services, TESTER, now=east, days=1).days == (DayCount(date(2026, 3, 11), 0, 1),)
    with pytest.raises(InvalidRequest):
        dashboard.overview(services, TESTER, days=0)


def test_api_access_describes_the_token_service_without_secrets(client: TestClient) -> None:
    services = services_of(client)
    environments.create(services, TESTER, "other")
    before = dashboard.api_access(services, TESTER)
    clients.create(services, TESTER, clients.ClientSpec(name="one", client_id="one"))
    clients.create(services, TESTER, clients.ClientSpec(name="two", client_id="two"))
    clients.create(services, TESTER, clients.ClientSpec(name="far", client_id="far", environment="other"))
    clients.disable(services, TESTER, "two")

    seen = dashboard.api_access(services, TESTER)

    assert seen.auth_mode == "oauth"
    assert seen.issuer == client.get("/.well-known/openid-configuration").json()["issuer"]
    assert seen.access_token_lifetime == services.settings.auth.token_lifetime == 3600
    assert seen.refresh_token_lifetime == 30 * 86400
    assert (seen.clients, seen.enabled_clients) == (before.clients + 2, before.enabled_clients + 1)
    assert dashboard.api_access(services, Actor(env="other")).clients == 1
    assert seen.static_token is True
    assert "test-static-token" not in repr(seen)
    [active] = [k for k in keys.list_keys(services) if k.active]
    assert seen.signing_key is not None
    assert (seen.signing_key.kid, seen.signing_key.alg) == (active.kid, active.alg) == (active.kid, "RS256")
    assert seen.signing_key.created_at == active.created_at and seen.signing_key.age_days == 0
    assert seen.signing_key.kid in {k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]}
    assert [e.name for e in seen.environments] == ["default", "other"]

    with clock_at(services, active.created_at + timedelta(days=3, hours=1)):
        aged = dashboard.api_access(services, TESTER).signing_key
    assert aged is not None and aged.age_days == 3

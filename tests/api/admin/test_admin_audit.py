"""Admin API for the audit log: newest first, filters, paging, and no secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from flowport.errors import InvalidRequest
from flowport.persistence.db import write_transaction
from flowport.persistence.repositories import audit as audit_repo
from flowport.persistence.repositories.audit import AuditEvent
from flowport.services import audit
from tests.api.auth_helpers import bearer, problem, services_of

AUDIT = "/api/v1/admin/audit"


def test_events_come_newest_first_and_page(client: TestClient, admin: dict[str, str]) -> None:
    for name in ("e1", "e2", "e3"):
        client.post("/api/v1/admin/environments", json={"name": name}, headers=admin)
    first = client.get(AUDIT, params={"event": "environment.created", "limit": 2}, headers=admin)
    assert first.status_code == 200, first.text
    page = first.json()
    assert [e["subject"] for e in page["items"]] == ["e3", "e2"]
    assert all(e["event"] == "environment.created" for e in page["items"])
    assert page["items"][0]["at"] >= page["items"][1]["at"]
    rest = client.get(
        AUDIT,
        params={"event": "environment.created", "limit": 2, "cursor": page["nextCursor"]},
        headers=admin,
    ).json()
    assert [e["subject"] for e in rest["items"]] == ["e1"] and rest["nextCursor"] is None


def test_failed_logins_are_audited_without_the_password(client: TestClient, admin: dict[str, str]) -> None:
    client.post("/api/login", json={"username": "mallory", "password": "guess-1234"})
    response = client.get(AUDIT, params={"event": "auth.failed"}, headers=admin)
    events = [e for e in response.json()["items"] if e["subject"] == "mallory"]
    assert len(events) == 1 and events[0]["sourceIp"] == "testclient"
    assert events[0]["details"] == {"endpoint": "login", "method": "password", "knownUser": False}
    assert "guess-1234" not in response.text


def test_a_bad_cursor_is_a_400(client: TestClient, admin: dict[str, str]) -> None:
    problem(client.get(AUDIT, params={"cursor": "nonsense"}, headers=admin), 400)
    problem(client.get(AUDIT, params={"limit": 0}, headers=admin), 400)


def test_the_audit_log_needs_admin_audit(client: TestClient, admin: dict[str, str]) -> None:
    created = client.post(
        "/api/v1/admin/clients",
        json={"name": "ops", "clientId": "ops", "profile": None, "permissions": ["admin:clients"]},
        headers=admin,
    ).json()
    headers = bearer(client, "ops", created["clientSecret"])
    assert problem(client.get(AUDIT, headers=headers), 403)["missingPermission"] == "admin:audit"
    problem(client.get(AUDIT), 401)


DAY = datetime(2026, 3, 10, tzinfo=UTC)


def seed(client: TestClient, *events: tuple[str, str, datetime]) -> None:
    """Audit events (event, subject, at) written as they happened at those times."""
    with write_transaction(services_of(client).db) as conn:
        audit_repo.insert(conn, [AuditEvent(e, "default", "test", who, at=at) for e, who, at in events])


def subjects(client: TestClient, admin: dict[str, str], **params: str | int) -> list[str]:
    response = client.get(AUDIT, params={"event": "test.seen", **params}, headers=admin)
    assert response.status_code == 200, response.text
    return [e["subject"] for e in response.json()["items"]]


def test_the_subject_filter_matches_exactly(client: TestClient, admin: dict[str, str]) -> None:
    seed(client, ("test.seen", "alice", DAY), ("test.seen", "alice2", DAY), ("test.seen", "bob", DAY))
    client.post("/api/v1/admin/environments", json={"name": "alice"}, headers=admin)
    assert subjects(client, admin, subject="alice") == ["alice"]
    everything = client.get(AUDIT, params={"subject": "alice"}, headers=admin).json()["items"]
    assert [e["event"] for e in everything] == ["environment.created", "test.seen"]
    assert subjects(client, admin, subject="ALICE") == []


def test_the_time_range_is_half_open_and_read_in_utc(client: TestClient, admin: dict[str, str]) -> None:
    hour = timedelta(hours=1)
    seed(
        client,
        ("test.seen", "before", DAY - timedelta(seconds=1)),
        ("test.seen", "at-start", DAY),
        ("test.seen", "inside", DAY + hour),
        ("test.seen", "at-end", DAY + 2 * hour),
    )
    start, end = DAY.isoformat(), (DAY + 2 * hour).isoformat()
    assert subjects(client, admin, occurredFrom=start, occurredTo=end) == ["inside", "at-start"]
    assert subjects(client, admin, occurredFrom=start) == ["at-end", "inside", "at-start"]
    assert subjects(client, admin, occurredTo=start) == ["before"]
    # a date is its midnight, a time without a zone is UTC, another zone is converted
    assert subjects(client, admin, occurredTo="2026-03-10") == ["before"]
    assert subjects(client, admin, occurredFrom="2026-03-10T01:00:00", occurredTo="2026-03-10T02:00:00") == [
        "inside"
    ]
    assert subjects(
        client, admin, occurredFrom="2026-03-10T02:00:00+01:00", occurredTo="2026-03-10T02:00Z"
    ) == ["inside"]


def test_filters_combine_and_page_without_losing_or_repeating(
    client: TestClient, admin: dict[str, str]
) -> None:
    minute = timedelta(minutes=1)
    events = []
    for n in range(12):
        events.append(("test.seen", "carol", DAY + n * minute))  # carol 0..11: wanted are 2..9
        events.append(("test.seen", "dave", DAY + n * minute))
        events.append(("test.other", "carol", DAY + n * minute))
    seed(client, *events)
    params = {
        "subject": "carol",
        "occurredFrom": (DAY + 2 * minute).isoformat(),
        "occurredTo": (DAY + 10 * minute).isoformat(),
        "limit": 3,
    }
    seen, cursor, pages = [], None, 0
    while True:
        page = client.get(
            AUDIT,
            params={"event": "test.seen", **params, **({"cursor": cursor} if cursor else {})},
            headers=admin,
        ).json()
        pages += 1
        seen += [(e["subject"], e["event"], e["at"]) for e in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert pages == 3
    assert [at for _, _, at in seen] == sorted((at for _, _, at in seen), reverse=True)
    assert {(who, event) for who, event, _ in seen} == {("carol", "test.seen")}
    wanted = [(DAY + n * minute) for n in range(9, 1, -1)]
    assert [datetime.fromisoformat(at.replace("Z", "+00:00")) for _, _, at in seen] == wanted


@pytest.mark.parametrize(
    "params",
    [
        {"occurredFrom": "yesterday"},
        {"occurredTo": "2026-02-30"},
        {"occurredFrom": "2026-03-11", "occurredTo": "2026-03-10"},
    ],
)
def test_a_bad_time_is_a_400(client: TestClient, admin: dict[str, str], params: dict[str, str]) -> None:
    problem(client.get(AUDIT, params=params, headers=admin), 400)


def test_the_service_refuses_a_time_without_a_zone(client: TestClient) -> None:
    services = services_of(client)
    with pytest.raises(InvalidRequest, match="time zone"):
        audit.search(services, None, None, None, 10, occurred_from=datetime(2026, 3, 10))
    seed(client, ("test.seen", "erin", DAY + timedelta(hours=1)))
    two_hours_east = timezone(timedelta(hours=2))
    found = audit.search(
        services,
        None,
        "test.seen",
        None,
        10,
        occurred_from=datetime(2026, 3, 10, 3, 0, tzinfo=two_hours_east),
    )
    assert [e.subject for e in found.items] == ["erin"]

"""Cursor paging: iterators fetch the next page only when the previous one is used up."""

from __future__ import annotations

import asyncio

import httpx

from flowport.client import Page
from tests.unit.sdk.fake_server import FakeServer, instance_json

PAGES = {
    None: {"items": [instance_json("a"), instance_json("b")], "nextCursor": "c2"},
    "c2": {"items": [instance_json("c")], "nextCursor": "c3"},
    "c3": {"items": [instance_json("d")], "nextCursor": None},
}


def _server() -> FakeServer:
    server = FakeServer()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=PAGES[request.url.params.get("cursor")])

    server.route("GET", "/api/v1/process-instances", answer)
    return server


def test_iterating_walks_every_page_lazily() -> None:
    server = _server()
    with server.client() as client:
        found = client.instances.search(status="RUNNING", page_size=2)
        assert server.api_requests() == []  # nothing sent until iteration starts
        items = iter(found)
        assert [next(items).id, next(items).id] == ["a", "b"]
        assert len(server.api_requests()) == 1
        assert [i.id for i in items] == ["c", "d"]
    sent = server.api_requests()
    assert [r.url.params.get("cursor") for r in sent] == [None, "c2", "c3"]
    assert {r.url.params["status"] for r in sent} == {"RUNNING"}
    assert {r.url.params["limit"] for r in sent} == {"2"}


def test_one_page_at_a_time() -> None:
    server = _server()
    with server.client() as client:
        first = client.instances.search().page()
        second = client.instances.search().page(first.next_cursor)
    assert isinstance(first, Page)
    assert [i.id for i in first.items] == ["a", "b"]
    assert [i.id for i in second.items] == ["c"]
    assert second.next_cursor == "c3"


def test_async_iteration_walks_every_page() -> None:
    server = _server()

    async def main() -> list[str]:
        async with server.async_client() as client:
            return [i.id async for i in client.instances.search()]

    assert asyncio.run(main()) == ["a", "b", "c", "d"]
    assert len(server.api_requests()) == 3

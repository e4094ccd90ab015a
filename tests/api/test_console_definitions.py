"""The console's Definitions pages without a browser: refusals, bad input, escaping, unknown ids."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from flowport.api.app import create_app
from flowport.config import Settings
from tests.helpers import AUTH, bpmn

PASSWORD = "correct horse battery"
HOSTILE = "<script>alert(1)</script>"
HOSTILE_BPMN = (
    bpmn("user_task.bpmn")
    .replace(b'name="Task 1"', b'name="&lt;script&gt;alert(1)&lt;/script&gt;"')
    .replace(b'name="User task"', b'name="&lt;script&gt;alert(1)&lt;/script&gt;"')
)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def browser(settings: Settings) -> Iterator[TestClient]:
    """One app; API calls pass the static token, console calls ride on the session cookie."""
    with TestClient(create_app(settings)) as client:
        for name, profile in (("admin", "Admin"), ("reader", "ObjectRead")):
            body = {"username": name, "password": PASSWORD, "profile": profile, "groups": []}
            created = client.post("/api/v1/admin/users", json=body, headers=AUTH)
            assert created.status_code == 201, created.text
        yield client


def log_in(client: TestClient, username: str) -> str:
    """Log in through the console's form; the CSRF token the pages' forms carry."""
    response = client.post(
        "/console/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    page = client.get("/console/definitions")
    assert page.status_code == 200, page.text
    match = _CSRF.search(page.text)
    assert match is not None
    return match.group(1)


def upload(client: TestClient, csrf: str | None, *files: tuple[str, bytes]) -> Any:
    data = {"csrf_token": csrf} if csrf is not None else {}
    parts = [("files", (name, content, "application/octet-stream")) for name, content in files]
    return client.post("/console/definitions", data=data, files=parts)


def deployed_keys(client: TestClient) -> list[str]:
    response = client.get("/api/v1/process-definitions", headers=AUTH)
    assert response.status_code == 200, response.text
    return [d["key"] for d in response.json()["items"]]


def test_a_reader_sees_no_upload_form_and_the_server_refuses_the_upload(browser: TestClient) -> None:
    csrf = log_in(browser, "reader")
    page = browser.get("/console/definitions")
    assert 'type="file"' not in page.text and "Upload BPMN files" not in page.text
    response = upload(browser, csrf, ("user_task.bpmn", bpmn("user_task.bpmn")))
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "definitions:deploy" in response.text
    assert deployed_keys(browser) == []


def test_an_upload_without_the_csrf_token_is_refused(browser: TestClient) -> None:
    log_in(browser, "admin")
    response = upload(browser, None, ("user_task.bpmn", bpmn("user_task.bpmn")))
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    response = upload(browser, "not-the-token", ("user_task.bpmn", bpmn("user_task.bpmn")))
    assert response.status_code == 403
    assert deployed_keys(browser) == []


def test_an_upload_from_another_site_is_refused(browser: TestClient) -> None:
    csrf = log_in(browser, "admin")
    response = browser.post(
        "/console/definitions",
        data={"csrf_token": csrf},
        files=[("files", ("user_task.bpmn", bpmn("user_task.bpmn"), "application/xml"))],
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert deployed_keys(browser) == []


def test_each_file_gets_its_own_outcome_and_a_bad_one_stops_none(browser: TestClient) -> None:
    csrf = log_in(browser, "admin")
    response = upload(
        browser,
        csrf,
        ("bad_malformed.bpmn", bpmn("bad_malformed.bpmn")),
        ("user_task.bpmn", bpmn("user_task.bpmn")),
        ("bad_missing_target.bpmn", bpmn("bad_missing_target.bpmn")),
    )
    assert response.status_code == 200, response.text
    assert "1 of 3 files deployed; 2 refused." in response.text
    assert "line 15" in response.text  # the malformed file's line
    assert "element task1" in response.text  # the bad reference's element
    assert deployed_keys(browser) == ["user_task"]
    again = upload(browser, csrf, ("copy.bpmn", bpmn("user_task.bpmn")))
    assert "unchanged" in again.text and deployed_keys(browser) == ["user_task"]


def test_an_empty_upload_says_what_to_do(browser: TestClient) -> None:
    csrf = log_in(browser, "admin")
    nothing = browser.post("/console/definitions", data={"csrf_token": csrf})
    assert nothing.status_code == 400
    assert "Choose at least one BPMN file." in nothing.text
    # What a browser sends for an untouched file input: one part with no name and no bytes.
    untouched = upload(browser, csrf, ("", b""))
    assert untouched.status_code == 400 and "Choose at least one BPMN file." in untouched.text


def test_a_file_over_the_bpmn_limit_is_refused_by_name(browser: TestClient) -> None:
    csrf = log_in(browser, "admin")
    limit = browser.app.state.services.settings.max_bpmn_bytes  # type: ignore[attr-defined]
    huge = bpmn("user_task.bpmn").replace(b"</bpmn:definitions>", b"<!--" + b"x" * limit + b"-->")
    response = upload(browser, csrf, ("huge.bpmn", huge), ("user_task.bpmn", bpmn("user_task.bpmn")))
    assert response.status_code == 200
    assert f"larger than the limit of {limit} bytes" in response.text
    assert deployed_keys(browser) == ["user_task"]


def test_hostile_labels_render_escaped_in_the_list_the_page_and_the_svg(browser: TestClient) -> None:
    csrf = log_in(browser, "admin")
    result = upload(browser, csrf, ("hostile.bpmn", HOSTILE_BPMN))
    assert "1 of 1 file deployed." in result.text
    listing = browser.get("/console/definitions")
    definition_id = re.search(r'href="/console/definitions/([0-9a-f-]{36})"', listing.text)
    assert definition_id is not None
    page = browser.get(f"/console/definitions/{definition_id.group(1)}")
    assert page.status_code == 200
    svg = page.text[page.text.index("<svg") : page.text.index("</svg>")]
    for html in (result.text, listing.text, page.text):
        assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg  # the task's label, escaped in the SVG
    assert "<script" not in svg


def test_the_definition_page_shows_diagram_versions_and_xml(browser: TestClient) -> None:
    csrf = log_in(browser, "admin")
    upload(browser, csrf, ("user_task.bpmn", bpmn("user_task.bpmn")))
    second = bpmn("user_task.bpmn").replace(b'name="Task 1"', b'name="Task one"')
    upload(browser, csrf, ("user_task_v2.bpmn", second))
    items = browser.get("/api/v1/process-definitions", headers=AUTH).json()["items"]
    newest = next(d for d in items if d["version"] == 2)
    oldest = next(d for d in items if d["version"] == 1)
    listing = browser.get("/console/definitions")
    assert listing.text.count('href="/console/definitions/') == 1  # one row per key: the latest
    assert f'href="/console/definitions/{newest["id"]}"' in listing.text
    page = browser.get(f"/console/definitions/{newest['id']}")
    assert 'class="diagram"' in page.text and "Task one" in page.text
    assert f'href="/console/definitions/{oldest["id"]}">Version 1</a>' in page.text
    assert "&lt;bpmn:userTask" in page.text  # the XML, escaped in the <pre>
    assert 'href="/console/diagram.css"' in page.text
    download = browser.get(f"/console/definitions/{newest['id']}/xml")
    assert download.status_code == 200 and download.content == second
    assert download.headers["content-type"].startswith("application/xml")
    assert download.headers["content-disposition"] == 'attachment; filename="user_task-v2.bpmn"'


def test_the_list_filters_by_a_part_of_the_key_or_name(browser: TestClient) -> None:
    csrf = log_in(browser, "admin")
    upload(browser, csrf, ("a.bpmn", bpmn("user_task.bpmn")), ("b.bpmn", bpmn("service_task.bpmn")))
    by_name = browser.get("/console/definitions", params={"q": "USER T"})
    assert ">user_task</a>" in by_name.text and ">service_task</a>" not in by_name.text
    by_key = browser.get("/console/definitions", params={"q": "service_"})
    assert ">service_task</a>" in by_key.text and ">user_task</a>" not in by_key.text
    wildcard = browser.get("/console/definitions", params={"q": "%"})
    assert "No process has a key or name containing" in wildcard.text
    bad_cursor = browser.get("/console/definitions", params={"cursor": "nonsense"})
    assert bad_cursor.status_code == 400 and bad_cursor.headers["content-type"].startswith("text/html")


def test_a_document_without_layout_shows_the_placeholder(browser: TestClient) -> None:
    csrf = log_in(browser, "admin")
    xml = bpmn("user_task.bpmn")
    bare = xml[: xml.index(b"<bpmndi:BPMNDiagram")] + b"</bpmn:definitions>"
    upload(browser, csrf, ("bare.bpmn", bare))
    definition = browser.get("/api/v1/process-definitions", headers=AUTH).json()["items"][0]
    page = browser.get(f"/console/definitions/{definition['id']}")
    assert page.status_code == 200 and "This diagram has no layout information" in page.text


def test_unknown_ids_get_an_html_404(browser: TestClient) -> None:
    log_in(browser, "admin")
    for path in ("/console/definitions/nope", "/console/definitions/nope/xml"):
        response = browser.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Process definition nope does not exist" in response.text


def test_delete_is_offered_to_deleters_only_and_running_instances_need_the_cascade(
    browser: TestClient,
) -> None:
    reader_csrf = log_in(browser, "reader")
    definition = browser.post(
        "/api/v1/process-definitions",
        content=bpmn("user_task.bpmn"),
        headers={**AUTH, "content-type": "application/xml"},
    ).json()["definitions"][0]
    page_path = f"/console/definitions/{definition['id']}"
    assert "Delete this version" not in browser.get(page_path).text
    refused = browser.post(f"{page_path}/delete", data={"csrf_token": reader_csrf})
    assert refused.status_code == 403 and deployed_keys(browser) == ["user_task"]

    browser.post("/console/logout", data={"csrf_token": reader_csrf})
    csrf = log_in(browser, "admin")
    started = browser.post("/api/v1/process-instances", json={"definitionKey": "user_task"}, headers=AUTH)
    assert started.status_code == 201, started.text
    page = browser.get(page_path)
    assert "Delete this version" in page.text and "Delete with its instances" in page.text
    plain = browser.post(f"{page_path}/delete", data={"csrf_token": csrf}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == page_path
    assert "still running" in browser.get(page_path).text  # the flash names the reason
    assert deployed_keys(browser) == ["user_task"]
    cascade = browser.post(
        f"{page_path}/delete", data={"csrf_token": csrf, "cascade": "true"}, follow_redirects=False
    )
    assert cascade.status_code == 303 and cascade.headers["location"] == "/console/definitions"
    assert "Deleted version 1 of user_task and its instances." in browser.get("/console/definitions").text
    assert deployed_keys(browser) == []
    gone = browser.get(f"/api/v1/process-instances/{started.json()['id']}", headers=AUTH)
    assert gone.status_code == 404


def test_a_diagram_that_cannot_be_drawn_shows_a_message_not_a_500(browser: TestClient) -> None:
    csrf = log_in(browser, "admin")
    broken = bpmn("user_task.bpmn").replace(b'x="240" y="80"', b'x="1e12" y="80"')
    result = upload(browser, csrf, ("broken.bpmn", broken))
    assert "1 of 1 file deployed." in result.text  # the engine does not read the layout
    definition = browser.get("/api/v1/process-definitions", headers=AUTH).json()["items"][0]
    page = browser.get(f"/console/definitions/{definition['id']}")
    assert page.status_code == 200
    assert "The diagram cannot be drawn" in page.text and "1e12" in page.text
    assert "<svg" not in page.text and "&lt;bpmn:userTask" in page.text  # the XML still shows

"""Token requests are read only as what they say they are (RFC 6749 sections 3.2 and 4.4.2, appendix B)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from tests.api.oauth_support import APP, APP_SECRET, READER, READER_SECRET, claims_of, oauth_error

FORM = urlencode({"grant_type": "client_credentials", "client_id": APP, "client_secret": APP_SECRET})


@pytest.mark.parametrize(
    ("charset", "readable"),
    [("utf-16", "UTF-8"), ("UTF-16LE", "utf-8"), ("iso-8859-1", '"us-ascii"'), ('"utf-32"', "utf8")],
)
def test_a_form_in_another_charset_is_refused(http: TestClient, charset: str, readable: str) -> None:
    # ASCII bytes, so reading them as UTF-8 would "work": the body is refused for what it claims to be
    response = http.post(
        "/connect/token",
        content=FORM.encode("ascii"),
        headers={"content-type": f"application/x-www-form-urlencoded; charset={charset}"},
    )
    body = oauth_error(response, 400, "invalid_request")
    named = charset.strip('"').lower()
    assert f"charset={named}" in body["error_description"]
    # the same bytes declared as what they are (Authlib and requests-oauthlib add charset=UTF-8)
    same = http.post(
        "/connect/token",
        content=FORM.encode("ascii"),
        headers={"content-type": f"application/x-www-form-urlencoded;charset={readable}"},
    )
    assert same.status_code == 200, same.text


def test_a_body_without_a_content_type_is_refused_an_empty_one_is_not(http: TestClient) -> None:
    response = http.post("/connect/token", content=FORM.encode())
    assert "content-type" not in response.request.headers
    body = oauth_error(response, 400, "invalid_request")
    assert "no Content-Type" in body["error_description"]
    # SAP's clients: grant_type in the query string, HTTP Basic, nothing in the body
    empty = http.post("/oauth/token?grant_type=client_credentials", auth=(APP, APP_SECRET))
    assert "content-type" not in empty.request.headers
    assert empty.status_code == 200, empty.text


def test_a_client_id_repeated_in_json_is_refused(http: TestClient) -> None:
    """Before, the second client_id (and client_secret) won: a token for a client not named first."""
    raw = (
        '{"grant_type": "client_credentials", '
        f'"client_id": "{READER}", "client_secret": "{READER_SECRET}", '
        f'"client_id": "{APP}", "client_secret": "{APP_SECRET}"}}'
    )
    response = http.post("/oauth/token", content=raw, headers={"content-type": "application/json"})
    body = oauth_error(response, 400, "invalid_request")
    assert "repeats the key 'client_id'" in body["error_description"]
    once = {"grant_type": "client_credentials", "client_id": APP, "client_secret": APP_SECRET}
    response = http.post(
        "/oauth/token", content=json.dumps(once), headers={"content-type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 200, response.text
    assert claims_of(response.json()["access_token"])["client_id"] == APP


def test_a_form_value_that_is_not_utf8_is_refused(http: TestClient) -> None:
    response = http.post(
        "/connect/token",
        content=f"{FORM}&scope=%FF".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    body = oauth_error(response, 400, "invalid_request")
    assert "UTF-8" in body["error_description"]


def test_introspection_reads_bodies_the_same_way(http: TestClient) -> None:
    response = http.post("/connect/introspect", content=b"token=x", auth=(APP, APP_SECRET))
    oauth_error(response, 400, "invalid_request")

"""The README's "Coming from Camunda Tasklist" commands run as written against the live server."""

from __future__ import annotations

import json
from pathlib import Path

from flowport.examples import __file__ as examples_init
from tests.compat.camunda_tasklist.conftest import Camunda
from tests.compat.readme import bash_blocks, run_bash

APPROVAL = (Path(examples_init).parent / "approval.bpmn").read_bytes()


def test_the_readme_section_runs_as_written(camunda: Camunda, tmp_path: Path) -> None:
    camunda.admin(
        "POST", "/api/v1/process-definitions", content=APPROVAL, headers={"content-type": "application/xml"}
    )
    body = {"name": "README reader", "clientId": "readme-app", "profile": "ObjectReadWrite"}
    secret = camunda.admin("POST", "/api/v1/admin/clients", json=body)["clientSecret"]
    [script] = bash_blocks("## Coming from Camunda Tasklist")
    # In a scratch directory: the commands write cookie.txt where they run.
    output = run_bash(f"cd {tmp_path}\n{script}", camunda.url, {"ID": "readme-app", "SECRET": secret})

    # curl prints each answer without a newline: pick the GraphQL ones out of the stream.
    decoder = json.JSONDecoder()
    graphql_answers = [
        decoder.raw_decode(output, at)[0] for at in range(len(output)) if output.startswith('{"data":', at)
    ]
    assert graphql_answers[0]["data"]["tasks"], output
    reviewed = graphql_answers[-1]["data"]["task"]
    assert (reviewed["taskState"], reviewed["assignee"]) == ("COMPLETED", "demo")
    [instance] = camunda.admin("GET", "/api/v1/process-instances", params={"definitionKey": "approval"})[
        "items"
    ]
    variables = camunda.admin("GET", f"/api/v1/process-instances/{instance['id']}/variables")
    assert variables["amount"] == 250 and variables["approved"] is True

"""The README's "Coming from SAP Workflow" commands, run as written against the suite's server."""

from __future__ import annotations

import re
from pathlib import Path

from tests.compat.readme import bash_blocks, run_bash
from tests.compat.sap.conftest import Sap
from tests.helpers import AUTH

EXAMPLES = Path(__file__).parents[3] / "src" / "flowport" / "examples"


def test_the_readme_section_runs_as_written(sap: Sap) -> None:
    for name in ("approval.bpmn", "order.bpmn", "external_service.bpmn"):  # what `make serve` deploys
        deployed = sap.http.post(
            "/api/v1/process-definitions",
            content=(EXAMPLES / name).read_bytes(),
            headers={**AUTH, "Content-Type": "application/xml"},
        )
        assert deployed.status_code in (200, 201), deployed.text
    (script,) = bash_blocks("## Coming from SAP Workflow")
    out = run_bash(script, sap.server.url, {"CLIENT_ID": "sap-app", "CLIENT_SECRET": sap.secrets["sap-app"]})
    assert '"definitionId":"approval"' in out and '"status":"RESERVED"' in out
    assert "x-total-count: 1" in out.lower()
    assert '"type":"USERTASK_COMPLETED"' in out
    found = re.search(r'"id":"([^"]+)","definitionId":"approval"', out)
    assert found, out
    approval = found.group(1)
    read = sap.http.get(f"/v1/workflow-instances/{approval}", headers=sap.as_("sap-app")).json()
    assert read["status"] == "COMPLETED"  # the reviewer approved: the request went through
    context = sap.http.get(f"/v1/workflow-instances/{approval}/context", headers=sap.as_("sap-app"))
    assert context.json()["price"] == 120 and context.json()["approved"] is True
    consumed = [
        line for line in out.splitlines() if line.startswith('[{"id":') and '"definitionId"' not in line
    ]
    assert consumed, out  # the message reached the order
    gone = sap.http.get("/v1/workflow-definitions/invoice", headers=sap.as_("sap-app"))
    assert gone.status_code == 404

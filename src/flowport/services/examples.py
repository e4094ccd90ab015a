"""The example processes that ship with the package."""

from __future__ import annotations

from importlib import resources

from flowport.services import definitions
from flowport.services.context import SYSTEM, Services
from flowport.services.definitions import Deployed


def example_files() -> list[tuple[str, bytes]]:
    folder = resources.files("flowport.examples")
    return sorted((p.name, p.read_bytes()) for p in folder.iterdir() if p.name.endswith(".bpmn"))


def deploy_examples(services: Services) -> list[Deployed]:
    """Deploy every bundled example (identical files keep their version, so this is idempotent)."""
    deployed: list[Deployed] = []
    for _name, xml in example_files():
        deployed.extend(definitions.deploy(services, SYSTEM, xml))
    return deployed

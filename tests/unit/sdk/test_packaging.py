"""The SDK stays installable alone: the import contract forbids every server module, and the docs say how."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

import flowport
from flowport.client import resources, resources_async

ROOT = Path(__file__).resolve().parents[3]


def _contract(name_start: str) -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"].startswith(name_start))


def test_the_sdk_contract_forbids_every_other_flowport_module() -> None:
    package = Path(flowport.__file__).parent
    siblings = {
        f"flowport.{entry.stem}"
        for entry in package.iterdir()
        if (entry.suffix == ".py" and entry.stem != "__init__") or (entry / "__init__.py").exists()
    } - {"flowport.client"}
    forbidden = set(_contract("The SDK (flowport.client)")["forbidden_modules"])  # type: ignore[arg-type]
    assert siblings - forbidden == set()
    assert {"fastapi", "starlette", "sqlalchemy", "SpiffWorkflow", "uvicorn"} <= forbidden


def test_the_base_distribution_depends_only_on_httpx() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert [d.split(">")[0] for d in project["dependencies"]] == ["httpx"]
    assert "server" in project["optional-dependencies"]


def test_the_async_client_offers_the_sync_clients_methods() -> None:
    """resources.py and resources_async.py are two surfaces of one set of operations: kept in step."""
    for name, sync_class in inspect.getmembers(resources, inspect.isclass):
        if sync_class.__module__ != resources.__name__ or name.startswith("_") or name == "Runner":
            continue
        async_class = getattr(resources_async, name)
        for method, function in inspect.getmembers(sync_class, inspect.isfunction):
            if method.startswith("_"):
                continue
            twin = getattr(async_class, method)
            assert list(inspect.signature(twin).parameters) == list(inspect.signature(function).parameters), (
                method
            )

"""Settings come from flowport.toml and FLOWPORT_* variables; secrets never print in clear."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from flowport.config import ExternalIssuer, load_settings, masked


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("FLOWPORT_PORT", "FLOWPORT_HOST", "FLOWPORT_DATABASE_URL", "FLOWPORT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.port == 8077
    assert settings.host == "127.0.0.1"
    assert settings.max_body_bytes == 10 * 1024 * 1024
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_public_url == "http://127.0.0.1:8077"


def test_toml_file_then_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "flowport.toml"
    config.write_text('port = 9001\nworkers = 3\npublic_url = "https://wf.example.com/"\n')
    monkeypatch.delenv("FLOWPORT_PORT", raising=False)
    settings = load_settings(config)
    assert (settings.port, settings.workers) == (9001, 3)
    assert settings.effective_public_url == "https://wf.example.com"
    monkeypatch.setenv("FLOWPORT_PORT", "9002")
    assert load_settings(config).port == 9002
    monkeypatch.setenv("FLOWPORT_CONFIG", str(config))
    assert load_settings().workers == 3


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_settings(tmp_path / "nope.toml")


def test_invalid_values_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWPORT_PORT", "not-a-port")
    with pytest.raises(ValueError):
        load_settings()


def test_postgres_url_uses_psycopg_and_masks_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWPORT_DATABASE_URL", "postgresql://flow:s3cret@db.internal/flowport")
    settings = load_settings()
    assert settings.effective_database_url.startswith("postgresql+psycopg://")
    shown = masked(settings)
    assert "s3cret" not in str(shown)
    assert "db.internal" in shown["effective_database_url"]


def test_an_unknown_permission_in_an_external_role_mapping_stops_the_start() -> None:
    mapped = ExternalIssuer(issuer="https://idp.example.com", role_permissions={"ops": ["Admin", "read:*"]})
    assert mapped.role_permissions == {"ops": ["Admin", "read:*"]}
    with pytest.raises(ValidationError, match="Admn"):
        ExternalIssuer(issuer="https://idp.example.com", role_permissions={"ops": ["Admn"]})

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


def test_trusted_proxies_come_comma_separated_and_none_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flowport.api.server import proxy_options

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FLOWPORT_TRUSTED_PROXIES", raising=False)
    default = load_settings()
    assert default.trusted_proxies == []
    assert proxy_options(default) == {"proxy_headers": False, "forwarded_allow_ips": []}
    monkeypatch.setenv("FLOWPORT_TRUSTED_PROXIES", "127.0.0.1, 10.1.2.3/8,::1")
    behind = load_settings()
    assert behind.trusted_proxies == ["127.0.0.1", "10.0.0.0/8", "::1"]
    assert proxy_options(behind) == {"proxy_headers": True, "forwarded_allow_ips": behind.trusted_proxies}
    monkeypatch.setenv("FLOWPORT_TRUSTED_PROXIES", '["192.0.2.1"]')
    assert load_settings().trusted_proxies == ["192.0.2.1"]
    monkeypatch.setenv("FLOWPORT_TRUSTED_PROXIES", "proxy.internal")  # uvicorn would trust nobody, silently
    with pytest.raises(ValueError, match="trusted_proxies"):
        load_settings()

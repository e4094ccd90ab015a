"""Open mode (no authentication) refuses to listen beyond loopback unless explicitly forced."""

from __future__ import annotations

import pytest

from flowport.api.server import OpenModeRefused, check_open_mode
from flowport.config import Settings


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.5"])
def test_open_mode_on_loopback_is_allowed(host: str) -> None:
    check_open_mode(Settings(host=host, auth={"mode": "open"}))  # type: ignore[arg-type]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com"])
def test_open_mode_on_network_is_refused(host: str) -> None:
    with pytest.raises(OpenModeRefused, match="open mode"):
        check_open_mode(Settings(host=host, auth={"mode": "open"}))  # type: ignore[arg-type]


def test_open_mode_on_network_can_be_forced() -> None:
    forced = Settings(host="0.0.0.0", auth={"mode": "open", "allow_open_on_network": True})  # type: ignore[arg-type]
    check_open_mode(forced)


def test_oauth_mode_binds_anywhere() -> None:
    check_open_mode(Settings(host="0.0.0.0"))

"""Start-up of the token service: keys, bootstrap clients, demo user, loud warnings."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flowport.config import ClientConfig
from flowport.services.context import Services

log = logging.getLogger("flowport.auth")


def prepare_auth(services: Services, code_clients: Sequence[ClientConfig] = ()) -> None:
    """Load or create the keys, sync configured clients and create the first admin client."""
    settings = services.settings
    if settings.auth.mode == "open":
        log.warning(
            "FLOWPORT RUNS IN OPEN MODE: every request is accepted without credentials. "
            "Use it for local experiments only."
        )
    try:
        from flowport.auth.runtime import build
    except ImportError:  # pragma: no cover - the token service is being assembled
        return
    services.auth = build(settings, services.db)
    try:
        from flowport.services.bootstrap import bootstrap
    except ImportError:  # pragma: no cover
        return
    created = bootstrap(services, list(code_clients))
    if created is not None:
        log.warning("%s", created)

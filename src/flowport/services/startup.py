"""Start-up of the token service: keys, bootstrap clients, demo user, loud warnings."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flowport.auth.runtime import build
from flowport.config import ClientConfig
from flowport.services.bootstrap import AdminCredentials, bootstrap
from flowport.services.context import Services

log = logging.getLogger("flowport.auth")


def prepare_auth(services: Services, code_clients: Sequence[ClientConfig] = ()) -> AdminCredentials | None:
    """Load or create the keys, sync declared clients; return the first admin client if created now.

    The caller shows the returned credentials once, to the operator (never through the log).
    """
    if services.settings.auth.mode == "open":
        log.warning(
            "FLOWPORT RUNS IN OPEN MODE: every request is accepted without credentials. "
            "Use it for local experiments only."
        )
    services.auth = build(services.settings, services.db)
    return bootstrap(services, list(code_clients))

"""The route classes of the SAP facade: SAP's error shape, and the SAP authority in the OpenAPI document."""

from __future__ import annotations

from typing import Any, ClassVar

from flowport.api.edge import EdgeRoute
from flowport.compat.sap.authorities import sap_authorities
from flowport.compat.sap.errors import SapTranslator


class SapRoute(EdgeRoute):
    """A route of the SAP facade: SAP's error shape; the OpenAPI document names its SAP authority."""

    translator: ClassVar[SapTranslator] = SapTranslator()

    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        names = sap_authorities(self.dependant)
        if names:
            self.openapi_extra = {**(self.openapi_extra or {}), "x-sap-authority": " | ".join(names)}


class SapValidatedUpdateRoute(SapRoute):
    """SAP answers a task update it cannot apply with 422 (Unprocessable Entity), not 400."""

    translator: ClassVar[SapTranslator] = SapTranslator(invalid_status=422)

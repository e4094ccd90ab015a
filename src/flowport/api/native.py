"""The native API's edge (``/api/v1``, the token service, sessions, operations): RFC 9457 problems."""

from __future__ import annotations

from flowport.api.edge import EdgeRoute
from flowport.api.problems import ProblemTranslator


class NativeRoute(EdgeRoute):
    """The route class of every native router: strict JSON bodies, domain errors as problems."""

    translator = ProblemTranslator()

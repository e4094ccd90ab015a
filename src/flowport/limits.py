"""Limits every layer applies alike, so what one edge accepts the engine can store and read back."""

from __future__ import annotations

# Arrays and objects inside each other: request bodies and the data scripts leave behind.
# No workflow payload needs more, and deeper data would exhaust recursion in copies and encoders.
MAX_DATA_DEPTH = 64

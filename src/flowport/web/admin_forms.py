"""Reading the administration pages' forms: text fields, name lists, checkboxes, numbers.

A form's values are strings a person typed; the services check what they mean (a profile, a
permission, a name) and answer with the message the page shows. Only the shape is read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from flowport.errors import InvalidRequest
from flowport.permissions import CATALOG, PROFILES
from flowport.states import Visibility

_SEPARATORS = re.compile(r"[,\n]")


def text(form: FormData, name: str) -> str:
    """The field ``name`` with surrounding blanks removed (empty when absent or a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def names(form: FormData, name: str) -> list[str]:
    """A list typed into one field, separated by commas or lines (``managers, approvers``)."""
    return [part.strip() for part in _SEPARATORS.split(text(form, name)) if part.strip()]


def checked(form: FormData, name: str) -> list[str]:
    """The values of the checked boxes called ``name``."""
    return [value for value in form.getlist(name) if isinstance(value, str)]


def optional_int(form: FormData, name: str, label: str) -> int | None:
    """A whole number, or None when the field is empty; anything else is refused naming ``label``."""
    raw = text(form, name)
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise InvalidRequest(f"{label} must be a whole number")
    return int(raw)


def profile(form: FormData, name: str = "profile") -> str | None:
    """The chosen profile; empty means none (the permissions alone); the service checks the name."""
    return text(form, name) or None


def visibility(form: FormData, name: str = "visibility") -> Visibility:
    raw = text(form, name) or Visibility.SHARED.value
    try:
        return Visibility(raw)
    except ValueError as exc:
        raise InvalidRequest("Visibility must be 'own' or 'shared'") from exc


@dataclass(frozen=True)
class Choices:
    """What the forms offer: profiles, the permission catalog, visibilities."""

    profiles: tuple[str, ...] = tuple(PROFILES)
    permissions: tuple[str, ...] = tuple(sorted(CATALOG))
    visibilities: tuple[str, ...] = tuple(v.value for v in Visibility)

    def as_context(self) -> dict[str, Any]:
        return {"profiles": self.profiles, "catalog": self.permissions, "visibilities": self.visibilities}


CHOICES = Choices()

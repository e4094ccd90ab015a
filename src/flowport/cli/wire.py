"""The services' views as the native API sends them, then as the SDK reads them.

The in-process commands go through the API's own response schemas, so their tables and their
``--json`` are those of a remote server to the field: one place decides the wire shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flowport.api.schemas import ApiModel
from flowport.client.models import Model, Page
from flowport.services.paging import Page as ServicePage

M = TypeVar("M", bound=Model)


def as_json(schema: type[ApiModel], view: object) -> dict[str, Any]:
    """``view`` in the API's camelCase JSON."""
    return schema.model_validate(view).model_dump(mode="json", by_alias=True)


def model(schema: type[ApiModel], cls: type[M], view: object, **extra: Any) -> M:
    """``view`` as the SDK model ``cls`` (``extra``: wire fields the view does not carry)."""
    return cls.from_json({**as_json(schema, view), **extra})


def models(schema: type[ApiModel], cls: type[M], views: Iterable[object]) -> list[M]:
    return [model(schema, cls, view) for view in views]


def page(schema: type[ApiModel], cls: type[M], found: ServicePage[Any]) -> Page[M]:
    return Page(tuple(models(schema, cls, found.items)), found.next_cursor)


def summary_page(shape: Callable[[object], ApiModel], cls: type[M], found: ServicePage[Any]) -> Page[M]:
    """A page whose items the API shapes with a function (e.g. instances without their variables)."""
    items = (cls.from_json(shape(view).model_dump(mode="json", by_alias=True)) for view in found.items)
    return Page(tuple(items), found.next_cursor)

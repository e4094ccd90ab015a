"""Example values built from OpenAPI 3.1 schemas (JSON Schema 2020-12), for the console's API page.

An example is what a developer would type first: required properties, the optional ones that are
not nullable, and the values the schema names (``example``, ``examples``, ``default``, ``enum``).
``$ref`` is resolved against the document's components; a recursive schema stops after a bounded
depth (an empty object or list), so every example is finite.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_DEPTH = 8
_REF_PREFIX = "#/components/schemas/"
_STRING_FORMATS: dict[str, str] = {
    "date-time": "2026-01-01T09:00:00Z",
    "date": "2026-01-01",
    "time": "09:00:00",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "binary": "",
}

Schema = Mapping[str, Any]


class SchemaResolver:
    """Looks up ``#/components/schemas/<name>`` references of one OpenAPI document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        components = document.get("components") or {}
        self._schemas: Mapping[str, Any] = components.get("schemas") or {}

    def resolve(self, schema: Schema) -> tuple[Schema, str | None]:
        """The schema a ``$ref`` points to (siblings of ``$ref`` kept) and the reference's name."""
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith(_REF_PREFIX):
            return schema, None
        name = ref[len(_REF_PREFIX) :]
        target = self._schemas.get(name)
        if not isinstance(target, Mapping):
            return {}, name
        siblings = {key: value for key, value in schema.items() if key != "$ref"}
        return {**target, **siblings}, name

    def deref(self, schema: Schema, limit: int = MAX_DEPTH) -> Schema:
        """Follow a chain of ``$ref`` (bounded: a reference cycle ends in an empty schema)."""
        for _ in range(limit):
            resolved, name = self.resolve(schema)
            if name is None:
                return resolved
            schema = resolved
        return {}


def non_null_variant(schema: Schema, resolver: SchemaResolver) -> tuple[Schema, bool]:
    """The first non-null choice of an ``anyOf``/``oneOf`` (or a type list) and whether null is allowed."""
    schema = resolver.deref(schema)
    nullable = bool(schema.get("nullable"))
    choices = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(choices, list):
        variants = [resolver.deref(choice) for choice in choices if isinstance(choice, Mapping)]
        real = [variant for variant in variants if variant.get("type") != "null"]
        nullable = nullable or len(real) < len(variants)
        if real:
            extra = {key: value for key, value in schema.items() if key not in ("anyOf", "oneOf")}
            return {**real[0], **extra}, nullable
        return {"type": "null"}, True
    kind = schema.get("type")
    if isinstance(kind, list):
        real_types = [item for item in kind if item != "null"]
        nullable = nullable or len(real_types) < len(kind)
        return {**schema, "type": real_types[0] if real_types else "null"}, nullable
    return schema, nullable


def type_label(schema: Schema, resolver: SchemaResolver) -> str:
    """A short name of a schema's type: ``integer``, ``string (date-time)``, ``array of string``."""
    variant, _ = non_null_variant(schema, resolver)
    kind = variant.get("type")
    if kind == "array":
        items = variant.get("items")
        inner = type_label(items, resolver) if isinstance(items, Mapping) else "any"
        return f"array of {inner}"
    if not isinstance(kind, str):
        if "properties" in variant or "additionalProperties" in variant:
            return "object"
        return "enum" if "enum" in variant else "any"
    fmt = variant.get("format")
    return f"{kind} ({fmt})" if isinstance(fmt, str) else kind


def example_value(
    schema: Schema, resolver: SchemaResolver, depth: int = 0, seen: tuple[str, ...] = ()
) -> Any:
    """A JSON value that fits ``schema``: named examples first, else one built from its shape."""
    if depth > MAX_DEPTH:
        return None
    resolved, name = resolver.resolve(schema)
    if name is not None:
        if seen.count(name) >= 2:  # a recursive model: stop after two levels of it
            return _empty_of(resolved, resolver)
        return example_value(resolved, resolver, depth + 1, (*seen, name))
    named = _named_example(schema)
    if named is not _MISSING:
        return named
    if "allOf" in schema and isinstance(schema["allOf"], list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = example_value(part, resolver, depth + 1, seen)
            if isinstance(value, dict):
                merged.update(value)
            elif not merged:
                return value
        return merged
    variant, _ = non_null_variant(schema, resolver)
    if variant is not schema:
        if variant.get("type") == "null":
            return None
        return example_value(variant, resolver, depth + 1, seen)
    return _from_shape(schema, resolver, depth, seen)


_MISSING = object()


def _named_example(schema: Schema) -> Any:
    if "example" in schema:
        return schema["example"]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    if "const" in schema:
        return schema["const"]
    if schema.get("default") is not None:
        return schema["default"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    return _MISSING


def _from_shape(schema: Schema, resolver: SchemaResolver, depth: int, seen: tuple[str, ...]) -> Any:
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _object(schema, resolver, depth, seen)
    if kind == "array":
        items = schema.get("items")
        if not isinstance(items, Mapping) or depth >= MAX_DEPTH:
            return []
        count = max(1, int(schema.get("minItems", 1)))
        if schema.get("maxItems") == 0:
            count = 0
        return [example_value(items, resolver, depth + 1, seen) for _ in range(min(count, 3))]
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return int(_number(schema, 0))
    if kind == "number":
        return float(_number(schema, 0))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return None  # any value: the caller decides (``{}`` in the OpenAPI document)


def _object(schema: Schema, resolver: SchemaResolver, depth: int, seen: tuple[str, ...]) -> dict[str, Any]:
    properties = schema.get("properties")
    if not isinstance(properties, Mapping) or not properties:
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping) and extra and depth < MAX_DEPTH:
            return {"key": example_value(extra, resolver, depth + 1, seen)}
        return {}
    required = set(schema.get("required") or ())
    chosen = [name for name in properties if name in required or _wanted(properties[name], resolver)]
    first = next(iter(properties))
    if not required and first not in chosen:
        # Nothing is required (e.g. "give one of these"): the first field is the one to show.
        chosen = [first, *chosen]
    if depth >= MAX_DEPTH:
        chosen = [name for name in chosen if name in required]
    return {name: example_value(properties[name], resolver, depth + 1, seen) for name in chosen}


def _wanted(schema: Schema, resolver: SchemaResolver) -> bool:
    """An optional property worth showing: not nullable, or with a value the schema names."""
    if not isinstance(schema, Mapping):
        return False
    if _named_example(schema) is not _MISSING:
        return True
    variant, nullable = non_null_variant(schema, resolver)
    if not variant:
        return False  # a free-form value with no shape: nothing sensible to show
    return not nullable


def _string(schema: Schema) -> str:
    fmt = schema.get("format")
    value = _STRING_FORMATS.get(fmt, "string") if isinstance(fmt, str) else "string"
    low = int(schema.get("minLength", 0))
    high = schema.get("maxLength")
    if len(value) < low:
        value = value + "x" * (low - len(value))
    if isinstance(high, int) and len(value) > high:
        value = value[:high]
    return value


def _number(schema: Schema, fallback: float) -> float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    value = fallback
    if isinstance(low, int | float) and value < low:
        value = low + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0)
    if isinstance(high, int | float) and value > high:
        value = high
    return value


def _empty_of(schema: Schema, resolver: SchemaResolver) -> Any:
    variant, nullable = non_null_variant(schema, resolver)
    if nullable:
        return None
    return [] if variant.get("type") == "array" else {}

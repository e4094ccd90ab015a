"""Bounds on a GraphQL document before it runs: size, tokens, depth, root fields, one mutation.

graphql-core parses with a source-length and token cap; what the parser cannot bound (how deep
selections nest through fragments, how many root fields fan out) is checked on the parsed document.
A mutation document holds one mutation field, so a failure leaves nothing half-applied.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)

from flowport.errors import InvalidRequest

MAX_SOURCE_LENGTH = 20_000
MAX_TOKENS = 2_000
MAX_DEPTH = 15  # the introspection query of GraphiQL and of client generators nests 13 deep
MAX_ROOT_FIELDS = 10


def selected_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == name]
    if len(operations) != 1:
        detail = (
            f"No operation named '{name}'" if name else "Give operationName to pick one of the operations"
        )
        raise InvalidRequest(detail if operations or name else "The document has no operation")
    return operations[0]


def check(document: DocumentNode, operation: OperationDefinitionNode) -> None:
    """Raise :class:`InvalidRequest` when the operation is too deep, too wide or mutates twice."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    roots = _fields(operation.selection_set, fragments, set())
    if len(roots) > MAX_ROOT_FIELDS:
        raise InvalidRequest(f"The operation selects {len(roots)} root fields; at most {MAX_ROOT_FIELDS}")
    if operation.operation is OperationType.MUTATION and len(roots) > 1:
        raise InvalidRequest("Send one mutation per request, so a failure leaves nothing half-done")
    depth = _depth(operation.selection_set, fragments, set())
    if depth > MAX_DEPTH:
        raise InvalidRequest(f"The query nests {depth} levels deep; at most {MAX_DEPTH}")


def _fields(
    selections: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> list[FieldNode]:
    """The fields a selection set selects, fragments spread in (each fragment once per path)."""
    found: list[FieldNode] = []
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_fields(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                found.extend(_fields(fragment.selection_set, fragments, seen | {name}))
    return found


def _depth(selections: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]) -> int:
    deepest = 0
    for field in _fields(selections, fragments, seen):
        if field.selection_set is not None:
            deepest = max(deepest, _depth(field.selection_set, fragments, seen))
    return deepest + 1

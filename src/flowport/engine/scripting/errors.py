"""The one error type the restricted evaluator raises for rule breaks, with the script line when known."""

from __future__ import annotations


class ScriptError(Exception):
    """A script or expression broke a rule of the restricted evaluator; the message is meant for users."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def describe_error(exc: BaseException, line: int | None = None) -> str:
    """The message users see for an error a script raised: ours as it is, Python's with its type."""
    if isinstance(exc, ScriptError):
        return str(exc)
    detail = f"{type(exc).__name__}: {exc}"
    return f"{detail} (line {line})" if line else detail

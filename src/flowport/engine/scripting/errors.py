"""The one error type the restricted evaluator raises for rule breaks, with the script line when known."""

from __future__ import annotations


class ScriptError(Exception):
    """A script or expression broke a rule of the restricted evaluator; the message is meant for users."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line

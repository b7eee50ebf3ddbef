from __future__ import annotations


class ActionRefused(Exception):
    """The change cannot be made; the message says why, for the user. `field` names the input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

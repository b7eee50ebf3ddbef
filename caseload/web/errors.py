from __future__ import annotations

from caseload.ui.forms import ErrorLink


class ActionRefused(Exception):
    """The change cannot be made; the message says why, for the user. `field` names the input;
    `link`, if any, goes to where the user can act on it (shown with the message, at the top)."""

    def __init__(
        self, message: str, *, field: str | None = None, link: ErrorLink | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.link = link

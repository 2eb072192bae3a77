"""A broken business rule: services raise RuleBroken (or their package's subclass) with a message in the user's
language; views turn it into the message of a form field (or, for a button, a flashed warning) with
forum.forms.attempt(), so the form comes back with what was typed. Any other exception is a bug and ends in the
500 page."""
from __future__ import annotations


class RuleBroken(ValueError):
    """The message says in the user's language which rule the request broke; `status` is the HTTP status of the
    page that shows it again: 200 for a wrong input, 409 when the object changed meanwhile (a thread locked, a
    post saved in another tab, a case closed by someone else), 429 for a used-up limit."""

    status = 200

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status

"""A broken business rule: services raise RuleBroken (or their package's subclass) with a message in the user's
language; views turn it into the message of a form field with forum.forms.attempt(), so the form comes back with
what was typed. Any other exception is a bug and ends in the 500 page."""
from __future__ import annotations


class RuleBroken(ValueError):
    """The message says in the user's language which rule the request broke."""

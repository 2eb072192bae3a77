"""Helpers shared by the domain forms."""
from __future__ import annotations

from wtforms.fields.choices import SelectChoice


def choices(mapping: dict) -> list[SelectChoice]:
    """Select options from {value: label} in the given order (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in mapping.items()]

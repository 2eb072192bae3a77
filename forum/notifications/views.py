"""Pages of the notifications package (being built for the discussions issue)."""
from __future__ import annotations

from forum.notifications import bp  # noqa: F401

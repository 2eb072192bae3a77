"""Pages of the discussion package (filled in by the events/ideas issue)."""
from __future__ import annotations

from forum.discussion import bp  # noqa: F401

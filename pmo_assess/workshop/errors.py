"""The one exception the workshop raises for a value it refuses; widgets show its message as is."""
from __future__ import annotations


class WorkshopRefusal(ValueError):
    """A value the workshop refuses (answer outside the choices, unknown role, vote over budget, ...)."""

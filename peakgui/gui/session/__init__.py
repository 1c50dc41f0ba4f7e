"""The window's state, Qt-free: :class:`Session` and its events."""

from .events import Event
from .model import NOTHING, Configured, RunPhase, RunStatus, Session

__all__ = ["NOTHING", "Configured", "Event", "RunPhase", "RunStatus", "Session"]

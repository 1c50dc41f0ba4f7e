"""Plain-Python change events: the session model emits them, presenters and widgets listen.

No Qt here, so the model is tested without a widget (napari's evented models do the same). A
listener is called at once, in the order listeners were connected: a presenter connected before
another hears a change first, which is the only order the window relies on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Event(Generic[T]):
    """One kind of change; ``emit(value)`` calls every connected listener with the new value."""

    def __init__(self, name: str):
        self.name = name
        self._listeners: list[Callable[[T], None]] = []

    def connect(self, listener: Callable[[T], None]) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def disconnect(self, listener: Callable[[T], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, value: T) -> None:
        for listener in list(self._listeners):
            listener(value)

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self._listeners)} listener(s))"

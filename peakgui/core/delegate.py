"""A read-only attribute read through another one: the one place for delegating properties."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class Delegated(Generic[T]):
    """``name = Delegated[str]("info")`` reads ``self.info.name``, read-only like a property."""

    def __init__(self, via: str) -> None:
        self.via = via
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Delegated[T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> Delegated[T] | T:
        if obj is None:
            return self
        value: T = getattr(getattr(obj, self.via), self.name)
        return value

    def __set__(self, obj: object, value: Any) -> None:
        raise AttributeError(f"can't set attribute {self.name!r}")

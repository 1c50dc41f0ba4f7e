"""Delegated: a read-only attribute read through another one, as the properties it replaced."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from peakgui.core.delegate import Delegated


@dataclass
class _Inner:
    name: str


class _Outer:
    name = Delegated[str]("inner")

    def __init__(self, inner: _Inner):
        self.inner = inner


def test_reads_through_and_follows_the_inner_object():
    outer = _Outer(_Inner("a"))
    assert outer.name == "a"
    outer.inner = _Inner("b")
    assert outer.name == "b"


def test_is_read_only_like_a_property():
    outer = _Outer(_Inner("a"))
    with pytest.raises(AttributeError):
        outer.name = "c"
    assert outer.name == "a"


def test_class_access_gives_the_descriptor():
    assert isinstance(_Outer.name, Delegated)
    assert _Outer.name.via == "inner"

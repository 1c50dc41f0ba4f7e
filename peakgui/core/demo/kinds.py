"""The demo files by kind, for ``peakgui --demo KIND`` and ``peakgui-batch --demo-kind KIND``."""

from __future__ import annotations

import os
from collections.abc import Callable

DEMO_FILES = {"be": "demo.h5", "beps": "beps_demo.h5", "nsid": "nsid_demo.h5"}
"""Kind -> the file name it gets in the user's data folder."""


def demo_writer(kind: str) -> Callable[[str | os.PathLike[str]], str]:
    """The function writing a kind's demo file (it returns the spectral dataset's path)."""
    if kind == "beps":
        from peakgui.core.demo.beps import write_beps_demo
        return write_beps_demo
    if kind == "nsid":
        from peakgui.core.demo.nsid import write_nsid_demo
        return write_nsid_demo
    from peakgui.core.demo.be import write_demo
    return write_demo

"""Act as a plain user in the calling thread although the tests run as root.

Root ignores file modes through CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH. This drops them from
the calling thread's *effective* set (capget/capset, Linux capability v3), keeping them in the
permitted set so they can be restored. access(2) would still answer as root (it checks with the
permitted set when the real uid is 0) unless SECBIT_NO_SETUID_FIXUP is set, so that secure bit
is set for the same time. Capabilities and secure bits are per thread: threads started while
they are dropped (the navigator, the run) inherit the drop.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from contextlib import contextmanager

from PyQt5.QtCore import QThreadPool

_V3 = 0x20080522
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2
PR_GET_SECUREBITS = 27
PR_SET_SECUREBITS = 28
SECBIT_NO_SETUID_FIXUP = 1 << 2


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


_libc = ctypes.CDLL(None, use_errno=True)


def _get() -> ctypes.Array:
    data = (_Data * 2)()
    if _libc.capget(ctypes.byref(_Header(_V3, 0)), data) != 0:
        raise OSError(ctypes.get_errno(), "capget failed")
    return data


def _set(data) -> None:
    if _libc.capset(ctypes.byref(_Header(_V3, 0)), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def why_not_supported() -> str:
    """'' when dropping works here, else why not (for pytest.skip)."""
    if os.name != "posix" or not hasattr(_libc, "capget"):
        return "no Linux capabilities on this platform"
    if os.geteuid() != 0:
        return ""  # a plain user already: nothing to drop
    try:
        with as_plain_user():
            pass
    except OSError as exc:
        return f"cannot drop CAP_DAC_OVERRIDE in this thread ({exc})"
    return ""


@contextmanager
def as_plain_user() -> Iterator[None]:
    """File modes apply to the calling thread (and threads it starts) inside the block.

    Capabilities are per thread and inherited when a thread starts: the workers' pool threads
    are ended before and after the block, so those used inside it start inside it."""
    if os.geteuid() != 0:
        yield
        return
    pool = QThreadPool.globalInstance()
    pool.waitForDone(10_000)  # also removes the idle threads: new ones start below
    old_bits = _libc.prctl(PR_GET_SECUREBITS, 0, 0, 0, 0)
    if old_bits < 0 or _libc.prctl(PR_SET_SECUREBITS, old_bits | SECBIT_NO_SETUID_FIXUP,
                                   0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "cannot set SECBIT_NO_SETUID_FIXUP")
    data = _get()
    saved = data[0].effective
    try:
        data[0].effective &= ~((1 << CAP_DAC_OVERRIDE) | (1 << CAP_DAC_READ_SEARCH))
        _set(data)
        yield
    finally:
        data = _get()
        data[0].effective = saved
        _set(data)
        _libc.prctl(PR_SET_SECUREBITS, old_bits, 0, 0, 0)
        pool.waitForDone(10_000)

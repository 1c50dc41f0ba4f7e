"""Opening HDF5 files the way a viewer of irreplaceable data should.

Browsing and reading use read-only handles with HDF5 file locking off, so a file that an
acquisition program still holds can be viewed (silx does the same). Results are written through a
separate read-write handle, also without HDF5's own locking, because HDF5 refuses to open a file a
second time in one process with different locking flags; instead PeakGUI takes an exclusive
``flock`` on the results file for the length of a run, which is the same lock HDF5 itself uses, so
other HDF5 programs still see the file as busy and a second PeakGUI cannot write at the same time.

Within one process, HDF5 also refuses to open read-write a file that is already open read-only, so
every open goes through :data:`OPEN_LOCK`, and readers keep their handles only as long as a read.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import h5py

from peakgui.core.errors import InputError, OutputError

try:  # POSIX advisory locks; on Windows HDF5 locking is left to the OS' sharing rules
    import fcntl
except ImportError:  # pragma: no cover - exercised only on Windows
    fcntl = None  # type: ignore[assignment]

OPEN_LOCK = threading.RLock()
"""Serialises opening and closing of HDF5 files within this process."""


def may_access(path: str | os.PathLike[str], mode: int) -> bool:
    """os.access with the effective user and capabilities where the OS allows it: that is who
    opens the file (the real ids can differ, e.g. a program started through sudo or setpriv)."""
    if os.access in os.supports_effective_ids:
        return os.access(path, mode, effective_ids=True)
    return os.access(path, mode)


def check_readable_hdf5(path: str | os.PathLike[str]) -> Path:
    """Return the path if it names a readable HDF5 file, else raise InputError with the reason."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not an HDF5 file")
    if not may_access(p, os.R_OK):
        raise InputError(f"{p}: permission denied (cannot read the file)")
    if p.stat().st_size == 0:
        raise InputError(f"{p}: the file is empty")
    try:
        ok = h5py.is_hdf5(str(p))
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    if not ok:
        raise InputError(f"{p}: not an HDF5 file")
    return p


@contextlib.contextmanager
def open_read(path: str | os.PathLike[str]) -> Iterator[h5py.File]:
    """A short-lived read-only handle, held under :data:`OPEN_LOCK` until the read is done.

    Holding the lock keeps another thread from trying to open the same file read-write while
    this handle exists, which HDF5 would refuse.
    """
    p = check_readable_hdf5(path)
    with OPEN_LOCK:
        f = open_read_handle(p)
        try:
            yield f
        finally:
            f.close()


def open_read_handle(path: str | os.PathLike[str]) -> h5py.File:
    """A read-only handle the caller closes; for a run that reads one file for a long time."""
    with OPEN_LOCK:
        try:
            return h5py.File(path, "r", locking=False)
        except OSError as exc:
            raise InputError(f"{path}: cannot be opened as HDF5 ({_short(exc)})") from None


def open_write(path: str | os.PathLike[str], create: bool = False) -> h5py.File:
    """A read-write handle for results (the caller closes it). Creates the file when asked."""
    p = Path(path)
    mode = "a" if create else "r+"
    with OPEN_LOCK:
        try:
            return h5py.File(p, mode, locking=False)
        except OSError as exc:
            raise OutputError(f"{p}: cannot be opened for writing results ({_short(exc)})") from None


class RunLock:
    """An exclusive advisory lock on a results file, held for a whole run."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self) -> None:
        if fcntl is None:
            return
        fd = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                raise OutputError(f"{self.path}: locked by {lock_holder_text(self.path)}") \
                    from None
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def is_locked_elsewhere(path: str | os.PathLike[str]) -> bool:
    """True when another process holds an HDF5 (flock) lock on the file."""
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # also releases the probe's lock when it was taken
    return False


def lock_holder(path: str | os.PathLike[str]) -> int | None:
    """The process id holding a flock on the file, where the system says (Linux' /proc/locks);
    None when it cannot tell (another OS, a lock over NFS, a pid outside this pid namespace)."""
    try:
        st = os.stat(path)
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    dev = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in lines:
        parts = line.split()  # "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
        if "->" in parts:  # a waiter, not the holder
            continue
        if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5] == dev:
            try:
                pid = int(parts[4])
            except ValueError:
                continue
            if pid > 0:
                return pid
    return None


def is_peakgui_process(pid: int) -> bool:
    """True when the process' command line is one of PeakGUI's programs."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().decode(errors="replace").split("\0")
    except OSError:
        return False
    # `peakgui ...`, `python /venv/bin/peakgui-batch ...`, `python -m peakgui ...`
    return any(os.path.basename(a).lower().startswith("peakgui") for a in argv[:3])


def lock_holder_text(path: str | os.PathLike[str]) -> str:
    """Who holds the file's lock, for a message: 'another PeakGUI run (process 1234)',
    'another program (process 1234)' or 'another program'."""
    pid = lock_holder(path)
    if pid is None:
        return "another program"
    who = "another PeakGUI run" if is_peakgui_process(pid) else "another program"
    return f"{who} (process {pid})"


def is_writable(path: str | os.PathLike[str]) -> bool:
    """True when results may be written into this existing file."""
    return may_access(path, os.W_OK) and not is_locked_elsewhere(path)


def _short(exc: BaseException) -> str:
    """HDF5's error text without its errno prefix, which says little to a user."""
    text = str(exc)
    if "truncated file" in text:
        return "the file is truncated: an incomplete copy or download?"
    if text.startswith("[Errno"):
        text = text.split(")", 1)[-1].strip() if ")" in text else text
        text = text.split("] ", 1)[-1]
    return text

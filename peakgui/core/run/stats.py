"""Where a run's time goes: the workers' kernels against everything the driver does around them.

Measured, not inferred from speed-ups: the workers time their own work, the driver times its
reads, writes and waits. ``serial_seconds`` is the part of the run that more workers would not
shorten (Amdahl's serial part): the run's time less the workers' work shared among them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunStats:
    """Seconds of one run, filled in as it goes (thread-safe ``add``); not printed by default."""

    n_workers: int = 1
    engine_seconds: float = 0.0  # the run's own time; the caller's time between reports is not in it
    kernel_seconds: float = 0.0  # inside the analysis kernel, summed over workers
    work_seconds: float = 0.0  # everything the workers did (kernel, reads, conversions), summed
    read_seconds: float = 0.0  # reading and converting the spectra, wherever it ran
    write_seconds: float = 0.0  # results, flushes and completion marks (the driver)
    wait_seconds: float = 0.0  # the driver waiting for spectra or for the slowest worker
    blocks: int = 0  # blocks the workers computed
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **seconds: float) -> None:
        with self._lock:
            for name, value in seconds.items():
                setattr(self, name, getattr(self, name) + value)

    @property
    def serial_seconds(self) -> float:
        """The run's time that does not shrink with more workers: all but their shared work."""
        return max(0.0, self.engine_seconds - self.work_seconds / max(1, self.n_workers))

    def as_dict(self) -> dict[str, float]:
        keys = ("n_workers", "engine_seconds", "kernel_seconds", "work_seconds", "read_seconds",
                "write_seconds", "wait_seconds", "blocks")
        return {**{k: getattr(self, k) for k in keys}, "serial_seconds": self.serial_seconds}


def timed_kernel(block: Any, func: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """Run a kernel on a worker and say how long it took there (picklable for every backend)."""
    t0 = time.perf_counter()
    out = func(block, *args)
    return time.perf_counter() - t0, out

"""How much of the machine a run may use: worker count and chunk size from memory."""

from __future__ import annotations

import os

import psutil

MIB = 1 << 20


def default_jobs(cores: int | None = None) -> int:
    """All cores but one, but two above four cores, so the PC stays usable during a run."""
    cores = cores or os.cpu_count() or 1
    if cores > 4:
        return cores - 2
    return max(1, cores - 1)


def resolve_jobs(n_jobs: int | None) -> int:
    """None -> the default; negative values count back from the core count, as joblib does."""
    if n_jobs is None or n_jobs == 0:
        return default_jobs()
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return int(n_jobs)


def memory_budget(max_mem_mb: float | None) -> int:
    """Bytes a run may hold at once: the user's cap, never more than half of what is free."""
    available = psutil.virtual_memory().available // 2
    if max_mem_mb is None:
        return int(available)
    return int(min(max_mem_mb * MIB, available))


def positions_per_chunk(budget: int, bytes_per_position: int, fixed_bytes: int = 0) -> int:
    """How many positions fit in the budget after the fixed (per-worker) workspace."""
    room = budget - fixed_bytes
    if room < bytes_per_position:
        return 1  # the budget is smaller than one position: go one at a time rather than fail
    return int(room // bytes_per_position)

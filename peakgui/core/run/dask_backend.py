"""Run the engine's blocks on a dask.distributed cluster instead of local worker processes.

The engine already keeps the HDF5 file to itself: the driver reads a chunk, hands the backend
(n, S) blocks of spectra and writes what comes back. :class:`DaskBackend` is that backend for a
Dask cluster, so workers never open the file (no shared filesystem, no parallel HDF5) and the
driver stays the only writer.

Each block travels *inside* its task (driver -> scheduler -> worker) rather than being scattered
to one worker first: the scheduler then holds everything needed to run the task again, so when a
worker dies mid-chunk Dask simply reruns its tasks elsewhere, and the driver, which writes only
after the whole chunk is gathered, writes every chunk exactly once. Only the scheduler has to be
reachable from the driver, which suits SSH tunnels and HPC login nodes.

Nothing here imports Dask until a backend is entered, so ``import peakgui.core`` and local runs
never load it and never open a network port. :func:`make_backend` is the one call the CLI and the
GUI need::

    backend = make_backend(scheduler="tcp://10.0.0.5:8786")  # or cluster="local:4"
    AnalysisRun(source, "peak_finding", params, backend=backend).run()
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import pickle
import signal
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from peakgui.core.errors import InputError, PeakGUIError
from peakgui.core.run.backends import Backend, LocalBackend
from peakgui.core.run.dask_address import (
    ClusterError,
    parse_cluster,
    parse_scheduler,
    probe_scheduler,
    read_scheduler_file,
    short_reason,
)
from peakgui.core.run.resources import resolve_jobs

CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler
WORKER_WAIT = 60.0  # seconds to wait for a first worker to join
NO_WORKERS_TIMEOUT = 120.0  # give up when the cluster has had no worker this long mid-chunk
RETRIES = 2  # reruns of a block whose kernel raised (worker deaths are Dask's own business)
SCATTER_ARGS_BYTES = 256 * 1024  # kernel arguments larger than this go to the workers once
VERSIONED = ("peakgui", "numpy", "scipy")  # must match between driver and workers



def _has_distributed() -> bool:
    """Whether Dask's distributed scheduler can be imported (the frozen app leaves it out)."""
    try:
        return importlib.util.find_spec("distributed") is not None
    except (ImportError, ValueError):
        return False


def make_backend(scheduler: str | None = None, cluster: str | None = None,
                 n_jobs: int | None = None) -> Backend:
    """The backend for a run: a Dask cluster when asked, else the usual local process pool.

    ``scheduler``: address (``tcp://host:port``, ``host:port``) or scheduler-file path of a
    running cluster. ``cluster``: ``"local:N"`` starts a LocalCluster of N single-threaded worker
    processes on 127.0.0.1 for the run. Neither: :class:`LocalBackend` with ``n_jobs`` workers.
    Nothing connects or starts until the backend is entered (the engine does that, or the caller
    may hold it open across several runs with ``with backend:``). Bad text raises
    :class:`InputError` at once.
    """
    if scheduler and cluster:
        raise InputError("choose a scheduler address or a local cluster, not both")
    if (scheduler or cluster) and not _has_distributed():
        raise InputError("this PeakGUI installation has no Dask: a cluster run needs the "
                         "'distributed' package (pip install 'peakgui[dask]')")
    if scheduler:
        return DaskBackend(scheduler=scheduler)
    if cluster:
        return DaskBackend(local_workers=parse_cluster(cluster, n_jobs))
    return LocalBackend(resolve_jobs(n_jobs))


# ---- what runs on the workers -----------------------------------------------------------------
def _run_block(block: np.ndarray, kernel: Callable[..., Any], kernel_args: tuple[Any, ...]
               ) -> tuple[str, int, Any]:
    """One block on a worker, tagged with the worker that computed it."""
    try:
        from distributed import get_worker

        address = get_worker().address
    except (ImportError, ValueError):  # pragma: no cover - always on a worker in practice
        address = ""
    return address, os.getpid(), kernel(block, *kernel_args)


def _versions() -> dict[str, str]:
    """Versions that decide the results, on whichever side calls it."""
    import importlib

    out = {}
    for name in VERSIONED:
        try:
            out[name] = str(getattr(importlib.import_module(name), "__version__", "?"))
        except ImportError:
            out[name] = "missing"
    return out


def dask_setup(worker: object) -> None:  # pragma: no cover - runs inside LocalCluster worker processes
    """Worker preload for ``--cluster local:N``: a terminal's Ctrl-C goes to the whole process
    group; the driver handles it (finish the chunk, save, stop), so its workers ignore it."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


# ---- the backend ------------------------------------------------------------------------------
class DaskBackend:
    """Maps the kernel over blocks as Dask tasks and returns the results in order.

    Give either ``scheduler`` (an address or scheduler file of a running cluster) or
    ``local_workers`` (start a LocalCluster of that many processes for as long as the backend is
    entered). Entering is re-entrant: the outermost ``with`` connects and the matching exit
    closes, so a caller can connect first (and fail fast on a bad address) and let the engine's
    own ``with backend:`` reuse the connection.
    """

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None, *,
                 connect_timeout: float = CONNECT_TIMEOUT, worker_wait: float = WORKER_WAIT,
                 no_workers_timeout: float = NO_WORKERS_TIMEOUT, retries: int = RETRIES):
        if (scheduler is None) == (local_workers is None):
            raise ValueError("give exactly one of scheduler= and local_workers=")
        self._target = parse_scheduler(scheduler) if scheduler is not None else None
        self.local_workers = int(local_workers) if local_workers is not None else None
        if self.local_workers is not None and self.local_workers < 1:
            raise InputError("a local cluster needs at least one worker")
        self.connect_timeout = connect_timeout
        self.worker_wait = worker_wait
        self.no_workers_timeout = no_workers_timeout
        self.retries = retries
        self.address: str | None = None  # the scheduler's address once connected
        self.worker_pids: set[int] = set()
        self.worker_threads: set[int] = set()  # none here: workers live in other processes
        self.worker_addresses: set[str] = set()
        self.stats = {"chunks": 0, "tasks": 0, "bytes_sent": 0, "bytes_received": 0}
        self._client: Any = None  # distributed.Client once entered
        self._cluster: Any = None  # distributed.LocalCluster for local_workers
        self._depth = 0
        self._n_workers = self.local_workers or 1
        self._shipped: tuple[tuple[Any, ...], Any, int] | None = None  # (args, what we send, bytes)
        self._quiet = contextlib.ExitStack()

    # -- describing ---------------------------------------------------------------------------
    @property
    def n_workers(self) -> int:
        """Worker threads in the cluster now (workers may come and go during a run)."""
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._n_workers = max(1, self._nthreads())
        return self._n_workers

    def describe(self) -> str:
        where = (f"a local Dask cluster ({self.address})" if self._cluster is not None
                 else f"the Dask scheduler at {self.address or self._label()}")
        return f"{where} with {self._n_workers} worker thread(s)"

    def _label(self) -> str:
        if self._target is None:
            return f"local:{self.local_workers}"
        return self._target[1]

    # -- lifetime -----------------------------------------------------------------------------
    def __enter__(self) -> DaskBackend:
        if self._depth == 0:
            quiet = contextlib.ExitStack()
            quiet.enter_context(_quiet_logs())
            try:
                self._start()
            except BaseException:
                quiet.close()
                raise
            self._quiet = quiet
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            try:
                self._stop()
            finally:
                self._quiet.close()

    def _start(self) -> None:
        try:
            with _quiet_dask():
                self._connect()
                self._client.wait_for_workers(1, timeout=self.worker_wait)
        except BaseException as exc:
            connected = self._client is not None
            self._stop()
            if isinstance(exc, PeakGUIError | KeyboardInterrupt):
                raise
            timed_out = isinstance(exc, TimeoutError | _async_timeout())
            if self._target is None:
                raise ClusterError(f"cannot start a local Dask cluster of {self.local_workers} "
                                   f"workers ({short_reason(exc)})") from None
            if connected and timed_out:
                raise ClusterError(f"no Dask worker joined the scheduler at {self.address} "
                                   f"within {self.worker_wait:g} s") from None
            if "ssl_context" in str(exc):
                why = ("TLS is not set up on this machine: set distributed.comm.tls.ca-file, "
                       ".client.cert and .client.key in the Dask configuration")
            elif timed_out:
                why = f"no answer like a Dask scheduler's within {self.connect_timeout:g} s"
            elif isinstance(exc, OSError):
                why = short_reason(exc)
            else:
                why = f"it does not answer like a Dask scheduler: {short_reason(exc)}"
            where = self.address or self._label()
            raise ClusterError(f"cannot connect to the Dask scheduler at {where} ({why})") from None
        self.address = self._client.scheduler.address
        try:
            self._check_workers()
        except BaseException:
            self._stop()
            raise
        self._n_workers = max(1, self._nthreads())

    def _connect(self) -> None:
        from distributed import Client

        if self._target is None:
            import dask
            from distributed import LocalCluster

            # Everything on 127.0.0.1 and no dashboard. Dask's scheduler and workers always open
            # a small HTTP server (health, metrics, JSON info); give it a random loopback port
            # and no routes at all, rather than 8787 and cluster details. And no
            # MALLOC_TRIM_THRESHOLD_ for the workers: Dask's 64 KiB setting turns off glibc's
            # adaptive mmap threshold, and the kernel's large temporaries then cost ~1.6x.
            config: dict[str, Any] = {"distributed.scheduler.http.routes": [],
                      "distributed.worker.http.routes": [],
                      "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
            with dask.config.set(config):
                self._cluster = LocalCluster(
                    n_workers=self.local_workers, threads_per_worker=1, processes=True,
                    host="127.0.0.1", dashboard_address=None, worker_dashboard_address=None,
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    silence_logs=logging.ERROR, preload=[__name__],
                )
            self._client = Client(self._cluster, set_as_default=False)
            return
        kind, value = self._target
        address = read_scheduler_file(value) if kind == "file" else value
        self.address = address
        probe_scheduler(address, self.connect_timeout)
        self._client = Client(address, timeout=self.connect_timeout, set_as_default=False)

    def _check_workers(self) -> None:
        """Every worker must run the same PeakGUI, numpy and scipy as the driver, or the
        results could differ from a local run."""
        mine = _versions()
        try:
            theirs = self._client.run(_versions)
        except Exception as exc:  # noqa: BLE001 - a worker can fail in any way; one sentence
            raise ClusterError(f"the Dask workers at {self.address} cannot run PeakGUI "
                               f"({short_reason(exc)}); install the same PeakGUI there") from None
        for worker, vers in sorted(theirs.items()):
            for name, version in mine.items():
                if vers.get(name) != version:
                    raise ClusterError(
                        f"Dask worker {worker} has {name} {vers.get(name)}, this machine "
                        f"{version}: install the same versions so results stay identical")

    def _stop(self) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        self._shipped = None
        with _quiet_dask():
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close(timeout=10)
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close(timeout=10)

    def _nthreads(self) -> int:
        return int(sum(self._client.nthreads().values()))

    # -- work ---------------------------------------------------------------------------------
    def map(self, func: Callable[..., Any], blocks: Sequence[np.ndarray],
            *args: Any) -> list[Any]:
        client = self._client
        if client is None:
            raise RuntimeError("enter the DaskBackend (with backend: ...) before mapping")
        if not blocks:
            return []
        shipped, args_bytes = self._ship(args)
        token = uuid.uuid4().hex  # unique keys: identical blocks of two chunks never collide
        keys = [f"peakgui-block-{token}-{i}" for i in range(len(blocks))]
        with warnings.catch_warnings():
            # a chunk is one graph of a few blocks; its size is bounded by the memory budget
            warnings.filterwarnings("ignore", message="Sending large graph")
            futures = client.map(_run_block, list(blocks), key=keys, kernel=func,
                                 kernel_args=shipped, retries=self.retries, pure=False)
        try:
            tagged = self._gather(futures)
        except BaseException:
            with contextlib.suppress(Exception):
                client.cancel(futures)
            raise
        finally:
            del futures  # the scheduler forgets the chunk's tasks and their data
        self.stats["chunks"] += 1
        self.stats["tasks"] += len(blocks)
        self.stats["bytes_sent"] += sum(map(_nbytes, blocks)) + args_bytes * len(blocks)
        self.stats["bytes_received"] += sum(_nbytes(r) for _, _, r in tagged)
        for address, pid, _ in tagged:
            self.worker_addresses.add(address)
            self.worker_pids.add(pid)
        return [r for _, _, r in tagged]

    def _ship(self, args: tuple[Any, ...]) -> tuple[Any, int]:
        """The kernel's arguments: inline in every task when small, else sent once to every
        worker (and kept for the run; a worker that joins later fetches them from its peers)."""
        last = self._shipped
        if last is not None and len(last[0]) == len(args) \
                and all(a is b for a, b in zip(last[0], args)):  # the same objects as before
            return last[1], last[2]
        size = len(pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL))
        if size <= SCATTER_ARGS_BYTES:
            self._shipped = (args, args, size)
        else:
            fut = self._client.scatter(args, broadcast=True, hash=False)
            self.stats["bytes_sent"] += size
            self._shipped = (args, fut, 0)
        return self._shipped[1], self._shipped[2]

    def _gather(self, futures: list[Any]) -> list[Any]:
        """Wait for the chunk; Dask reruns the tasks of workers that die. Give up only when the
        cluster has had no worker at all for ``no_workers_timeout`` seconds, or the scheduler is
        gone (the client has then tried to reconnect for ``connect_timeout`` seconds)."""
        from distributed import KilledWorker, wait

        client = self._client
        empty_since: float | None = None
        try:
            while True:
                try:
                    with client.as_current():
                        wait(futures, timeout=1.0)
                    break
                except (TimeoutError, _async_timeout()):
                    try:
                        alive = self._nthreads() > 0
                    except Exception:  # noqa: BLE001 - a lost scheduler raises many types
                        alive = False
                    now = time.monotonic()
                    empty_since = None if alive else empty_since or now
                    if empty_since is not None and now - empty_since > self.no_workers_timeout:
                        raise ClusterError(
                            f"the Dask cluster at {self.address} has had no worker for "
                            f"{self.no_workers_timeout:g} s; finished chunks are saved, run "
                            "again to resume") from None
            gathered: list[Any] = client.gather(futures)
            return gathered
        except KilledWorker as exc:
            raise ClusterError(f"Dask workers kept dying while computing a chunk ({exc}); "
                               "finished chunks are saved, run again to resume") from None
        except Exception as exc:
            if not _is_connection_loss(exc):
                raise  # the kernel itself failed: a real error, with its traceback
            raise ClusterError(f"lost the connection to the Dask scheduler at {self.address}; "
                               "finished chunks are saved, run again to resume") from None


# ---- helpers ----------------------------------------------------------------------------------
def _is_connection_loss(exc: BaseException) -> bool:
    """Cancelled futures or a closed comm: what a lost scheduler looks like to the client."""
    names = {t.__name__ for t in type(exc).__mro__}
    return bool(names & {"CancelledError", "FutureCancelledError", "FuturesCancelledError",
                         "CommClosedError"})


def _nbytes(result: Any) -> int:
    """Array bytes in a task's result: an array, or a dict, tuple or list of them (a timed
    kernel returns (seconds, results))."""
    if isinstance(result, dict):
        return sum(_nbytes(v) for v in result.values())
    if isinstance(result, (tuple, list)):
        return sum(_nbytes(v) for v in result)
    return int(getattr(result, "nbytes", 0))


def _async_timeout() -> type[BaseException]:
    import asyncio

    return asyncio.TimeoutError


@contextlib.contextmanager
def _quiet_dask() -> Iterator[None]:
    """Keep Dask's own warnings and log lines off the user's terminal while connecting and
    closing; failures reach the user as one ClusterError sentence instead."""
    with _quiet_logs(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _dask_loggers() -> list[logging.Logger]:
    names = [n for n in list(logging.Logger.manager.loggerDict)
             if n.split(".")[0] in ("distributed", "tornado")]
    return [logging.getLogger(n) for n in {"distributed", "tornado", *names}]


def silence_dask_logs() -> None:
    """Dask's loggers off for the rest of the process, for a program that reports Dask's
    failures itself in one line (the batch CLI): the client's background reconnect may log
    after the run has ended and its quiet spell with it. Dask is imported here first: its
    import sets its own loggers' levels and would undo an earlier silence."""
    with contextlib.suppress(ImportError):
        import distributed  # noqa: F401  (for its logging set-up, see above)
    for lg in _dask_loggers():
        lg.setLevel(logging.CRITICAL + 1)


@contextlib.contextmanager
def _quiet_logs() -> Iterator[None]:
    """Dask's loggers silenced on the driver (e.g. a reconnect attempt after the scheduler is
    gone, or a LocalCluster restarting a worker): the run reports what matters itself."""
    loggers = _dask_loggers()
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


__all__ = ["ClusterError", "DaskBackend", "make_backend", "parse_cluster", "parse_scheduler",
           "silence_dask_logs"]

"""Runs on a Dask cluster, end to end: a real ``dask scheduler`` and real ``dask worker``
processes on 127.0.0.1, real files, real SIGKILLs. Every result is compared bit for bit with a
local run of the same file."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import h5py
import numpy as np
import psutil
import pytest

from peakgui.core.analyses.peak_finding.analysis import COUNT, FREQUENCY, RESPONSE
from peakgui.core.demo.be import DEMO_DATASET, demo_block, demo_scene, write_demo
from peakgui.core.dimension import Dimension
from peakgui.core.errors import InputError
from peakgui.core.io.results import COMPLETED
from peakgui.core.io.source import SpectralSource
from peakgui.core.io.usid_write import link_as_main, write_ancillaries
from peakgui.core.run.backends import LocalBackend
from peakgui.core.run.progress import ProgressState
from tests.core.helpers import completed_count, file_digest, peak_run

distributed = pytest.importorskip("distributed")

from peakgui.core.run.dask_backend import DaskBackend, make_backend  # noqa: E402

GROUP0 = DEMO_DATASET + "-Peak_Finding_000"
FIELDS = (RESPONSE, FREQUENCY, COUNT, COMPLETED)
STARTUP = 60  # seconds a scheduler or worker may take to come up on a busy 2-core machine
RUN = 180  # seconds any one peakgui-batch run may take
BEPS_ROWS, BEPS_COLS, BEPS_STEPS = 6, 10, 128


# ---- a real cluster ---------------------------------------------------------------------------
class Cluster:
    """``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, each in its own process
    group (worker = nanny + its worker process), always killed at the end."""

    def __init__(self, root: Path):
        self.root = root
        self.scheduler_file = root / "scheduler.json"
        self.procs: dict[str, subprocess.Popen] = {}
        self.client = None
        self._n = 0

    def _spawn(self, name: str, module: str, *args: str) -> None:
        log = open(self.root / f"{name}.log", "wb")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", module, *args], cwd=self.root, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()

    def start(self, workers: int = 2) -> Cluster:
        # an idle scheduler gives up after 10 minutes, its workers soon after: nothing outlives
        # a test session even if this process is killed before its cleanup runs
        # --no-dashboard alone still opens Dask's small HTTP server on 0.0.0.0:8787: keep it on
        # a random loopback port like everything else
        self._spawn("scheduler", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                    "--port", "0", "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
                    "--idle-timeout", "600", "--scheduler-file", str(self.scheduler_file))
        deadline = time.monotonic() + STARTUP
        while not self._address_ready():
            assert self.procs["scheduler"].poll() is None, self.log("scheduler")
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        self.client = distributed.Client(self.address, timeout=STARTUP, set_as_default=False)
        self.ensure(workers)
        return self

    def _address_ready(self) -> bool:
        try:
            return bool(json.loads(self.scheduler_file.read_text())["address"])
        except (OSError, ValueError, KeyError):
            return False

    @property
    def address(self) -> str:
        return json.loads(self.scheduler_file.read_text())["address"]

    def ensure(self, n: int) -> None:
        """Start workers until n are connected (replacing killed ones)."""
        alive = [k for k, p in self.procs.items() if k.startswith("worker") and p.poll() is None]
        for _ in range(n - len(alive)):
            self._n += 1
            name = f"worker{self._n}"
            (self.root / name).mkdir()
            self._spawn(name, "distributed.cli.dask_worker", self.address, "--nthreads", "1",
                        "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1",
                        "--dashboard-address", "127.0.0.1:0", "--death-timeout", "30",
                        "--local-directory", str(self.root / name))
        self.client.wait_for_workers(n, timeout=STARTUP)
        deadline = time.monotonic() + STARTUP
        while len(self.client.nthreads()) != n:  # a killed worker may take a moment to leave
            assert time.monotonic() < deadline, self.client.nthreads()
            time.sleep(0.1)
        for p in self.procs.values():  # the tests themselves stay on 127.0.0.1
            if p.poll() is None:
                socks = inet_sockets(p.pid)
                assert all(s.laddr.ip == "127.0.0.1" for s in socks), socks

    def worker_pids(self) -> dict[str, int]:
        """Worker address -> pid of the process that runs tasks (the nanny's child)."""
        return self.client.run(os.getpid)

    def group_of(self, pid: int) -> str:
        """Which worker process group (our ``dask worker`` command) a pid belongs to."""
        for name, p in self.procs.items():
            if pid == p.pid or pid in {c.pid for c in psutil.Process(p.pid).children(True)}:
                return name
        raise AssertionError(f"pid {pid} is not one of our dask worker processes")

    def kill_group(self, name: str) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.procs[name].pid, signal.SIGKILL)
        self.procs[name].wait(timeout=30)

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")[-3000:]

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close(timeout=10)
        for p in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        yield c.start(workers=2)
    finally:
        c.close()


# ---- files ------------------------------------------------------------------------------------
def write_beps(path: Path, rows: int = BEPS_ROWS, cols: int = BEPS_COLS,
               steps: int = BEPS_STEPS, bins: int = 119, seed: int = 9) -> None:
    """A BEPS-like USID file: at each position, ``steps`` spectra (DC offsets) of ``bins``
    frequencies. One position is one chunk under --max-mem 1, and its 128 spectra make two
    blocks, so both workers are busy on every chunk and a run lasts long enough to kill."""
    scene = demo_scene(rows * cols, steps, bins, seed=seed)
    data = demo_block(scene, 0, rows * cols * steps).reshape(rows * cols, steps * bins)
    with h5py.File(path, "w") as f:
        chan = f.create_group("Measurement_000/Channel_000")
        pos = write_ancillaries(chan, [Dimension("X", "m", np.arange(cols) * 1e-7),
                                       Dimension("Y", "m", np.arange(rows) * 1e-7)], False)
        spec = write_ancillaries(chan, [Dimension("Frequency", "Hz", scene.freq),
                                        Dimension("DC_Offset", "V", np.linspace(-5, 5, steps))],
                                 True)
        raw = chan.create_dataset("Raw_Data", data=data)
        link_as_main(raw, pos, spec, "Deflection", "V")


@pytest.fixture(scope="module")
def beps_reference(tmp_path_factory) -> tuple[Path, dict]:
    """The BEPS file, and its results from a plain local run (--jobs 1) on a copy."""
    root = tmp_path_factory.mktemp("beps")
    master = root / "beps.h5"
    write_beps(master)
    ref = root / "reference.h5"
    shutil.copy(master, ref)
    batch(ref, "--jobs", "1")
    return master, results_of(ref)


@pytest.fixture
def beps_file(tmp_path, beps_reference) -> Path:
    dst = tmp_path / "beps.h5"
    shutil.copy(beps_reference[0], dst)
    return dst


# ---- running peakgui-batch --------------------------------------------------------------------
def batch(*args, check=True, timeout=RUN) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "peakgui.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def start_batch(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "peakgui.cli", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def results_of(path) -> dict:
    with h5py.File(path, "r", locking=False) as f:
        return {k: f[GROUP0][k][()] for k in FIELDS}


def assert_identical(got: dict, want: dict) -> None:
    for name in FIELDS:
        assert got[name].dtype == want[name].dtype, name
        assert np.array_equal(got[name].view(np.uint8), want[name].view(np.uint8)), name


def completed(path) -> int:
    return completed_count(path, GROUP0)


def wait_until(cond, proc: subprocess.Popen, timeout: float = RUN) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if proc.poll() is not None:
            raise AssertionError(f"the run ended early: {proc.stderr.read()}")
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@contextlib.contextmanager
def killed_at_exit(proc: subprocess.Popen):
    try:
        yield proc
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


class OpenFileWatch:
    """Samples, in a thread, whether any of some processes has a given file open."""

    def __init__(self, pids, path: Path):
        self.procs = [psutil.Process(p) for p in pids]
        self.path = str(Path(path).resolve())
        self.samples = 0
        self.seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for p in self.procs:
                with contextlib.suppress(psutil.Error):
                    if any(f.path == self.path for f in p.open_files()):
                        self.seen.add(p.pid)
            self.samples += 1
            time.sleep(0.005)

    def __enter__(self) -> OpenFileWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def inet_sockets(pid: int) -> list:
    """Internet sockets of a process and all its descendants."""
    found = []
    try:
        procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return found
    for p in procs:
        with contextlib.suppress(psutil.Error):
            found += p.net_connections(kind="inet")
    return found


# ---- an external cluster ----------------------------------------------------------------------
def test_scheduler_run_is_bit_identical_and_uses_both_workers(cluster, tmp_path, small_file):
    cluster.ensure(2)
    local = tmp_path / "local.h5"
    shutil.copy(small_file, local)
    batch(local, "--jobs", "1")
    pids = cluster.worker_pids()

    proc = start_batch(small_file, "--scheduler", cluster.address, "--json")
    with killed_at_exit(proc), OpenFileWatch(pids.values(), small_file) as watch:
        out, err = proc.communicate(timeout=RUN)
    assert proc.returncode == 0, err
    summary = json.loads(out)
    assert summary["computed"] == 768 and summary["scheduler"] == cluster.address
    assert summary["workers"] == 2, summary
    assert set(summary["worker_pids"]) == set(pids.values())
    assert set(summary["worker_addresses"]) == set(pids)
    assert {cluster.group_of(p) for p in summary["worker_pids"]} == {"worker1", "worker2"}
    assert_identical(results_of(small_file), results_of(local))
    # the driver is the only reader and writer: no worker ever had the file open
    assert watch.samples > 5 and not watch.seen
    assert err.strip().splitlines() == [
        f"peakgui-batch: running on the Dask scheduler at {cluster.address} "
        "with 2 worker thread(s)"]


def test_worker_killed_mid_run_still_completes_identically(cluster, beps_file, beps_reference):
    cluster.ensure(2)
    pids = cluster.worker_pids()
    total = BEPS_ROWS * BEPS_COLS
    proc = start_batch(beps_file, "--scheduler", cluster.address, "--max-mem", "1", "--json")
    with killed_at_exit(proc):
        wait_until(lambda: completed(beps_file) >= 10, proc)
        # kill a worker that is computing a block right now: nanny and worker process, so the
        # cluster really shrinks and the block must be recomputed by the other worker
        deadline = time.monotonic() + 30
        while True:
            busy = [w for w, keys in cluster.client.processing().items() if keys]
            if busy or time.monotonic() > deadline:
                break
            time.sleep(0.002)
        assert busy, "no worker was computing"
        victim = cluster.group_of(pids[busy[0]])
        done_at_kill = completed(beps_file)
        cluster.kill_group(victim)
        out, err = proc.communicate(timeout=RUN)
    assert 10 <= done_at_kill < total
    assert proc.returncode == 0, err
    summary = json.loads(out)
    assert summary["computed"] == total
    assert_identical(results_of(beps_file), beps_reference[1])
    assert "Traceback" not in err
    assert len(cluster.client.nthreads()) == 1  # the run really finished on one worker


def test_driver_killed_on_a_cluster_then_rerun_resumes_identically(cluster, beps_file,
                                                                    beps_reference):
    cluster.ensure(2)
    total = BEPS_ROWS * BEPS_COLS
    proc = start_batch(beps_file, "--scheduler", cluster.address, "--max-mem", "1")
    with killed_at_exit(proc):
        wait_until(lambda: completed(beps_file) >= 10, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    done = completed(beps_file)
    assert 10 <= done < total
    # resumed through the scheduler file `dask scheduler --scheduler-file` wrote
    summary = json.loads(batch(beps_file, "--scheduler", cluster.scheduler_file,
                               "--json").stdout)
    assert summary["results_group"] == GROUP0 and summary["computed"] == total - done
    assert summary["scheduler"] == cluster.address
    assert_identical(results_of(beps_file), beps_reference[1])


def test_scheduler_lost_mid_run_is_one_line_and_the_rerun_resumes(tmp_path, beps_file,
                                                                   beps_reference):
    own = Cluster(tmp_path / "own")
    own.root.mkdir()
    try:
        own.start(workers=1)
        proc = start_batch(beps_file, "--scheduler", own.address, "--max-mem", "1")
        with killed_at_exit(proc):
            wait_until(lambda: completed(beps_file) >= 5, proc)
            own.kill_group("scheduler")
            _, err = proc.communicate(timeout=RUN)
    finally:
        own.close()
    assert proc.returncode == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in err, err  # "running on ..." and the error
    assert lines[1].startswith("peakgui-batch: error: lost the connection to the Dask scheduler")
    done = completed(beps_file)
    assert 5 <= done < BEPS_ROWS * BEPS_COLS
    summary = json.loads(batch(beps_file, "--jobs", "1", "--json").stdout)  # resumed locally
    assert summary["computed"] == BEPS_ROWS * BEPS_COLS - done
    assert_identical(results_of(beps_file), beps_reference[1])


# ---- a LocalCluster ---------------------------------------------------------------------------
def test_local_cluster_ctrl_c_then_resume_is_identical_and_only_on_loopback(beps_file,
                                                                            beps_reference):
    total = BEPS_ROWS * BEPS_COLS
    proc = start_batch(beps_file, "--cluster", "local:2", "--max-mem", "1")
    with killed_at_exit(proc):
        wait_until(lambda: completed(beps_file) >= 10, proc)
        tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        socks = inet_sockets(proc.pid)
        listening = [s for s in socks if s.status == psutil.CONN_LISTEN]
        # a scheduler and two workers with their nannies listen, and only on 127.0.0.1
        assert len(listening) >= 3, socks
        assert all(s.laddr.ip == "127.0.0.1" for s in listening), listening
        assert all(not s.raddr or s.raddr.ip == "127.0.0.1" for s in socks), socks
        assert 8787 not in {s.laddr.port for s in listening}  # no dashboard
        # Ctrl-C in a terminal reaches the whole process group, workers included
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=RUN)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "resume" in err
    done = completed(beps_file)
    assert 10 <= done < total
    time.sleep(0.5)
    assert not [p.pid for p in tree if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    rerun = batch(beps_file, "--cluster", "local:2", "--json")
    summary = json.loads(rerun.stdout)
    assert summary["computed"] == total - done and summary["workers"] == 2
    assert rerun.stderr.strip().startswith("peakgui-batch: running on a local Dask cluster")
    assert len(rerun.stderr.strip().splitlines()) == 1, rerun.stderr
    assert_identical(results_of(beps_file), beps_reference[1])


# ---- no cluster asked, no network -------------------------------------------------------------
def test_a_local_run_listens_on_no_port_and_never_loads_dask(tmp_path, small_file):
    path = tmp_path / "short.h5"
    write_beps(path, rows=2, cols=10)  # 20 one-position chunks of two blocks: both loky workers
    proc = start_batch(path, "--jobs", "2", "--max-mem", "1")
    samples = 0
    with killed_at_exit(proc):
        while proc.poll() is None:
            socks = inet_sockets(proc.pid)
            assert not [s for s in socks if s.status == psutil.CONN_LISTEN], socks
            assert not socks, socks
            samples += 1
            time.sleep(0.01)
        assert proc.returncode == 0, proc.stderr.read()
    assert samples >= 10 and completed(path) == 20

    code = (
        "import importlib, pkgutil, sys, peakgui.core, peakgui.cli\n"
        "for m in pkgutil.walk_packages(peakgui.core.__path__, 'peakgui.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "from peakgui.core.run.dask_backend import make_backend\n"
        "from peakgui.core.run.engine import AnalysisRun\n"
        "from peakgui.core.io.source import SpectralSource\n"
        "b = make_backend(n_jobs=1)\n"
        f"list(AnalysisRun(SpectralSource.open({str(small_file)!r}), backend=b).run(force=True))\n"
        "print(type(b).__name__, sorted({m.split('.')[0] for m in sys.modules} & "
        "{'dask', 'distributed', 'tornado'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=RUN)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["LocalBackend", "[]"]


# ---- what the user may type -------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def silent_server():
    """Accepts connections on 127.0.0.1 and never says a word (a wrong port, a dead tunnel)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    held = []

    def serve():
        with contextlib.suppress(OSError):
            while True:
                held.append(srv.accept()[0])

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield f"tcp://127.0.0.1:{srv.getsockname()[1]}"
    finally:
        srv.close()
        for c in held:
            c.close()


@pytest.mark.parametrize("case, message", [
    ("refused", "connection refused"),
    ("silent", "no answer like a Dask scheduler's within 10 s"),
    ("syntax", "bad scheduler address"),
    ("no file", "no such scheduler file"),
    ("local:0", "local:N needs N >= 1"),
    ("jobs", "--jobs is for local runs"),
])
def test_bad_cluster_options_give_one_line_exit_2_and_leave_the_file(small_file, case, message):
    before = file_digest(small_file)
    with silent_server() as silent:
        args = {
            "refused": ["--scheduler", f"127.0.0.1:{_free_port()}"],
            "silent": ["--scheduler", silent],
            "syntax": ["--scheduler", "tcp://nowhere"],
            "no file": ["--scheduler", str(small_file.with_name("scheduler.json"))],
            "local:0": ["--cluster", "local:0"],
            "jobs": ["--cluster", "local:2", "--jobs", "2"],
        }[case]
        t0 = time.monotonic()
        proc = batch(small_file, *args, check=False, timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("peakgui-batch: error: ") and message in lines[0], lines
    assert time.monotonic() - t0 < 30
    assert file_digest(small_file) == before  # nothing was written before the failure


def test_make_backend_parses_without_connecting():
    assert isinstance(make_backend(), LocalBackend)
    assert make_backend(n_jobs=3).n_workers == 3
    b = make_backend(scheduler="10.1.2.3:8786")
    assert isinstance(b, DaskBackend) and b._target == ("address", "tcp://10.1.2.3:8786")
    assert make_backend(scheduler="tls://[::1]:8786")._target == ("address", "tls://[::1]:8786")
    assert make_backend(cluster="local:3").local_workers == 3
    assert make_backend(cluster="local", n_jobs=2).local_workers == 2
    for kw in ({"scheduler": "http://x:1"}, {"scheduler": "x:99999"}, {"scheduler": " "},
               {"cluster": "remote:2"}, {"scheduler": "x:1", "cluster": "local:1"}):
        with pytest.raises(InputError):
            make_backend(**kw)


def test_silenced_dask_logs_stay_silent_once_dask_is_loaded():
    """The batch CLI silences Dask before Dask is imported; Dask's import sets its loggers'
    levels, which must not undo the silence (the client's reconnect error after a lost
    scheduler would print a third line)."""
    code = ("import logging\n"
            "from peakgui.core.run.dask_backend import silence_dask_logs\n"
            "silence_dask_logs()\n"
            "import distributed\n"
            "for name in ('distributed', 'distributed.client', 'distributed.worker'):\n"
            "    assert not logging.getLogger(name).isEnabledFor(logging.CRITICAL), name\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr


# ---- the backend as the GUI drives it ---------------------------------------------------------
def test_backend_in_process_pause_resume_and_ordered_results(cluster, beps_file,
                                                              beps_reference):
    cluster.ensure(2)
    pids = set(cluster.worker_pids().values())
    total = BEPS_ROWS * BEPS_COLS

    backend = make_backend(scheduler=cluster.address)
    with backend:  # held open across runs, as the GUI may
        assert backend.n_workers == 2
        # blocks come back in order, also when identical; big arguments go out once
        rng = np.random.default_rng(1)
        big = rng.random(40_000)  # 320 kB: scattered to the workers, not put in every task
        blocks = [rng.random((3, 40_000)) for _ in range(3)]
        blocks.append(blocks[0].copy())
        for _ in range(2):  # the same blocks twice: unique task keys, no stale results
            got = backend.map(np.add, blocks, big)
            assert all(np.array_equal(g, b + big) for g, b in zip(got, blocks))
        assert backend.stats["bytes_sent"] < 2 * sum(b.nbytes for b in blocks) + 2 * big.nbytes

        # pause: stop asking for chunks after the second one (the GUI closes the generator)
        src = SpectralSource.open(beps_file)
        received = backend.stats["bytes_received"]
        gen = peak_run(src, backend=backend, max_mem_mb=1).run()
        first = [next(gen), next(gen)]
        gen.close()
        assert first[0].done < first[1].done < total
        # the results that came back are counted (a timed kernel's tuple read as 0 bytes)
        received = backend.stats["bytes_received"] - received
        assert received >= sum(v.nbytes for p in first for v in p.values.values()) > 0
        assert first[1].values[RESPONSE].shape == (first[1].stop - first[1].start, BEPS_STEPS)
        assert set(first[1].worker_pids) == pids  # two blocks per chunk: both workers
        assert completed(beps_file) == first[1].done
        # resume: a new run picks up the partial results group and completes it
        rest = list(peak_run(src, backend=backend).run())
        assert rest[0].start == first[1].done and rest[-1].state is ProgressState.FINISHED
        assert rest[-1].computed == total - first[1].done
        assert backend._client is not None  # the engine's own `with` did not close it
    assert backend._client is None
    assert_identical(results_of(beps_file), beps_reference[1])


def test_cluster_run_without_dask_installed_says_so(tmp_path):
    """The frozen app ships without Dask: asking for a cluster is one clear line, exit 2."""
    path = tmp_path / "scan.h5"
    write_demo(path, rows=4, cols=4, bins=32)
    code = (
        "import sys\n"
        "class NoDask:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('distributed', 'dask'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, NoDask())\n"
        "from peakgui.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(path), "--cluster", "local:2"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "has no Dask" in lines[0]

"""Workers that read their own sub-blocks (core/run/chunks.py ``streamed``) against chunks
computed by worker processes (``in_chunks``): bit-identical results for every layout, read path
and worker count; no barrier, yet results written in order and within the memory budget."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import h5py
import numpy as np
import pytest

from peakgui.core.demo.be import DEMO_DATASET, write_demo
from peakgui.core.demo.beps import write_beps_demo
from peakgui.core.demo.nsid import write_nsid_demo
from peakgui.core.io.direct_read import block_reader
from peakgui.core.io.results_read import read_all
from peakgui.core.io.results_source import ResultsSource
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.chunks import streams
from peakgui.core.run.engine import AnalysisRun

RUNS = [("threads", 1), ("threads", 2), ("processes", 2)]  # the last computes in chunks


def _gzip_copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes())
    with h5py.File(dst, "r+") as f:
        d = f[DEMO_DATASET]
        data, attrs = d[()], dict(d.attrs)
        del f[DEMO_DATASET]
        new = f.create_dataset(DEMO_DATASET, data=data, compression="gzip", chunks=(7, 40),
                               shuffle=True)
        new.attrs.update(attrs)
    return dst


def _cube(path: Path) -> Path:
    rng = np.random.default_rng(4)
    with h5py.File(path, "w") as f:
        f["cube"] = rng.random((6, 7, 64)).astype(">f4")  # big-endian, read by offset
    return path


def _be(path: Path) -> Path:
    write_demo(path, rows=9, cols=10, bins=119, seed=3)
    return path


def _beps(path: Path) -> Path:
    write_beps_demo(path, rows=4, cols=5, bins=24, dc_steps=12, seed=2)
    return path


def _nsid(path: Path) -> Path:  # sidpy's order: x, y, f; a y slab is one run of bytes per x
    write_nsid_demo(path, rows=7, cols=11, bins=64, seed=5, order="xyf")
    return path


def _nsid_gzip(path: Path) -> Path:  # the spectrum first: slabs along the last axis, chunked
    write_nsid_demo(path, rows=7, cols=11, bins=64, seed=6, order="fxy", compression="gzip",
                    chunks=(16, 4, 3), shuffle=True)
    return path


CASES = {  # name: (file maker, analysis, spectral dimension, expected read path)
    "cube": (_cube, "peak_finding", None, "offset"),
    "usid": (_be, "sho", None, "offset"),
    "gzip": (lambda p: _gzip_copy(_be(p.with_name("plain.h5")), p), "sho", None, "chunks"),
    "beps": (_beps, "sho", None, "offset"),
    "beps-dc": (_beps, "peak_finding", "DC_Offset", "offset"),  # spectra gathered across columns
    "nsid": (_nsid, "sho", None, "offset"),
    "nsid-gzip": (_nsid_gzip, "peak_finding", None, "chunks"),
}


def _results(path: Path, analysis: str, dim: str | None, kind: str, jobs: int,
             out: Path, max_mem: float | None = None) -> dict[str, np.ndarray]:
    out.unlink(missing_ok=True)
    run = AnalysisRun(SpectralSource.open(path, spectral_dim=dim), analysis, n_jobs=jobs,
                      worker_kind=kind, output=out, max_mem_mb=max_mem)
    assert streams(run) == (kind == "threads")
    last = deque(run.run(force=True), maxlen=1)[0]
    assert run.stats.blocks > 0 and run.stats.kernel_seconds > 0
    return read_all(last.results)


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype
        assert a[k].tobytes() == b[k].tobytes(), k


@pytest.mark.parametrize("case", list(CASES))
def test_every_backend_and_worker_count_gives_identical_results(tmp_path, case):
    make, analysis, dim, read_kind = CASES[case]
    path = make(tmp_path / "scan.h5")
    src = SpectralSource.open(path, spectral_dim=dim)
    with h5py.File(path, "r", locking=False) as f:
        assert block_reader(src.layout, f[src.dataset]).kind == read_kind
    results = [_results(path, analysis, dim, kind, jobs, tmp_path / f"out-{kind}{jobs}.h5")
               for kind, jobs in RUNS]
    for other in results[1:]:
        _same(results[0], other)
    # a tight memory budget: small blocks, the same bits
    _same(results[0], _results(path, analysis, dim, "threads", 2, tmp_path / "tight.h5", 1))


def test_results_into_the_source_file_equal_a_separate_file(tmp_path):
    path = _be(tmp_path / "scan.h5")
    apart = _results(path, "sho", None, "threads", 2, tmp_path / "apart.h5")
    run = AnalysisRun(SpectralSource.open(path), "sho", n_jobs=2, worker_kind="threads")
    last = deque(run.run(), maxlen=1)[0]
    assert last.results.file == path
    inside = read_all(last.results)
    # a separate file holds its own copy of the position tables; the results are the same
    _same({k: v for k, v in apart.items() if k in inside}, inside)
    assert "completed_positions" in inside and inside.keys() <= apart.keys()


def test_a_chained_run_reads_its_converted_input_in_the_workers(tmp_path):
    path = _beps(tmp_path / "scan.h5")
    fit = deque(AnalysisRun(SpectralSource.open(path), "sho", n_jobs=2).run(), maxlen=1)[0]
    from peakgui.core.analyses import registry

    spec = registry.get("loop_fit").input
    out = []
    for kind, jobs in RUNS:
        source = ResultsSource.open_group(path, fit.results.group, spec)
        with h5py.File(path, "r", locking=False) as f:
            assert block_reader(source.layout, f[source.dataset]).kind == "layout"
        target = tmp_path / f"loops-{kind}{jobs}.h5"
        run = AnalysisRun(source, "loop_fit", n_jobs=jobs, worker_kind=kind, output=target)
        out.append(read_all(deque(run.run(force=True), maxlen=1)[0].results))
    for other in out[1:]:
        _same(out[0], other)


def test_reports_come_in_order_and_cover_every_position_once(tmp_path):
    path = _be(tmp_path / "scan.h5")
    run = AnalysisRun(SpectralSource.open(path), "peak_finding", n_jobs=2,
                      worker_kind="threads", output=tmp_path / "o.h5", max_mem_mb=1)
    limit = run.chunk_limit()
    reports = list(run.run())
    assert [p.start for p in reports] == [0, *[p.stop for p in reports[:-1]]]
    assert reports[-1].stop == 90 and reports[-1].state.is_done
    assert max(p.stop - p.start for p in reports) <= limit
    assert len(run.backend.worker_threads) == 2


@pytest.mark.parametrize("case, jobs, reader_thread", [
    ("gzip", 1, True),  # chunks to decompress: read ahead while the one worker computes
    ("usid", 1, False),  # a read by file offset costs little: the worker reads itself
    ("gzip", 2, False),  # two workers read their own blocks
])
def test_one_worker_reads_compressed_blocks_ahead(tmp_path, monkeypatch, case, jobs,
                                                  reader_thread):
    import threading

    from peakgui.core.io import direct_read

    make, analysis, dim, _ = CASES[case]
    path = make(tmp_path / "src.h5")
    readers: set[str] = set()
    real = direct_read.row_reader

    def spied(dset):  # the real reader, noting which thread calls it
        rows = real(dset)
        inner = rows.read

        def read(r0, r1):
            readers.add(threading.current_thread().name)
            return inner(r0, r1)

        rows.read = read
        return rows

    monkeypatch.setattr(direct_read, "row_reader", spied)
    got = _results(path, analysis, dim, "threads", jobs, tmp_path / "o.h5")
    monkeypatch.undo()
    _same(got, _results(path, analysis, dim, "processes", 2, tmp_path / "p.h5"))
    assert readers
    assert all(n.startswith("peakgui-read") for n in readers) == reader_thread, readers
    assert any(n.startswith("peakgui-worker") for n in readers) != reader_thread, readers

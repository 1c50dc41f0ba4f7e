"""The processing engine on real files with real joblib workers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import deque

import h5py
import numpy as np
import pytest

from peakgui.core.analyses.peak_finding.analysis import COUNT, FREQUENCY, RESPONSE
from peakgui.core.analyses.peak_finding.peaks import PeakParams, choose_peak, reference_peaks
from peakgui.core.demo.be import DEMO_DATASET, write_demo
from peakgui.core.errors import OutputError
from peakgui.core.io.results import COMPLETED, sidecar_path
from peakgui.core.io.results_read import read_all
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.progress import ProgressState
from peakgui.core.run.target import TargetReason
from tests.core.helpers import dataset_digest, peak_run, read_only, tutorial_amplitudes
from tests.interop import run_interop

GROUP0 = DEMO_DATASET + "-Peak_Finding_000"


def run_all(process, **kw):
    """Drive a run to its end and return the last progress record."""
    return deque(process.run(**kw), maxlen=1)[0]


def test_results_group_layout_and_provenance(small_file):
    src = SpectralSource.open(small_file)
    last = run_all(peak_run(src, n_jobs=1))
    assert last.state is ProgressState.FINISHED and last.done == last.total == 24 * 32
    assert last.results.group == GROUP0 and last.results.file == small_file
    with h5py.File(small_file, "r") as f:
        grp = f[GROUP0]
        assert grp[RESPONSE].shape == (768, 1) and grp[RESPONSE].dtype == np.float32
        assert grp[FREQUENCY].dtype == np.float32 and grp[COUNT].dtype == np.uint16
        assert grp[COMPLETED].shape == (768,) and grp[COMPLETED][()].all()
        assert grp[RESPONSE].attrs["quantity"] == "Amplitude"
        assert grp[RESPONSE].attrs["units"] == "V"
        assert grp[FREQUENCY].attrs["units"] == "Hz"
        # linked to the source's own position ancillaries
        assert f[grp[RESPONSE].attrs["Position_Indices"]].name == \
            "/Measurement_000/Channel_000/Position_Indices"
        spec = f[grp[RESPONSE].attrs["Spectroscopic_Indices"]]
        assert list(spec.attrs["labels"]) == ["Empty"] and spec.shape == (1, 1)
        a = grp.attrs
        for key in ("width_lo", "width_hi", "steps", "min_snr", "noise_perc", "algorithm",
                    "algorithm_version", "peakgui_version", "source_dataset", "timestamp_start",
                    "timestamp_last_update", "timestamp_end", "platform", "last_pixel"):
            assert key in a, key
        assert a["last_pixel"] == 768 and a["timestamp_end"] != ""
        assert a["source_dataset"] == DEMO_DATASET
        assert a["algorithm"] == "scipy.signal.find_peaks_cwt"


def test_peak_response_is_a_pyusid_main_dataset(small_file):
    run_all(peak_run(SpectralSource.open(small_file), n_jobs=1))
    got = run_interop("""
        import h5py, pyUSID
        with h5py.File(path, "r") as f:
            ds = f[name]
            main = pyUSID.hdf_utils.check_if_main(ds)
            u = pyUSID.USIDataset(ds)
            print(json.dumps({"main": bool(main), "pos": list(u.pos_dim_labels),
                              "spec": list(u.spec_dim_labels)}))
        """, path=str(small_file), name=GROUP0 + "/" + RESPONSE)
    assert got == {"main": True, "pos": ["X", "Y"], "spec": ["Empty"]}


@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_results_equal_the_tutorial_loop_with_two_workers(small_file, kind):
    src = SpectralSource.open(small_file)
    with h5py.File(small_file, "r") as f:
        raw = f[DEMO_DATASET][()]
    run = peak_run(src, n_jobs=2, worker_kind=kind)
    last = run_all(run, force=True)
    if kind == "processes":
        assert len(last.worker_pids) == 2 and os.getpid() not in last.worker_pids
    else:  # threads of this process, no copies of the spectra
        assert last.worker_pids == {os.getpid()} and len(run.backend.worker_threads) == 2
    assert run.worker_kind.value == kind and f"2 worker {kind[:-1]}" in last.where
    res = read_all(last.results)
    np.testing.assert_array_equal(res[RESPONSE][:, 0], tutorial_amplitudes(raw))
    # frequency and count from the scipy reference, spectrum by spectrum
    freq = src.layout.spectral.values
    params = PeakParams()
    for p in range(0, len(raw), 37):
        peaks = reference_peaks(np.abs(raw[p]), params)
        assert res[COUNT][p, 0] == len(peaks)
        assert res[FREQUENCY][p, 0] == np.float32(freq[choose_peak(peaks, raw.shape[1])])


def test_pixel_test_gives_full_detail(small_file):
    src = SpectralSource.open(small_file)
    pf = peak_run(src)
    p = src.layout.position_of(10, 7)
    t = pf.test(p)
    with h5py.File(small_file, "r") as f:
        spectrum = f[DEMO_DATASET][p]
    np.testing.assert_array_equal(t.detail.magnitude, np.abs(spectrum))
    np.testing.assert_array_equal(t.detail.peaks, reference_peaks(np.abs(spectrum),
                                                                    PeakParams()))
    index = t.detail.index
    assert index == choose_peak(t.detail.peaks, 119)
    assert t.values[RESPONSE] == np.abs(spectrum[index])
    assert t.values[FREQUENCY] == src.layout.spectral.values[index]
    assert t.values[COUNT] == len(t.detail.peaks)
    assert t.detail.phase == pytest.approx(float(np.angle(spectrum[index])))
    # the pixel test and the run's kernel are one path: the same values for this pixel
    row = pf.compute(spectrum[None, :])
    assert {k: float(v[0]) for k, v in row.items()} == pytest.approx(t.values)


def test_stop_then_resume_equals_uninterrupted(small_file, tmp_path):
    reference = tmp_path / "ref.h5"
    reference.write_bytes(small_file.read_bytes())
    ref = read_all(run_all(peak_run(SpectralSource.open(reference), n_jobs=1)).results)

    src = SpectralSource.open(small_file)
    before = dataset_digest(small_file, DEMO_DATASET)
    gen = peak_run(src, n_jobs=1, max_mem_mb=1).run()  # tiny cap: one position per chunk
    for i, _ in enumerate(gen):
        if i == 5:
            break
    gen.close()
    with h5py.File(small_file, "r") as f:
        done = f[GROUP0][COMPLETED][()]
        assert 0 < done.sum() < len(done)
        assert f[GROUP0].attrs["last_pixel"] == done.sum()
        assert f[GROUP0].attrs["timestamp_end"] == ""
    last = run_all(peak_run(src, n_jobs=1))
    assert last.results.group == GROUP0  # the same group was resumed
    assert last.computed == len(done) - done.sum()
    res = read_all(last.results)
    for name in (RESPONSE, FREQUENCY, COUNT, COMPLETED):
        np.testing.assert_array_equal(res[name], ref[name])
    assert dataset_digest(small_file, DEMO_DATASET) == before


def test_reuse_new_parameters_and_force(small_file):
    src = SpectralSource.open(small_file)
    first = run_all(peak_run(src))
    again = list(peak_run(src).run())
    assert [p.state for p in again] == [ProgressState.REUSED]
    assert again[0].results == first.results and again[0].computed == 0
    other = run_all(peak_run(src, PeakParams(width_lo=10, width_hi=40, steps=20)))
    assert other.results.group == DEMO_DATASET + "-Peak_Finding_001"
    forced = run_all(peak_run(src), force=True)
    assert forced.results.group == DEMO_DATASET + "-Peak_Finding_002"
    assert forced.computed == 768


def test_read_only_source_goes_to_sidecar(small_file):
    before = dataset_digest(small_file, DEMO_DATASET)
    with read_only(small_file):
        src = SpectralSource.open(small_file)
        pf = peak_run(src)
        target = pf.results_target()
        assert target.separate and target.reason is TargetReason.READ_ONLY
        assert "read-only" in target.text
        last = run_all(pf)
        assert last.results.file == sidecar_path(small_file) and last.results.sidecar
        assert [p.state for p in peak_run(src).run()] == [ProgressState.REUSED]
    assert dataset_digest(small_file, DEMO_DATASET) == before


def test_locked_source_goes_to_sidecar_and_is_untouched(small_file):
    """Another program holds the file open for writing (HDF5 flock): results go beside it."""
    before = dataset_digest(small_file, DEMO_DATASET)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import h5py, sys, time; f = h5py.File(sys.argv[1], 'r+'); print('ok', flush=True);"
         "time.sleep(60)", str(small_file)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        src = SpectralSource.open(small_file)  # browsing works despite the lock
        pf = peak_run(src)
        target = pf.results_target()
        assert target.separate and target.reason is TargetReason.LOCKED
        assert "locked by" in target.text
        last = run_all(pf)
        assert last.results.file == sidecar_path(small_file)
        with h5py.File(last.results.file, "r") as f:
            grp = f[last.results.group]
            assert grp.attrs["source_file"] == str(small_file.resolve())
            assert grp.attrs["source_dataset"] == DEMO_DATASET
            assert grp[COMPLETED][()].all()
            # positions copied into the sidecar since references cannot cross files
            assert f[grp[RESPONSE].attrs["Position_Indices"]].shape == (768, 2)
        # the sidecar's results are found again: reused, not recomputed
        assert [p.state for p in peak_run(src).run()] == [ProgressState.REUSED]
    finally:
        holder.kill()
        holder.wait()
    assert dataset_digest(small_file, DEMO_DATASET) == before


def test_unwritable_sidecar_location_is_a_clear_error(small_file):
    with read_only(small_file, small_file.parent):
        with pytest.raises(OutputError, match="not writable"):
            peak_run(SpectralSource.open(small_file)).results_target()


def test_explicit_output_file(small_file, tmp_path):
    out = tmp_path / "results.h5"
    last = run_all(peak_run(SpectralSource.open(small_file), output=out))
    assert last.results.file == out
    with h5py.File(small_file, "r") as f:
        assert GROUP0 not in f


def test_chunks_respect_the_memory_cap(tmp_path):
    path = tmp_path / "big.h5"
    write_demo(path, rows=64, cols=64, bins=119)
    pf = peak_run(SpectralSource.open(path), max_mem_mb=40, n_jobs=1)
    limit = pf.chunk_limit()
    assert 1 <= limit < 4096
    # every chunk's input, intermediates and outputs stay inside the cap
    assert pf.workspace_bytes() + limit * pf.bytes_per_position() <= 40 * 2**20
    sizes = [p.stop - p.start for p in pf.run()]
    assert max(sizes) <= limit and sum(sizes) == 4096


def test_chunk_timing_adapts_to_half_a_second(tmp_path):
    path = tmp_path / "mid.h5"
    write_demo(path, rows=64, cols=64, bins=119)
    progress = []
    t_prev = time.perf_counter()
    for p in peak_run(SpectralSource.open(path), n_jobs=1).run():
        now = time.perf_counter()
        progress.append((p.stop - p.start, now - t_prev))
        t_prev = now
    assert sum(n for n, _ in progress) == 4096
    assert progress[0][0] <= 64  # the first chunk is small: it measures the speed


def test_multi_dim_results_are_per_step(tmp_path):
    from tests.core.io.test_usid import _multi_dim_file

    path = tmp_path / "beps.h5"
    data = _multi_dim_file(path, fastest_first=False)
    src = SpectralSource.open(path, spectral_dim="Frequency")
    params = PeakParams(width_lo=1, width_hi=3, steps=3)
    last = run_all(peak_run(src, params))
    res = read_all(last.results)
    assert res[RESPONSE].shape == (6, 8)
    block = src.read(0, 6)
    for p in range(6):
        for n in range(8):
            mag = np.abs(block[p, n])
            idx = choose_peak(reference_peaks(mag, params), 5)
            assert res[RESPONSE][p, n] == mag[idx]
    with h5py.File(path, "r") as f:
        spec = f[f[last.results.group][RESPONSE].attrs["Spectroscopic_Indices"]]
        assert sorted(spec.attrs["labels"]) == ["DC_Offset", "Field"]
        assert spec.shape == (2, 8)
    assert data.shape == (6, 40)


def test_plain_cube_gets_its_own_position_tables(tmp_path):
    path = tmp_path / "cube.h5"
    rng = np.random.default_rng(5)
    with h5py.File(path, "w") as f:
        f["cube"] = rng.random((4, 5, 64)).astype(np.float32)
    last = run_all(peak_run(SpectralSource.open(path), PeakParams(5, 15, 6)))
    with h5py.File(path, "r") as f:
        grp = f[last.results.group]
        assert grp.name == "/cube-Peak_Finding_000"
        assert f[grp[RESPONSE].attrs["Position_Indices"]].shape == (20, 2)
        assert grp[COMPLETED][()].all()

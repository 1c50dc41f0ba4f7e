"""Multi-dimensional spectra: the BEPS demo, the spectral-dimension choice and (P, N) results."""

from __future__ import annotations

from collections import deque

import h5py
import numpy as np
import pytest

from peakgui.core.analyses.peak_finding.analysis import COUNT, FREQUENCY, RESPONSE
from peakgui.core.analyses.peak_finding.peaks import PeakParams, choose_peak, reference_peaks
from peakgui.core.demo.be import DEMO_DATASET, read_truth
from peakgui.core.demo.beps import dc_waveform, write_beps_demo
from peakgui.core.io.layout import default_spectral_dim
from peakgui.core.io.results_read import read_all
from peakgui.core.io.source import SpectralSource
from tests.core.helpers import peak_run
from tests.interop import run_interop

PARAMS = PeakParams(width_lo=15, width_hi=45, steps=20)


@pytest.fixture(scope="module")
def beps(tmp_path_factory):
    path = tmp_path_factory.mktemp("beps") / "beps.h5"
    write_beps_demo(path, rows=6, cols=5, bins=87, dc_steps=16, seed=4)
    return path


def test_beps_demo_dims_and_default_spectral_dim(beps):
    src = SpectralSource.open(beps)
    spec = src.info.spectroscopic
    assert spec.names == ["Frequency", "DC_Offset", "Field"]
    assert spec.sizes == [87, 16, 2]
    assert spec.units == ["Hz", "V", ""]
    assert default_spectral_dim(src.info) == "Frequency"
    lay = src.layout
    assert (lay.n_positions, lay.n_steps, lay.n_points) == (30, 32, 87)
    # BGlib's layout: Field varies faster than DC_Offset, the in-field spectrum (Field = 1) first
    assert [d.name for d in lay.others] == ["DC_Offset", "Field"]  # slowest first
    np.testing.assert_allclose(lay.others[0].values, dc_waveform(16), rtol=1e-6)
    np.testing.assert_array_equal(lay.others[1].values, [1, 0])


def test_off_field_loop_is_hysteretic(beps):
    """Remanent response: at the same bias the two branches answer with opposite responses
    (the response line is offset from the origin, so 'opposite' means their difference
    outweighs their sum)."""
    src = SpectralSource.open(beps)
    lay = src.layout
    position = int(np.flatnonzero(read_truth(beps)["Switching"][:, 1])[0])
    spectra = src.read_position(position)  # (N, S) = (16 * 2, 87)
    off = spectra[1::2]  # Field index 1: out-of-field, one spectrum per DC step
    volts = lay.others[0].values
    peak = np.abs(off).argmax(axis=1)
    response = off[np.arange(16), peak]
    up_branch = np.flatnonzero((volts == 0) & (np.arange(16) < 8))
    down_branch = np.flatnonzero((volts == 0) & (np.arange(16) >= 8))
    assert up_branch.size and down_branch.size
    after_up, after_down = response[up_branch[-1]], response[down_branch[-1]]
    assert abs(after_up - after_down) > 2 * abs(after_up + after_down)


@pytest.mark.parametrize("spectral", ["Frequency", "DC_Offset"])
def test_results_per_step_match_an_explicit_loop(beps, tmp_path, spectral):
    path = tmp_path / "copy.h5"
    path.write_bytes(beps.read_bytes())
    src = SpectralSource.open(path, spectral_dim=spectral)
    params = PARAMS if spectral == "Frequency" else PeakParams(2, 6, 5)
    last = deque(peak_run(src, params, n_jobs=2).run(), maxlen=1)[0]
    res = read_all(last.results)
    lay = src.layout
    assert res[RESPONSE].shape == (30, lay.n_steps)
    with h5py.File(path, "r") as f:
        raw = f[DEMO_DATASET][()]
    spec = src.info.spectroscopic
    d_s = spec.find(spectral)
    others = [d for d in spec.order if d != d_s]
    # explicit loop over every (position, step): gather the spectrum column by column
    for n in range(lay.n_steps):
        sub = np.unravel_index(n, [spec.sizes[d] for d in others])
        mask = np.ones(raw.shape[1], bool)
        for d, k in zip(others, sub):
            mask &= spec.indices[d] == k
        cols = np.flatnonzero(mask)
        cols = cols[np.argsort(spec.indices[d_s, cols])]
        for p in range(0, 30, 7):
            mag = np.abs(raw[p, cols])
            peaks = reference_peaks(mag, params)
            idx = choose_peak(peaks, len(cols))
            assert res[RESPONSE][p, n] == mag[idx]
            assert res[COUNT][p, n] == len(peaks)
            assert res[FREQUENCY][p, n] == np.float32(lay.spectral.values[idx])


def test_remaining_dims_are_usid_ancillaries_pyusid_reads(beps, tmp_path):
    path = tmp_path / "copy.h5"
    path.write_bytes(beps.read_bytes())
    last = deque(peak_run(SpectralSource.open(path), PARAMS).run(), maxlen=1)[0]
    got = run_interop("""
        import h5py, pyUSID
        with h5py.File(path, "r") as f:
            ds = pyUSID.USIDataset(f[name])
            print(json.dumps({"sizes": dict(zip(ds.spec_dim_labels,
                                                map(int, ds.spec_dim_sizes))),
                              "dc": ds.get_spec_values("DC_Offset").tolist(),
                              "nd": list(ds.get_n_dim_form().shape)}))
        """, path=str(path), name=f"{last.results.group}/{RESPONSE}")
    assert got["sizes"] == {"DC_Offset": 16, "Field": 2}
    np.testing.assert_allclose(got["dc"], dc_waveform(16), rtol=1e-6)
    assert got["nd"][:2] in ([6, 5], [5, 6])


def test_chunks_count_every_step_against_the_cap(beps):
    src = SpectralSource.open(beps)
    pf = peak_run(src, PARAMS, max_mem_mb=40, n_jobs=1)
    per_position = pf.bytes_per_position()
    assert per_position >= 32 * 87 * 8 * 3  # N*S complex64 counted three times at least
    limit = pf.chunk_limit()
    assert pf.workspace_bytes() + limit * per_position <= 40 * 2**20


def test_batch_cli_writes_and_runs_the_beps_demo(tmp_path):
    import json
    import subprocess
    import sys

    path = tmp_path / "beps.h5"
    cli = [sys.executable, "-m", "peakgui.cli"]
    subprocess.run([*cli, "--demo", str(path), "--demo-kind", "beps"], check=True, timeout=300)
    out = subprocess.run([*cli, str(path), "--spectral-dim", "DC_Offset", "--widths", "3", "9",
                          "--steps", "8", "--json"], capture_output=True, text=True, check=True,
                         timeout=300)
    summary = json.loads(out.stdout)
    assert summary["positions"] == 32 * 32 and summary["computed"] == 1024
    with h5py.File(path, "r") as f:
        grp = f[summary["results_group"]]
        assert grp[RESPONSE].shape == (1024, 87 * 2)  # every frequency bin x field
        assert grp.attrs["spectral_dimension"] == "DC_Offset"

"""The SHO declaration as the engine, the CLI and the GUI see it, and a real run on a demo file."""

from __future__ import annotations

import numpy as np
import pytest

from peakgui.core.analyses import registry
from peakgui.core.analyses.declaration import FieldKind
from peakgui.core.analyses.sho.analysis import ANALYSIS, BGLIB_NAMES, COMPOUND, STATUS
from peakgui.core.analyses.sho.status import FitStatus
from peakgui.core.demo.be import DEMO_DATASET, demo_scene, read_truth, sho_truth
from peakgui.core.io.results import ResultsRef
from peakgui.core.io.results_read import read_all
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from peakgui.core.run.progress import ProgressState


def test_registered_through_the_entry_point():
    a = registry.get("sho")
    assert a is ANALYSIS or a.name == "sho"
    assert (a.title, a.group_name) == ("SHO fit", "SHO_Fit")


def test_fields_cover_bglibs_compound_members():
    from peakgui.core.analyses.declaration import SpectralContext
    from peakgui.core.dimension import Dimension

    ctx = SpectralContext(Dimension("Frequency", "Hz", np.linspace(1, 2, 10)), "Amp", "V")
    fields = {f.name: f for f in ANALYSIS.fields(ctx)}
    for stage in ("Guess", "Fit"):
        assert tuple(COMPOUND[stage]) == BGLIB_NAMES
        for name in COMPOUND[stage].values():
            assert fields[name].dtype == "float32" and fields[name].kind is FieldKind.VALUE
    assert fields[STATUS].kind is FieldKind.STATUS and fields[STATUS].dtype == "uint8"
    assert fields[STATUS].fill == FitStatus.NOT_COMPUTED
    assert fields["Fit_Frequency"].units == "Hz" and fields["Fit_Phase"].units == "rad"


def test_parameters_are_checked():
    assert ANALYSIS.values()["band_lo"] is None
    assert ANALYSIS.values({"band_lo": "3.1e5", "guess": "algebraic"})["band_lo"] == 310e3
    for bad in ({"band_lo": 3e5, "band_hi": 2e5}, {"q_min": 50, "q_max": 10},
                {"guess": "gaussian"}, {"max_iter": 0}, {"q_min": -1}):
        with pytest.raises(ValueError):
            ANALYSIS.values(bad)


def test_demo_truth_is_stored_in_bglibs_convention(small_file):
    truth = read_truth(small_file)
    scene = demo_scene(rows=24, cols=32, bins=119, seed=3)
    for name, values in sho_truth(scene).items():
        np.testing.assert_array_equal(truth[name], values)
    assert truth["Signal"].sum() == scene.amp.size - scene.lifted.size - scene.dropped.size
    assert np.all((truth["Phase"] > -np.pi) & (truth["Phase"] <= np.pi))


def test_inspect_one_pixel(small_file):
    run = AnalysisRun(SpectralSource.open(small_file), "sho", n_jobs=1)
    truth = read_truth(small_file)
    pos = int(np.flatnonzero(truth["Signal"])[5])
    detail = run.test(pos)
    assert set(detail.values) == {f.name for f in run.result_fields()}
    assert detail.values[STATUS] == FitStatus.CONVERGED and not detail.notes
    assert detail.values["Fit_Frequency"] == pytest.approx(truth["Frequency"][pos], rel=1e-4)
    assert detail.values["Fit_R2"] > 0.999
    for key in ("fit_curve", "guess_curve"):
        assert getattr(detail.detail, key).shape == detail.spectrum.shape
    np.testing.assert_allclose(detail.detail.fit_curve, detail.spectrum, atol=5e-5)
    dropped = int(np.flatnonzero(truth["Signal"] == 0)[0])
    bad = run.test(dropped)
    assert bad.notes  # noise-only or zero: said, not shown as a good fit


def _finish(run: AnalysisRun, force: bool = False):
    steps = list(run.run(force=force))
    return steps


def test_run_writes_a_results_group_resumes_and_reuses(small_file):
    src = SpectralSource.open(small_file)
    truth = read_truth(small_file)
    signal = truth["Signal"].astype(bool)

    # an interrupted run: one chunk, then the caller stops asking
    gen = AnalysisRun(src, "sho", n_jobs=1, chunk_seconds=0.001).run()
    first = next(gen)
    gen.close()
    assert first.state is ProgressState.CHUNK and first.done < src.layout.n_positions
    assert first.results.group == DEMO_DATASET + "-SHO_Fit_000"

    steps = _finish(AnalysisRun(src, "sho", n_jobs=1))
    last = steps[-1]
    assert last.state is ProgressState.FINISHED
    assert last.results.group == DEMO_DATASET + "-SHO_Fit_000"  # resumed, not a new group
    assert sum(s.computed for s in steps[-1:]) == src.layout.n_positions - first.done

    got = read_all(last.results)
    assert got["completed_positions"].all()
    fit = {k: got[k][:, 0].astype(np.float64) for k in got if k.startswith(("Fit_", "Guess_"))}
    status = got[STATUS][:, 0]
    assert np.all(status[signal] == FitStatus.CONVERGED)
    for name in ("Amplitude", "Frequency", "Quality_Factor"):
        np.testing.assert_allclose(fit[f"Fit_{name}"][signal], truth[name][signal], rtol=5e-3)
    dphi = np.angle(np.exp(1j * (fit["Fit_Phase"] - truth["Phase"])))
    assert np.abs(dphi[signal]).max() < 5e-3
    assert np.all(fit["Fit_R2"][signal] > 0.999)
    # noise-only and zero positions: failed or low R2, never a good-looking fit
    bad = ~signal
    assert np.all((status[bad] != FitStatus.CONVERGED) | (fit["Fit_R2"][bad] < 0.3))

    # the resumed group equals an uninterrupted run of the same file
    fresh = _finish(AnalysisRun(src, "sho", n_jobs=1), force=True)[-1]
    assert fresh.results.group == DEMO_DATASET + "-SHO_Fit_001"
    again = read_all(fresh.results)
    for k in got:
        np.testing.assert_array_equal(again[k], got[k], err_msg=k)

    # same parameters again: reused, nothing computed
    reused = _finish(AnalysisRun(src, "sho", n_jobs=1))
    assert [s.state for s in reused] == [ProgressState.REUSED]

    # other parameters: a new group
    other = _finish(AnalysisRun(src, "sho", {"band_lo": 305e3}, n_jobs=1))[-1]
    assert other.results.group == DEMO_DATASET + "-SHO_Fit_002"


@pytest.mark.slow
def test_dask_local_cluster_gives_the_local_results(small_file):
    """The kernel travels to Dask worker processes by name and gives identical numbers."""
    pytest.importorskip("distributed")
    from peakgui.core.run.dask_backend import DaskBackend

    src = SpectralSource.open(small_file)
    local = _finish(AnalysisRun(src, "sho", n_jobs=1))[-1]
    remote = _finish(AnalysisRun(src, "sho", n_jobs=1,
                                 backend=DaskBackend(local_workers=2)), force=True)[-1]
    assert remote.state is ProgressState.FINISHED and remote.results != local.results
    a, b = read_all(local.results), read_all(remote.results)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_read_only_source_gets_a_sidecar(small_file):
    from peakgui.core.io.results import sidecar_path
    from tests.core.helpers import file_digest, read_only

    before = file_digest(small_file)
    with read_only(small_file):
        src = SpectralSource.open(small_file)
        last = _finish(AnalysisRun(src, "sho", n_jobs=1))[-1]
        assert last.results.file == sidecar_path(small_file)
        assert last.results.group.endswith("-SHO_Fit_000")
        again = _finish(AnalysisRun(src, "sho", n_jobs=1))
        assert [s.state for s in again] == [ProgressState.REUSED]
    assert file_digest(small_file) == before
    got = read_all(last.results)
    assert got["completed_positions"].all() and got[STATUS].dtype == np.uint8


def test_a_killed_sho_run_resumes_to_the_same_results(tmp_path):
    """SIGKILL mid-run through the CLI, then the same command: the group is resumed and its
    values equal an uninterrupted run's, bit for bit."""
    import json
    import subprocess
    import sys

    from peakgui.core.demo.be import write_demo
    from tests.core.helpers import kill_after

    group = DEMO_DATASET + "-SHO_Fit_000"
    clean, killed = tmp_path / "clean.h5", tmp_path / "killed.h5"
    write_demo(clean, rows=24, cols=20, bins=96)
    killed.write_bytes(clean.read_bytes())
    args = ["--analysis", "sho", "--jobs", "1", "--json"]
    subprocess.run([sys.executable, "-m", "peakgui.cli", str(clean), *args], check=True,
                   capture_output=True)
    done = kill_after([killed, *args, "--max-mem", "0.02"], killed, group, 30)
    assert 30 <= done < 24 * 20
    out = subprocess.run([sys.executable, "-m", "peakgui.cli", str(killed), *args],
                         check=True, capture_output=True, text=True).stdout
    summary = json.loads(out)
    assert summary["results_group"] == group and summary["computed"] == 24 * 20 - done
    a = read_all(ResultsRef(clean, group))
    b = read_all(ResultsRef(killed, group))
    assert set(a) == set(b)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)

"""A results group served as spectra: the SHO fit of a BEPS file read along DC_Offset, per
Field, converted where it is read; incomplete or unsuitable groups refused in one line."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from peakgui.core.analyses.declaration import ResultsInput
from peakgui.core.demo.beps import dc_waveform, write_beps_demo
from peakgui.core.errors import InputError
from peakgui.core.io.results import COMPLETED, sidecar_path
from peakgui.core.io.results_source import ResultsLayout, ResultsSource, upstream_groups
from peakgui.core.io.source import SpectralSource
from peakgui.core.run.engine import AnalysisRun
from tests.core.helpers import copy_file

SHO_GROUP = "/Measurement_000/Channel_000/Raw_Data-SHO_Fit_000"
RAW = "/Measurement_000/Channel_000/Raw_Data"


def complex_response(fields: dict[str, np.ndarray]) -> np.ndarray:
    return fields["Fit_Amplitude"] * np.exp(1j * fields["Fit_Phase"].astype(np.float64))


def amplitude(fields: dict[str, np.ndarray]) -> np.ndarray:
    return fields["Fit_Amplitude"]


LOOPS = ResultsInput("sho", "DC_Offset", ("Fit_Amplitude", "Fit_Phase"), complex_response)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """A small BEPS file whose raw table names its fields as BGlib does, with an SHO fit."""
    path = tmp_path_factory.mktemp("beps") / "beps.h5"
    write_beps_demo(path, rows=4, cols=5, bins=32, dc_steps=12, seed=2)
    with h5py.File(path, "r+") as f:
        for name in ("Spectroscopic_Values", "Spectroscopic_Indices"):
            f[f"/Measurement_000/Channel_000/{name}"].attrs["Field_parameters"] = \
                ["out-of-field", "in-field"]
    list(AnalysisRun(SpectralSource.open(path), "sho", n_jobs=1).run())
    return path


@pytest.fixture
def copy(fitted, tmp_path):
    return copy_file(fitted, tmp_path / "scan.h5")


def test_blocks_are_the_converted_fit_along_dc_per_field(fitted):
    src = ResultsSource.open_group(fitted, SHO_GROUP, LOOPS)
    lay = src.layout
    assert isinstance(lay, ResultsLayout) and src.dataset == SHO_GROUP + "/Fit"
    assert (lay.n_positions, lay.n_steps, lay.n_points) == (20, 2, 12)
    assert lay.spectral.name == "DC_Offset" and [d.name for d in lay.others] == ["Field"]
    np.testing.assert_allclose(lay.spectral.values, dc_waveform(12), rtol=1e-6)
    assert src.info.dtype == np.complex128
    assert (src.info.quantity, src.info.units) == ("Amplitude", "V")  # the first field's
    block = src.read(3, 7)
    with h5py.File(fitted, "r") as f:
        fit = f[SHO_GROUP]["Fit"][3:7]
        spec = f[f[SHO_GROUP]["Fit"].attrs["Spectroscopic_Indices"]][()]
        labels = list(f[f[SHO_GROUP]["Fit"].attrs["Spectroscopic_Indices"]].attrs["labels"])
    want = fit["Amplitude [V]"] * np.exp(1j * fit["Phase [rad]"].astype(np.float64))
    field_row, dc_row = spec[labels.index("Field")], spec[labels.index("DC_Offset")]
    for k in range(2):
        for v in range(12):
            col = np.flatnonzero((field_row == k) & (dc_row == v))[0]
            np.testing.assert_array_equal(block[:, k, v], want[:, col])
    np.testing.assert_array_equal(src.read_position(5), src.read(5, 6)[0])


def test_field_names_come_from_the_field_parameters_attribute(fitted):
    src = ResultsSource.open_group(fitted, SHO_GROUP, LOOPS)
    field = src.layout.others[0]
    assert field.labels == ("out-of-field", "in-field")  # indexed by the Field value
    assert field.step_label(1) == "in-field"
    with h5py.File(fitted, "r") as f:  # the SHO results carried the names on
        vals = f[f[SHO_GROUP]["Fit"].attrs["Spectroscopic_Values"]]
        assert [str(x, "utf-8") if isinstance(x, bytes) else x
                for x in vals.attrs["Field_parameters"]] == ["out-of-field", "in-field"]


def test_the_key_names_the_upstream_group_and_its_parameters(fitted):
    key = ResultsSource.open_group(fitted, SHO_GROUP, LOOPS).input_key()
    assert key["input_group"] == SHO_GROUP and key["input_analysis"] == "sho"
    assert '"q_max"' in key["input_parameters"] and key["input_started"]
    assert SpectralSource.open(fitted).input_key() == {}


def test_an_incomplete_group_is_refused_in_one_line(copy):
    with h5py.File(copy, "r+") as f:
        f[SHO_GROUP][COMPLETED][7:9] = 0
    with pytest.raises(InputError) as err:
        ResultsSource.open_group(copy, SHO_GROUP, LOOPS)
    text = str(err.value)
    assert "incomplete (18 of 20 positions)" in text and "\n" not in text
    found = upstream_groups([copy, sidecar_path(copy)], RAW, "SHO_Fit", "sho")
    assert [(g.ref.group, g.done, g.total, g.complete) for g in found] == \
        [(SHO_GROUP, 18, 20, False)]


@pytest.mark.parametrize("spec, says", [
    (ResultsInput("peak_finding", "DC_Offset", ("Fit_Amplitude",), amplitude),
     "holds sho results, not peak_finding results"),
    (ResultsInput("sho", "DC_Offset", ("Fit_Nothing",), amplitude), "has no field Fit_Nothing"),
    (ResultsInput("sho", "Cycle", ("Fit_Amplitude",), amplitude), "no dimension named 'Cycle'"),
    (ResultsInput("sho", "DC_Offset", ("Fit_Amplitude",), lambda f: f["nope"]),
     "the input conversion fails (KeyError"),
])
def test_unsuitable_inputs_are_one_line(fitted, spec, says):
    with pytest.raises(InputError) as err:
        ResultsSource.open_group(fitted, SHO_GROUP, spec)
    assert says in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(InputError, match="no results group"):
        ResultsSource.open_group(fitted, SHO_GROUP + "x", LOOPS)


def test_a_sidecar_is_its_own_sidecar(tmp_path):
    assert sidecar_path(tmp_path / "a.h5") == tmp_path / "a.peakgui.h5"
    assert sidecar_path(tmp_path / "a.peakgui.h5") == tmp_path / "a.peakgui.h5"


def test_field_names_missing_on_the_results_come_from_the_raw_table(copy):
    with h5py.File(copy, "r+") as f:
        fit = f[SHO_GROUP]["Fit"]
        for attr in ("Spectroscopic_Values", "Spectroscopic_Indices"):
            del f[fit.attrs[attr]].attrs["Field_parameters"]
    src = ResultsSource.open_group(copy, SHO_GROUP, LOOPS)
    assert src.layout.others[0].labels == ("out-of-field", "in-field")


def one_row_only(fields: dict[str, np.ndarray]) -> np.ndarray:
    if len(fields["Fit_Amplitude"]) > 1:
        raise ValueError("too many rows")
    return fields["Fit_Amplitude"]


def test_a_conversion_failing_on_a_block_is_one_line(fitted):
    src = ResultsSource.open_group(fitted, SHO_GROUP, ResultsInput(
        "sho", "DC_Offset", ("Fit_Amplitude",), one_row_only))
    assert src.read(2, 3).shape == (1, 2, 12)
    with pytest.raises(InputError, match=r"conversion failed on positions 2\.\.5 "
                                         r"\(ValueError: too many rows\)"):
        src.read(2, 6)

"""Parameters convert and check user text the same way for the CLI, the GUI and stored attrs."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest

from peakgui.core.analyses import registry
from peakgui.core.analyses.declaration import Parameter, ParameterError
from peakgui.core.dimension import Dimension


def test_parameter_conversion_and_ranges():
    steps = Parameter("steps", "Width steps", int, 30, minimum=1, maximum=1000)
    assert steps.convert("12") == 12 and steps.convert(12.0) == 12
    for bad, says in (("1.5", "not a valid int"), ("0", "at least 1"), ("2000", "at most 1000"),
                      (None, "needs a value"), ("nan", "not a valid int")):
        with pytest.raises(ValueError, match=says):
            steps.convert(bad)
    gap = Parameter("gap", "Gap", float, None, optional=True, minimum=0)
    assert gap.convert(None) is None and gap.convert("default") is None
    with pytest.raises(ValueError, match="finite"):
        gap.convert("inf")
    method = Parameter("guess", "Guess", str, "peak", choices=("peak", "grid"))
    assert method.convert("grid") == "grid"
    with pytest.raises(ValueError, match="one of peak, grid"):
        method.convert("other")
    flag = Parameter("flag", "Flag", bool, False)
    assert flag.convert("yes") is True and flag.convert("0") is False


def test_peak_finding_declaration_round_trips_its_stored_attributes():
    peaks = registry.get("peak_finding")
    assert registry.get() is peaks and next(iter(registry.available())) == "peak_finding"
    values = peaks.values({"steps": "12", "width_lo": 5})
    assert values["steps"] == 12 and values["width_lo"] == 5.0 and values["gap_thresh"] is None
    attrs = {k: ("default" if v is None else np.float64(v) if isinstance(v, float) else v)
             for k, v in values.items()}
    assert peaks.from_attrs(attrs) == values
    with pytest.raises(ValueError, match="must be at most Widths to"):
        peaks.values({"width_lo": 70})  # the cross-parameter rule of the declaration
    with pytest.raises(ValueError, match="no analysis called 'nope'"):
        registry.get("nope")


def test_the_axis_is_the_one_index_to_value_rule():
    axis = Dimension("Frequency", "Hz", np.linspace(300e3, 400e3, 11))
    assert axis.value_at(3) == axis.values[3]
    np.testing.assert_array_equal(axis.value_at(np.array([0, 10])), [300e3, 400e3])


def test_quantities_are_read_in_the_declared_unit_and_refused_with_it():
    """Issue 19, row 13: "335 kHz" is 335000 Hz (the CLI's --param band_lo=335kHz too), and
    a refusal names the value with its unit and the parameter at fault."""
    sho = registry.get("sho")
    values = sho.values({"band_lo": "335 kHz", "band_hi": "0.34 MHz", "xtol": "1e-9"})
    assert (values["band_lo"], values["band_hi"], values["xtol"]) == (335e3, 340e3, 1e-9)
    refused = (({"band_lo": "-5000"}, "Band from must be at least 0 Hz, not -5 kHz",
                ("band_lo",)),
               ({"band_lo": "400 kHz", "band_hi": "300 kHz"},
                "Band from (400 kHz) must be below Band to (300 kHz)", ("band_lo", "band_hi")),
               ({"q_min": 500, "q_max": 100}, "Q from (500) must be below Q to (100)",
                ("q_min", "q_max")),
               ({"band_lo": "335 kV"}, "not a number in Hz", ("band_lo",)))
    for given, says, names in refused:
        with pytest.raises(ParameterError, match=re.escape(says)) as caught:
            sho.values(given)
        assert caught.value.names == names
    assert pickle.loads(pickle.dumps(caught.value)).names == names

"""PeakGUI's loop model and switching values against BGlib 0.0.6 itself (interop environment):
the same function on BGlib's rolled waveform, the same member names, the same switching values
except Nucleation Bias 2's width."""

from __future__ import annotations

import numpy as np

from peakgui.core.analyses.loop_fit.fields import result_fields
from peakgui.core.analyses.loop_fit.model import PARAM_NAMES
from peakgui.core.analyses.loop_fit.switching import SWITCHING_NAMES, switching_parameters
from tests.interop import run_interop

from .synthetic import loops, random_params, triangle
from .test_analysis import _ctx

BGLIB = """
import numpy as np
from BGlib.be.analysis.utils.be_loop import (calc_switching_coef_vec, loop_fit_function,
                                             switching32)
from BGlib.be.analysis.be_loop_fitter import loop_fit32
v = np.roll(np.array(voltage), -len(voltage) // 4)  # BGlib's quarter-cycle roll
values = [loop_fit_function(v, np.array(p)).tolist() for p in params]
sw = calc_switching_coef_vec(np.array(params), 0.03).ravel()
print(json.dumps({"rolled": v.tolist(), "values": values, "loop_fit32": loop_fit32.names,
                  "switching32": switching32.names,
                  "switching": {k: sw[k].tolist() for k in switching32.names}}))
"""


def test_model_names_and_switching_values_match_bglib():
    rng = np.random.default_rng(50)
    params = random_params(rng, 6)
    params[:3, 6] = params[:3, 5]  # b_1 = b_0: BGlib's Nucleation Bias 2 is right there
    # b_0 > b_1: BGlib's formula with b_0 is finite (with b_0 < b_1 it is NaN and BGlib falls
    # back to b_1, the right width)
    params[3:, 5] = params[3:, 6] + 0.3
    v = triangle(48)
    out = run_interop(BGLIB, voltage=v.tolist(), params=params.tolist())
    rolled = np.array(out["rolled"])
    np.testing.assert_allclose(loops(rolled, params), out["values"], rtol=1e-13, atol=1e-13)
    assert tuple(out["loop_fit32"]) == (*PARAM_NAMES, "R2 Criterion")
    assert tuple(out["switching32"]) == SWITCHING_NAMES
    ours = switching_parameters(params, v.min(), v.max())
    for name in SWITCHING_NAMES:
        theirs = np.array(out["switching"][name])
        if name == "Nucleation Bias 2":
            np.testing.assert_allclose(ours[name][:3], theirs[:3], rtol=1e-12)
            assert np.all(np.abs(ours[name][3:] - theirs[3:]) > 1e-3)
        else:
            np.testing.assert_allclose(ours[name], theirs, rtol=1e-12, err_msg=name)
    members = {f.member for f in result_fields(_ctx()) if f.compound == "Fit_Loop_Parameters"}
    assert set(SWITCHING_NAMES) <= members

"""Whole process against whole process: ``peakgui-batch FILE --json`` vs the pyUSID tutorial.

Run: ``.venv/bin/python benchmarks/bench_process.py [--rows 80 --cols 96] [--repeat 3]
[--peer-python .venv-interop/bin/python]``

Both sides start a fresh Python process on their own copy of the same USID file (written by
``peakgui.core.demo.be.write_demo``) and are timed from start to exit, so imports, start-up,
reading, computing and writing the results all count, as a user waits for them:

* peakgui: the installed ``peakgui-batch FILE --json`` (default jobs);
* the peer: the tutorial's ``PeakFinder(usid.Process)`` with ``find_peaks_cwt`` on ``|x|`` and
  widths ``linspace(20, 60, 30)``, ``test()`` on one pixel, then ``compute()`` (pyUSID's own
  parallel chunking) when pyUSID imports (with numpy 2's removed ``np.product`` alias put back
  for pyUSID 0.0.12); otherwise the same map function as a plain loop over
  the dataset read with h5py, results written back beside it.

Prints each side's best wall time, the ratio, and whether the two ``Peak_Response`` maps are
bit-identical.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

from peakgui.core.demo.be import DEMO_DATASET, write_demo

PEER = r'''
import sys
import h5py
import numpy as np
from scipy.signal import find_peaks_cwt

path, dataset = sys.argv[1], sys.argv[2]


def map_function(spectra):
    """The tutorial's _map_function (its find_all_peaks is find_peaks_cwt on |x|)."""
    peak_inds = find_peaks_cwt(np.abs(spectra), np.linspace(20, 60, 30))
    central_ind = len(spectra) // 2
    if len(peak_inds) == 0:
        val = central_ind
    elif len(peak_inds) > 1:
        val = peak_inds[np.argmin(np.abs(peak_inds - central_ind))]
    else:
        val = peak_inds[0]
    return np.abs(spectra[val])


if not hasattr(np, "product"):  # pyUSID 0.0.12 still calls np.product, gone in numpy 2
    np.product = np.prod
try:
    import pyUSID as usid
    import sidpy
except Exception:  # any import failure: the plain loop stands in
    usid = None

if usid is not None:
    class PeakFinder(usid.Process):
        def __init__(self, h5_main, **kwargs):
            super().__init__(h5_main, "Peak_Finding", parms_dict={"algorithm": "find_all_peaks"},
                             **kwargs)

        def test(self, pixel_ind):
            return self._map_function(self.h5_main[pixel_ind])

        def _create_results_datasets(self):
            self.h5_results_grp = usid.hdf_utils.create_results_group(self.h5_main,
                                                                      self.process_name)
            sidpy.hdf_utils.write_simple_attrs(self.h5_results_grp, self.parms_dict)
            self.h5_results = usid.hdf_utils.write_main_dataset(
                self.h5_results_grp, (self.h5_main.shape[0], 1), "Peak_Response", "Amplitude",
                "V", None, usid.Dimension("Empty", "a. u.", 1), dtype=np.float32,
                h5_pos_inds=self.h5_main.h5_pos_inds, h5_pos_vals=self.h5_main.h5_pos_vals)

        def _write_results_chunk(self):
            pos_in_batch = self._get_pixels_in_current_batch()
            self.h5_results[pos_in_batch, 0] = np.array(self._results)

        @staticmethod
        def _map_function(spectra, *args, **kwargs):
            return map_function(spectra)

    with h5py.File(path, "r+") as f:
        fitter = PeakFinder(usid.USIDataset(f[dataset]))
        fitter.test(0)
        group = fitter.compute()
        print("pyUSID", group.name)
else:
    with h5py.File(path, "r+") as f:
        raw = f[dataset][()]
        amps = np.array([map_function(row) for row in raw], dtype=np.float32)
        group = f.create_group(dataset + "-Peak_Finding_000")
        group.create_dataset("Peak_Response", data=amps[:, None])
        print("scipy-loop", group.name)
'''


def batch_program() -> str:
    """``peakgui-batch`` beside this interpreter (the venv's), else on PATH."""
    here = Path(sys.executable).with_name("peakgui-batch")
    return str(here) if here.exists() else (shutil.which("peakgui-batch") or "peakgui-batch")


def timed(cmd: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    return seconds, res.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=80)
    parser.add_argument("--cols", type=int, default=96)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer-python", default=sys.executable,
                        help="Python that runs the peer (.venv-interop/bin/python has pyUSID;"
                        " PeakGUI's own environment has not, and the peer then is a plain loop)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="peakgui-bench-process-") as tmp:
        master = Path(tmp) / "master.h5"
        write_demo(master, rows=args.rows, cols=args.cols)
        script = Path(tmp) / "pyusid_tutorial_process.py"
        script.write_text(PEER)
        ours, theirs, summary, peer_kind = [], [], {}, ""
        for i in range(args.repeat):
            mine, peer = Path(tmp) / f"peakgui{i}.h5", Path(tmp) / f"peer{i}.h5"
            shutil.copy(master, mine)
            shutil.copy(master, peer)
            seconds, out = timed([batch_program(), str(mine), "--json"])
            ours.append(seconds)
            summary = json.loads(out.splitlines()[0])
            seconds, out = timed([args.peer_python, str(script), str(peer), DEMO_DATASET])
            theirs.append(seconds)
            peer_kind, peer_group = out.split()[-2:]
        with h5py.File(mine, "r") as f:
            a = f[summary["results_group"]]["Peak_Response"][:, 0]
        with h5py.File(peer, "r") as f:
            b = f[peer_group]["Peak_Response"][:, 0]
        same = np.array_equal(a.view(np.uint32), b.astype(np.float32).view(np.uint32))

    n = args.rows * args.cols
    peer_label = ("pyUSID tutorial Process" if peer_kind == "pyUSID"
                  else "tutorial map as a plain scipy loop (pyUSID not importable)")
    print(f"{args.cols} x {args.rows} x 119 demo file ({n} spectra), best of {args.repeat}, "
          f"fresh copy and fresh process each time")
    print(f"  peakgui-batch FILE --json : {min(ours):7.2f} s wall  (all: "
          f"{', '.join(f'{s:.2f}' for s in ours)}; run {summary['seconds']:.3f} s, kernel load "
          f"{summary['kernel_load_seconds']:.3f} s, {summary['workers']} worker(s))")
    print(f"  {peer_label:26s}: {min(theirs):7.2f} s wall  (all: "
          f"{', '.join(f'{s:.2f}' for s in theirs)})")
    print(f"  ratio                     : {min(theirs) / min(ours):7.1f} x")
    print(f"  Peak_Response bit-identical: {same}")


if __name__ == "__main__":
    main()

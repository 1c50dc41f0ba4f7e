"""The BEPS chain (SHO fit, then loop fit) against a known truth: BGlib 0.0.6 and PeakGUI side
by side, in one run, on issue 18's synthetic file.

The file (``peakgui.core.demo.beps``, ``BENCHMARK``) has 24 x 20 pixels, 61 frequency bins
(300-340 kHz) x 2 fields x 48 DC steps (0 -> +10 -> 0 -> -10 -> 0 V), loops drawn from BGlib's
9-parameter model with known parameters, response-line angles spread over [0, 2 pi), and noise
giving about a 1.4 % median SHO amplitude error. For both pipelines it prints, against the
stored truth, on the loops that switch within the sweep (``Ground_Truth/Switching``):

* median and 95th percentile of |V+ error|, |V- error| and |imprint error| (V);
* the median relative error of the switchable response (a_1, BGlib's Switchable Polarization);
* wall and CPU seconds of each stage (SHO guess + fit, loop guess + fit), and the ratios.

BGlib runs its own pipeline in its environment (numpy < 2; ``.venv-interop``, see
``benchmarks/bench_sho.py``) on a copy of the file: ``BESHOfitter`` guess and fit, then
``BELoopFitter`` guess and fit on the SHO ``Fit`` dataset, its V+ / V- / Imprint / Switchable
Polarization read from ``Fit_Loop_Parameters``. CPU seconds count the process and its worker
processes (BGlib uses joblib and dask processes whatever ``cores`` says).

PeakGUI: the SHO fit through the engine (``AnalysisRun(source, "sho")``), then the loop fit on
its ``Fit`` results: through the engine's chain when the ``loop_fit`` analysis is registered,
else the loop-fit kernel on the SHO results read from the file; with neither, only BGlib's side
and the scoring run, and the script says so.

    .venv/bin/python benchmarks/bench_loop_chain.py --bglib-python .venv-interop/bin/python

Other options: ``--jobs 2`` (workers on both sides), ``--seed 0``, ``--keep DIR`` (keep the
files), ``--json FILE``.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy loads BLAS

import argparse  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import textwrap  # noqa: E402
import time  # noqa: E402
from collections import deque  # noqa: E402
from collections.abc import Callable  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import psutil  # noqa: E402

from peakgui.core.analyses import registry  # noqa: E402
from peakgui.core.demo.be import DEMO_DATASET, read_truth  # noqa: E402
from peakgui.core.demo.beps import BENCHMARK, FIELD_VALUES, write_beps_demo  # noqa: E402
from peakgui.core.io.results_read import read_all  # noqa: E402
from peakgui.core.io.results_source import ResultsSource  # noqa: E402
from peakgui.core.io.source import SpectralSource  # noqa: E402
from peakgui.core.run.engine import AnalysisRun  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCORED = ("V+", "V-", "Imprint")


def tree_cpu() -> float:
    """CPU seconds of this process, its finished children and its live descendants."""
    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    for child in psutil.Process().children(recursive=True):
        try:
            c = child.cpu_times()
            total += c.user + c.system
        except psutil.Error:
            pass
    return total


def timed(fn: Callable[[], object]) -> tuple[object, float, float]:
    """(result, wall seconds, CPU seconds of the process tree)."""
    c0, w0 = tree_cpu(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - w0, tree_cpu() - c0


# ---- scoring ----------------------------------------------------------------------------------
def score(truth: dict[str, np.ndarray], got: dict[str, np.ndarray]) -> dict:
    """Errors of ``got`` ({"V+", "V-", "Imprint", "Switchable"}: (P, fields) in the truth's
    field order) against the truth, over the loops that switch within the sweep. A loop whose
    figures are not finite counts as an infinite error (it is in the percentiles, not dropped)."""
    mask = truth["Switching"].astype(bool)
    out: dict = {"loops": int(mask.sum())}
    for name in SCORED:
        err = np.abs(np.asarray(got[name], dtype=np.float64) - truth[name])[mask]
        err = np.where(np.isfinite(err), err, np.inf)
        out[name] = {"median": float(np.median(err)), "p95": float(np.percentile(err, 95))}
    rel = np.abs(np.asarray(got["Switchable"], dtype=np.float64)
                 / truth["Switchable_Response"] - 1)[mask]
    rel = np.where(np.isfinite(rel), rel, np.inf)
    out["Switchable"] = {"median": float(np.median(rel)), "p95": float(np.percentile(rel, 95))}
    return out


def sho_amplitude_error(truth: dict[str, np.ndarray], amplitude: np.ndarray) -> float:
    """Median |A_fit / A_true - 1| over every spectrum; ``amplitude`` is (P, fields, DC)."""
    return float(np.median(np.abs(amplitude / truth["Amplitude"] - 1)))


# ---- PeakGUI ----------------------------------------------------------------------------------
def _fields_first(values: np.ndarray, n_fields: int) -> np.ndarray:
    """(P, DC * fields) in the file's step order (DC slowest) -> (P, fields, DC)."""
    return values.reshape(values.shape[0], -1, n_fields).transpose(0, 2, 1)


def _run(run: AnalysisRun) -> tuple[object, dict]:
    """Run to the end; (last report, wall and CPU seconds)."""
    run.prepare()
    last, wall, cpu = timed(lambda: deque(run.run(force=True), maxlen=1)[0])
    return last, {"wall_s": wall, "cpu_s": cpu}


def peakgui_chain(path: Path, jobs: int) -> dict:
    """The SHO fit through the engine (guess and fit in one pass), then the loop fit on its
    results: through the engine's chain (a results source over the SHO group) when the
    ``loop_fit`` analysis is installed, else the loop-fit kernel on the SHO results."""
    last, sho_time = _run(AnalysisRun(SpectralSource.open(path), "sho", n_jobs=jobs))
    times = {"sho": sho_time}
    sho = read_all(last.results, ["Fit_Amplitude", "Fit_Phase"])
    n_fields = len(FIELD_VALUES)
    amplitude = _fields_first(sho["Fit_Amplitude"].astype(np.float64), n_fields)
    phase = _fields_first(sho["Fit_Phase"].astype(np.float64), n_fields)
    out = {"times": times, "sho_amplitude": amplitude, "sho_group": last.results.group}
    if "loop_fit" in registry.available():
        loop_fit = registry.get("loop_fit")
        assert loop_fit.input is not None
        upstream = ResultsSource.open_group(last.results.file, last.results.group,
                                            loop_fit.input)
        done, times["loop"] = _run(AnalysisRun(upstream, loop_fit, n_jobs=jobs))
        got = read_all(done.results, list(_ENGINE_FIELDS.values()))
        out["figures"] = {k: got[name].astype(np.float64) for k, name in _ENGINE_FIELDS.items()}
        out["note"] = f"SHO and loop fit through the engine, loops in {done.results.group}"
        return out
    volts = SpectralSource.open(path).layout.others[0].values  # DC_Offset, the slower dim
    loops = peakgui_loops(amplitude * np.exp(1j * phase), volts, jobs)
    if loops is None:
        out["note"] = "no loop fit installed: the SHO stage only"
        return out
    out["figures"], loop_times = loops
    times.update(loop_times)
    out["note"] = "SHO through the engine; the loop-fit kernel called on its results"
    return out


# the loop fit's result fields (P, fields) that BGlib's Fit_Loop_Parameters members hold
_ENGINE_FIELDS = {"V+": "Fit_V_Plus", "V-": "Fit_V_Minus", "Imprint": "Fit_Imprint",
                  "Switchable": "Fit_Switchable_Polarization"}


def peakgui_loops(response: np.ndarray, volts: np.ndarray,
                  jobs: int) -> tuple[dict, dict] | None:
    """Loop figures (P, fields) and stage times from the complex SHO responses (P, fields,
    DC): the principal-direction projection, then the compiled guess and multi-start fit, in
    ``jobs`` threads (the kernel releases the GIL). None while PeakGUI has no loop fit."""
    try:
        from peakgui.core.analyses.loop_fit.fit import fit_loops
        from peakgui.core.analyses.loop_fit.projection import project_loops
    except ImportError:
        return None
    n, n_fields, n_dc = response.shape
    proj, wall_p, cpu_p = timed(lambda: project_loops(response, volts))
    loops = np.ascontiguousarray(proj.loops.reshape(-1, n_dc))

    def fit_all() -> np.ndarray:
        parts = np.array_split(np.arange(len(loops)), max(1, jobs))
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            done = list(pool.map(lambda rows: fit_loops(loops[rows], volts).fit, parts))
        return np.concatenate(done)

    fit, wall_f, cpu_f = timed(fit_all)
    p = fit[:, :9].reshape(n, n_fields, 9)
    figures = {"V+": p[..., 3], "V-": p[..., 2], "Imprint": (p[..., 2] + p[..., 3]) / 2,
               "Switchable": p[..., 1]}
    times = {"loop_projection": {"wall_s": wall_p, "cpu_s": cpu_p},
             "loop_fit": {"wall_s": wall_f, "cpu_s": cpu_f},
             "loop": {"wall_s": wall_p + wall_f, "cpu_s": cpu_p + cpu_f}}
    return figures, times


# ---- BGlib ------------------------------------------------------------------------------------
_BGLIB_SCRIPT = textwrap.dedent("""
    import json, os, sys, time, warnings
    warnings.filterwarnings("ignore")
    import h5py, numpy as np, psutil
    from sidpy.hdf.hdf_utils import get_attr
    from BGlib.be.analysis.be_sho_fitter import BESHOfitter
    from BGlib.be.analysis.be_loop_fitter import BELoopFitter

    {tree_cpu}

    def labels(table):
        return [x.decode() if isinstance(x, bytes) else str(x) for x in table.attrs["labels"]]

    times = {{}}
    def stage(name, fn):
        c0, w0 = tree_cpu(), time.perf_counter()
        out = fn()
        times[name] = {{"wall_s": time.perf_counter() - w0, "cpu_s": tree_cpu() - c0}}
        return out

    path, cores = sys.argv[1], int(sys.argv[2])
    with h5py.File(path, "r+") as f:
        raw = f["{dataset}"]
        sho = BESHOfitter(raw, cores=cores, verbose=False)
        sho.set_up_guess()
        stage("sho_guess", sho.do_guess)
        sho.set_up_fit()
        fit = stage("sho_fit", sho.do_fit)
        meas = raw.parent.parent
        loops = BELoopFitter(fit, get_attr(f, "data_type"), get_attr(meas, "VS_mode"),
                             get_attr(meas, "VS_cycle_fraction"), cores=cores, verbose=False)
        loops.set_up_guess()
        stage("loop_guess", loops.do_guess)
        loops.set_up_fit()
        loop_fit = stage("loop_fit", loops.do_fit)
        group = loop_fit.parent
        params = group["Fit_Loop_Parameters"]
        spec = f[params.attrs["Spectroscopic_Values"]]
        field_row = labels(spec).index("Field")
        columns = spec[field_row].tolist()
        values = params[()]
        sho_fit = fit[()]
        sho_spec = f[fit.attrs["Spectroscopic_Values"]]
        sho_labels = labels(sho_spec)
        out = {{"times": times, "field_of_column": columns,
               "sho_field": sho_spec[sho_labels.index("Field")].tolist(),
               "sho_dc_index": f[fit.attrs["Spectroscopic_Indices"]][
                   sho_labels.index("DC_Offset")].tolist(),
               "sho_amplitude": sho_fit["Amplitude [V]"].tolist(),
               "group": group.name}}
        for name in ("V+", "V-", "Imprint", "Switchable Polarization"):
            out[name] = values[name].tolist()
    print(json.dumps(out))
""")


def _by_field(values: np.ndarray, field_of_column: list[float]) -> np.ndarray:
    """(P, columns) -> (P, fields) in the truth's order (Field index: FIELD_VALUES order)."""
    order = [field_of_column.index(v) for v in FIELD_VALUES]
    return np.asarray(values, dtype=np.float64)[:, order]


def run_bglib(python: str, path: Path, folder: Path, cores: int) -> dict:
    """BGlib's four stages on a copy of the file, in its own interpreter."""
    copy = folder / "bglib.h5"
    shutil.copy(path, copy)  # BGlib writes its results into the file it reads
    script = _BGLIB_SCRIPT.format(dataset=DEMO_DATASET, tree_cpu=inspect.getsource(tree_cpu))
    proc = subprocess.run([python, "-c", script, str(copy), str(cores)], capture_output=True,
                          text=True, timeout=4 * 3600)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-8:]}
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    cols = res["field_of_column"]
    figures = {name: _by_field(res[name], cols) for name in SCORED}
    figures["Switchable"] = _by_field(res["Switchable Polarization"], cols)
    # SHO amplitude (P, DC * fields) -> (P, fields, DC)
    amp = np.asarray(res["sho_amplitude"], dtype=np.float64)
    field = np.asarray(res["sho_field"])
    dc = np.asarray(res["sho_dc_index"], dtype=int)
    sho = np.empty((amp.shape[0], len(FIELD_VALUES), dc.max() + 1))
    for k, v in enumerate(FIELD_VALUES):
        cols_k = np.flatnonzero(field == v)
        sho[:, k, dc[cols_k]] = amp[:, cols_k]
    return {"times": res["times"], "figures": figures, "sho_amplitude": sho,
            "group": res["group"]}


# ---- printing ---------------------------------------------------------------------------------
def _stage_line(name: str, a: dict | None, b: dict | None) -> str:
    def cell(t: dict | None) -> str:
        return f"{t['wall_s']:8.2f} / {t['cpu_s']:8.2f}" if t else f"{'-':>19}"

    ratio = ""
    if a and b and b["cpu_s"] > 0:
        ratio = f"{a['cpu_s'] / b['cpu_s']:9.1f} x"
    return f"  {name:<22}{cell(a)}   {cell(b)}   {ratio}"


def print_report(report: dict) -> None:
    bg, pg = report.get("bglib", {}), report.get("peakgui", {})
    bs, ps = bg.get("score"), pg.get("score")
    print(f"\naccuracy against the truth ({report['switching_loops']} switching loops of "
          f"{report['loops']}):")
    print(f"  {'':<22}{'BGlib 0.0.6':>19}   {'PeakGUI':>19}   BGlib / PeakGUI")
    for name in (*SCORED, "Switchable"):
        unit = "" if name == "Switchable" else " V"
        for q in ("median", "p95"):
            label = f"{'|' + name + ' error|' if name != 'Switchable' else 'switchable rel.'}"
            vals = [s[name][q] if s else None for s in (bs, ps)]
            cells = [f"{v:>17.4g}{unit or '  '}" if v is not None else f"{'-':>19}"
                     for v in vals]
            ratio = f"{vals[0] / vals[1]:9.1f} x" if None not in vals and vals[1] > 0 else ""
            print(f"  {label + ' ' + q:<22}{cells[0]}   {cells[1]}   {ratio}")
    print(f"  {'SHO amplitude error':<22}"
          + "   ".join(f"{s:>19.4f}" if s is not None else f"{'-':>19}"
                       for s in (bg.get("sho_amplitude_error"), pg.get("sho_amplitude_error"))))
    print("\ntime per stage, wall / CPU seconds:")
    print(f"  {'':<22}{'BGlib 0.0.6':>19}   {'PeakGUI':>19}   BGlib / PeakGUI (CPU)")
    bt, pt = bg.get("times", {}), pg.get("times", {})
    for stage in ("sho_guess", "sho_fit", "sho", "loop_projection", "loop_guess", "loop_fit",
                  "loop", "total"):
        if stage in bt or stage in pt:
            print(_stage_line(stage, bt.get(stage), pt.get(stage)))
    if pg.get("note"):
        print(f"\nPeakGUI: {pg['note']}")


def _totals(times: dict) -> None:
    """Add 'sho', 'loop' and 'total' sums where the stages are split."""
    def add(name: str, parts: tuple[str, ...]) -> None:
        if name not in times and all(p in times for p in parts):
            times[name] = {k: sum(times[p][k] for p in parts) for k in ("wall_s", "cpu_s")}

    add("sho", ("sho_guess", "sho_fit"))
    add("loop", ("loop_guess", "loop_fit"))
    add("total", ("sho", "loop"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_py = os.environ.get("PEAKGUI_INTEROP_PYTHON") or ROOT / ".venv-interop/bin/python"
    ap.add_argument("--bglib-python", default=str(default_py),
                    help="python of an environment with BGlib (numpy < 2)")
    ap.add_argument("--jobs", type=int, default=2, help="workers (cores) on both sides")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pixels", type=int, nargs=2, metavar=("ROWS", "COLS"),
                    default=(BENCHMARK["rows"], BENCHMARK["cols"]),
                    help="a smaller scan for a quick look (the issue's file is 24 x 20)")
    ap.add_argument("--keep", type=Path, help="write the files into this folder and keep them")
    ap.add_argument("--no-bglib", action="store_true", help="PeakGUI's side only")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "beps_benchmark.h5"
        spec = {**BENCHMARK, "rows": args.pixels[0], "cols": args.pixels[1]}
        write_beps_demo(path, **spec, seed=args.seed)
        truth = read_truth(path)
        n_loops = truth["Switching"].size
        report: dict = {"file": {**spec, "seed": args.seed}, "loops": n_loops,
                        "switching_loops": int(truth["Switching"].sum()), "jobs": args.jobs}
        print(f"BEPS benchmark file: {spec['rows']} x {spec['cols']} pixels, "
              f"{BENCHMARK['bins']} bins x 2 fields x {BENCHMARK['dc_steps']} DC steps "
              f"({truth['Amplitude'].size} spectra, {n_loops} loops, "
              f"{report['switching_loops']} switching); {args.jobs} worker(s) a side")

        pg_copy = folder / "peakgui.h5"
        shutil.copy(path, pg_copy)
        pg = peakgui_chain(pg_copy, args.jobs)
        _totals(pg["times"])
        if "figures" in pg:
            pg["score"] = score(truth, pg["figures"])
        if "sho_amplitude" in pg:
            pg["sho_amplitude_error"] = sho_amplitude_error(truth, pg["sho_amplitude"])
        report["peakgui"] = pg

        if not args.no_bglib:
            if not Path(args.bglib_python).exists():
                print(f"no BGlib environment at {args.bglib_python}: PeakGUI's side only")
            else:
                print("BGlib's pipeline is running (minutes)...", flush=True)
                bg = run_bglib(args.bglib_python, path, folder, args.jobs)
                if "error" in bg:
                    print("BGlib failed:", *bg["error"], sep="\n  ")
                else:
                    _totals(bg["times"])
                    bg["score"] = score(truth, bg["figures"])
                    bg["sho_amplitude_error"] = sho_amplitude_error(truth, bg["sho_amplitude"])
                report["bglib"] = bg
        print_report(report)
    if args.json:
        clean = {side: {k: v for k, v in report[side].items()
                        if k not in ("figures", "sho_amplitude")}
                 for side in ("bglib", "peakgui") if side in report}
        args.json.write_text(json.dumps({**report, **clean}, indent=2, default=str))


if __name__ == "__main__":
    main()

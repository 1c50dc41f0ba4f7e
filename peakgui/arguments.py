"""Command-line options both programs share, built from the analysis declarations.

``peakgui`` (the window) and ``peakgui-batch`` take the same input, analysis and resource options;
defining them here keeps one spelling, one help text and one conversion for each. Nothing here
imports Qt, and analyses are looked up only when an option names one, so ``--help`` stays quick.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

# options older than --param (peak finding's) or too common to spell out (the SHO band):
# option -> (analysis, parameter names)
SHORTHANDS = {
    "widths": ("peak_finding", ("width_lo", "width_hi")),
    "steps": ("peak_finding", ("steps",)),
    "min_snr": ("peak_finding", ("min_snr",)),
    "noise_perc": ("peak_finding", ("noise_perc",)),
    "band": ("sho", ("band_lo", "band_hi")),
}


def add_input_arguments(p: argparse.ArgumentParser, *, many: bool = False) -> None:
    """FILE (or FILEs and folders) and --dataset."""
    if many:
        p.add_argument("files", nargs="*", metavar="FILE",
                       help="HDF5 files to run, or folders (their *.h5 files)")
    else:
        p.add_argument("file", nargs="?", help="HDF5 file to open")
    p.add_argument("--dataset", metavar="H5PATH",
                   help="spectral dataset, any (default: raw data, never a results dataset: the "
                   "first USID main dataset, else the first NSID spectral image, else the "
                   "first 3-D cube)")


def add_analysis_arguments(p: argparse.ArgumentParser) -> None:
    """--analysis, --param and the peak finder's own shorthands."""
    g = p.add_argument_group("analysis")
    g.add_argument("--analysis", metavar="NAME", default=None,
                   help="analysis to run (default: peak_finding; see --list-analyses); with "
                   "--help, lists its parameters")
    g.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="set one of the analysis' parameters (repeatable)")
    g.add_argument("--list-analyses", action="store_true",
                   help="list the installed analyses (name and title) and exit")
    peak = p.add_argument_group("peak finding (shorthands for --param)")
    peak.add_argument("--widths", nargs=2, type=float, metavar=("LO", "HI"),
                      help="CWT width range in points (default: 20 60)")
    peak.add_argument("--steps", type=int, help="number of CWT widths (default: 30)")
    peak.add_argument("--min-snr", type=float, help="minimum SNR (default: 1)")
    peak.add_argument("--noise-perc", type=float, help="noise percentile (default: 10)")
    sho = p.add_argument_group("SHO fit (shorthand for --param)")
    sho.add_argument("--band", nargs=2, type=float, metavar=("LO", "HI"),
                     help="frequency band to fit in Hz (default: the whole axis)")


def add_chain_arguments(p: argparse.ArgumentParser) -> None:
    """--from, --then and --then-param: analyses that read another analysis' results."""
    g = p.add_argument_group("chained analyses (that read another analysis' results)")
    g.add_argument("--from", dest="from_group", metavar="GROUP",
                   help="results group the chained --analysis reads, an HDF5 path in the file, "
                   "its sidecar or --output (default: the newest complete group of the "
                   "analysis it reads, e.g. the SHO fit's for loop_fit)")
    g.add_argument("--then", metavar="NAME",
                   help="after --analysis, run the chained analysis NAME on its results, in "
                   "one command: --analysis sho --then loop_fit")
    g.add_argument("--then-param", action="append", default=[], metavar="NAME=VALUE",
                   help="set one of the --then analysis' parameters (repeatable)")


def chain_values(args: argparse.Namespace, analysis: Any) -> tuple[Any, dict[str, Any]]:
    """The --then analysis and its checked values (None, {} without --then), after checking
    --from and --then against the analyses they name; InputError says what is wrong."""
    from peakgui.core.analyses import registry
    from peakgui.core.errors import InputError

    if args.from_group and args.then:
        raise InputError("--from and --then exclude each other: with --then the chained "
                         "analysis reads the results the first one just wrote")
    if args.from_group and analysis.input is None:
        raise InputError(f"--from chooses the results a chained --analysis reads; "
                         f"{analysis.name} reads raw spectra")
    if args.then_param and not args.then:
        raise InputError("--then-param sets parameters of the --then analysis; there is none")
    if not args.then:
        return None, {}
    try:
        then = registry.get(args.then)
        values = then.values(_pairs(args.then_param, "--then-param"))
    except ValueError as exc:
        raise InputError(f"bad parameters: {exc}") from None
    if then.input is None or then.input.analysis != analysis.name:
        reads = f"reads {then.input.analysis} results" if then.input else "reads raw spectra"
        raise InputError(f"--then {then.name}: {then.title} {reads}, not the results of "
                         f"--analysis {analysis.name}")
    return then, values


def add_jobs_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="parallel workers (default: all cores but one; two spare above four)")
    p.add_argument("--backend", choices=("threads", "processes"), default=None,
                   help="local workers as threads (default when the analysis' kernel releases "
                   "the GIL: no start-up, no copies) or processes")


def analysis_help(name: str | None) -> str:
    """The parameters of an analysis, one per line, for ``--analysis NAME --help``."""
    from peakgui.core.analyses import registry

    analysis = registry.get(name)
    lines = [f"{analysis.title} ({analysis.name}): {analysis.description}".rstrip(": "),
             "parameters (--param NAME=VALUE):"]
    for prm in analysis.parameters:
        lines.append(f"  {prm.name:<14} {prm.describe()}")
    return "\n".join(lines)


def list_analyses() -> str:
    """One line per installed analysis (name, title), then any plugin that failed to load."""
    from peakgui.core.analyses import registry

    found = registry.available()
    width = max(len(n) for n in found)
    lines = [f"{name:<{width}}  {a.title}" for name, a in found.items()]
    lines += [f"{name:<{width}}  (failed to load: {why})"
              for name, why in registry.broken().items()]
    return "\n".join(lines)


def wants_analysis_help(argv: Sequence[str]) -> str | None:
    """The NAME of ``--analysis NAME --help`` (None when not asked)."""
    argv = list(argv)
    if not any(a in ("-h", "--help") for a in argv):
        return None
    for i, a in enumerate(argv):
        if a == "--analysis" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--analysis="):
            return a.split("=", 1)[1]
    return None


def parameter_values(args: argparse.Namespace) -> dict[str, Any]:
    """The parameters the command line set (strings from --param, numbers from shorthands);
    the analysis' declaration converts and checks them. ValueError names what is wrong."""
    given: dict[str, Any] = {}
    for option, (owner, names) in SHORTHANDS.items():
        value = getattr(args, option, None)
        if value is None:
            continue
        if (args.analysis or "peak_finding") != owner:
            raise ValueError(f"--{option.replace('_', '-')} belongs to --analysis {owner}; use "
                             "--param NAME=VALUE for this analysis")
        values = value if isinstance(value, list | tuple) else [value]
        given.update(zip(names, values))
    given.update(_pairs(args.param, "--param"))
    return given


def _pairs(items: Sequence[str], option: str) -> dict[str, str]:
    """``NAME=VALUE`` items as a dict; ValueError names a malformed one."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"{option} {item!r}: expected NAME=VALUE")
        out[name.strip()] = value.strip()
    return out

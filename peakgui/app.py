"""``peakgui``: the desktop application's entry point.

The parser is Qt-free (``--help`` is instant and it can be tested without a display); Qt and the
window are imported only once the arguments are known.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .arguments import add_analysis_arguments, add_input_arguments, add_jobs_argument

DEMO_KINDS = ("be", "beps", "nsid")


def window_size(text: str) -> tuple[int, int]:
    """``WxH`` (e.g. 1366x768) as (width, height) in pixels; argparse reports a ValueError."""
    w, sep, h = text.lower().partition("x")
    try:
        width, height = int(w), int(h)
    except ValueError:
        width = height = 0
    if not sep or width < 400 or height < 300:
        raise argparse.ArgumentTypeError(f"{text!r}: expected WIDTHxHEIGHT in pixels, at least "
                                         "400x300 (e.g. 1366x768)")
    return width, height


def create_parser() -> argparse.ArgumentParser:
    """The argument parser (no Qt import)."""
    p = argparse.ArgumentParser(
        prog="peakgui",
        description="Open a USID (or 3-D) HDF5 spectroscopy map, test the peak finder on "
        "pixels and run it over the whole scan while the amplitude map fills in.",
    )
    add_input_arguments(p)
    p.add_argument("--demo", nargs="?", const="be", choices=DEMO_KINDS, metavar="KIND",
                   help="open a demo dataset, written to your PeakGUI data folder if missing: "
                   "'be' (default) a band-excitation map, 'beps' a BEPS map with a hysteresis "
                   "loop of spectra at every pixel, 'nsid' the BE map as pyNSID writes it "
                   "(dimension scales: x, y in m, frequency in Hz)")
    add_jobs_argument(p)
    add_analysis_arguments(p)
    p.add_argument("--run", action="store_true",
                   help="test the first pixel and run the peak finder over the whole dataset")
    p.add_argument("--then", metavar="ANALYSIS",
                   help="with --run: when the run is done, choose this analysis, which reads "
                   "the results just made (e.g. --analysis sho --then loop_fit), and run it too")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="save a screenshot of the window when the run (or opening) is done")
    p.add_argument("--quit-when-done", action="store_true",
                   help="exit when done: 0 success, 1 run failed, 2 bad input, 3 no screenshot; "
                   "uses default settings and leaves your saved ones untouched")
    p.add_argument("--size", type=window_size, metavar="WxH",
                   help="window size in pixels, e.g. 1366x768 (default: what a first start "
                   "gets on this screen; 1600x1000 without a screen)")
    p.add_argument("--version", action="version", version=f"peakgui {__version__}")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = create_parser()
    args = parser.parse_args(argv)
    if args.run and not (args.file or args.demo):
        parser.error("--run needs a FILE (or --demo)")
    if args.then and not args.run:
        parser.error("--then needs --run")
    if args.dataset and not (args.file or args.demo):
        parser.error("--dataset needs a FILE")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    from .gui.app.launcher import run_app  # Qt is imported only from here on

    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())

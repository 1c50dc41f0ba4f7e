"""The options both programs share, without Qt and without a run."""

from __future__ import annotations

import pytest

from peakgui.app import create_parser as window_parser
from peakgui.arguments import parameter_values, wants_analysis_help
from peakgui.cli import create_parser as batch_parser


def test_both_programs_spell_the_shared_options_alike():
    for parser in (window_parser(), batch_parser()):
        args = parser.parse_args(["--analysis", "peak_finding", "--param", "steps=12",
                                  "--dataset", "/d", "--jobs", "2"])
        assert args.analysis == "peak_finding" and args.param == ["steps=12"]
        assert args.dataset == "/d" and args.jobs == 2


def test_shorthands_and_params_merge_into_one_mapping():
    args = batch_parser().parse_args(["f.h5", "--widths", "10", "50", "--param", "steps=7"])
    assert parameter_values(args) == {"width_lo": 10.0, "width_hi": 50.0, "steps": "7"}
    args = batch_parser().parse_args(["f.h5", "--analysis", "other", "--steps", "3"])
    with pytest.raises(ValueError, match="belongs to --analysis peak_finding"):
        parameter_values(args)
    args = batch_parser().parse_args(["f.h5", "--analysis", "sho", "--band", "3e5", "4e5"])
    assert parameter_values(args) == {"band_lo": 3e5, "band_hi": 4e5}


def test_analysis_help_is_recognised_in_either_spelling():
    assert wants_analysis_help(["--analysis", "sho", "--help"]) == "sho"
    assert wants_analysis_help(["-h", "--analysis=sho"]) == "sho"
    assert wants_analysis_help(["--analysis", "sho"]) is None

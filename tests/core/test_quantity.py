"""Quantities typed and shown with units (issue 19, row 13): "335 kHz" is 335000 Hz, not 335 Hz,
and a tolerance reads "1e-8", not "0.000000010000"."""

from __future__ import annotations

import pytest

from peakgui.core.quantity import format_quantity, format_range, parse_quantity

PARSED = [  # text, the declaration's unit, value in that unit
    ("335 kHz", "Hz", 335e3),
    ("0.335 MHz", "Hz", 335e3),
    ("335000", "Hz", 335e3),
    ("335e3", "Hz", 335e3),
    ("335E3 Hz", "Hz", 335e3),
    ("335kHz", "Hz", 335e3),
    ("335 k", "Hz", 335e3),
    ("3.35×10⁵ Hz", "Hz", 335e3),
    ("3.35 x 10^5", "Hz", 335e3),
    (".5 kHz", "Hz", 500.0),
    ("1.5e-3 MHz", "Hz", 1500.0),
    ("-5000", "Hz", -5000.0),  # parsed as typed: the declaration refuses it, saying why
    ("−5 kHz", "Hz", -5000.0),  # a typographic minus
    ("250 mV", "V", 0.25),
    ("5 µV", "V", 5e-6),
    ("5 uV", "V", 5e-6),
    ("1e-8", "", 1e-8),
    ("1×10⁻⁸", "", 1e-8),
    ("  42  ", "", 42.0),
    ("20 points", "points", 20.0),
    ("20", "points", 20.0),
    ("12.5 %", "%", 12.5),
]


@pytest.mark.parametrize(("text", "unit", "value"), PARSED)
def test_typed_quantities_are_read_in_the_declared_unit(text, unit, value):
    assert parse_quantity(text, unit) == value


REFUSED = [  # text, unit, what the sentence says
    ("335 kV", "Hz", "not a number in Hz"),
    ("5 k", "points", "not a number in points"),  # counts take no prefix
    ("1 kHz", "", "not a plain number"),
    ("abc", "Hz", "not a number"),
    ("", "Hz", "no value"),
    ("335 khz", "Hz", "not a number in Hz"),
]


@pytest.mark.parametrize(("text", "unit", "says"), REFUSED)
def test_what_is_not_a_quantity_in_that_unit_is_refused_with_a_sentence(text, unit, says):
    with pytest.raises(ValueError, match=says):
        parse_quantity(text, unit)


SHOWN = [  # value, unit, text
    (335e3, "Hz", "335 kHz"),
    (335123.4, "Hz", "335.1234 kHz"),
    (0.0, "Hz", "0 Hz"),
    (-5000.0, "Hz", "-5 kHz"),
    (1.2e6, "Hz", "1.2 MHz"),
    (0.1 + 0.2, "V", "300 mV"),
    (1e-8, "", "1e-8"),
    (1e-10, "", "1e-10"),
    (1e4, "", "10000"),
    (20.0, "points", "20 points"),
    (2.5, "nm", "2.5 nm"),  # a unit with its own prefix takes no other
    (10.0, "%", "10 %"),
]


@pytest.mark.parametrize(("value", "unit", "text"), SHOWN)
def test_values_are_shown_with_an_si_prefix_and_read_back_exactly(value, unit, text):
    assert format_quantity(value, unit) == text
    assert parse_quantity(text, unit) == pytest.approx(value, rel=1e-12)


RANGES = [  # low, high, unit, text
    (300e3, 350e3, "Hz", "300–350 kHz"),
    (999e3, 1.2e6, "Hz", "999 kHz – 1.2 MHz"),
    (-10.0, 10.0, "V", "-10–10 V"),
    (1.0, 60.0, "points", "1–60 points"),
    (0.0, 1.0, "", "0–1"),
]


@pytest.mark.parametrize(("low", "high", "unit", "text"), RANGES)
def test_a_range_names_its_unit_once_when_both_ends_share_it(low, high, unit, text):
    assert format_range(low, high, unit) == text

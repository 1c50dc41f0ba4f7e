"""Quantities as people type and read them: ``335 kHz``, ``0.335 MHz``, ``335e3``, ``1e-8``.

Qt-free, so the declarations' checks, the CLI (``--param band_lo=335kHz``) and the GUI's entry
fields read and write values the same way. Only a real SI unit (V, m, Hz, s, ... or a ratio such
as V/m) takes a prefix; counts, percentages and units with a prefix of their own (nm) do not.
"""

from __future__ import annotations

import math
import re

from peakgui.core.labels import plain_label

SI_SYMBOLS = frozenset({
    "m", "s", "g", "A", "K", "mol", "cd", "Hz", "N", "Pa", "J", "W", "C", "V", "F", "Ω",
    "Ohm", "ohm", "S", "Wb", "T", "H", "eV", "lm", "lx", "Bq", "Gy", "Sv", "kat", "L",
})
PREFIXES = {-24: "y", -21: "z", -18: "a", -15: "f", -12: "p", -9: "n", -6: "µ", -3: "m",
            0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E", 21: "Z", 24: "Y"}
_EXPONENTS = {symbol: exp for exp, symbol in PREFIXES.items() if symbol}
_EXPONENTS["u"] = _EXPONENTS["μ"] = -6  # what a keyboard has for micro, and the Greek letter
_NUMBER = re.compile(r"\s*([-+−]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+−]?\d+)?)\s*(.*?)\s*$")
_POWER = re.compile(r"\s*[×x*]\s*10\s*(?:\^|\*\*)?\s*([-+−⁻⁺]?[\d⁰¹²³⁴⁵⁶⁷⁸⁹]+)\s*(.*?)\s*$")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺−", "0123456789-+-")


def takes_si_prefix(units: str) -> bool:
    """True for a real SI unit without a prefix of its own (``V``, ``Hz``, ``V/m``)."""
    u = plain_label(units or "").strip()
    if not u or re.search(r"[\^²³⁻¹⁰-⁹]|\d", u):
        return False
    head = re.split(r"[/·* ]", u, maxsplit=1)[0]
    return head in SI_SYMBOLS


def si_prefix(value: float) -> tuple[float, str]:
    """(scale, prefix) that writes ``value`` with 1-3 digits before the point."""
    if value == 0 or not math.isfinite(value):
        return 1.0, ""
    exp = int(math.floor(math.log10(abs(value)) / 3.0)) * 3
    exp = min(max(exp, -24), 24)
    return 10.0 ** -exp, PREFIXES[exp]


def format_quantity(value: float, unit: str = "", precision: int = 12) -> str:
    """``335000, 'Hz'`` -> ``335 kHz``; ``1e-8`` -> ``1e-8``; ``20, 'points'`` -> ``20 points``.

    ``precision`` significant digits: the default keeps what was typed, and reads back exactly
    with :func:`parse_quantity`."""
    unit = (unit or "").strip()
    scale, prefix = si_prefix(value) if takes_si_prefix(unit) else (1.0, "")
    number = _tidy(f"{value * scale:.{precision}g}")
    return f"{number} {prefix}{unit}".strip()


def format_range(low: float, high: float, unit: str = "") -> str:
    """``300000, 350000, 'Hz'`` -> ``300–350 kHz``: the unit once when both ends share it."""
    a, b = format_quantity(low, unit), format_quantity(high, unit)
    num_a, _, unit_a = a.partition(" ")
    return f"{num_a}–{b}" if unit_a == b.partition(" ")[2] else f"{a} – {b}"


def parse_quantity(text: str, unit: str = "") -> float:
    """The value of ``text`` in ``unit``: ``335 kHz``, ``0.335 MHz``, ``335000``, ``335e3`` and
    ``3.35×10⁵ Hz`` are all 335000 for ``unit="Hz"``. A bare number is in ``unit`` itself.

    ValueError says what was wrong (another unit, a prefix on a unit that takes none, no number).
    """
    match = _NUMBER.match(text or "")
    if match is None:
        raise ValueError(f"{text.strip()!r} is not a number" if text and text.strip()
                         else "no value")
    mantissa, _, exp = match.group(1).replace("−", "-").lower().partition("e")
    rest = match.group(2)
    power = _POWER.match(rest)
    shift = int(exp or 0)
    if power is not None:
        shift += int(power.group(1).translate(_SUPERSCRIPTS))
        rest = power.group(2)
    # one decimal exponent, so 0.335 MHz is exactly 335000.0 (no 0.335 * 1e6 rounding)
    return float(f"{mantissa}e{shift + _unit_exponent(rest, (unit or '').strip(), text)}")


def _unit_exponent(written: str, unit: str, text: str) -> int:
    """The power of ten a written unit (``kHz``, ``Hz``, ``k``, ``''``) stands for."""
    written = written.replace(" ", "")
    if not written or written == unit.replace(" ", ""):
        return 0
    bare = unit.replace(" ", "")
    if takes_si_prefix(unit):
        head = written[:-len(bare)] if bare and written.endswith(bare) else written
        if head in _EXPONENTS:
            return _EXPONENTS[head]
    expected = f"a number in {unit}" + (" (with a prefix: k, M, m, µ...)"
                                        if takes_si_prefix(unit) else "")
    raise ValueError(f"{text.strip()!r} is not {expected}" if unit
                     else f"{text.strip()!r} is not a plain number")


def _tidy(number: str) -> str:
    """``1e-08`` -> ``1e-8``, ``1e+12`` -> ``1e12``: exponents as people write them."""
    mantissa, sep, exp = number.partition("e")
    if not sep:
        return number
    return f"{mantissa}e{int(exp)}"

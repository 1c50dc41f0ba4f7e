"""sidpy's TeX-ish names and units (``$\\sqrt E$``, ``$(V/m)^{0.5}$``, ``$\\mu$m``) as plain text.

sidpy and pyNSID store the strings their users type for matplotlib, so a file may name an axis
``$\\sqrt E$`` in ``$(V/m)^{0.5}$``. Qt widgets, CSV headers and a terminal show such strings
raw, so every label is passed through :func:`plain_label` where it is *shown*; the file keeps
the original. Only text between a pair of ``$`` changes, and only the small subset of TeX that
labels use; anything else (an unknown command, unbalanced braces) degrades to readable text
instead of raising.
"""

from __future__ import annotations

import re

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "φ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
_SYMBOLS = {
    "AA": "Å", "angstrom": "Å", "circ": "°", "degree": "°", "cdot": "·", "times": "×",
    "pm": "±", "mp": "∓", "approx": "≈", "sim": "~", "propto": "∝", "leq": "≤", "le": "≤",
    "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "infty": "∞", "partial": "∂", "nabla": "∇",
    "hbar": "ħ", "ell": "ℓ", "prime": "′", "perp": "⊥", "parallel": "∥", "langle": "⟨",
    "rangle": "⟩", "ldots": "…", "cdots": "⋯", "dots": "…", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "div": "÷", "ast": "*", "star": "⋆", "bullet": "•", "dagger": "†",
    "quad": " ", "qquad": " ", "%": "%", "$": "$", "{": "{", "}": "}", "_": "_", "&": "&",
    "#": "#", ",": " ", ":": " ", ";": " ", " ": " ", "!": "", "\\": " ", "|": "‖",
}
# commands whose one argument is shown as it is (fonts, operator names)
_FONTS = frozenset({
    "mathrm", "mathbf", "mathit", "mathsf", "mathtt", "mathcal", "mathbb", "mathfrak",
    "boldsymbol", "bm", "text", "textrm", "textbf", "textit", "textsf", "texttt", "textnormal",
    "operatorname", "mbox", "hbox", "emph", "underline", "overline", "hat", "bar", "tilde",
    "vec", "dot", "ddot", "widehat", "widetilde",
})
# commands that change the style of what follows and show nothing themselves
_SWITCHES = frozenset({
    "rm", "bf", "it", "sf", "tt", "cal", "displaystyle", "textstyle", "scriptstyle", "left",
    "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "limits", "nolimits",
})
_SUPERSCRIPT = str.maketrans("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPT = str.maketrans("0123456789+-−=()aehijklmnoprstuvx",
                           "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUP_CHARS = frozenset("0123456789+-−=()ni")
_SUB_CHARS = frozenset("0123456789+-−=()aehijklmnoprstuvx")
# a pair of $ as TeX reads inline maths: no space just inside either $, no digit right after
# the closing one (so "costs $5 or $10" stays as it is)
_MATH = re.compile(r"(?<!\\)\$(?=\S)(.+?)(?<=\S)(?<!\\)\$(?!\d)", re.DOTALL)


def plain_label(text: object) -> str:
    """A name or unit as plain text: ``$\\sqrt E$`` -> ``√E``, ``$A/m^2$`` -> ``A/m²``,
    ``nm$^{-1}$`` -> ``nm⁻¹``. Strings without a ``$...$`` pair come back unchanged; bytes are
    decoded; nothing raises."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = str(text)
    if "$" not in text:
        return text
    try:
        return _MATH.sub(lambda m: _Maths(m.group(1)).render() or m.group(0), text)
    except RecursionError:  # braces nested hundreds deep: not a label anyone wrote
        return text


class _Maths:
    """A one-pass reader of the TeX between two ``$``: a cursor over the string."""

    def __init__(self, src: str):
        self.src = src
        self.i = 0
        self.spaced = False  # the last command name was followed by a space

    def render(self) -> str:
        out = self._until(None)
        return re.sub(r"\s+", " ", out).strip()

    def _until(self, stop: str | None) -> str:
        """Render up to ``stop`` (a closing brace) or the end; a missing brace just ends."""
        parts: list[str] = []
        while self.i < len(self.src):
            c = self.src[self.i]
            if c == stop:
                self.i += 1
                return "".join(parts)
            self.i += 1
            if c == "\\":
                parts.append(self._command())
            elif c == "{":
                parts.append(self._until("}"))
            elif c == "}":  # a stray closing brace: drop it
                continue
            elif c in "^_":
                parts.append(self._script(c))
            elif c == "~":
                parts.append(" ")
            else:
                parts.append(c)
        return "".join(parts)

    def _name(self) -> str:
        """The command name after a backslash: letters, or one other character."""
        m = re.match(r"[A-Za-z]+ *", self.src[self.i:])
        if m:  # TeX eats the spaces after a command's name
            self.i += m.end()
            self.spaced = m.group(0).endswith(" ")
            return m.group(0).rstrip()
        self.spaced = False
        if self.i < len(self.src):
            self.i += 1
            return self.src[self.i - 1]
        return ""

    def _argument(self) -> str:
        """One argument: a ``{group}``, a command, or a single character (spaces skipped)."""
        while self.i < len(self.src) and self.src[self.i].isspace():
            self.i += 1
        if self.i >= len(self.src):
            return ""
        c = self.src[self.i]
        self.i += 1
        if c == "{":
            return self._until("}")
        if c == "\\":
            return self._command()
        if c == "}":
            return ""
        return c

    def _optional(self) -> str:
        """An optional ``[...]`` argument (``\\sqrt[3]{x}``), or ``""``."""
        if self.src.startswith("[", self.i):
            end = self.src.find("]", self.i)
            if end > 0:
                inner = _Maths(self.src[self.i + 1:end]).render()
                self.i = end + 1
                return inner
        return ""

    def _command(self) -> str:
        name = self._name()
        if name in _GREEK:
            return _GREEK[name]
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name in _FONTS:
            return self._argument()
        if name in _SWITCHES:
            return ""
        if name == "sqrt":
            root = self._optional()
            sign = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(root, f"{root}√")
            return sign + _grouped(self._argument(), word_ok=False)
        if name in ("frac", "dfrac", "tfrac"):
            num, den = self._argument(), self._argument()
            return f"{_grouped(num)}/{_grouped(den)}"
        # an unknown command: its name without the backslash, and the space TeX ate
        return name + " " if self.spaced else name

    def _script(self, mark: str) -> str:
        arg = self._argument()
        body = arg.strip()
        if mark == "^" and body in ("°", "o", "′"):  # ^\circ, ^o (degrees), ^\prime
            return "°" if body == "o" else body
        chars, table = (_SUP_CHARS, _SUPERSCRIPT) if mark == "^" else (_SUB_CHARS, _SUBSCRIPT)
        if body and all(ch in chars for ch in body):
            return body.translate(table)
        if not body:
            return ""
        return mark + _grouped(body)


def _grouped(text: str, word_ok: bool = True) -> str:
    """``text`` as one unit after √, ^, _ or in a fraction: bare when it is one symbol, a number
    or (``word_ok``) one word, in parentheses otherwise: ``√(area)``, ``^(-1/2)``, ``V_DC``."""
    t = text.strip()
    if len(t) <= 1 or re.fullmatch(r"[-−]?[0-9.]+", t) or re.fullmatch(r"\([^()]*\)", t):
        return t
    if word_ok and t.isalnum():
        return t
    return f"({t})"


def in_sentence(name: str) -> str:
    """A name as it reads inside a sentence ("Peak frequency"): a plain name lowercased, a
    TeX-ish one as plain text with its case kept (``$\\sqrt E$`` -> ``√E``, not ``√e``)."""
    plain = plain_label(name)
    return name.lower() if plain == name else plain

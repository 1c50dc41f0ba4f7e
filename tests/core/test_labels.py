"""sidpy's TeX-ish labels shown as plain text: a table of labels seen in the pycroscopy stack."""

from __future__ import annotations

import random

import pytest

from peakgui.core.labels import plain_label

# (label as written in a file or notebook, what PeakGUI shows) and where it was seen.
# pycroscopy = github.com/pycroscopy/pycroscopy, jupyter_notebooks/...
REAL_LABELS = [
    # pycroscopy Intro_to_Pycroscopy.ipynb: bfo_iv_final.hf5 written by pyNSID 0.0.3 / sidpy 0.0.9
    # (spectral scale name, its units, the main dataset's quantity and units; issue 21)
    (r"$\sqrt E$", "√E"),
    (r"$(V/m)^{0.5}$", "(V/m)^0.5"),
    ("log J", "log J"),
    (r"$A/m^2$", "A/m²"),
    # pyNSID notebooks/00_basic_usage/write_read_sidpy_dataset.ipynb (units "e.g. $meV$ or
    # $nm^{-1}$")
    (r"$meV$", "meV"),
    (r"$nm^{-1}$", "nm⁻¹"),
    # sidpy sid/dimension.py and pyNSID io/hdf_utils.py defaults; SciFiReaders readers
    ("generic", "generic"),
    ("a. u.", "a. u."),  # SciFiReaders spm/afm/axz.py, gwyddion.py; sidpy fitter.py 'a.u.'
    ("counts", "counts"),  # SciFiReaders spectroscopy readers
    ("1/nm", "1/nm"),  # SciFiReaders microscopy/em/tem/emd_reader.py
    ("1/Å", "1/Å"),  # SciFiReaders microscopy/em/tem/mrc_reader.py
    ("cm-1", "cm-1"),  # SciFiReaders spectroscopy/SpeReader.py (Raman shift)
    ("N/m^2", "N/m^2"),  # SciFiReaders spm/afm/AR_hdf5.py (no $: left alone)
    # sidpy viz/plot_utils/image.py: the colour bar's exponent suffix
    (r" x $10^{3}$", " x 10³"),
    (r" x $10^{-6}$", " x 10⁻⁶"),
    # pyTEMlib pyTEMlib/animation.py and notebooks/Diffraction/D1_Diffraction_Rings.ipynb
    (r"angle (1/$\AA$)", "angle (1/Å)"),
    # BGlib be/viz/be_viz_utils.py and notebooks/be/BE_Processing_cKPFM.ipynb
    (r"A cos($\phi$) (a. u.)", "A cos(φ) (a. u.)"),
    # BGlib gmode/analysis/utils/giv_utils.py
    (r"Resistance (G$\Omega$)", "Resistance (GΩ)"),
    (r"R(V)+-$\sigma$", "R(V)+-σ"),
    (r"I$_{meas}$", "Iₘₑₐₛ"),
    (r"I$_{Bayes} Forw$", "I_Bayes Forw"),
    # pycroscopy Voronoi.ipynb (colour bar label)
    (r"$\sqrt{area}$ [nm]", "√(area) [nm]"),
    # pycroscopy AFM_simulations/Force_Spectroscopy/Static_Force_Spectroscopy.ipynb
    (r"$\omega, \,rad/s$", "ω, rad/s"),
    (r"$\theta(\omega),\,deg$", "θ(ω), deg"),
    (r"$\chi(t), \,Pa^{-1}s$", "χ(t), Pa⁻¹s"),
    (r"$time, \,s$", "time, s"),
    # pycroscopy AFM_simulations/IntroductionToSimulations/IntroToAFMSimulations.ipynb
    (r"$\Delta t$ Verlet", "Δt Verlet"),
    # pycroscopy AFM_simulations/Multifrequency_Viscoelasticity/Simulation_SoftMatter.ipynb
    (r"$A_1/A_0$", "A₁/A₀"),
    (r"$Z_{eq}, nm$", "Z_eq, nm"),
    (r"$F_{ts}, nN$", "Fₜₛ, nN"),
    (r"$time, \mu s$", "time, μs"),
    # the forms the issue names: units with Greek prefixes, degrees, sub- and superscripts
    (r"$\mu$m", "μm"),
    (r"$\mu m$", "μm"),
    (r"nm$^{-1}$", "nm⁻¹"),
    (r"$\AA$", "Å"),
    (r"$\Delta f$", "Δf"),
    (r"$\omega$", "ω"),
    (r"$^\circ$", "°"),
    (r"$^{\circ}$C", "°C"),
    (r"$V_{DC}$", "V_DC"),
    (r"$V_x$", "Vₓ"),
    (r"$\mathrm{V}_{\mathrm{DC}}$", "V_DC"),
    (r"${\rm nm}^2$", "nm²"),
    (r"$\text{counts per s}$", "counts per s"),
    (r"$pm\cdot V^{-1}$", "pm·V⁻¹"),
    (r"$10^3 \times$ gain", "10³ × gain"),
    (r"$\pm$ 3 %", "± 3 %"),
    (r"$\log_{10}(I)$", "log₁₀(I)"),
    (r"$\frac{1}{2}$", "1/2"),
    (r"$\sqrt[3]{x}$", "∛x"),
    (r"$E^{-1/2}$", "E^(-1/2)"),
]

# malformed or tricky input: readable text, never an exception, plain strings unchanged
MALFORMED = [
    ("", ""),
    ("$", "$"),
    ("a $ b", "a $ b"),
    ("costs $5 or $10", "costs $5 or $10"),  # a pair of $ that is not maths
    ("$$", "$$"),
    (r"$\sqrt{E$", "√E"),  # brace never closed
    (r"$A/m^{2$", "A/m²"),
    (r"$x}^2$", "x²"),  # stray closing brace
    (r"$\foo x$", "foo x"),  # unknown command: the backslash dropped
    (r"$\unknown$", "unknown"),
    (r"$x^$", "x"),
    (r"$\sqrt$", "√"),
    (r"$}{$", "$}{$"),  # nothing left to show: the original
    (r"$\$", r"$\$"),
    ("\\", "\\"),
    (b"$\\mu$m", "μm"),  # an attribute read as bytes
]


@pytest.mark.parametrize(("label", "shown"), REAL_LABELS)
def test_real_labels_read_as_plain_text(label, shown):
    assert plain_label(label) == shown


@pytest.mark.parametrize(("label", "shown"), MALFORMED)
def test_malformed_labels_never_raise(label, shown):
    assert plain_label(label) == shown


def test_the_table_covers_at_least_15_tex_labels():
    assert sum("$" in label for label, _ in REAL_LABELS) >= 15


def test_random_tex_soup_never_raises():
    rng = random.Random(21)
    alphabet = list("$\\{}^_ ab[]~,.-12") + ["\\sqrt", "\\mu", "\\frac", "\\AA", "^{", "_{"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        out = plain_label(text)
        assert isinstance(out, str)
        if "$" not in text:
            assert out == text


def test_braces_nested_beyond_any_label_come_back_as_written():
    deep = "$" + "{" * 5000 + "x" + "}" * 5000 + "$"
    assert plain_label(deep) == deep
    assert plain_label("$" + "{" * 50 + "x^2" + "}" * 50 + "$") == "x²"


def test_in_sentence_lowercases_plain_names_only():
    from peakgui.core.labels import in_sentence

    assert in_sentence("Frequency") == "frequency"
    assert in_sentence(r"$\sqrt E$") == "√E"  # not √e
    assert in_sentence(r"$V_{DC}$") == "V_DC"

"""One analysis with one set of checked parameters, for one kind of spectra.

This is "the analysis as the user set it up": what a pixel test, a region's mean or a loop plot
needs, with no file and no run in sight. Parameters are converted and checked once, when it is
created; everything after that (a run, a pixel test, the kernel in a worker) trusts them. A run
(:class:`~peakgui.core.run.engine.AnalysisRun`) holds one and adds only where and how to compute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from peakgui.core.analyses import registry
from peakgui.core.analyses.declaration import (
    Analysis,
    ParamValues,
    PixelDetail,
    ResultField,
    SpectralContext,
)
from peakgui.core.delegate import Delegated
from peakgui.core.errors import InputError


@dataclass(frozen=True)
class ConfiguredAnalysis:
    """An analysis, its validated parameters (every declared name present) and the spectra's
    context; build it with :meth:`create` so the parameters are checked."""

    analysis: Analysis
    params: ParamValues
    context: SpectralContext

    @classmethod
    def create(cls, analysis: Analysis | str | None, given: Mapping[str, Any] | None,
               context: SpectralContext) -> ConfiguredAnalysis:
        """Defaults overlaid with ``given``, converted and checked against the declaration and
        the spectral axis. A bad value (a band edge outside the axis too) raises the
        declaration's ParameterError naming it; spectra the analysis cannot use (too short, a
        band holding too few points) raise InputError saying why."""
        declared = analysis if isinstance(analysis, Analysis) else registry.get(analysis)
        _check_points(declared, context)
        return cls.from_values(declared, declared.values(given), context)

    @classmethod
    def from_values(cls, analysis: Analysis, values: ParamValues,
                    context: SpectralContext) -> ConfiguredAnalysis:
        """Values already checked by ``analysis.values`` (a batch's, a form's) for these spectra:
        only the checks against the spectra run (ParameterError names a value outside the
        axis; InputError says why the spectra cannot work)."""
        _check_points(analysis, context)
        analysis.check_on_axis(values, context)
        why = analysis.check(values, context)
        if why:
            raise InputError(why)
        return cls(analysis, values, context)

    name = Delegated[str]("analysis")
    group_name = Delegated[str]("analysis")

    def key(self) -> dict[str, Any]:
        """Every setting that changes the results: stored with them and used to find them."""
        return {**self.params, "spectral_dimension": self.context.axis.name}

    def result_fields(self) -> list[ResultField]:
        return self.analysis.fields(self.context)

    def inspect(self, spectrum: np.ndarray) -> PixelDetail:
        """Full detail for one spectrum in memory (a pixel, a region's mean, ...)."""
        return self.analysis.inspect(np.asarray(spectrum), self.params, self.context)

    def compute(self, spectra: np.ndarray) -> dict[str, np.ndarray]:
        """The kernel's results for (N, S) spectra in memory, as a run would write them (for
        the N steps of one position: loops against the other spectroscopic dimensions)."""
        spectra = np.asarray(spectra)
        if self.analysis.per_position:  # the spectra of one position: a block of one
            out = self.analysis.kernel(spectra[None], self.params, self.context)
            return {f.name: np.asarray(out[f.name], dtype=f.dtype)[0]
                    for f in self.result_fields()}
        out = self.analysis.kernel(spectra, self.params, self.context)
        return {f.name: np.asarray(out[f.name], dtype=f.dtype) for f in self.result_fields()}

    def prepare(self) -> None:
        """Load what the kernel needs in this process (before a run is timed)."""
        if self.analysis.prepare is not None:
            self.analysis.prepare(self.params, self.context)

    def bytes_per_spectrum(self) -> int:
        return self.analysis.bytes_per_spectrum(self.context.n_points, self.params)

    def workspace_bytes(self) -> int:
        return self.analysis.workspace_bytes(self.context.n_points, self.params)


def _check_points(analysis: Analysis, context: SpectralContext) -> None:
    why = analysis.check_points(context)
    if why:
        raise InputError(why)

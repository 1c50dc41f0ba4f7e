"""Build the compiled kernels: every ``peakgui/**/*.pyx`` becomes an extension module.

Metadata lives in ``pyproject.toml``; this file only lists the Cython extensions, which are
compiled when the package is installed (``pip install .``, ``pip install -e .``, ``python -m
build``). Wheels for Windows and macOS come from cibuildwheel (see ``[tool.cibuildwheel]``).
"""

import sys
from pathlib import Path

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

HERE = Path(__file__).parent


# The kernels' exactness proof counts every rounding; a compiler fusing a*b+c into one FMA would
# change them (GCC does so by default on arm64), so contraction is off. MSVC does not contract
# under its default /fp:precise.
COMPILE_ARGS = [] if sys.platform == "win32" else ["-ffp-contract=off"]


def _extensions() -> list[Extension]:
    out = []
    for pyx in sorted((HERE / "peakgui").rglob("*.pyx")):
        rel = pyx.relative_to(HERE).with_suffix("")
        out.append(Extension(".".join(rel.parts), [str(pyx.relative_to(HERE))],
                             include_dirs=[numpy.get_include()],
                             extra_compile_args=COMPILE_ARGS,
                             define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")]))
    return out


setup(ext_modules=cythonize(
    _extensions(),
    language_level=3,
    compiler_directives={"boundscheck": False, "wraparound": False, "cdivision": True,
                         "initializedcheck": False},
))

"""Takes the place of PyInstaller's own hook for ``scipy.special._ufuncs`` (a hook given in
``hookspath`` wins over the built-in one of the same name).

That hook adds ``scipy.special._cdflib`` for every SciPy from 1.13 on, but later SciPy releases
no longer have that extension: each build then warns 'Hidden import "scipy.special._cdflib" not
found!'. The extensions ``_ufuncs`` imports from C are listed here only when this SciPy has them.
"""

from importlib.util import find_spec

CANDIDATES = (
    "scipy.special._ufuncs_cxx",
    "scipy.special._cdflib",  # SciPy 1.13 to the release that folded it away
    "scipy.special._special_ufuncs",  # SciPy 1.14 on
)

hiddenimports = [name for name in CANDIDATES if find_spec(name) is not None]

"""PyInstaller hooks of our own (packaging/hooks): each hidden import they name exists in the
installed libraries, so a build does not warn 'Hidden import ... not found'."""

from __future__ import annotations

import importlib.util
import runpy

from .helpers import PACKAGING

HOOKS = PACKAGING / "hooks"


def test_the_spec_uses_our_hooks():
    spec = (PACKAGING / "peakgui.spec").read_text()
    assert 'hookspath=[str(PACKAGING / "hooks")]' in spec


def test_every_hidden_import_of_our_hooks_exists():
    hooks = sorted(HOOKS.glob("hook-*.py"))
    assert hooks
    for hook in hooks:
        names = runpy.run_path(str(hook))["hiddenimports"]
        missing = [n for n in names if importlib.util.find_spec(n) is None]
        assert not missing, f"{hook.name}: {missing}"


def test_the_stale_cdflib_import_is_gone():
    """PyInstaller's own hook names scipy.special._cdflib whether or not SciPy has it; ours
    only when it has (the SciPy installed here has not)."""
    exists = importlib.util.find_spec("scipy.special._cdflib") is not None
    hook = runpy.run_path(str(HOOKS / "hook-scipy.special._ufuncs.py"))
    assert ("scipy.special._cdflib" in hook["hiddenimports"]) == exists
    assert "scipy.special._special_ufuncs" in hook["hiddenimports"]  # still needed

"""The core stays Qt-free, so the CLI, the tests and cluster workers never load Qt."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import peakgui.core


def test_importing_the_core_and_cli_loads_no_qt():
    modules = [m.name for m in pkgutil.iter_modules(peakgui.core.__path__, "peakgui.core.")]
    assert "peakgui.core.run.engine" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules + ['peakgui.cli']!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PyQt5', 'PyQt6', 'PySide2', 'PySide6', 'pyqtgraph', 'qtpy') or m.startswith('peakgui.gui'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_core_sources_do_not_mention_qt():
    for info in pkgutil.iter_modules(peakgui.core.__path__, "peakgui.core."):
        spec = pkgutil.resolve_name(info.name)
        text = open(spec.__file__).read()
        assert "PyQt5" not in text and "pyqtgraph" not in text, info.name

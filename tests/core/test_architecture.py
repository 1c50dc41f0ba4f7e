"""The core stays Qt-free, so the CLI, the tests and cluster workers never load Qt."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import peakgui.core


def test_importing_the_core_and_cli_loads_no_qt():
    modules = [m.name for m in pkgutil.walk_packages(peakgui.core.__path__, "peakgui.core.")]
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
    for info in pkgutil.walk_packages(peakgui.core.__path__, "peakgui.core."):
        spec = pkgutil.resolve_name(info.name)
        if not spec.__file__.endswith(".py"):
            continue  # compiled kernels
        text = open(spec.__file__).read()
        assert "PyQt5" not in text and "pyqtgraph" not in text, info.name


def test_the_core_has_its_visible_shape():
    """io, run, analyses and demo are packages; the flat modules of old are gone."""
    names = {m.name for m in pkgutil.iter_modules(peakgui.core.__path__)}
    assert {"io", "run", "analyses", "demo"} <= names
    assert not names & {"engine", "usid", "peaks", "results", "backends", "demo_data"}


def test_no_module_imports_itself_back():
    """No import cycle anywhere in the package (the layers contract checks across layers),
    annotation-only imports (``if TYPE_CHECKING:``) included: a presenter that names the window
    it serves depends on it as surely as one that imports it."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("peakgui", exclude_type_checking_imports=False)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith("peakgui") and graph.chain_exists(imported, module):
                cycles.append((module, imported))
    assert cycles == []


def test_only_the_application_modules_import_the_main_window():
    """Presenters, panels, widgets and views get the session and their few collaborators, never
    the window (import-linter enforces the same; this says it where the cycles are tested)."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("peakgui", exclude_type_checking_imports=False)
    importers = graph.find_modules_that_directly_import("peakgui.gui.app.main_window")
    assert {m for m in importers if not m.startswith("peakgui.gui.app.")} == set()

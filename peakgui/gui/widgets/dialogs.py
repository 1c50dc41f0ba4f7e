"""Every question and message box the window shows, behind one object that tests can replace.

Modal dialogs block; a test or a scripted run cannot answer them. So the window never calls
QMessageBox or QFileDialog itself: it asks a :class:`Dialogs`, which a test swaps for one with
scripted answers, and which in non-interactive mode (``--quit-when-done``) prints instead.
"""

from __future__ import annotations

import html
import platform
import sys

from PyQt5.QtCore import PYQT_VERSION_STR, QT_VERSION_STR, Qt
from PyQt5.QtWidgets import QFileDialog, QMessageBox, QWidget

from ... import __version__

HDF5_FILTER = "HDF5 files (*.h5 *.hdf5 *.hdf *.he5 *.nxs *.usid);;All files (*)"


class Dialogs:
    """Modal questions and messages, parented to the main window."""

    def __init__(self, parent: QWidget | None = None, interactive: bool = True):
        self.parent = parent
        self.interactive = interactive
        self.errors: list[str] = []  # every error reported, newest last (scripted runs print them)

    def error(self, title: str, text: str) -> None:
        """A problem the user must know about (bad file, failed run)."""
        self.errors.append(text)
        if not self.interactive:
            print(f"peakgui: {title}: {text}", file=sys.stderr)
            return
        QMessageBox.warning(self.parent, title, text)

    def said_inline(self, title: str, text: str) -> None:
        """A problem the window shows in place (its info banner): recorded, and printed in
        non-interactive mode, but no box on top of it (one message, in one place)."""
        self.errors.append(text)
        if not self.interactive:
            print(f"peakgui: {title}: {text}", file=sys.stderr)

    def ask_stop_run(self) -> bool:
        """Closing during a run: stop it (progress is saved) or keep running?"""
        if not self.interactive:
            return True
        box = QMessageBox(QMessageBox.Question, "Stop the run?",
                          "The analysis is still running.\n\nStop it now? Every finished "
                          "chunk is saved, and starting again with the same parameters resumes "
                          "where it stopped.", QMessageBox.NoButton, self.parent)
        stop = box.addButton("Stop and close", QMessageBox.AcceptRole)
        box.addButton("Keep running", QMessageBox.RejectRole)
        box.exec_()
        return box.clickedButton() is stop

    def ask_open_file(self, folder: str) -> str | None:
        if not self.interactive:
            return None
        path, _ = QFileDialog.getOpenFileName(self.parent, "Open HDF5 file", folder, HDF5_FILTER)
        return path or None

    def ask_save_path(self, title: str, suggested: str, name_filter: str) -> str | None:
        if not self.interactive:
            return None
        path, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, name_filter)
        return path or None

    def unexpected(self, summary: str) -> None:
        """A bug: say so briefly without blocking (the traceback is in the log)."""
        self.errors.append(summary)
        if not self.interactive:
            print(f"peakgui: unexpected error: {summary}", file=sys.stderr)
            return
        box = QMessageBox(QMessageBox.Warning, "Unexpected error",
                          f"Something went wrong inside PeakGUI:\n\n{summary}\n\nYour data is "
                          "safe and the window keeps working; the details were written to the "
                          "log.", QMessageBox.Ok, self.parent)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.setModal(False)
        box.show()

    def about(self) -> None:
        if self.interactive:
            QMessageBox.about(self.parent, "About PeakGUI", about_text())


def versions() -> dict[str, str]:
    """Versions of PeakGUI and everything it runs on, for the About box and bug reports."""
    import h5py
    import joblib
    import numpy
    import pyqtgraph
    import scipy

    return {
        "PeakGUI": __version__,
        "Python": platform.python_version(),
        "Qt": QT_VERSION_STR,
        "PyQt5": PYQT_VERSION_STR,
        "pyqtgraph": pyqtgraph.__version__,
        "NumPy": numpy.__version__,
        "SciPy": scipy.__version__,
        "h5py": h5py.version.version,
        "HDF5": h5py.version.hdf5_version,
        "joblib": joblib.__version__,
        "Platform": platform.platform(),
    }


def about_text() -> str:
    from ...core.analyses import registry

    rows = "".join(f"<tr><td>{k}</td><td>&nbsp;{v}</td></tr>" for k, v in versions().items())
    analyses = "".join(f"<li><b>{html.escape(a.title)}</b>: {html.escape(a.description)}</li>"
                       for a in registry.available().values())
    return (
        f"<h3>PeakGUI {__version__}</h3>"
        "<p>Runs a per-pixel analysis over a scanning-probe spectroscopy map stored as USID "
        "HDF5, and writes its result maps back beside the data with full provenance.</p>"
        f"<p>Analyses installed:</p><ul>{analyses}</ul>"
        f"<table>{rows}</table>"
    )

"""Help ▸ Keyboard shortcuts and Help ▸ Quick guide.

The shortcuts table is generated from the window's menus and actions, so a shortcut added to an
action appears here without being written down twice. Keys that widgets handle themselves (the
arrow keys on the map) are not actions; they are listed from :data:`WIDGET_KEYS`.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QAction,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

WIDGET_KEYS = [  # (where, what, keys): handled by widgets, not by actions
    ("Map", "Move the selected pixel", "Arrow keys"),
    ("Tree", "Open the selected dataset or say why it cannot be", "Enter"),
]

GUIDE_HTML = """
<h3>PeakGUI in five steps</h3>
<ol>
<li><b>Open</b> an HDF5 file (File ▸ Open, Ctrl+O, or drop it on the window). Its first USID
main dataset (else the first 3-D cube) opens; a click on another spectral dataset in the tree
opens that one, a click on a results group shows its maps.</li>
<li><b>Point at pixels</b>: click the map or move with the arrow keys. Only that pixel is read;
the spectrum view shows it with the analysis' test of it.</li>
<li><b>Tune</b> the analysis in the Parameters panel: the selected pixel is tested again on
every edit, and each analysis remembers its values.</li>
<li><b>Run</b> (Start, F5): the result map fills in while chunks finish. Pause (F6) and Cancel
(Shift+F5) take effect within a second; finished chunks are always saved and Start resumes.
Complete results with the same parameters are reused, not computed again.</li>
<li><b>Export</b> the shown map (File ▸ Export) as an image or its values as CSV or NumPy.</li>
</ol>
<p>When a file is read-only or another program is writing it, results go to a
<i>name</i>.peakgui.h5 sidecar file beside it and the banner above the map says so. Problems
PeakGUI worked around in a file (missing labels or units) are said there too.</p>
<p>The same analyses run without the window: <code>peakgui-batch FILE</code>
(<code>peakgui-batch --help</code>).</p>
"""


def _plain(text: str) -> str:
    """A menu text without its mnemonic ampersands and trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(menu, action, shortcut) of every action of the window that has a shortcut, in menu
    order, then actions outside the menus, then the widgets' own keys."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()

    def walk(menu: QMenu, where: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{where} ▸ {_plain(action.text())}")
            elif not action.isSeparator():
                seen.add(id(action))
                for seq in action.shortcuts():
                    rows.append((where, _plain(action.text()),
                                 seq.toString(QKeySequence.NativeText)))

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), _plain(top.text()))
    for action in window.findChildren(QAction):
        if id(action) not in seen and not action.shortcut().isEmpty():
            rows.append(("Window", _plain(action.text()),
                         action.shortcut().toString(QKeySequence.NativeText)))
    rows += WIDGET_KEYS
    return rows


class ShortcutsDialog(QDialog):
    """A table of the window's keyboard shortcuts (not modal: it can stay open)."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Where", "Action", "Keys"])
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        _layout(self, self.table)
        self.resize(520, min(640, 80 + 30 * len(rows)))


class GuideDialog(QDialog):
    """The README's how-to, short, inside the program."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("PeakGUI quick guide")
        self.browser = QTextBrowser()
        self.browser.setHtml(GUIDE_HTML)
        self.browser.setOpenExternalLinks(True)
        _layout(self, self.browser)
        self.resize(560, 520)


def _layout(dialog: QDialog, body: QWidget) -> None:
    buttons = QDialogButtonBox(QDialogButtonBox.Close)
    buttons.rejected.connect(dialog.close)
    lay = QVBoxLayout(dialog)
    lay.addWidget(body)
    lay.addWidget(buttons)
    dialog.setAttribute(Qt.WA_DeleteOnClose)


def show_shortcuts(window: QMainWindow) -> ShortcutsDialog:
    dialog = ShortcutsDialog(window)
    dialog.show()
    return dialog


def show_guide(window: QMainWindow) -> GuideDialog:
    dialog = GuideDialog(window)
    dialog.show()
    return dialog

"""The attributes of the node selected in the tree, read by a worker when it is selected."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
from PyQt5.QtCore import QModelIndex, Qt, pyqtSignal
from PyQt5.QtGui import QResizeEvent
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.io.h5access import open_read
from ...core.io.usid import as_text
from ...core.labels import plain_label
from ..formatting import error_text
from ..workers import LatestOnly

MAX_TEXT = 300  # characters of a value shown in a cell (the tooltip has more)


def format_attribute(value, file: h5py.File | None = None) -> str:
    """An attribute value as readable text: strings decoded, references resolved, arrays short."""
    if isinstance(value, h5py.Reference):
        if not value:
            return "<null reference>"
        try:
            return f"→ {file[value].name}" if file is not None else "<object reference>"
        except (KeyError, ValueError, OSError):
            return "<dangling reference>"
    if isinstance(value, h5py.RegionReference):
        return "<region reference>"
    if isinstance(value, bytes | np.bytes_ | str):
        return as_text(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "SO" or h5py.check_string_dtype(value.dtype):
            items = [format_attribute(v, file) for v in value.ravel()[:50]]
            more = ", …" if value.size > 50 else ""
            return "[" + ", ".join(items) + more + "]"
        with np.printoptions(threshold=40, edgeitems=5, precision=6):
            return np.array2string(value, separator=", ")
    return str(value)


def _type_text(value) -> str:
    if isinstance(value, np.ndarray):
        return f"{value.dtype} {tuple(value.shape)}"
    if isinstance(value, bytes | str | np.bytes_):
        return "string"
    if isinstance(value, h5py.Reference):
        return "reference"
    return type(value).__name__ if not isinstance(value, np.generic) else str(value.dtype)


def iter_attributes(file: Path, path: str):
    """The rows of :func:`read_attributes`, as one yield (a worker's generator)."""
    yield read_attributes(file, path)


def read_attributes(file: Path, path: str) -> list[tuple[str, str, str]]:
    """(name, value text, type) of every attribute of one object."""
    rows = []
    with open_read(file) as f:
        obj = f[path]
        for name in obj.attrs:
            try:
                value = obj.attrs[name]
                rows.append((name, format_attribute(value, f), _type_text(value)))
            except (OSError, TypeError, ValueError, KeyError) as exc:
                rows.append((name, f"<cannot be read: {exc}>", "?"))
    return rows


class _PathEndDelegate(QStyledItemDelegate):
    """References ("→ /Measurement_000/Channel_000/Position_Indices") elided at their start:
    their ends say which dataset they are; other text elided in the middle."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.ElideLeft if option.text.startswith("→") else Qt.ElideMiddle


class AttributesTable(QWidget):
    """A header line (path and what it is) above a name / value / type table."""

    sigShown = pyqtSignal(str)
    """The attributes of a node are shown (carries its path)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._reader = LatestOnly(self)
        self._path = ""
        self._header = QLabel("Select a node in the tree to see its attributes.")
        self._header.setWordWrap(True)
        self._table = QTableWidget(0, 3, self)
        self._table.setHorizontalHeaderLabels(["Attribute", "Value", "Type"])
        self._table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self._table.setWordWrap(False)
        self._table.setItemDelegate(_PathEndDelegate(self._table))
        self._table.verticalHeader().setVisible(False)
        h = self._table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.Interactive)
        h.setSectionResizeMode(1, QHeaderView.Stretch)
        h.setSectionResizeMode(2, QHeaderView.Interactive)
        h.resizeSection(0, 130)
        h.resizeSection(2, 80)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._header)
        layout.addWidget(self._table)

    def table(self) -> QTableWidget:
        return self._table

    def clear(self, message: str = "") -> None:
        self._reader.abort()
        self._table.setRowCount(0)
        self._header.setText(message or "Select a node in the tree to see its attributes.")

    def show_node(self, file: Path, path: str, description: str = "",
                  readable: bool = True) -> None:
        """List the attributes of ``path`` in ``file`` once a worker has read them (nothing
        for broken links)."""
        self._reader.abort()
        self._table.setRowCount(0)
        self._path = path
        self._header.setText(f"<b>{path}</b>" + (f" — {description}" if description else ""))
        if not readable:
            self.sigShown.emit(path)
            return
        self._reader.start(iter_attributes, file, path, on_yield=self._on_reader_yielded,
                           on_error=self._on_reader_errored)

    def _on_reader_errored(self, exc: BaseException) -> None:
        self._header.setText(f"<b>{self._path}</b> — attributes cannot be read: "
                             f"{error_text(exc)}")
        self.sigShown.emit(self._path)

    def _on_reader_yielded(self, rows: list[tuple[str, str, str]]) -> None:
        self._table.setRowCount(len(rows))
        for r, (name, value, kind) in enumerate(rows):
            shown = plain_label(value)  # sidpy's "$A/m^2$" as A/m²; the tooltip keeps the file's
            short = shown if len(shown) <= MAX_TEXT else shown[:MAX_TEXT] + " …"
            for c, text in enumerate((name, short, kind)):
                item = QTableWidgetItem(text)
                item.setToolTip(value[:4000] if c == 1 else text)
                self._table.setItem(r, c, item)
        self._fit_columns()
        if not rows:
            self._header.setText(self._header.text() + " (no attributes)")
        self.sigShown.emit(self._path)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()  # read while the dock was a tab behind: sized for its real width

    def _fit_columns(self) -> None:
        """Names and types as wide as they read (names at most 30 % of the table), the
        values the rest: in a narrow dock the values still show their ends."""
        h = self._table.horizontalHeader()
        room = self._table.viewport().width()
        for col, share in ((0, 0.3), (2, 0.27)):
            wanted = max(self._table.sizeHintForColumn(col), h.sectionSizeHint(col)) + 8
            h.resizeSection(col, max(48, min(wanted, int(room * share))))

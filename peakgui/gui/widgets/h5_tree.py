"""The HDF5 tree widget: a QTreeView over the lazy, worker-fed :class:`H5TreeModel`."""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    pyqtSignal,
)
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ...core.io.browse import SPECTRAL_KINDS, H5Node, Kind, link_text
from .h5_tree_model import H5TreeModel

MIN_WIDTH = 250  # px: the name column and most of the kind column

__all__ = ["SPECTRAL_KINDS", "H5Node", "H5TreeModel", "H5TreeView", "Kind", "link_text"]


class _NameDelegate(QStyledItemDelegate):
    """Names elided in the middle ("Raw_Data-SHO_Fit_000" and "_001" differ at their end);
    kinds and shapes at the end, as usual."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        if index.column() == H5TreeModel.NAME_COLUMN:
            option.textElideMode = Qt.ElideMiddle


class H5TreeView(QWidget):
    """The tree of one file; selection and activation are reported as nodes."""

    sigNodeSelected = pyqtSignal(object)
    """The current node changed (an :class:`H5Node`)."""
    sigNodeActivated = pyqtSignal(object)
    """A node was double-clicked or Enter was pressed on it."""
    sigPathSelected = pyqtSignal(str)
    """select_path finished: the path is current ('' when it was not found)."""
    sigNodeClickedAgain = pyqtSignal(object)
    """The current node was clicked (no selection change, so no sigNodeSelected)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = H5TreeModel(self)
        self._quiet = False  # True while the tree rearranges itself
        self._want = ""  # the path select_path is looking for
        self._view = QTreeView(self)
        self._view.setModel(self._model)
        self._view.setUniformRowHeights(True)  # keeps huge groups fast to scroll
        self._view.setSelectionMode(QAbstractItemView.SingleSelection)
        self._view.setAlternatingRowColors(True)
        self._view.setItemDelegate(_NameDelegate(self._view))
        header = self._view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.Interactive)
        for col, width in ((H5TreeModel.NAME_COLUMN, 164), (H5TreeModel.KIND_COLUMN, 78),
                           (H5TreeModel.SHAPE_COLUMN, 96), (H5TreeModel.DTYPE_COLUMN, 66)):
            header.resizeSection(col, width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)
        self.setMinimumWidth(MIN_WIDTH)  # names and kinds stay readable; the dock keeps it
        self._view.selectionModel().currentChanged.connect(self._on_selection_current_changed)
        self._view.activated.connect(self._on_view_activated)
        self._before_press = QPersistentModelIndex()
        self._view.viewport().installEventFilter(self)
        self._view.clicked.connect(self._on_view_clicked)
        self._view.expanded.connect(self._on_view_expanded)
        self._view.verticalScrollBar().valueChanged.connect(self._on_scroll_value_changed)
        self._model.sigChildrenLoaded.connect(self._on_model_children_loaded)

    def model(self) -> H5TreeModel:
        return self._model

    def view(self) -> QTreeView:
        return self._view

    def set_file(self, file: Path | None) -> None:
        """Show a file; its top level appears (expanded) once a worker has listed it."""
        self._want = ""
        self._model.set_file(file)

    def current_node(self) -> H5Node | None:
        index = self._view.currentIndex()
        return self._model.node(index) if index.isValid() else None

    def select_path(self, path: str) -> None:
        """Expand down to an HDF5 path and make it current (emits sigNodeSelected and
        sigPathSelected), once the groups along the way are listed."""
        self._want = path
        self._model.find_path(path, lambda index: self._on_path_found(path, index))

    def refresh_path(self, path: str) -> None:
        """List a group's children again, keeping the current node selected if it still exists.

        Removing the rows moves Qt's current index to the parent; that transient change is not
        reported, only a real change of the current node is."""
        index = self._model.loaded_index(path)
        if not index.isValid():
            return
        current = self.current_node()
        # a selection still on its way (select_path waiting for rows) wins over the current row
        keep = self._want or (current.path if current else "")
        self._quiet = True
        self._model.refresh(index, then=lambda: self._reselect(keep))

    def _reselect(self, keep: str) -> None:
        def found(index: QModelIndex) -> None:
            if index.isValid():
                self._expand_to(index)
                self._view.setCurrentIndex(index)
            self._quiet = False
            now = self.current_node()
            if now is not None and now.path != keep:
                self.sigNodeSelected.emit(now)

        self._model.find_path(keep, found)

    def _on_path_found(self, path: str, index: QModelIndex) -> None:
        if path != self._want:
            return  # a later select_path superseded this one
        self._want = ""
        if index.isValid():
            self._expand_to(index)
            self._view.setCurrentIndex(index)
            self._view.scrollTo(index)
        self.sigPathSelected.emit(path if index.isValid() else "")

    def _expand_to(self, index: QModelIndex) -> None:
        """Expand every group above a row so it can be seen."""
        parent = index.parent()
        while parent.isValid():
            self._view.expand(parent)
            parent = parent.parent()

    def _on_model_children_loaded(self, path: str) -> None:
        if path == "/":
            self._view.expand(self._model.file_index())

    def _on_scroll_value_changed(self, _value: int) -> None:
        # the last row read of a group came into view: read that group's next batch
        view = self._view
        y = view.viewport().rect().bottom()
        while y >= 0:
            row = view.indexAt(QPoint(1, y))
            group = row.parent() if row.isValid() else QModelIndex()
            if (group.isValid() and self._model.can_fetch_more(group)
                    and row.row() == self._model.rowCount(group) - 1):
                self._model.fetch_more(group)
                return
            y -= max(view.sizeHintForRow(0), 8)

    def _on_view_expanded(self, _index: QModelIndex) -> None:
        # the names just shown may be longer than the column (only visible rows are measured)
        view = self._view
        view.resizeColumnToContents(H5TreeModel.NAME_COLUMN)
        width = min(max(view.columnWidth(H5TreeModel.NAME_COLUMN), 150), 230)
        view.setColumnWidth(H5TreeModel.NAME_COLUMN, width)

    def _on_selection_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._quiet:
            self.sigNodeSelected.emit(self._model.node(current))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self._view.viewport() and event.type() == QEvent.MouseButtonPress:
            self._before_press = QPersistentModelIndex(self._view.currentIndex())
        return super().eventFilter(obj, event)

    def _on_view_clicked(self, index: QModelIndex) -> None:
        # a click on the row that was current already changes nothing, so sigNodeSelected is
        # not emitted; it still means "open this" (the README's single click)
        if index.isValid() and QModelIndex(self._before_press) == index:
            self.sigNodeClickedAgain.emit(self._model.node(index))

    def _on_view_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.sigNodeActivated.emit(self._model.node(index))

"""The HDF5 tree's Qt model: lazy nodes (:mod:`peakgui.core.io.browse`) read in worker threads.

A file with 10^5 objects opens at once: a group reports ``len(group)`` until the view asks for its
children, which are read a batch at a time (a scroll page) by a worker, then inserted. The GUI
thread never touches the file, so a slow disk or a file locked by a run only delays the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt5.QtCore import QAbstractItemModel, QModelIndex, Qt, pyqtSignal
from PyQt5.QtGui import QBrush, QColor, QFont
from PyQt5.QtWidgets import QApplication, QStyle

from ...core.io.browse import H5Node, Kind, NodeInfo, iter_children
from ...core.labels import plain_label
from ..formatting import error_text
from ..workers import Worker, start_worker

_ROOT = QModelIndex()  # the invisible root, as a default argument


class H5TreeModel(QAbstractItemModel):
    """Thin Qt model over :class:`H5Node`; columns and roles are named constants."""

    NAME_COLUMN, KIND_COLUMN, SHAPE_COLUMN, DTYPE_COLUMN = range(4)
    HEADERS = ("Name", "Kind", "Shape", "Type")
    PATH_ROLE = Qt.UserRole
    NODE_ROLE = Qt.UserRole + 1
    BATCH = 256  # children read per fetch (about 0.1 s for groups, whose size is read too)

    sigFetchFailed = pyqtSignal(str)
    """Reading a group's children failed; carries the reason."""
    sigChildrenLoaded = pyqtSignal(str)
    """A batch of a group's children was inserted (carries the group's path)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._root = H5Node(None, 0, "", NodeInfo("", ""))
        self.file: Path | None = None
        self._icons: dict = {}
        self._workers: set[Worker] = set()
        self._waiters: dict[int, list[Callable[[], None]]] = {}  # by id(node): after its fetch

    # ---- file -----------------------------------------------------------------------------------
    def set_file(self, file: Path | None) -> None:
        """Show a file; its top level is listed by a worker (rows appear when read)."""
        self.abort()
        self.beginResetModel()
        self._root.children = []
        self.file = Path(file) if file is not None else None
        if file is not None:
            info = NodeInfo(Path(file).name, Kind.FILE, n_children=1)  # size not known yet
            self._root.add_children([info])
            self._root.children[0].path = "/"
        self.endResetModel()
        if file is not None:
            self._fetch(self.file_index())

    def abort(self) -> None:
        """Abandon every read in flight (another file, or the window closes)."""
        for w in list(self._workers):
            w.quit()
        self._workers.clear()
        self._waiters.clear()

    def busy(self) -> bool:
        return bool(self._workers)

    def file_index(self) -> QModelIndex:
        return self.index(0, 0) if self._root.children else QModelIndex()

    def node(self, index: QModelIndex) -> H5Node:
        return index.internalPointer() if index.isValid() else self._root

    # ---- structure ------------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex = _ROOT) -> QModelIndex:
        node = self.node(parent)
        if 0 <= row < len(node.children) and 0 <= column < len(self.HEADERS):
            return self.createIndex(row, column, node.children[row])
        return QModelIndex()

    def parent(self, index: QModelIndex = _ROOT) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        p = index.internalPointer().parent
        if p is None or p is self._root:
            return QModelIndex()
        return self.createIndex(p.row, 0, p)

    def rowCount(self, parent: QModelIndex = _ROOT) -> int:
        if parent.column() > 0:
            return 0
        return len(self.node(parent).children)

    def columnCount(self, parent: QModelIndex = _ROOT) -> int:
        return len(self.HEADERS)

    def hasChildren(self, parent: QModelIndex = _ROOT) -> bool:
        node = self.node(parent)
        if node is self._root:
            return bool(node.children)
        return node.is_container and (bool(node.children) or node.info.n_children > 0)

    def canFetchMore(self, parent: QModelIndex) -> bool:
        """Qt's question. QTreeView asks it again after every insertion into an expanded
        group, and would read a huge group whole that way; so Qt gets the first batch only,
        and :meth:`fetch_more` (the view, when scrolled to the end) the rest."""
        return self.can_fetch_more(parent) and len(self.node(parent).children) < self.BATCH

    def fetchMore(self, parent: QModelIndex) -> None:
        if self.canFetchMore(parent):
            self._fetch(parent)

    def can_fetch_more(self, parent: QModelIndex) -> bool:
        """The group has children not read yet, and no worker is reading them now."""
        return parent.isValid() and self.node(parent).can_fetch_more \
            and not self.node(parent).fetching

    def fetch_more(self, parent: QModelIndex) -> None:
        """Ask a worker for the next batch of a group's children; the rows are inserted when
        it has read them."""
        if self.can_fetch_more(parent):
            self._fetch(parent)

    def find_path(self, path: str, done: Callable[[QModelIndex], None]) -> None:
        """Call ``done`` with the index of an HDF5 path (invalid if there is none), after
        workers have listed the groups along the way as far as needed."""
        index = self.file_index()
        if not index.isValid():
            done(QModelIndex())
            return
        node = self.node(index)
        for part in [p for p in path.split("/") if p]:
            found = node.child(part)
            if found is None:
                if node.fetching or node.can_fetch_more or node.info.kind == Kind.FILE \
                        and not node.children:
                    self._fetch(self._index_of(node), until=part,
                                then=lambda: self.find_path(path, done))
                    return
                done(QModelIndex())
                return
            node = found
        done(self._index_of(node))

    def loaded_index(self, path: str) -> QModelIndex:
        """The index of a path among the rows already read (invalid if not read yet)."""
        index = self.file_index()
        for part in [p for p in path.split("/") if p]:
            if not index.isValid():
                return QModelIndex()
            found = self.node(index).child(part)
            index = self._index_of(found) if found is not None else QModelIndex()
        return index

    def refresh(self, index: QModelIndex, then: Callable[[], None] | None = None) -> None:
        """Forget a group's children and list them again (after a run added a results group)."""
        node = self.node(index)
        if not index.isValid() or not node.is_container or self.file is None:
            return
        if node.children:
            self.beginRemoveRows(index, 0, len(node.children) - 1)
            node.children = []
            self.endRemoveRows()
        node.info.n_children = max(node.info.n_children, 1)
        node.fetching = False
        self._fetch(index, then=then)

    # ---- workers --------------------------------------------------------------------------------
    def _index_of(self, node: H5Node) -> QModelIndex:
        return self.createIndex(node.row, 0, node) if node is not self._root else QModelIndex()

    def _fetch(self, index: QModelIndex, until: str | None = None,
               then: Callable[[], None] | None = None) -> None:
        node = self.node(index)
        if self.file is None:
            return
        if node.fetching:  # one worker per group; ask again when it is done
            if then is not None:
                self._waiters.setdefault(id(node), []).append(then)
            return
        node.fetching = True
        waiting = self._waiters.setdefault(id(node), [])  # a refresh keeps who was waiting
        if then is not None:
            waiting.append(then)
        file = self.file
        holder: list[Worker] = []

        def alive() -> bool:
            return bool(holder) and holder[0] in self._workers

        def on_yield(batch) -> None:
            if alive():
                self._insert(node, *batch)

        def on_error(exc: BaseException) -> None:
            if alive():
                node.info.n_children = len(node.children)
                node.info.note = f"children could not be read: {error_text(exc)}"
                self.sigFetchFailed.emit(f"{node.path}: {node.info.note}")

        def on_finish() -> None:
            if not alive():
                return
            self._workers.discard(holder[0])
            node.fetching = False
            for waiter in self._waiters.pop(id(node), []):
                waiter()

        w = start_worker(iter_children, file, node.path, len(node.children), self.BATCH, until,
                         on_yield=on_yield, on_error=on_error, on_finish=on_finish,
                         owner=self)
        holder.append(w)
        self._workers.add(w)

    def _insert(self, node: H5Node, infos: list[NodeInfo], size: int) -> None:
        start = len(node.children)
        node.info.n_children = max(start + len(infos), size) if infos else start
        if infos:
            self.beginInsertRows(self._index_of(node), start, start + len(infos) - 1)
            node.add_children(infos)
            self.endInsertRows()
        # the size column of the group changed too
        idx = self._index_of(node)
        if idx.isValid():
            self.dataChanged.emit(idx.siblingAtColumn(self.SHAPE_COLUMN),
                                  idx.siblingAtColumn(self.SHAPE_COLUMN))
        self.sigChildrenLoaded.emit(node.path)

    # ---- display --------------------------------------------------------------------------------
    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.HEADERS[section]
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        node: H5Node = index.internalPointer()
        info = node.info
        col = index.column()
        if role == Qt.DisplayRole:
            return self._text(node, col)
        if role == self.PATH_ROLE:
            return node.path
        if role == self.NODE_ROLE:
            return node
        if role == Qt.ToolTipRole:
            return self._tooltip(node)
        if role == Qt.DecorationRole and col == self.NAME_COLUMN:
            return self._icon(node)
        if role == Qt.ForegroundRole:
            colour = _KIND_COLOURS.get(info.kind)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.FontRole and info.kind in (Kind.MAIN, Kind.RESULTS, Kind.CUBE, Kind.NSID):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _text(self, node: H5Node, col: int) -> str:
        info = node.info
        if col == self.NAME_COLUMN:  # sidpy's scale "$\\sqrt E$" reads √E (the tooltip: its path)
            return plain_label(info.name)
        if col == self.KIND_COLUMN:
            if info.link == "soft":
                return f"soft link → {info.target}" + (" (broken)" if info.kind == Kind.BROKEN
                                                       else f" ({info.kind})")
            if info.link == "external":
                return f"external link → {info.target}" + (" (broken)" if info.kind == Kind.BROKEN
                                                           else f" ({info.kind})")
            return info.kind
        if col == self.SHAPE_COLUMN:
            if info.shape is not None:
                return " × ".join(str(s) for s in info.shape) or "scalar"
            if node.is_container:
                return f"{info.n_children} item" + ("" if info.n_children == 1 else "s")
            return ""
        if col == self.DTYPE_COLUMN:
            return info.dtype
        return ""

    def _tooltip(self, node: H5Node) -> str:
        info = node.info
        lines = [node.path or "/"]
        shape = self._text(node, self.SHAPE_COLUMN)
        if shape:  # the whole shape, when its column is narrow
            lines.append(" ".join(p for p in (shape, info.dtype) if p))
        if info.link:
            lines.append(f"{info.link} link to {info.target}")
        explain = {
            Kind.MAIN: "USID main dataset: a spectral map PeakGUI can analyse (click to open)",
            Kind.CUBE: "3-D (rows, cols, points) cube PeakGUI can analyse (click to open)",
            Kind.NSID: "NSID dataset read by its dimension scales (click to open)",
            Kind.RESULTS: "PeakGUI results group: click to show its maps",
            Kind.BROKEN: f"broken link: {info.note}",
            Kind.ERROR: f"cannot be read: {info.note}",
        }.get(info.kind)
        if explain:
            lines.append(explain)
        elif info.note:
            lines.append(info.note)
        return "\n".join(lines)

    def _icon(self, node: H5Node):
        if node.info.kind in (Kind.BROKEN, Kind.ERROR):
            which = QStyle.SP_MessageBoxWarning
        elif node.info.link:
            which = QStyle.SP_DirLinkIcon if node.is_container else QStyle.SP_FileLinkIcon
        elif node.info.kind == Kind.FILE:
            which = QStyle.SP_DriveHDIcon
        elif node.is_container:
            which = QStyle.SP_DirIcon
        else:
            which = QStyle.SP_FileIcon
        icon = self._icons.get(which)
        if icon is None:  # the style builds a new icon per call (about 1 ms): cache them
            icon = self._icons[which] = QApplication.style().standardIcon(which)
        return icon


_KIND_COLOURS = {
    Kind.MAIN: "#1f5fbf",
    Kind.CUBE: "#1f5fbf",
    Kind.NSID: "#1f5fbf",
    Kind.RESULTS: "#1d8a3a",
    Kind.BROKEN: "#c0392b",
    Kind.ERROR: "#c0392b",
}

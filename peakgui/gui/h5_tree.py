"""A lazy HDF5 tree: a file with 10^5 objects opens at once, children appear as they are expanded.

Like silx's ``Hdf5TreeModel``, nodes are plain Python objects that keep their parent weakly and
report ``len(group)`` as their child count until the view asks for the children, which are then
read a batch at a time (HDF5 link iteration from an index, so a huge group costs one batch per
scroll page). The file is never held open: each fetch re-opens it read-only for the moment it
needs, because the engine must be able to open it read-write during a run.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path

import h5py
from PyQt5.QtCore import QAbstractItemModel, QModelIndex, Qt, pyqtSignal
from PyQt5.QtGui import QBrush, QColor, QFont
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import PeakGUIError
from ..core.io.h5access import open_read
from ..core.io.results import PARAMS_ATTR
from ..core.io.usid import is_main_dataset, is_plain_cube


class Kind:
    """What a node is; shown in the 'kind' column."""

    FILE = "file"
    GROUP = "group"
    DATASET = "dataset"
    MAIN = "USID main"
    CUBE = "3-D cube"
    RESULTS = "PeakGUI results"
    DATATYPE = "named datatype"
    BROKEN = "broken link"
    ERROR = "unreadable"


SPECTRAL_KINDS = (Kind.MAIN, Kind.CUBE)
_ROOT = QModelIndex()  # the invisible root, as a default argument


@dataclass
class NodeInfo:
    """What the tree shows of one HDF5 link, read once when its parent is expanded."""

    name: str
    kind: str
    n_children: int = 0
    shape: tuple[int, ...] | None = None
    dtype: str = ""
    link: str = ""  # "", "soft" or "external"
    target: str = ""  # the link's target, for soft and external links
    note: str = ""  # why a link is broken or an object unreadable


class H5Node:
    """One object in the tree; parent kept weakly, children created only when fetched."""

    def __init__(self, parent: H5Node | None, row: int, path: str, info: NodeInfo):
        self._parent = weakref.ref(parent) if parent is not None else None
        self.row = row
        self.path = path
        self.info = info
        self.children: list[H5Node] = []

    @property
    def parent(self) -> H5Node | None:
        return self._parent() if self._parent is not None else None

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def kind(self) -> str:
        return self.info.kind

    @property
    def is_container(self) -> bool:
        return self.info.kind in (Kind.FILE, Kind.GROUP, Kind.RESULTS)

    @property
    def can_fetch_more(self) -> bool:
        return self.is_container and len(self.children) < self.info.n_children


def _child_path(parent: str, name: str) -> str:
    return f"{parent.rstrip('/')}/{name}"


def describe_link(group: h5py.Group, name: str) -> NodeInfo:
    """Kind, size and link status of ``group[name]``, without reading any data."""
    link_kind, target = "", ""
    try:
        link = group.get(name, getlink=True)
    except (KeyError, OSError, RuntimeError) as exc:
        return NodeInfo(name, Kind.ERROR, note=str(exc))
    if isinstance(link, h5py.SoftLink):
        link_kind, target = "soft", link.path
    elif isinstance(link, h5py.ExternalLink):
        link_kind, target = "external", f"{link.filename}:{link.path}"
    try:
        obj = group[name]
    except (KeyError, OSError, ValueError, RuntimeError) as exc:
        if link_kind:
            why = ("target file missing or unreadable" if link_kind == "external"
                   else "target does not exist")
            return NodeInfo(name, Kind.BROKEN, link=link_kind, target=target, note=why)
        return NodeInfo(name, Kind.ERROR, note=str(exc).split("(")[0].strip())
    try:
        if isinstance(obj, h5py.Group):
            kind = Kind.RESULTS if PARAMS_ATTR in obj.attrs else Kind.GROUP
            return NodeInfo(name, kind, n_children=len(obj), link=link_kind, target=target)
        if isinstance(obj, h5py.Dataset):
            kind = (Kind.MAIN if is_main_dataset(obj) else Kind.CUBE if is_plain_cube(obj)
                    else Kind.DATASET)
            return NodeInfo(name, kind, shape=tuple(obj.shape), dtype=_dtype_text(obj.dtype),
                            link=link_kind, target=target)
        return NodeInfo(name, Kind.DATATYPE, dtype=_dtype_text(obj.dtype), link=link_kind,
                        target=target)
    except (OSError, RuntimeError, ValueError) as exc:
        return NodeInfo(name, Kind.ERROR, link=link_kind, target=target, note=str(exc))


def _dtype_text(dtype) -> str:
    try:
        if dtype.names:
            return "compound"
        if h5py.check_string_dtype(dtype):
            return "string"
        return str(dtype)
    except (TypeError, ValueError):
        return str(dtype)


def read_children(file: Path, group_path: str, start: int, count: int) -> tuple[list[NodeInfo], int]:
    """Up to ``count`` children of a group from link index ``start``, and the group's size."""
    with open_read(file) as f:
        group = f[group_path]
        names: list[bytes] = []

        def collect(name: bytes):
            names.append(name)
            return True if len(names) >= count else None

        if start < len(group):
            group.id.links.iterate(collect, idx=start)
        infos = [describe_link(group, n.decode("utf-8", "replace")) for n in names]
        return infos, len(group)


class H5TreeModel(QAbstractItemModel):
    """Thin Qt model over :class:`H5Node`; columns and roles are named constants."""

    NAME_COLUMN, KIND_COLUMN, SHAPE_COLUMN, DTYPE_COLUMN = range(4)
    HEADERS = ("Name", "Kind", "Shape", "Type")
    PATH_ROLE = Qt.UserRole
    NODE_ROLE = Qt.UserRole + 1
    BATCH = 256  # children read per fetch (about 0.1 s for groups, whose size is read too)

    sigFetchFailed = pyqtSignal(str)
    """Reading a group's children failed; carries the reason."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._root = H5Node(None, 0, "", NodeInfo("", ""))
        self.file: Path | None = None
        self._icons: dict = {}

    # ---- file --------------------------------------------------------------------------------
    def set_file(self, file: Path | None) -> None:
        """Show a file (its top level is read lazily); raises PeakGUIError if it cannot be read."""
        self.beginResetModel()
        self._root.children = []
        self.file = None
        try:
            if file is not None:
                with open_read(file) as f:
                    n = len(f)
                info = NodeInfo(Path(file).name, Kind.FILE, n_children=n)
                self._root.children = [H5Node(self._root, 0, "/", info)]
                self.file = Path(file)
        finally:
            self.endResetModel()

    def file_index(self) -> QModelIndex:
        return self.index(0, 0) if self._root.children else QModelIndex()

    def node(self, index: QModelIndex) -> H5Node:
        return index.internalPointer() if index.isValid() else self._root

    # ---- structure ----------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex = _ROOT) -> QModelIndex:
        node = self.node(parent)
        if 0 <= row < len(node.children) and 0 <= column < len(self.HEADERS):
            return self.createIndex(row, column, node.children[row])
        return QModelIndex()

    def parent(self, index: QModelIndex = _ROOT) -> QModelIndex:  # type: ignore[override]
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
        return parent.isValid() and self.node(parent).can_fetch_more

    def fetchMore(self, parent: QModelIndex) -> None:
        """Read the next batch of children (the view calls this on expand and scroll)."""
        node = self.node(parent)
        if not node.can_fetch_more or self.file is None:
            return
        start = len(node.children)
        try:
            infos, size = read_children(self.file, node.path, start, self.BATCH)
        except (PeakGUIError, OSError, KeyError, RuntimeError, ValueError) as exc:
            node.info.n_children = start
            node.info.note = f"children could not be read: {exc}"
            self.sigFetchFailed.emit(f"{node.path}: {node.info.note}")
            return
        node.info.n_children = max(start + len(infos), min(size, node.info.n_children)) \
            if infos else start
        if not infos:
            return
        self.beginInsertRows(parent, start, start + len(infos) - 1)
        node.children.extend(
            H5Node(node, start + i, _child_path(node.path, info.name), info)
            for i, info in enumerate(infos)
        )
        self.endInsertRows()

    def refresh(self, index: QModelIndex) -> None:
        """Forget a group's children and read them again (after a run added a results group)."""
        node = self.node(index)
        if not index.isValid() or not node.is_container or self.file is None:
            return
        if node.children:
            self.beginRemoveRows(index, 0, len(node.children) - 1)
            node.children = []
            self.endRemoveRows()
        try:
            with open_read(self.file) as f:
                node.info.n_children = len(f[node.path])
        except (PeakGUIError, OSError, KeyError) as exc:
            node.info.n_children = 0
            self.sigFetchFailed.emit(f"{node.path}: {exc}")
        self.fetchMore(index)

    def index_of_path(self, path: str) -> QModelIndex:
        """The index of an HDF5 path, fetching children along the way; invalid if not found."""
        index = self.file_index()
        if not index.isValid():
            return QModelIndex()
        for part in [p for p in path.split("/") if p]:
            node = self.node(index)
            found = None
            while found is None:
                found = next((c for c in node.children if c.name == part), None)
                if found is None:
                    if not node.can_fetch_more:
                        return QModelIndex()
                    self.fetchMore(index)
            index = self.createIndex(found.row, 0, found)
        return index

    # ---- display ------------------------------------------------------------------------------
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
        if role == Qt.FontRole and info.kind in (Kind.MAIN, Kind.RESULTS, Kind.CUBE):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _text(self, node: H5Node, col: int) -> str:
        info = node.info
        if col == self.NAME_COLUMN:
            return info.name
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
        if info.link:
            lines.append(f"{info.link} link to {info.target}")
        explain = {
            Kind.MAIN: "USID main dataset: a spectral map PeakGUI can analyse (click to open)",
            Kind.CUBE: "3-D (rows, cols, points) cube PeakGUI can analyse (click to open)",
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
    Kind.RESULTS: "#1d8a3a",
    Kind.BROKEN: "#c0392b",
    Kind.ERROR: "#c0392b",
}


class H5TreeView(QWidget):
    """The HDF5 tree widget: a QTreeView over :class:`H5TreeModel`, reachable through getters."""

    sigNodeSelected = pyqtSignal(object)
    """The current node changed (an :class:`H5Node`)."""
    sigNodeActivated = pyqtSignal(object)
    """A node was double-clicked or Enter was pressed on it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = H5TreeModel(self)
        self._quiet = False  # True while the tree rearranges itself
        self._view = QTreeView(self)
        self._view.setModel(self._model)
        self._view.setUniformRowHeights(True)  # keeps huge groups fast to scroll
        self._view.setSelectionMode(QAbstractItemView.SingleSelection)
        self._view.setAlternatingRowColors(True)
        self._view.setToolTip("")
        header = self._view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.Interactive)
        for col, width in ((H5TreeModel.NAME_COLUMN, 175), (H5TreeModel.KIND_COLUMN, 92),
                           (H5TreeModel.SHAPE_COLUMN, 84), (H5TreeModel.DTYPE_COLUMN, 66)):
            header.resizeSection(col, width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)
        self._view.selectionModel().currentChanged.connect(self._on_current_changed)
        self._view.activated.connect(self._on_index_activated)
        self._view.expanded.connect(self._on_index_expanded)

    def model(self) -> H5TreeModel:
        return self._model

    def view(self) -> QTreeView:
        return self._view

    def set_file(self, file: Path | None) -> None:
        self._model.set_file(file)
        if file is not None:
            self._view.expand(self._model.file_index())

    def current_node(self) -> H5Node | None:
        index = self._view.currentIndex()
        return self._model.node(index) if index.isValid() else None

    def select_path(self, path: str) -> bool:
        """Expand down to an HDF5 path and make it current (emits sigNodeSelected)."""
        index = self._model.index_of_path(path)
        if not index.isValid():
            return False
        parent = index.parent()
        while parent.isValid():
            self._view.expand(parent)
            parent = parent.parent()
        self._view.setCurrentIndex(index)
        self._view.scrollTo(index)
        return True

    def refresh_path(self, path: str) -> None:
        """Re-read a group's children, keeping the current node selected if it still exists.

        Removing the rows moves Qt's current index to the parent; that transient change is not
        reported, only a real change of the current node is.
        """
        current = self.current_node()
        keep = current.path if current else None
        index = self._model.index_of_path(path)
        self._quiet = True
        try:
            if index.isValid():
                self._model.refresh(index)
                self._view.expand(index)
            idx = self._model.index_of_path(keep) if keep else QModelIndex()
            if idx.isValid():
                self._view.setCurrentIndex(idx)
        finally:
            self._quiet = False
        now = self.current_node()
        if now is not None and now.path != keep:
            self.sigNodeSelected.emit(now)

    def _on_index_expanded(self, _index: QModelIndex) -> None:
        # the names just shown may be longer than the column (only visible rows are measured)
        view = self._view
        view.resizeColumnToContents(H5TreeModel.NAME_COLUMN)
        width = min(max(view.columnWidth(H5TreeModel.NAME_COLUMN), 150), 230)
        view.setColumnWidth(H5TreeModel.NAME_COLUMN, width)

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if current.isValid() and not self._quiet:
            self.sigNodeSelected.emit(self._model.node(current))

    def _on_index_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.sigNodeActivated.emit(self._model.node(index))


def link_text(info: NodeInfo) -> str:
    """One line about a node for the attribute panel's header."""
    if info.kind == Kind.BROKEN:
        return f"broken {info.link} link → {info.target} ({info.note})"
    if info.link:
        return f"{info.link} link → {info.target}"
    return info.kind

"""Which colormap the map draws with: the user's (remembered), a map's own (phase: cyclic, or
what the user picked while such a map showed), or a flat colour per status code. The chooser
always shows what is drawn; a pick changes the user's colormap or the shown map's own."""

from __future__ import annotations

import pyqtgraph as pg
from PyQt5.QtCore import QObject, pyqtSignal
from PyQt5.QtWidgets import QComboBox

from .category_legend import Categories
from .colormaps import COLORMAPS, categorical_colormap, gradient_colormap

_TIP = "Colormap of the map; diverging ones are centred on zero for signed values and phase"
_TIP_CODES = "Status codes have one fixed colour each (the legend under the map)"


class ColormapChooser(QObject):
    """The colormap combo box and the colormap a histogram's gradient draws with."""

    sigChosen = pyqtSignal(str, bool)
    """The user picked a colormap (its name; True when it is the shown map's own)."""

    def __init__(self, hist: pg.HistogramLUTItem, parent: QObject | None = None):
        super().__init__(parent)
        self._hist = hist
        self.general = "viridis"  # the user's colormap
        self.own: str | None = None  # the shown map's own colormap (phase: cyclic)
        self.categories: Categories | None = None  # a status map: a flat colour per code
        self.fixed_levels: tuple[float, float] | None = None  # the codes' levels
        self.combo = QComboBox()
        for label, name in COLORMAPS:
            self.combo.addItem(label, name)
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(8)  # 'twilight' whole; the list shows every name
        self.combo.setToolTip(_TIP)
        self.combo.currentIndexChanged.connect(self._on_combo_changed)

    def shown(self) -> str:
        """The colormap drawn now ('categories' for status codes)."""
        if self.categories is not None:
            return "categories"
        return self.own or self.general

    def set_style(self, own: str | None, categories: Categories | None) -> None:
        """The next map's own colormap (None: the user's) or its codes."""
        self.own, self.categories, self.fixed_levels = own, categories, None
        if categories is not None:
            cmap, self.fixed_levels = categorical_colormap(tuple(categories.names))
            self._hist.gradient.setColorMap(cmap)
            self._hist.gradient.showTicks(False)
        else:
            self.apply()
        self._show(self.own or self.general)
        self.combo.setEnabled(categories is None)
        self.combo.setToolTip(_TIP_CODES if categories is not None else _TIP)

    def set_general(self, name: str) -> bool:
        """The user's colormap by name or label; True when it changed."""
        i = self.combo.findData(name)
        if i < 0:
            i = self.combo.findText(name)
        if i < 0:
            return False
        changed = self.combo.itemData(i) != self.general
        self.general = self.combo.itemData(i)
        if self.own is None and self.categories is None:
            self._show(self.general)
        self.apply()
        return changed

    def apply(self) -> None:
        """Draw with the user's colormap or the map's own (codes keep theirs)."""
        if self.categories is None:
            self._hist.gradient.setColorMap(gradient_colormap(self.own or self.general))
            self._hist.gradient.showTicks(False)

    def _show(self, name: str) -> None:
        """The combo shows what is drawn, without telling anyone."""
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(max(self.combo.findData(name), 0))
        self.combo.blockSignals(False)

    def _on_combo_changed(self, index: int) -> None:
        name = self.combo.itemData(index)
        if self.own is not None:  # the shown map's own colormap changes, not the user's
            self.own = name
        else:
            self.general = name
        self.apply()
        self.sigChosen.emit(name, self.own is not None)

"""The legend under a categorical map (status codes): a coloured square, the code and its name
for every code the analysis declares, so that codes are read, not guessed from a colour bar."""

from __future__ import annotations

import html

from PyQt5.QtWidgets import QLabel, QSizePolicy, QWidget

from .colormaps import category_colours


class Categories:
    """Codes with their names (in the declared order) and the colour each is drawn in."""

    def __init__(self, codes: tuple[tuple[int, str], ...]):
        self.names = dict(codes)
        self.colours = category_colours(tuple(self.names))

    def name(self, value: float) -> str:
        """The name of a code ('' for a value that is not one)."""
        try:
            return self.names.get(int(value), "") if float(value) == int(value) else ""
        except (TypeError, ValueError, OverflowError):
            return ""

    def html(self) -> str:
        return " · ".join(f"<span style='color:{c}'>■</span>&nbsp;<b>{code}</b>&nbsp;"
                          f"{html.escape(self.names[code]).replace(' ', '&nbsp;')}"
                          for code, c in self.colours.items())


class CategoryLegend(QLabel):
    """One wrapped line of coloured codes and names; hidden while no categorical map shows."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)  # never widens the map's dock
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.setToolTip("What each status code means: the map shows codes, one colour each")
        self.setVisible(False)

    def show_categories(self, categories: Categories | None) -> None:
        self.setText(categories.html() if categories is not None else "")
        self.setVisible(categories is not None)

"""Draw PeakGUI's icon: a resonance peak with its amplitude marked, on a rounded navy tile.

One geometry, two outputs: ``resources/peakgui.svg`` (the editable source) and the PNGs the
program loads at run time from ``peakgui/resources`` (package data). Run from the repository
root after changing the drawing:

    QT_QPA_PLATFORM=offscreen .venv/bin/python resources/make_icon.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt5.QtCore import QPointF, QRectF, Qt
from PyQt5.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
)

ROOT = Path(__file__).resolve().parent.parent
SIZES = (16, 32, 48, 64, 128, 256)

TILE_TOP, TILE_BOTTOM = "#24507a", "#142c47"
CURVE = "#ffffff"
PEAK = "#ff9f1c"
GRID = "#3d6a96"


def curve_points() -> list[tuple[float, float]]:
    """A Lorentzian resonance on a 256 x 256 canvas, as the spectrum view draws |x|."""
    pts = []
    for i in range(45):
        x = 40 + 176 * i / 44
        y = 200 - 128 / (1 + ((x - 128) / 17) ** 2)
        pts.append((round(x, 2), round(y, 2)))
    return pts


def write_svg(path: Path) -> None:
    pts = " ".join(f"{x},{y}" for x, y in curve_points())
    grid = "".join(
        f'<line x1="{x}" y1="40" x2="{x}" y2="216" stroke="{GRID}" stroke-width="3"/>'
        for x in (84, 128, 172)
    )
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <defs>
    <linearGradient id="tile" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="{TILE_TOP}"/>
      <stop offset="1" stop-color="{TILE_BOTTOM}"/>
    </linearGradient>
  </defs>
  <rect x="8" y="8" width="240" height="240" rx="48" fill="url(#tile)"/>
  {grid}
  <line x1="40" y1="72" x2="216" y2="72" stroke="{PEAK}" stroke-width="6" stroke-opacity="0.8"/>
  <polyline points="{pts}" fill="none" stroke="{CURVE}" stroke-width="12"
            stroke-linecap="round" stroke-linejoin="round"/>
  <circle cx="128" cy="72" r="18" fill="{PEAK}" stroke="{TILE_BOTTOM}" stroke-width="5"/>
</svg>
"""
    path.write_text(svg)


def draw(size: int) -> QImage:
    img = QImage(size, size, QImage.Format_ARGB32)
    img.fill(Qt.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.Antialiasing)
    p.scale(size / 256, size / 256)
    grad = QLinearGradient(0, 0, 0, 256)
    grad.setColorAt(0, QColor(TILE_TOP))
    grad.setColorAt(1, QColor(TILE_BOTTOM))
    p.setPen(Qt.NoPen)
    p.setBrush(QBrush(grad))
    p.drawRoundedRect(QRectF(8, 8, 240, 240), 48, 48)
    if size >= 48:  # the faint grid only muddies the smallest sizes
        p.setPen(QPen(QColor(GRID), 3))
        for x in (84, 128, 172):
            p.drawLine(QPointF(x, 40), QPointF(x, 216))
    amp = QColor(PEAK)
    amp.setAlphaF(0.8)
    p.setPen(QPen(amp, 6 if size >= 32 else 10))
    p.drawLine(QPointF(40, 72), QPointF(216, 72))
    path = QPainterPath()
    pts = curve_points()
    path.moveTo(*pts[0])
    for x, y in pts[1:]:
        path.lineTo(x, y)
    pen = QPen(QColor(CURVE), 12 if size >= 32 else 20, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.NoBrush)
    p.drawPath(path)
    p.setPen(QPen(QColor(TILE_BOTTOM), 5))
    p.setBrush(QColor(PEAK))
    p.drawEllipse(QPointF(128, 72), 18, 18)
    p.end()
    return img


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (needed for fonts/painting)
    write_svg(ROOT / "resources" / "peakgui.svg")
    out = ROOT / "peakgui" / "resources"
    out.mkdir(exist_ok=True)
    for s in SIZES:
        draw(s).save(str(out / f"peakgui-{s}.png"))
    print(f"wrote resources/peakgui.svg and {len(SIZES)} PNGs in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Take the README's screenshots: the real window, fresh settings, the demo files, 1366 x 768
(and one 1920 x 1080), into resources/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [OUT_DIR]

Shots: a BE map after a peak run (both sizes); the BEPS demo after an SHO run with the loop
dock, then after a loop fit on its results; the NSID demo (axes from its dimension scales) after a peak run; the SHO R² and
fit-status maps of the BE demo. Nothing is written to the user's settings
or data folder (both go to a temporary directory).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PyQt5.QtCore import QEventLoop, QSettings, QTimer

ROOT = Path(__file__).resolve().parents[1]


def wait(ms: int) -> None:
    """Run the event loop for ``ms`` (deferred deletes and layouts included)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec_()


def wait_until(check: Callable[[], bool], timeout_ms: int = 300_000) -> None:
    waited = 0
    while not check():
        if waited > timeout_ms:
            raise TimeoutError("the window did not get there in time")
        wait(50)
        waited += 50


def main(out: Path) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="peakgui-shots-"))
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(scratch / "settings"))
    from peakgui.core.demo.be import write_demo
    from peakgui.core.demo.beps import write_beps_demo
    from peakgui.core.demo.nsid import write_nsid_demo
    from peakgui.gui.app.launcher import create_application
    from peakgui.gui.app.main_window import MainWindow
    from peakgui.gui.app.settings import Settings
    from peakgui.gui.widgets.dialogs import Dialogs

    app = create_application()
    be, beps, nsid = scratch / "demo.h5", scratch / "beps_demo.h5", scratch / "nsid_demo.h5"
    write_demo(be)
    write_beps_demo(beps)
    write_nsid_demo(nsid)
    out.mkdir(parents=True, exist_ok=True)

    def window(size: tuple[int, int], demo: Path) -> MainWindow:
        """A first start at this size on a fresh copy of a demo (no earlier results)."""
        folder = scratch / f"copy{len(list(scratch.glob('copy*')))}"
        folder.mkdir()
        path = folder / demo.name  # the name the user's demo has
        shutil.copyfile(demo, path)
        w = MainWindow(Settings(), Dialogs(None, interactive=False))
        w.resize(*size)
        w.show()
        w.default_layout()  # what a first start at this size gets
        wait(200)
        w.open_file(path)
        wait_until(lambda: w.source is not None and not w.busy())
        wait(500)
        return w

    def run(w: MainWindow, analysis: str) -> None:
        assert w.params_panel.set_analysis(analysis)
        wait_until(lambda: w.session.configured.valid and not w.busy())
        done: list[bool] = []
        w.run_controller.sigStopped.connect(lambda: done.append(True))
        assert w.start_run(), w.session.can_start()
        wait_until(lambda: bool(done))
        wait_until(lambda: not w.busy())
        if w.source.layout.n_positions > 64 * 64:  # a pixel inside the BE demo's domains
            w.select_pixel(40, 60)
            wait_until(lambda: not w.busy())
        wait(600)

    def shoot(w: MainWindow, name: str) -> None:
        wait(300)
        path = out / name
        if not w.grab().save(str(path), "PNG"):
            raise OSError(f"{path}: not written")
        print(f"{path}: {w.width()} x {w.height()}")

    def show_map(w: MainWindow, words: str) -> None:
        combo = w.layers.combo()
        index = next(i for i in range(combo.count()) if words in combo.itemText(i))
        combo.setCurrentIndex(index)
        wait_until(lambda: not w.busy())
        wait(400)

    for size, name in (((1366, 768), "screenshot-1366x768.png"),
                       ((1920, 1080), "screenshot-1920x1080.png")):
        w = window(size, be)
        run(w, "peak_finding")
        shoot(w, name)
        w.stop_workers()
        w.close()

    w = window((1366, 768), beps)
    run(w, "sho")
    shoot(w, "screenshot-1366-beps.png")
    run(w, "loop_fit")  # on the SHO results just written
    shoot(w, "screenshot-1366-loop-fit.png")
    w.stop_workers()
    w.close()

    w = window((1366, 768), nsid)  # pyNSID's layout: axes from its dimension scales
    run(w, "peak_finding")
    shoot(w, "screenshot-1366-nsid.png")
    w.stop_workers()
    w.close()

    w = window((1366, 768), be)
    run(w, "sho")
    show_map(w, "R²")
    shoot(w, "screenshot-1366-sho-r2.png")
    show_map(w, "status")
    shoot(w, "screenshot-1366-sho-status.png")
    w.stop_workers()
    w.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources"))

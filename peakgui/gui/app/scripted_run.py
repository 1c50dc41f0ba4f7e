"""``--run --screenshot OUT.png --quit-when-done``: open, test the first pixel, run, capture, exit.

Smoke tests and scripts drive the real window this way, offscreen or under Xvfb. The exit code
says what happened: 0 done (or reused), 1 the run failed or an unexpected error occurred,
2 the file or dataset could not be opened, 3 the screenshot could not be written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt5.QtCore import QObject, QTimer
from PyQt5.QtWidgets import QApplication

from .main_window import MainWindow

EXIT_OK, EXIT_RUN_FAILED, EXIT_BAD_INPUT, EXIT_SCREENSHOT = 0, 1, 2, 3


class ScriptedRun(QObject):
    """Steps a MainWindow through a whole run without a user."""

    def __init__(self, window: MainWindow, run: bool, screenshot: str | None,
                 quit_when_done: bool, settle_ms: int = 300, then: str | None = None):
        super().__init__(window)
        self.then = then  # an analysis run next, on the results of the first (``--then``)
        self.window = window
        self.run = run
        self.screenshot = Path(screenshot) if screenshot else None
        self.quit_when_done = quit_when_done
        self.settle_ms = settle_ms
        self.exit_code = EXIT_OK
        self.unexpected_errors = 0
        self._outcome_ok = False

    def on_open_finished(self, ok: bool) -> None:
        """The file given on the command line is open (or could not be): begin, once."""
        self.window.sigOpenFinished.disconnect(self.on_open_finished)
        if ok:
            QTimer.singleShot(0, self.begin)
            return
        self.exit_code = EXIT_BAD_INPUT  # said already, in the window and on stderr
        if self.quit_when_done:
            self.window.close()
            QApplication.instance().exit(EXIT_BAD_INPUT)

    def begin(self) -> None:
        """Called once the window is shown and the file is open."""
        w = self.window
        if w.source is None:
            self._report("no spectral dataset to run on")
            self._finish(EXIT_BAD_INPUT)
            return
        r0, c0 = (int(v) for v in w.source.layout.pixel_rc[0])
        w.select_pixel(r0, c0)
        if not self.run:
            self._when_idle(lambda: self._finish(EXIT_OK))
            return
        rc = w.run_controller
        rc.sigFinished.connect(self._on_run_succeeded)
        rc.sigReused.connect(self._on_run_succeeded)
        rc.sigStopped.connect(self._on_run_stopped)
        if not w.start_run():
            self._finish(EXIT_RUN_FAILED)

    def _on_run_succeeded(self, _prog) -> None:
        self._outcome_ok = True

    def _on_run_stopped(self) -> None:
        code = EXIT_OK if self._outcome_ok else EXIT_RUN_FAILED
        if code == EXIT_OK and self.then:
            self._when_idle(self._run_next)
            return
        self._when_idle(lambda: self._finish(code))

    def _run_next(self) -> None:
        """``--then``: the chained analysis on the results just shown, run the same way."""
        name, self.then = self.then, None
        self._outcome_ok = False
        why = self.window.analysis.use(name)
        if why or not self.window.start_run():
            self._report(why or f"{name}: {self.window.session.can_start()}")
            self._finish(EXIT_RUN_FAILED)

    def _when_idle(self, then, waited_ms: int = 0) -> None:
        """Once the window's workers have read the final maps (10 s at most), let them and the
        labels and layouts reach the screen, then ``then``."""
        if self.window.busy() and waited_ms < 10_000:
            QTimer.singleShot(50, lambda: self._when_idle(then, waited_ms + 50))
            return
        QTimer.singleShot(self.settle_ms, then)

    def _finish(self, code: int) -> None:
        if code == EXIT_OK and self.unexpected_errors:
            code = EXIT_RUN_FAILED
        if self.screenshot is not None:
            QApplication.processEvents()
            pixmap = self.window.grab()
            try:
                self.screenshot.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                pass
            if pixmap.isNull() or not pixmap.save(str(self.screenshot), "PNG"):
                self._report(f"{self.screenshot}: the screenshot could not be written")
                code = code or EXIT_SCREENSHOT
            else:
                print(f"peakgui: screenshot saved to {self.screenshot}", file=sys.stderr)
        self.exit_code = code
        if self.quit_when_done:
            self.window.close()
            QApplication.instance().exit(code)

    @staticmethod
    def _report(text: str) -> None:
        print(f"peakgui: {text}", file=sys.stderr)

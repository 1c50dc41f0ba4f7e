"""What the frozen (PyInstaller) PeakGUI does before anything else: its child processes.

A frozen application has no ``python`` to start worker processes with, so joblib's default
backend (loky) starts the application's own executable again (``sys.executable``) with
interpreter-style arguments, and so does the resource tracker loky and multiprocessing start:

* a loky worker on Linux/macOS: ``EXE -m joblib.externals.loky.backend.popen_loky_posix
  --process-name NAME --pipe FD``;
* a loky worker on Windows: ``EXE --multiprocessing-fork HANDLE`` (loky's frozen form, which
  PyInstaller's ``multiprocessing.freeze_support()`` cannot parse, and which cannot work
  because it lacks the parent's pid to duplicate the pipe handle from; see
  :func:`_patch_loky_windows_command`);
* loky's resource tracker: ``EXE [flags] -c "from joblib.externals.loky.backend.resource_tracker
  import main; main(FD, VERBOSE)"``, and multiprocessing's own, with
  ``from multiprocessing.resource_tracker import main;main(FD)``.

Without help each of these would run the application's ``main()`` again: a second window, or a
second batch run that starts its own workers, and so on (joblib issue 1002). :func:`bootstrap`,
called first thing by both entry scripts (``packaging/entry_*.py``), recognises those command
lines, runs the child it asks for and exits; it never runs its code by evaluating the command
text, only by matching it against the few known forms. A command line that looks like an
interpreter invocation but matches none of them is refused, and a process started by a worker
may never open the GUI (:data:`CHILD_ENV`).

The kernels are compiled ahead of time (Cython extensions), so nothing is compiled or cached
per user at run time.

Nothing here imports numpy, Qt or joblib in the main process, so it costs nothing at start-up.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

CHILD_ENV = "PEAKGUI_CHILD_PROCESS"
"""Set in every helper process the frozen app starts; a process that has it never opens the GUI
or starts a batch run (it would be a worker re-running the application)."""

EXIT_REFUSED = 3

LOKY_POSIX_WORKER = "joblib.externals.loky.backend.popen_loky_posix"
LOKY_WIN32_WORKER = "joblib.externals.loky.backend.popen_loky_win32"
WIN32_PIPE_ARG = "loky_pipe_handle="

_LOKY_TRACKER = re.compile(
    r"from joblib\.externals\.loky\.backend\.resource_tracker import main;\s*"
    r"main\((\d+),\s*(0|1|True|False)\)")
_MP_TRACKER = re.compile(r"from multiprocessing\.resource_tracker import main;\s*main\((\d+)\)")

_INTERPRETER_FLAG = re.compile(r"-(?:[BbdEIiOPqSsuv]+|W\S*|X\S*)")
"""Options ``subprocess._args_from_interpreter_flags()`` may put before ``-c``/``-m``."""

_CHILD_SWITCHES = ("-c", "-m", "--multiprocessing-fork")


def is_frozen() -> bool:
    """True inside the PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


# --- child processes -------------------------------------------------------------------------

def child_request(argv: Sequence[str]) -> tuple[str, tuple] | None:
    """What helper process this command line asks for, or None for an ordinary start.

    Returns ``(kind, details)``; kind ``"unknown"`` is an interpreter-style command line this
    module does not recognise (refused, never run as the application).
    """
    args = list(argv[1:])
    i = 0
    while i < len(args) and _INTERPRETER_FLAG.fullmatch(args[i]) and args[i] not in _CHILD_SWITCHES:
        i += 1
    if i >= len(args) or args[i] not in _CHILD_SWITCHES:
        return None
    switch, rest = args[i], args[i + 1:]
    if switch == "-m":
        if rest[:1] == [LOKY_POSIX_WORKER]:
            return "loky-worker", tuple(rest[1:])
        return "unknown", tuple(args)
    if switch == "-c":
        command = rest[0] if rest else ""
        m = _LOKY_TRACKER.fullmatch(command.strip())
        if m:
            return "loky-tracker", (int(m.group(1)), m.group(2) in ("1", "True"))
        m = _MP_TRACKER.fullmatch(command.strip())
        if m:
            return "mp-tracker", (int(m.group(1)),)
        return "unknown", tuple(args)
    # --multiprocessing-fork (Windows): ours, loky's own frozen form, or the stdlib's
    if i != 0:
        return "unknown", tuple(args)
    if len(rest) == 2 and rest[0].startswith(WIN32_PIPE_ARG) and rest[1].startswith("parent_pid="):
        try:
            return "loky-win32-worker", (int(rest[0][len(WIN32_PIPE_ARG):]),
                                         int(rest[1][len("parent_pid="):]))
        except ValueError:
            return "unknown", tuple(args)
    if len(rest) == 1 and rest[0].isdigit():
        return "loky-win32-worker", (int(rest[0]), None)
    if rest and all(re.fullmatch(r"(pipe_handle|parent_pid|tracker_fd)=(\d+|None)", a)
                    for a in rest):
        return "mp-worker", tuple(rest)
    return "unknown", tuple(args)


def run_child(request: tuple[str, tuple]) -> int:
    """Run the helper process asked for; returns its exit code (the caller exits with it)."""
    kind, details = request
    os.environ[CHILD_ENV] = kind
    if kind == "loky-worker":
        import runpy

        # loky's worker module reads --process-name/--pipe from sys.argv. run_module without
        # alter_sys keeps this entry script as __main__, so loky's spawn.prepare() finds the
        # parent's main module (same __file__) already in place and does not re-run it.
        sys.argv = [sys.argv[0], *details]
        try:
            runpy.run_module(LOKY_POSIX_WORKER, run_name="__main__", alter_sys=False)
        except SystemExit as exc:
            return _exit_code(exc)
        return 0
    if kind == "loky-win32-worker":  # pragma: no cover - Windows only
        from joblib.externals.loky.backend import popen_loky_win32

        pipe_handle, parent_pid = details
        try:
            popen_loky_win32.main(pipe_handle, parent_pid)
        except SystemExit as exc:
            return _exit_code(exc)
        return 0
    if kind == "loky-tracker":
        from joblib.externals.loky.backend.resource_tracker import main as tracker_main

        tracker_main(*details)
        return 0
    if kind == "mp-tracker":
        from multiprocessing.resource_tracker import main as tracker_main

        tracker_main(*details)
        return 0
    if kind == "mp-worker":  # pragma: no cover - Windows only (stdlib spawn start method)
        import multiprocessing

        multiprocessing.freeze_support()  # PyInstaller's version: runs the child and exits
        return 0
    print(f"{Path(sys.argv[0]).name}: refusing interpreter arguments "
          f"{' '.join(details)!r}: this is PeakGUI, not a Python interpreter", file=sys.stderr)
    return EXIT_REFUSED


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def windows_worker_command(executable: str, pipe_handle: int, parent_pid: int) -> list[str]:
    """The command line frozen loky workers get on Windows (parsed back by child_request)."""
    return [executable, "--multiprocessing-fork", f"{WIN32_PIPE_ARG}{int(pipe_handle)}",
            f"parent_pid={int(parent_pid)}"]


def _patch_loky_windows_command() -> None:  # pragma: no cover - Windows only
    """Give frozen loky workers on Windows the parent pid they need.

    loky's frozen command line is ``EXE --multiprocessing-fork HANDLE``; the child then tries to
    duplicate HANDLE from itself, where it does not exist ("the handle is invalid", loky issue
    236). With the parent's pid it duplicates it from the parent, as the stdlib does.
    """
    from joblib.externals.loky.backend import popen_loky_win32

    def get_command_line(pipe_handle, parent_pid, **kwds):
        return windows_worker_command(sys.executable, pipe_handle, parent_pid)

    popen_loky_win32.get_command_line = get_command_line


def refuse_in_child(program: str) -> None:
    """Exit at once if this process was started by one of PeakGUI's own helper processes."""
    kind = os.environ.get(CHILD_ENV)
    if kind:
        print(f"{program}: not starting: this process descends from a PeakGUI {kind} process "
              f"(unset {CHILD_ENV} if that is wrong)", file=sys.stderr)
        sys.exit(EXIT_REFUSED)


def bootstrap(program: str, argv: Sequence[str] | None = None) -> None:
    """First call of each entry script. Helper processes run here and never return; the
    application's own process returns to start normally."""
    argv = sys.argv if argv is None else argv
    request = child_request(argv)
    if request is not None:
        sys.exit(run_child(request))
    refuse_in_child(program)
    if is_frozen() and sys.platform == "win32":  # pragma: no cover
        _patch_loky_windows_command()

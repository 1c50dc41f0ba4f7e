"""Errors that carry a message meant for the microscopist, not a traceback."""

from __future__ import annotations


class PeakGUIError(Exception):
    """Base of every error PeakGUI reports to the user as one clear sentence."""


class InputError(PeakGUIError):
    """The file or dataset cannot be used as asked (missing, not HDF5, wrong shape, ...)."""


class OutputError(PeakGUIError):
    """Results cannot be written where they should go (read-only, locked, disk full, ...)."""

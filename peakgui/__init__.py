"""PeakGUI: per-pixel spectral peak finding for USID HDF5 files."""

__version__ = "0.1.0"

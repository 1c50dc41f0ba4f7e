"""SHO fit per pixel: amplitude, resonance frequency, quality factor and phase (issue 13)."""

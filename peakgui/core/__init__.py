"""Qt-free core: USID model, peak algorithm, processing engine and file access.

Nothing under ``peakgui.core`` may import Qt; the GUI, the batch CLI and the tests all drive it.
"""

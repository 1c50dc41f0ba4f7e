"""PeakGUI's desktop interface: Qt and pyqtgraph widgets driving the Qt-free core.

Imports flow ``peakgui.app -> peakgui.gui -> peakgui.core``; nothing in the core imports from here.
"""

"""``python -m peakgui``: the desktop application."""

import sys

from peakgui.app import main

if __name__ == "__main__":
    sys.exit(main())

"""Entry script of the frozen ``peakgui`` GUI (see packaging/peakgui.spec)."""

import sys

from peakgui import frozen

if __name__ == "__main__":
    frozen.bootstrap("peakgui")  # worker and tracker processes run and exit here: no second GUI
    from peakgui.app import main

    sys.exit(main())

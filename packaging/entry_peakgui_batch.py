"""Entry script of the frozen ``peakgui-batch`` (see packaging/peakgui.spec)."""

import sys

from peakgui import frozen

if __name__ == "__main__":
    frozen.bootstrap("peakgui-batch")  # worker and tracker processes run and exit here
    from peakgui.cli import main

    sys.exit(main())

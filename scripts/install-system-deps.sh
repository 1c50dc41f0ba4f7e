#!/usr/bin/env bash
# The Debian/Ubuntu packages PeakGUI needs: a C compiler and Python's headers to build the
# compiled kernels when the package is installed (Cython extensions), and the libraries Qt needs
# to run offscreen and under Xvfb (for screenshots). As root they are installed; otherwise the
# command to run is printed.
set -euo pipefail
here="$(dirname "$0")"
status=0  # report both groups before failing, so one sudo line per group is printed
bash "$here/apt-ensure.sh" "a C compiler and Python headers for the compiled kernels" \
    build-essential python3-dev || status=1
bash "$here/apt-ensure.sh" "Qt's system libraries" \
    libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core \
    xvfb xauth libegl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 \
    libxcb-keysyms1 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 \
    libxcb-xkb1 libxcb-randr0 libxcb-xfixes0 libxcb-cursor0 libxrender1 libxi6 \
    libsm6 libice6 libx11-xcb1 || status=1
exit $status

#!/usr/bin/env bash
# The Debian/Ubuntu packages Qt needs to run offscreen and under Xvfb (for screenshots).
set -euo pipefail
exec bash "$(dirname "$0")/apt-ensure.sh" "Qt's system libraries" \
    libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core \
    xvfb xauth libegl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 \
    libxcb-keysyms1 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 \
    libxcb-xkb1 libxcb-randr0 libxcb-xfixes0 libxcb-cursor0 libxrender1 libxi6 \
    libsm6 libice6 libx11-xcb1

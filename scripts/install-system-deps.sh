#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Qt needs to run offscreen and under Xvfb.
# As root it installs what is missing; otherwise it prints the command to run.
set -euo pipefail

packages=(libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core
          xvfb xauth libegl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0
          libxcb-keysyms1 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
          libxcb-xkb1 libxcb-randr0 libxcb-xfixes0 libxcb-cursor0 libxrender1 libxi6
          libsm6 libice6 libx11-xcb1)

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "Not a Debian-like system: install Qt's X11/xcb runtime libraries and Xvfb yourself." >&2
    exit 0
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "PeakGUI needs these system packages; please run:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 1
fi

#!/usr/bin/env bash
# Tools the packaging targets need on Debian/Ubuntu: objdump (PyInstaller's and build_deb.py's
# library scan), makensis (compiles the Windows installer script in the tests). dpkg-deb comes
# with dpkg. As root it installs what is missing; otherwise it prints the command to run.
set -euo pipefail

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "Not a Debian-like system: install binutils (objdump) and NSIS (makensis) yourself." >&2
    exit 0
fi

packages=(binutils nsis)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "Installing build tools: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "Packaging PeakGUI needs these system packages; please run:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 1
fi

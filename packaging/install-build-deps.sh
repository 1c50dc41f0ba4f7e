#!/usr/bin/env bash
# Tools the packaging targets need: objdump (PyInstaller's and build_deb.py's library scan) and
# makensis (compiles the Windows installer script in the tests). dpkg-deb comes with dpkg.
set -euo pipefail
exec bash "$(dirname "$0")/../scripts/apt-ensure.sh" "packaging tools" binutils nsis

#!/usr/bin/env bash
# apt-ensure.sh WHAT PACKAGE...: makes sure the Debian/Ubuntu packages are installed.
# As root it installs what is missing; otherwise it prints the command to run and fails.
# WHAT says in words what the packages are for.
set -euo pipefail
what=$1
shift

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "Not a Debian-like system: install these yourself ($what): $*" >&2
    exit 0
fi

missing=()
for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "Installing $what: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "PeakGUI needs these system packages ($what); please run:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 1
fi

#!/usr/bin/env bash
# System libraries Qt (PySide6) needs on Debian/Ubuntu, plus tools the tests use.
# Installs only what is missing. Needs root (or sudo) on a fresh machine.
set -euo pipefail
PKGS="libgl1 libegl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6
libdbus-1-3 libglib2.0-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1 libnss3 libxrandr2
libxcomposite1 libxdamage1 libxtst6 libasound2 fonts-dejavu-core poppler-utils"
command -v dpkg-query >/dev/null || { echo "system-deps: not a Debian-family system; install Qt's libraries by hand"; exit 0; }
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && { echo "system-deps: all present"; exit 0; }
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "system-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

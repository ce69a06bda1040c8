#!/usr/bin/env bash
# Prepares a fresh machine for building, training and testing PosterGenre.
#
# TorchSharp 0.107.0 ships libLibTorchSharp.so built with GCC 13: it needs GLIBCXX_3.4.32
# (std::ios_base_library_init). Debian 12's libstdc++6 stops at GLIBCXX_3.4.30, so on Debian 12
# this installs libstdc++6 from the trixie suite, pinned at priority 100 so that no other package
# moves to trixie unless asked (libstdc++6 pulls libc6 2.41 with it). Ubuntu 24.04 and Debian 13
# already have it and are left alone.
#
# The browser tests drive Debian's Chromium (Playwright's own browser download cannot work here):
# it is installed when /usr/bin/chromium is missing.
#
# Idempotent: a second run does nothing. Needs root (or sudo) only when something is missing.
set -euo pipefail

need_glibcxx=GLIBCXX_3.4.32
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

libstdcxx_path() {
  ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}'
}

has_glibcxx() {
  local lib
  lib=$(libstdcxx_path)
  [ -n "$lib" ] && grep -qa "$need_glibcxx" "$lib"
}

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
}

if has_glibcxx; then
  echo "setup: libstdc++ provides $need_glibcxx (TorchSharp can load)."
else
  . /etc/os-release
  if [ "${ID:-}" = "debian" ] && [ "${VERSION_CODENAME:-}" = "bookworm" ]; then
    echo "setup: Debian 12 libstdc++ lacks $need_glibcxx; installing libstdc++6 from trixie (pinned low)."
    as_root tee /etc/apt/sources.list.d/postergenre-trixie.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    as_root tee /etc/apt/preferences.d/postergenre-trixie >/dev/null <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
    apt_update_once
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq -t trixie libstdc++6 >/dev/null
    has_glibcxx || { echo "setup: libstdc++6 from trixie did not provide $need_glibcxx" >&2; exit 1; }
    echo "setup: libstdc++6 from trixie installed."
  else
    echo "setup: libstdc++ lacks $need_glibcxx and this is not Debian 12 (${PRETTY_NAME:-unknown})." >&2
    echo "setup: install a libstdc++6 from GCC 13 or newer (Ubuntu 24.04 and Debian 13 have one)." >&2
    exit 1
  fi
fi

if [ -x /usr/bin/chromium ]; then
  echo "setup: chromium present (browser tests)."
else
  echo "setup: installing Debian's chromium for the browser tests."
  apt_update_once
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

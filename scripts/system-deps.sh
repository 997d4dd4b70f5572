#!/usr/bin/env bash
# Install the Debian packages given as arguments when they are missing: as root with apt-get, we install them;
# otherwise we say plainly which ones to install.
set -euo pipefail
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "WARNING: these system packages are missing: ${missing[*]}" >&2
  echo "         install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
fi

#!/usr/bin/env bash
# Makes Debian's `chromium` available at /usr/bin/chromium for test/docs/swagger-ui.e2e-spec.ts,
# which drives it with playwright-core (no browser download by Playwright itself).
# Needs root (or sudo) and the Debian mirrors; does nothing when /usr/bin/chromium is there.
# Exit status 0 only when /usr/bin/chromium runs afterwards.
set -euo pipefail
if [ -x /usr/bin/chromium ] && /usr/bin/chromium --version >/dev/null 2>&1; then
  /usr/bin/chromium --version
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "install-chromium: not root and no passwordless sudo" >&2
    exit 2
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no apt-get (not a Debian-like system)" >&2
  exit 3
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium fonts-liberation
/usr/bin/chromium --version

#!/usr/bin/env bash
# Debian packages the test suite needs: chromium for the browser test of the HTML page.
# Idempotent: does nothing when they are already there.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

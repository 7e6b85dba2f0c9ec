#!/usr/bin/env bash
# Debian's chromium for the hosted-UI browser tests (tests/oauth/test_browser.py) and scripts/screenshots.py.
# Playwright drives it with executable_path=/usr/bin/chromium: no browser download from outside.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends chromium
fi

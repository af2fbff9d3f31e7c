#!/usr/bin/env bash
# Installs Debian's Chromium for the console's browser tests (playwright-core drives it; no browser
# is ever downloaded by npm). Idempotent; needs root.
set -euo pipefail
browser="${OPENINSIGHTS_TEST_CHROMIUM:-/usr/bin/chromium}"
[ -x "$browser" ] && exit 0
if [ "$browser" != /usr/bin/chromium ]; then
  echo "ensure-chromium: $browser (OPENINSIGHTS_TEST_CHROMIUM) is not an executable; install that browser yourself" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "ensure-chromium: installing Chromium (apt-get install chromium)"
apt-get update -qq
apt-get install -y -qq chromium >/dev/null

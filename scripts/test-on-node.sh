#!/usr/bin/env bash
# Runs the test suite on another Node.js major (default 22) beside the machine's own, so that what
# the dependencies say about newer Node versions is checked, not assumed. Node comes from the npm
# registry's `node` package (official binaries); the suite runs in a copy of this checkout under
# .tmp/node<major>/app whose native addons (better-sqlite3) are rebuilt for that Node.
# Usage: test-on-node.sh [MAJOR] [vitest filters…]. Writes vitest's JSON report to
# .tmp/vitest-report-node<major>.json.
set -euo pipefail
major="${1:-22}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/.tmp/node$major"
bin="$work/runtime/node_modules/node/bin"
if ! "$bin/node" --version 2>/dev/null | grep -q "^v$major\."; then
  echo "test-on-node: installing Node.js $major from the npm registry"
  npm install --prefix "$work/runtime" --no-audit --no-fund --no-save "node@$major" >/dev/null
fi
export PATH="$bin:$PATH"
# Native addons build against this Node's own headers (the machine's npm config points at the system Node's).
export npm_config_nodedir="$work/runtime/node_modules/node/node_modules/node-$(node -p "process.platform + '-' + process.arch")"
echo "test-on-node: $(node --version), copying the checkout and rebuilding native addons"
mkdir -p "$work/app"
rsync -a --delete --exclude .git --exclude .tmp --exclude data "$root/" "$work/app/"
cd "$work/app"
npm rebuild better-sqlite3 >/dev/null
node -e 'new (require("better-sqlite3"))(":memory:").close()' 
npx vitest run --outputFile.json="$root/.tmp/vitest-report-node$major.json" "${@:2}"

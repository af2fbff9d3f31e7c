#!/usr/bin/env bash
# Starts a local S3 server for the service (see scripts/local-s3.ts): installs Ceph's RADOS Gateway
# when missing (needs root), builds, runs it on 127.0.0.1:${LOCAL_S3_PORT:-7480} and prints the
# variables to set. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-s3-server.sh
npm run build --silent
exec node dist/scripts/local-s3.js

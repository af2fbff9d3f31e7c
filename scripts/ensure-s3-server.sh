#!/usr/bin/env bash
# Installs the S3-compatible server that the S3 FileStore tests start (test/storage/local-s3.ts):
# Ceph's RADOS Gateway with a one-monitor, one-OSD in-memory cluster, from Debian's packages.
# Idempotent: does nothing when the programs are already there. Needs root (CI runs as root).
set -euo pipefail
need=(monmaptool ceph-mon ceph-osd radosgw radosgw-admin ceph)
missing=()
for program in "${need[@]}"; do command -v "$program" >/dev/null 2>&1 || missing+=("$program"); done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
echo "ensure-s3-server: installing Ceph RADOS Gateway (missing: ${missing[*]})"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd >/dev/null
for program in "${need[@]}"; do
  command -v "$program" >/dev/null 2>&1 || { echo "ensure-s3-server: $program is still missing" >&2; exit 1; }
done
